# Part (e): several vCPUs, each instance in its own slice with its own page table.
PROGRAMS += lab-e
GUESTS += lab-e

BENCHES += bench-lab-e
CLEAN_FILES += build/bench/bench-lab-e
build/bench/bench-lab-e: $(BUILD)/bench/bench-lab-e.o $(BUILD)/libkit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/bench/bench-lab-e.o: $(GUEST_BINS)

.PHONY: bench-lab-e
bench-lab-e: build/bench/bench-lab-e
	@build/bench/bench-lab-e

# Part (b): print() and exits().
PROGRAMS += lab-b
GUESTS += lab-b
GUESTS += bench-b

BENCHES += bench-lab-b
CLEAN_FILES += build/bench/bench-lab-b
build/bench/bench-lab-b: $(BUILD)/bench/bench-lab-b.o $(BUILD)/libkit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/bench/bench-lab-b.o: $(GUEST_BINS)

.PHONY: bench-lab-b
bench-lab-b: build/bench/bench-lab-b
	@build/bench/bench-lab-b
GUESTS += hostile

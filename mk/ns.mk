# Part (2): containers and namespaces (issue 6).
# isolate and the demonstrations of questions (a)-(d); their helper layer is common/ns_*.c.
PROGRAMS += isolate ns-a ns-b ns-c ns-d
TESTS += test_ns_unit test_ns_isolate test_ns_demos

# make bench-isolate: start-up of isolate against bare unshare and the
# assignment's shell sequence, side by side, in a throwaway network namespace.
BENCHES += bench-isolate
.PHONY: bench-isolate
bench-isolate: $(BIN)isolate $(BUILD)/bench/isolate-bench
	@$(BUILD)/bench/isolate-bench --isolate ./$(BIN)isolate --script bench/isolate-shell-seq.sh

$(BUILD)/bench/isolate-bench: $(BUILD)/bench/isolate-bench.o $(BUILD)/libkit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

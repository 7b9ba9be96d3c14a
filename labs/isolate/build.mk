# Part (2)(d)/(e): isolate, the container runtime. Read labs/isolate/README.md.
ISOLATE_SRCS := labs/isolate/container.c labs/isolate/userns.c labs/isolate/netns.c \
	labs/isolate/child.c labs/isolate/mntns.c labs/isolate/options.c
PROGRAMS += isolate
isolate_SRCS := labs/isolate/isolate.c $(ISOLATE_SRCS)
isolate_LIBS := $(LIB_NS)

TESTS += test_ns_unit test_ns_isolate
test_ns_unit_SRCS := tests/test_ns_unit.c $(ISOLATE_SRCS)
test_ns_unit_LIBS := $(LIB_NS)
test_ns_isolate_SRCS := tests/test_ns_isolate.c tests/ns/for-others.c
test_ns_isolate_LIBS := $(LIB_NS)

# make bench-isolate: start-up of isolate against bare unshare and the
# assignment's shell sequence, side by side, in a throwaway network namespace.
BENCHES += bench-isolate
BENCH_PROGRAMS += isolate-bench
isolate-bench_SRCS := bench/isolate-bench.c
isolate-bench_LIBS := $(LIB_NS)
.PHONY: bench-isolate
bench-isolate: $(BIN)isolate build/bench/isolate-bench
	@build/bench/isolate-bench --isolate ./$(BIN)isolate --script bench/isolate-shell-seq.sh

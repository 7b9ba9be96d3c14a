# Part (c): filesystem paravirtualization (open/read/write/close hypercalls, sandboxed).
PROGRAMS += lab-c
GUESTS += lab-c
TESTS += test_fs

# ./lab-c cp of a 64 MiB file against dd, chunks of 4K, 64K and 1M (bench/lab-c.sh).
BENCHES += bench-lab-c
.PHONY: bench-lab-c
bench-lab-c: lab-c
	@bench/lab-c.sh ./lab-c

# Part (e): several vCPUs, each instance in its own slice with its own page table.
PROGRAMS += lab-e
GUESTS += lab-e

BENCHES += bench-lab-e
BENCH_PROGRAMS += bench-lab-e

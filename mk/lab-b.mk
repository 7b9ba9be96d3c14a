# Part (b): print() and exits().
PROGRAMS += lab-b
GUESTS += lab-b
GUESTS += bench-b

BENCHES += bench-lab-b
BENCH_PROGRAMS += bench-lab-b
GUESTS += hostile

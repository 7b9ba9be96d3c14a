# Part (b): print() and exits().
PROGRAMS += lab-b
lab-b_SRCS := labs/lab-b/lab-b.c labs/lab-b/hypercalls.c
lab-b_LIBS := $(LIB_LAB)
lab-b_GUESTS := lab-b

GUESTS += lab-b
lab-b_GUEST_SRCS := labs/lab-b/guest.c labs/lab-b/guest_hypercalls.c

# The hostile guest fires random and pathological calls at every port (tests/test_hostile.c).
GUESTS += hostile
hostile_GUEST_SRCS := guests/hostile.c
TESTS += test_hostile
test_hostile_SRCS := tests/test_hostile.c labs/lab-b/hypercalls.c labs/lab-c/files.c labs/lab-c/file_table.c labs/lab-c/file_io.c \
	labs/lab-c/sandbox.c
test_hostile_LIBS := $(LIB_LAB)
test_hostile_GUESTS := hostile

BENCHES += bench-lab-b
BENCH_PROGRAMS += bench-lab-b
bench-lab-b_SRCS := bench/bench-lab-b.c labs/lab-b/hypercalls.c
bench-lab-b_LIBS := $(LIB_LAB)
bench-lab-b_GUESTS := bench-b
GUESTS += bench-b
bench-b_GUEST_SRCS := guests/bench-b.c labs/lab-b/guest_hypercalls.c

# A guest whose page tables alias 127.9 TiB onto one page, to show print()'s
# work is bounded (tests/test_bounds.c, and `./lab-b --guest build/guests/alias.bin`).
GUESTS += alias
alias_GUEST_SRCS := guests/alias.c
TESTS += test_bounds
test_bounds_SRCS := tests/test_bounds.c labs/lab-b/hypercalls.c
test_bounds_LIBS := $(LIB_LAB)
test_bounds_GUESTS := alias

# Part (e): several vCPUs, each instance in its own slice with its own page table.
LAB_E_HOST := labs/lab-e/instances.c labs/lab-b/hypercalls.c labs/lab-c/files.c labs/lab-c/file_table.c labs/lab-c/file_io.c \
	labs/lab-c/sandbox.c
PROGRAMS += lab-e
lab-e_SRCS := labs/lab-e/lab-e.c $(LAB_E_HOST)
lab-e_LIBS := $(LIB_LAB)
lab-e_GUESTS := lab-e

GUESTS += lab-e
lab-e_GUEST_SRCS := labs/lab-e/guest.c labs/lab-b/guest_hypercalls.c labs/lab-c/guest_files.c

TESTS += test_multi
test_multi_SRCS := tests/test_multi.c $(LAB_E_HOST)
test_multi_LIBS := $(LIB_LAB)
test_multi_GUESTS := lab-e

BENCHES += bench-lab-e
BENCH_PROGRAMS += bench-lab-e
bench-lab-e_SRCS := bench/bench-lab-e.c $(LAB_E_HOST)
bench-lab-e_LIBS := $(LIB_LAB)
bench-lab-e_GUESTS := lab-e

# Part (e): several vCPUs, each instance in its own slice with its own page table, in user mode.
LAB_E_HOST := labs/lab-e/instances.c labs/lab-e/slice.c labs/lab-e/user_mode.c \
	labs/lab-e/faults.c labs/lab-e/explain.c labs/lab-e/attack.c labs/lab-e/report.c \
	labs/lab-e/diagram.c labs/lab-b/hypercalls.c labs/lab-c/files.c labs/lab-c/file_table.c \
	labs/lab-c/file_io.c labs/lab-c/sandbox.c
PROGRAMS += lab-e
lab-e_SRCS := labs/lab-e/lab-e.c $(LAB_E_HOST)
lab-e_LIBS := $(LIB_LAB)
lab-e_GUESTS := lab-e lab-e-traps

GUESTS += lab-e
lab-e_GUEST_SRCS := labs/lab-e/guest.c labs/lab-e/guest_attack.c \
	labs/lab-b/guest_hypercalls.c labs/lab-c/guest_files.c

# The CPL-0 fault handlers, copied into every instance's trap page by user_mode.c.
GUESTS += lab-e-traps
lab-e-traps_GUEST_SRCS := labs/lab-e/traps.S
lab-e-traps_BARE := 1
$(BUILD)/labs/lab-e/user_mode.o: build/guests/lab-e-traps.bin

TESTS += test_multi
test_multi_SRCS := tests/test_multi.c $(LAB_E_HOST)
test_multi_LIBS := $(LIB_LAB)
test_multi_GUESTS := lab-e hello

BENCHES += bench-lab-e
BENCH_PROGRAMS += bench-lab-e
bench-lab-e_SRCS := bench/bench-lab-e.c $(LAB_E_HOST)
bench-lab-e_LIBS := $(LIB_LAB)
bench-lab-e_GUESTS := lab-e

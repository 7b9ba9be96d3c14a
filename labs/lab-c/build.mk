# Part (c): filesystem paravirtualization (open/read/write/close hypercalls, sandboxed).
LAB_C_HOST := labs/lab-c/files.c labs/lab-c/file_table.c labs/lab-c/file_io.c labs/lab-c/sandbox.c \
	labs/lab-b/hypercalls.c
# One step further: the same calls through a request queue, many per exit (lab-c --queue).
LAB_C_QUEUE := labs/lab-c/queue.c labs/lab-c/queue_run.c
PROGRAMS += lab-c
lab-c_SRCS := labs/lab-c/lab-c.c $(LAB_C_HOST) $(LAB_C_QUEUE)
lab-c_LIBS := $(LIB_LAB)
lab-c_GUESTS := lab-c lab-c-queue

GUESTS += lab-c
lab-c_GUEST_SRCS := labs/lab-c/guest.c labs/lab-c/guest_say.c labs/lab-c/guest_files.c \
	labs/lab-b/guest_hypercalls.c

GUESTS += lab-c-queue
lab-c-queue_GUEST_SRCS := labs/lab-c/guest_queue_cp.c labs/lab-c/guest_queue.c labs/lab-c/guest_say.c \
	labs/lab-c/guest_files.c labs/lab-b/guest_hypercalls.c

# The queue's tests; the hostile queue guest attacks it (guests/hostile_queue.c).
TESTS += test_queue
test_queue_SRCS := tests/test_queue.c tests/test_files.c $(LAB_C_HOST) $(LAB_C_QUEUE)
test_queue_LIBS := $(LIB_LAB)
test_queue_GUESTS := lab-c-queue hostile-queue
GUESTS += hostile-queue
hostile-queue_GUEST_SRCS := guests/hostile_queue.c

TESTS += test_fs
test_fs_SRCS := tests/test_fs.c tests/test_files.c $(LAB_C_HOST)
test_fs_LIBS := $(LIB_LAB)
test_fs_GUESTS := lab-c hostile

# ./lab-c cp of a 64 MiB file against dd, chunks of 4K, 64K and 1M (bench/lab-c.sh).
BENCHES += bench-lab-c
.PHONY: bench-lab-c
bench-lab-c: $(BIN)lab-c
	@bench/lab-c.sh ./$(BIN)lab-c

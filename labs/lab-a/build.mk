# Part (a): kvm-hello-world, studied live (a.1-a.7).
PROGRAMS += lab-a
lab-a_SRCS := labs/lab-a/lab-a.c
lab-a_LIBS := $(LIB_LAB)
lab-a_GUESTS := hello

# The original's guest.c: no runtime, its own _start is the first byte.
GUESTS += hello
hello_GUEST_SRCS := labs/lab-a/guest.c
hello_BARE := 1

# A guest that links the original's page tables into cycles (tests/test_programs.c).
GUESTS += cyclic
cyclic_GUEST_SRCS := guests/cyclic.c
cyclic_BARE := 1

# Part (a): kvm-hello-world, studied live (a.1-a.7).
PROGRAMS += lab-a
lab-a_SRCS := labs/lab-a/lab-a.c labs/lab-a/answers.c labs/lab-a/diagram.c
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

# kvm-hello-world's guest built exactly as its own Makefile builds guest64.img
# (gcc -O2 -m64 -ffreestanding -fno-pic, ld with a binary-output script that
# keeps .eh_frame): `./lab-a --guest build/original/guest64.img` shows a.3 for it.
build/original/guest64.img: labs/lab-a/guest.c tests/original/guest.ld
	@mkdir -p $(@D)
	gcc -Wall -Wextra -Werror -O2 -shared -m64 -ffreestanding -fno-pic -c -o $(@D)/guest64.o $<
	ld -T tests/original/guest.ld $(@D)/guest64.o -o $@
programs: build/original/guest64.img

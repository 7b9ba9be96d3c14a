/*
 * lab-a's hypervisor (lab-a.c) and the answers it prints (answers.c,
 * diagram.c) share the original's layout and what a run found out.
 */
#ifndef LAB_A_H
#define LAB_A_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm/guest_image.h"
#include "kvm/kvm.h"
#include "kvm/paging.h"

#define MEM_SIZE      0x200000ull  /* 2 MiB, as kvm-hello-world */
#define PML4_GPA      0x2000ull
#define TABLES_END    0x5000ull    /* PML4, PDPT and PD: three pages */
#define STACK_TOP     MEM_SIZE
#define ENTRY_GVA     0x0ull
#define CONSOLE_PORT  0xE9
#define ANSWER        42
/* A --guest image must end before the page tables, as in the original. */
#define MAX_IMAGE     PML4_GPA
/* lab-a fills the 8 bytes at 0x400 with this before the run (answers.c shows what changed). */
#define SLOT_MARK     0xaa

/* What the run taught us, gathered live for the answers. */
struct lab {
	struct vm vm;
	struct vcpu vcpu;
	struct pt_builder tables;
	struct guest_image image;
	uint64_t console_exits;     /* OUTs to port 0xE9 */
	uint64_t console_bytes;     /* bytes they carried (more with REP OUTSB) */
	uint32_t io_data_offset;    /* where in kvm_run KVM put the OUT's byte */
	uint64_t rax_at_halt;
	uint64_t answer_in_memory;
	bool slot_marked;           /* 0x400-0x407 held SLOT_MARK before the run */
	enum vcpu_end end;
};

/* Print the answers to a.1-a.7 from what the run found out (answers.c). */
void answer_questions(const struct lab *lab);
/* --dot FILE: the layout and the walk of 0x400 in graphviz ('-' for stdout; diagram.c). */
void write_dot(const struct lab *lab, const char *path);

#endif

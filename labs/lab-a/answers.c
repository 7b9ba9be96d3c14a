/*
 * lab-a's answers to a.1-a.7, printed from what the run found out: one
 * function per question, each naming the code it is about.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lab-a.h"

#include "abi/hypercall.h"
#include "kvm/guest_access.h"
#include "util/opts.h"
#include "util/util.h"

#ifndef STUB_a /* SOLUTION a (a.1-a.7): the answers, printed live */
static void heading(const char *q, const char *title)
{
	printf("\n== %s  %s ==\n", q, title);
}

static void a1_guest_memory(const struct lab *lab)
{
	const struct phys_mem *m = &lab->vm.mem;
	char size[32];

	heading("a.1", "guest physical memory");
	printf("a.1 size: %s (0x%llx bytes)\n", format_size(m->size, size, sizeof(size)),
	       (unsigned long long)m->size);
	printf("a.1 allocated by: mmap(NULL, 0x%llx, PROT_READ|PROT_WRITE, "
	       "MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE) in vm_add_memory() [common/kvm/kvm_vm.c]\n",
	       (unsigned long long)m->size);
	printf("a.1 given to KVM by: KVM_SET_USER_MEMORY_REGION slot 0, guest_phys_addr 0x0, "
	       "memory_size 0x%llx\n", (unsigned long long)m->size);
	printf("a.1 host-virtual: %p-%p\n", (void *)m->host, (void *)(m->host + m->size - 1));
	printf("a.1 guest-physical: 0x0-0x%llx\n", (unsigned long long)(m->size - 1));
}

/*
 * What KVM_SET_TSS_ADDR costs depends on the CPU: with VMX's unrestricted
 * guest, vmx_set_tss_addr() returns at once; without it, it makes a private
 * 3-page memslot whose pages KVM maps into this process (vm_mmap in
 * __x86_set_memory_region). AMD's svm_set_tss_addr() does nothing.
 */
static void a2_tss_cost(void)
{
	char value[8] = "";
	FILE *f = fopen("/sys/module/kvm_intel/parameters/unrestricted_guest", "r");

	if (f && fgets(value, sizeof(value), f) && value[0] == 'Y')
		printf("a.2 TSS cost here: none: kvm_intel has unrestricted_guest=Y, so "
		       "vmx_set_tss_addr() allocates nothing\n");
	else if (f)
		printf("a.2 TSS cost here: 3 pages: kvm_intel has unrestricted_guest=N, so "
		       "vmx_set_tss_addr() maps a private 3-page memslot into this process\n");
	else
		printf("a.2 TSS cost here: none: kvm_intel is not loaded (not an Intel VMX host), "
		       "and only VMX without unrestricted guest allocates the 3 pages\n");
	if (f)
		fclose(f);
}

static void a2_other_memory(const struct lab *lab)
{
	const struct vcpu *v = &lab->vcpu;
	const uint8_t *run = (const uint8_t *)v->run;

	heading("a.2", "memory besides guest RAM");
	printf("a.2 kvm_run size: %d bytes (KVM_GET_VCPU_MMAP_SIZE)\n", lab->vm.run_size);
	printf("a.2 kvm_run allocated by: mmap(NULL, %d, PROT_READ|PROT_WRITE, MAP_SHARED, "
	       "vcpu_fd, 0) in vcpu_create_raw() [common/kvm/kvm_vcpu.c]\n", lab->vm.run_size);
	printf("a.2 kvm_run host-virtual: %p-%p\n", (const void *)run,
	       (const void *)(run + lab->vm.run_size - 1));
	printf("a.2 kvm_run guest address: none (kernel memory shared with the hypervisor "
	       "process; the guest cannot see it)\n");
	printf("a.2 kvm_run holds: struct kvm_run (exit_reason, io.{direction,size,port,count,"
	       "data_offset}, mmio, ..., s.regs) and, at offset 0x%x, the port-I/O data\n",
	       lab->io_data_offset);
	printf("a.2 TSS area: guest-physical 0x%llx-0x%llx (KVM_SET_TSS_ADDR in vm_create_raw(); "
	       "3 pages for the real-mode TSS that VMX needs when it emulates real mode)\n",
	       (unsigned long long)VM_TSS_GPA, (unsigned long long)(VM_TSS_GPA + 3 * 4096 - 1));
	a2_tss_cost();
}

/* The deepest stack byte the guest wrote: memory starts zeroed, so writes show. */
static gpa_t deepest_stack_write(const struct lab *lab)
{
	gpa_t low = STACK_TOP;

	for (gpa_t a = STACK_TOP; a > TABLES_END; a--)
		if (lab->vm.mem.host[a - 1] != 0)
			low = a - 1;
	return low;
}

static void a3_code_tables_stack(const struct lab *lab)
{
	const uint8_t *host = lab->vm.mem.host;
	gpa_t deepest = deepest_stack_write(lab);

	heading("a.3", "code, page tables and stack");
	printf("a.3 code: guest-physical 0x0-0x%zx, host-virtual %p-%p (%zu bytes of %s, "
	       "copied by memcpy in set_up() [labs/lab-a/lab-a.c])\n",
	       lab->image.size - 1, (const void *)host, (const void *)(host + lab->image.size - 1),
	       lab->image.size, lab->image.name);
	printf("a.3 page tables: guest-physical 0x%llx-0x%llx, host-virtual %p-%p "
	       "(built by build_page_tables() [labs/lab-a/lab-a.c] with pt_map() [common/kvm/paging.c])\n",
	       (unsigned long long)PML4_GPA, (unsigned long long)(TABLES_END - 1),
	       (const void *)(host + PML4_GPA), (const void *)(host + TABLES_END - 1));
	printf("a.3 stack: starts at RSP = 0x%llx (host-virtual %p), grows down; "
	       "set by vcpu_enter_long_mode() [common/kvm/kvm_vcpu.c]\n",
	       (unsigned long long)STACK_TOP, (const void *)(host + STACK_TOP));
	if (deepest == STACK_TOP)
		printf("a.3 stack used: none (the guest wrote nothing below 0x%llx)\n",
		       (unsigned long long)STACK_TOP);
	else
		printf("a.3 stack used: 0x%llx-0x%llx (%llu bytes)\n", (unsigned long long)deepest,
		       (unsigned long long)(STACK_TOP - 1), (unsigned long long)(STACK_TOP - deepest));
}

/* A guest (--guest) may rewrite its tables into millions of runs, or cycles: list a few. */
#define MAX_LISTED_MAPPINGS 64

struct listing {
	unsigned listed, skipped;
};

static int print_mapping(const struct pt_mapping *m, void *ctx)
{
	struct listing *l = ctx;
	char size[32];

	if (l->listed == MAX_LISTED_MAPPINGS) {
		l->skipped++;
		return 0;
	}
	l->listed++;
	printf("a.4 mapping: guest-virtual 0x%llx-0x%llx -> guest-physical 0x%llx-0x%llx "
	       "(%llu page(s) of %s, %s%s)\n",
	       (unsigned long long)m->va, (unsigned long long)(m->va + m->len - 1),
	       (unsigned long long)m->pa, (unsigned long long)(m->pa + m->len - 1),
	       (unsigned long long)m->pages, format_size(m->page_size, size, sizeof(size)),
	       m->writable ? "read/write" : "read-only", m->user ? ", user" : "");
	return 0;
}

static void print_walk(const struct lab *lab, gva_t va)
{
	struct pt_walk w;

	pt_walk(&lab->vm.mem, lab->tables.root, va, &w);
	printf("a.4 translate 0x%llx:", (unsigned long long)va);
	for (int i = 0; i < w.steps; i++)
		printf(" %s[%u] at 0x%llx = 0x%llx ->", pt_level_name(w.step[i].level),
		       w.step[i].index,
		       (unsigned long long)(w.step[i].table + 8ull * w.step[i].index),
		       (unsigned long long)w.step[i].entry);
	if (w.fault == PT_OK)
		printf(" guest-physical 0x%llx\n", (unsigned long long)w.gpa);
	else
		printf(" %s\n", pt_fault_name(w.fault));
}

static void print_mappings(const struct lab *lab)
{
	struct listing l = { 0 };
	int err = pt_for_each_mapping(&lab->vm.mem, lab->tables.root, print_mapping, &l);

	if (l.skipped)
		printf("a.4 mapping: ... and %u more run(s), not listed (at most %d are)\n",
		       l.skipped, MAX_LISTED_MAPPINGS);
	if (err == -ELOOP)
		printf("a.4 mapping: ... the listing stopped after %d tables: the guest's tables "
		       "link into a cycle or are too many to walk\n", PT_ENUM_MAX_TABLES);
	else if (err == -EFAULT)
		printf("a.4 mapping: ... the listing stopped at a table outside guest memory\n");
}

static void a4_page_table(const struct lab *lab)
{
	struct pt_walk w;

	heading("a.4", "the guest page table");
	pt_walk(&lab->vm.mem, lab->tables.root, HC_ANSWER_SLOT, &w);
	printf("a.4 levels: %d of 4 walked (", w.steps);
	for (int i = 0; i < w.steps; i++)
		printf("%s%s", i ? " -> " : "", pt_level_name(w.step[i].level));
	printf("); the PD entry has PS=1, so it maps a 2 MiB page and no PT is needed\n");
	printf("a.4 pages: %u (%u KiB), PML4 at 0x%llx, PDPT at 0x%llx, PD at 0x%llx\n",
	       lab->tables.tables, lab->tables.tables * 4, (unsigned long long)lab->tables.root,
	       (unsigned long long)(w.step[0].entry & PTE_ADDR_MASK),
	       (unsigned long long)(w.step[1].entry & PTE_ADDR_MASK));
	printf("a.4 entries: PML4[0] = 0x%llx, PDPT[0] = 0x%llx, PD[0] = 0x%llx; built as "
	       "address | P | RW | US (| PS in the PD); the CPU then set A (0x20) on every "
	       "entry it walked and D (0x40) on the PD entry when the guest wrote\n",
	       (unsigned long long)w.step[0].entry, (unsigned long long)w.step[1].entry,
	       (unsigned long long)w.step[2].entry);
	print_mappings(lab);
	printf("a.4 unmapped: everything else (guest-virtual 0x200000 and up)\n");
	print_walk(lab, HC_ANSWER_SLOT);
	print_walk(lab, STACK_TOP - 8);
	print_walk(lab, STACK_TOP);
	printf("a.4 diagram:\n"
	       "      CR3=0x%llx\n"
	       "        |  PML4[0] (va bits 47..39 = 0)\n"
	       "        v\n"
	       "      PDPT @0x%llx\n"
	       "        |  PDPT[0] (va bits 38..30 = 0)\n"
	       "        v\n"
	       "      PD @0x%llx\n"
	       "        |  PD[0] (va bits 29..21 = 0), PS=1\n"
	       "        v\n"
	       "      2 MiB page @0x0 + va bits 20..0 -> guest-physical = guest-virtual\n",
	       (unsigned long long)lab->tables.root,
	       (unsigned long long)(w.step[0].entry & PTE_ADDR_MASK),
	       (unsigned long long)(w.step[1].entry & PTE_ADDR_MASK));
}

static void a5_entry(const struct lab *lab)
{
	(void)lab;
	heading("a.5", "entry point");
	printf("a.5 entry: guest-virtual 0x%llx (RIP), the first byte of the image\n",
	       (unsigned long long)ENTRY_GVA);
	printf("a.5 configured by: KVM_SET_REGS with rip = 0x%llx in "
	       "vcpu_enter_long_mode() [common/kvm/kvm_vcpu.c]; guests/guest.ld puts _start "
	       "(section .start) first\n", (unsigned long long)ENTRY_GVA);
}

static void a6_port_io(const struct lab *lab)
{
	heading("a.6", "port I/O");
	printf("a.6 port: 0x%x\n", CONSOLE_PORT);
	printf("a.6 how the hypervisor knows: KVM_RUN returns with kvm_run->exit_reason == "
	       "KVM_EXIT_IO; kvm_run->io.direction == KVM_EXIT_IO_OUT, io.port == 0x%x, "
	       "io.size == 1, io.count == 1\n", CONSOLE_PORT);
	printf("a.6 where the value is: kvm_run + io.data_offset = kvm_run + 0x%x "
	       "(host-virtual %p), inside the kvm_run mapping\n", lab->io_data_offset,
	       (void *)((uint8_t *)lab->vcpu.run + lab->io_data_offset));
	printf("a.6 exits for the print: %llu (the guest wrote %llu bytes, one OUT each)\n",
	       (unsigned long long)lab->console_exits, (unsigned long long)lab->console_bytes);
	printf("a.6 exits in all: %llu (%llu port I/O, %llu other: the final HLT)\n",
	       (unsigned long long)lab->vcpu.exits, (unsigned long long)lab->vcpu.io_exits,
	       (unsigned long long)(lab->vcpu.exits - lab->vcpu.io_exits));
}

/* How many of the marked bytes the guest's store replaced: the size the host must read. */
static void a7_store_size(const struct lab *lab)
{
	const uint8_t *slot = lab->vm.mem.host + HC_ANSWER_SLOT;
	int written = 0;

	if (!lab->slot_marked)
		return;
	for (int i = 0; i < 8; i++)
		written = slot[i] != SLOT_MARK ? i + 1 : written;
	printf("a.7 bytes at 0x400-0x407 after the run: %02x %02x %02x %02x %02x %02x %02x %02x "
	       "(all %02x before): the store wrote %d bytes", slot[0], slot[1], slot[2], slot[3],
	       slot[4], slot[5], slot[6], slot[7], SLOT_MARK, written);
	if (written == 8)
		printf(" (a 64-bit movq of a long), so the original reads them with sz = 8: "
		       "run_vm(vm, vcpu, 8) in run_long_mode()");
	printf("\n");
}

static void a7_answer(const struct lab *lab)
{
	struct pt_walk w;

	pt_walk(&lab->vm.mem, lab->tables.root, HC_ANSWER_SLOT, &w);
	heading("a.7", "the number 42");
	printf("a.7 written at: guest-virtual 0x%llx = guest-physical 0x%llx "
	       "(host-virtual %p)\n", (unsigned long long)HC_ANSWER_SLOT,
	       (unsigned long long)w.gpa, (void *)(lab->vm.mem.host + w.gpa));
	printf("a.7 read by the hypervisor: memcpy from guest memory + 0x%llx after the HLT "
	       "exit in run() [labs/lab-a/lab-a.c]: %llu\n", (unsigned long long)w.gpa,
	       (unsigned long long)lab->answer_in_memory);
	printf("a.7 RAX at HLT: %llu (from the synced registers, as KVM_GET_REGS gives)\n",
	       (unsigned long long)lab->rax_at_halt);
	a7_store_size(lab);
}

void answer_questions(const struct lab *lab)
{
	a1_guest_memory(lab);
	a2_other_memory(lab);
	a3_code_tables_stack(lab);
	a4_page_table(lab);
	a5_entry(lab);
	a6_port_io(lab);
	a7_answer(lab);
}
#else
void answer_questions(const struct lab *lab)
{
	/* a.1-a.7 are questions about kvm-hello-world: answer them in answers/lab-a.md. */
	(void)lab;
}
#endif /* SOLUTION a */

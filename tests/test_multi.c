/*
 * lab-e's machinery: several vCPUs in one VM, each instance in its own
 * slice behind its own page table, in user mode (CPL 3), concurrently, with
 * hypercalls (files included, one descriptor table per instance). A fault
 * is reported by the instance's fault handler and stops that vCPU alone; a
 * hostile instance (the attacks of labs/lab-e/attacks.h) is stopped or
 * refused every time; kvm-hello-world's guest halts with its 42 on every
 * vCPU; output lines arrive whole and tagged. The first tests need no KVM:
 * they check the tables, the descriptor page and the I/O bitmap in memory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvm/guest_access.h"
#include "kvm/paging.h"
#include "lab-b/hypercalls.h"
#include "lab-c/files.h"
#include "lab-e/attack.h"
#include "lab-e/faults.h"
#include "lab-e/instances.h"
#include "lab-e/supervisor.h"
#include "lab-e/user_mode.h"
#include "lab/lab.h"
#include "util/util.h"

GUEST_IMAGE_FILE(lab_e, "lab-e")
GUEST_IMAGE(hello)

#define SLICE (2u << 20)

/* --- without KVM: what the page tables and the descriptor page say ---------------- */

static void test_slice_rights(void **state)
{
	struct phys_mem mem = { .host = calloc(1, 2 * SLICE), .size = 2 * SLICE };
	struct slice s;
	struct pt_walk w;

	(void)state;
	assert_int_equal(slice_build(&mem, SLICE, SLICE, &s), 0);
	/* Its memory: user, writable, in its own slice. */
	assert_int_equal(pt_walk(&mem, s.cr3, 0x400, &w), PT_OK);
	assert_true(w.user && w.writable);
	assert_int_equal(w.gpa, SLICE + 0x400);
	assert_int_equal(pt_walk(&mem, s.cr3, s.user_end - 1, &w), PT_OK);
	assert_true(w.user);
	/* The supervisor pages: present, no user access; only the kernel stack writable. */
	assert_int_equal(pt_walk(&mem, s.cr3, s.desc, &w), PT_OK);
	assert_true(!w.user && !w.writable);
	assert_int_equal(pt_walk(&mem, s.cr3, s.traps, &w), PT_OK);
	assert_true(!w.user && !w.writable);
	assert_int_equal(pt_walk(&mem, s.cr3, s.kstack, &w), PT_OK);
	assert_true(!w.user && w.writable);
	/* The tables and everything past the slice: not mapped at all. */
	assert_int_equal(s.cr3, SLICE + s.tables);
	assert_int_equal(pt_walk(&mem, s.cr3, s.tables, &w), PT_NOT_PRESENT);
	assert_int_equal(pt_walk(&mem, s.cr3, SLICE - 8, &w), PT_NOT_PRESENT);
	assert_int_equal(pt_walk(&mem, s.cr3, SLICE + 0x400, &w), PT_NOT_PRESENT);
	assert_int_equal(pt_walk(&mem, s.cr3, 0, &w), PT_OK);
	/* No room: refused. */
	assert_int_equal(slice_build(&mem, 0, 0x8000, &s), -EINVAL);
	free(mem.host);
}

static enum pio_result no_op(struct vcpu *v, struct pio *io, void *opaque)
{
	(void)v, (void)io, (void)opaque;
	return PIO_DONE;
}

static bool port_open(const uint8_t *bitmap, unsigned port)
{
	return !(bitmap[port / 8] & (1u << (port % 8)));
}

static void test_descriptor_page(void **state)
{
	struct phys_mem mem = { .host = calloc(1, SLICE), .size = SLICE };
	struct vm vm = { .fd = -1 };
	const uint16_t ports[] = { HC_PORT_CONSOLE, HC_PORT_PRINT, LAB_E_PORT_FAULT };
	const uint8_t *page, *bitmap;
	uint64_t gate[2], rsp0, gdt[GDT_ENTRIES];
	struct slice s;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(ports); i++)
		assert_int_equal(vm_on_port_raw(&vm, &(struct port_spec){
			.port = ports[i], .dirs = PIO_DIR_OUT, .size = i ? 4 : 1, .fn = no_op }), 0);
	assert_int_equal(slice_build(&mem, 0, SLICE, &s), 0);
	assert_int_equal(user_mode_install(&vm, &mem, &s), 0);
	page = mem.host + s.desc;
	bitmap = page + SUP_TSS + TSS_SIZE;
	/* The I/O bitmap opens exactly the registered ports, for their access size. */
	assert_true(port_open(bitmap, HC_PORT_CONSOLE));
	assert_false(port_open(bitmap, HC_PORT_CONSOLE + 1));
	for (unsigned p = HC_PORT_PRINT; p < HC_PORT_PRINT + 4; p++)
		assert_true(port_open(bitmap, p));
	assert_false(port_open(bitmap, HC_PORT_PRINT + 4));
	assert_false(port_open(bitmap, LAB_E_PORT_FAULT));   /* registered, but CPL 0 only */
	assert_false(port_open(bitmap, 0x80));
	assert_int_equal(bitmap[IOMAP_PORTS / 8], 0xff);      /* the byte past the bitmap */
	/* RSP0: a fault at CPL 3 switches to the kernel stack. */
	memcpy(&rsp0, page + SUP_TSS + TSS_RSP0, 8);
	assert_int_equal(rsp0, s.kstack_top);
	/* Gate 13: interrupt gate (type 0xe), DPL 0, kernel CS, to the #GP stub. */
	memcpy(gate, page + SUP_IDT + 13 * 16, 16);
	assert_int_equal((gate[0] >> 16) & 0xffff, SEL_KERNEL_CODE);
	assert_int_equal((gate[0] >> 40) & 0xff, 0x8e);
	assert_int_equal((gate[0] & 0xffff) | ((gate[0] >> 32) & 0xffff0000) | (gate[1] << 32),
			 s.traps + 13 * TRAP_STUB_BYTES);
	/* User code: 64-bit, DPL 3; kernel code: DPL 0. */
	memcpy(gdt, page + SUP_GDT, sizeof(gdt));
	assert_int_equal((gdt[SEL_USER_CODE >> 3] >> 45) & 3, 3);
	assert_int_equal((gdt[SEL_USER_CODE >> 3] >> 53) & 1, 1);
	assert_int_equal((gdt[SEL_KERNEL_CODE >> 3] >> 45) & 3, 0);
	/* The stubs are in the trap page: the first pushes a 0 error code, then vector 0. */
	assert_memory_equal(mem.host + s.traps, "\x6a\x00\x6a\x00", 4);
	/* A port the bitmap cannot cover is refused. */
	assert_int_equal(vm_on_port_raw(&vm, &(struct port_spec){
		.port = IOMAP_PORTS, .dirs = PIO_DIR_OUT, .fn = no_op }), 0);
	assert_int_equal(user_mode_install(&vm, &mem, &s), -ERANGE);
	free(mem.host);
}

/* --- with KVM ---------------------------------------------------------------------- */

struct plan {
	const char *work;
	int fault;
	char id[MULTI_MAX_VCPUS][8];
	char slice[16];
};

static int args_for(int i, char **argv, void *ctx)
{
	struct plan *p = ctx;
	int argc = 0;

	snprintf(p->id[i], sizeof(p->id[i]), "%d", i);
	snprintf(p->slice, sizeof(p->slice), "%u", SLICE);
	argv[argc++] = "lab-e";
	argv[argc++] = p->id[i];
	argv[argc++] = p->slice;
	argv[argc++] = (char *)p->work;
	if (i == p->fault)
		argv[argc++] = "fault";
	return argc;
}

static bool have_kvm(void)
{
	struct vm vm;
	const char *why;
	bool ok = vm_create_raw(&vm, &why) == 0;

	vm_destroy(&vm);
	return ok;
}

static char root[] = "/tmp/kit-multi-XXXXXX";

/* count instances of img, each with its own file table in one root, booted in user mode. */
static void boot(struct multi_vm *m, int count, const struct guest_image *img, struct plan *p)
{
	if (!have_kvm())
		skip();
	instances_create(m, count, SLICE, 30, false);
	lab_register_guest_ports(&m->vm);
	hc_register_print_exits(&m->vm);
	if (root[sizeof(root) - 2] == 'X')
		assert_non_null(mkdtemp(root));
	for (int i = 0; i < count; i++)
		hc_files_attach(&m->inst[i].vcpu, hc_files_create(root));
	hc_register_fs(&m->vm);
	faults_register(m);
	m->quiet_faults = true;
	for (int i = 0; i < count; i++) {
		char *argv[MULTI_MAX_ARGS + 1] = { 0 };

		instance_boot(&m->inst[i], img, args_for(i, argv, p), argv);
	}
}

/* Run them (or the attacks, with out) with their output captured in the returned file. */
static FILE *run(struct multi_vm *m, const struct attack_plan *attack, struct attack_outcome *out)
{
	FILE *f = tmpfile();
	int saved;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(f), STDOUT_FILENO);
	if (attack)
		attack_run(m, attack, out);
	else
		instances_run(m);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(f);
	return f;
}

static void finish(struct multi_vm *m, FILE *out, bool files_closed)
{
	for (int i = 0; i < m->count; i++) {
		if (files_closed)
			assert_int_equal(hc_files_open_count(m->inst[i].vcpu.lab_state), 0);
		hc_files_destroy(m->inst[i].vcpu.lab_state);
	}
	fclose(out);
	instances_free(m);
}

/* Did instance in end in user mode with its HLT, main's status 0 and 42 in its slot? */
static void assert_halted_with_42(const struct instance *in)
{
	assert_int_equal(in->end, INSTANCE_HALTED);
	assert_true(in->fault.reported && in->fault.halt);   /* the #GP of a HLT at CPL 3 */
	assert_int_equal(in->fault.cs & 3, 3);
	assert_int_equal(in->status, 0);
	assert_int_equal(in->answer, 42);
}

static void test_two_instances_isolated(void **state)
{
	struct guest_image img = guest_image_lab_e();
	struct plan p = { .work = "300", .fault = -1 };
	struct multi_vm m;
	FILE *out;

	(void)state;
	boot(&m, 2, &img, &p);
	out = run(&m, NULL, NULL);
	for (int i = 0; i < 2; i++) {
		struct instance *in = &m.inst[i];
		struct guest_view g = guest_view_long_mode(&m.vm.mem, in->slice.cr3);
		uint8_t *host;
		uint64_t avail;

		assert_halted_with_42(in);
		/* Its own table: 0x400 lands in its own slice; the next slice is unmapped. */
		assert_int_equal(in->slice.base, (uint64_t)i * SLICE);
		assert_int_equal(guest_translate(&g, 0x400, false, &host, &avail), 0);
		assert_ptr_equal(host, m.vm.mem.host + (uint64_t)i * SLICE + 0x400);
		assert_int_equal(guest_translate(&g, SLICE + 0x400, false, &host, &avail), -EFAULT);
		/* Exit counts are per vCPU: each counted its own calls only. */
		assert_in_range(in->vcpu.exits, 300, 330);
	}
	assert_int_not_equal(m.inst[0].slice.cr3, m.inst[1].slice.cr3);
	/* Each instance's file, written through its own descriptor table. */
	for (int i = 0; i < 2; i++) {
		char path[64], text[64] = { 0 }, want[64];
		FILE *f;

		snprintf(path, sizeof(path), "%s/lab-e-%d.txt", root, i);
		snprintf(want, sizeof(want), "written by instance %d\n", i);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(text, sizeof(text), f));
		fclose(f);
		assert_string_equal(text, want);
	}
	finish(&m, out, true);
}

static void test_fault_is_reported_and_stops_only_that_vcpu(void **state)
{
	struct guest_image img = guest_image_lab_e();
	struct plan p = { .work = "200", .fault = 1 };
	struct multi_vm m;
	const struct fault *f = &m.inst[1].fault;
	FILE *out;

	(void)state;
	boot(&m, 2, &img, &p);
	out = run(&m, NULL, NULL);
	assert_halted_with_42(&m.inst[0]);
	/* A page fault, from user mode, reading the unmapped guest-virtual SLICE + 0x400. */
	assert_int_equal(m.inst[1].end, INSTANCE_FAULTED);
	assert_int_equal(f->vector, 14);
	assert_int_equal(f->cr2, SLICE + 0x400);
	assert_int_equal(f->error & 7, 4);   /* not present, read, user */
	assert_int_equal(f->cs, SEL_USER_CODE);
	assert_true(f->rip < m.inst[1].slice.user_end);
	assert_non_null(strstr(f->what, "#PF"));
	assert_non_null(strstr(f->what, "not mapped"));
	finish(&m, out, true);
}

/* kvm-hello-world's guest: "Hello, world!", 42 at 0x400 and in RAX, HLT; on every vCPU. */
static void test_original_guest_on_every_vcpu(void **state)
{
	struct guest_image img = guest_image_hello();
	struct plan p = { .work = "0", .fault = -1 };
	struct multi_vm m;
	char line[128];
	int hellos = 0;
	FILE *out;

	(void)state;
	boot(&m, 4, &img, &p);
	out = run(&m, NULL, NULL);
	for (int i = 0; i < 4; i++) {
		assert_halted_with_42(&m.inst[i]);
		assert_int_equal(m.inst[i].fault.rax, 42);
		/* The fault handler put RAX back before its own HLT: KVM sees the guest's 42. */
		assert_int_equal(vcpu_regs(&m.inst[i].vcpu)->rax, 42);
	}
	while (fgets(line, sizeof(line), out))
		hellos += strstr(line, "] Hello, world!\n") != NULL;
	assert_int_equal(hellos, 4);
	finish(&m, out, true);
}

static const struct attack_outcome *outcome(const struct attack_outcome *o, const char *name)
{
	for (unsigned a = 0; a < attack_count(); a++)
		if (strcmp(o[a].name, name) == 0)
			return &o[a];
	fail_msg("no attack %s", name);
	return NULL;
}

static void assert_stopped(const struct attack_outcome *o, unsigned vector, const char *says)
{
	assert_true(o->ok && o->intact);
	assert_int_equal(o->end, INSTANCE_FAULTED);
	assert_int_equal(o->fault.vector, vector);
	assert_int_equal(o->fault.cs, SEL_USER_CODE);   /* it happened in user mode */
	if (!strstr(o->fault.what, says))
		fail_msg("attack %s: \"%s\" does not say \"%s\"", o->name, o->fault.what, says);
}

static void test_attacks_stopped_or_refused(void **state)
{
	struct guest_image img = guest_image_lab_e();
	struct plan p = { .work = "400", .fault = -1 };
	struct attack_plan plan = { .img = &img, .args_for = args_for, .ctx = &p };
	struct attack_outcome o[32];
	struct multi_vm m;
	char line[256];
	int refusals = 0, stayed_home = 0;
	FILE *out;

	(void)state;
	assert_true(attack_count() <= ARRAY_SIZE(o));
	boot(&m, 2, &img, &p);
	out = run(&m, &plan, o);
	assert_halted_with_42(&m.inst[0]);
	assert_stopped(outcome(o, "cr3"), 13, "load CR3");
	assert_stopped(outcome(o, "lidt"), 13, "LIDT");
	assert_stopped(outcome(o, "tables"), 14, "not mapped");
	assert_int_equal(outcome(o, "tables")->fault.cr2, m.inst[1].slice.cr3);
	assert_stopped(outcome(o, "idt"), 14, "supervisor-only");
	assert_stopped(outcome(o, "gdt"), 14, "supervisor-only");
	assert_stopped(outcome(o, "tss"), 14, "supervisor-only");
	assert_stopped(outcome(o, "kstack"), 14, "supervisor-only");
	assert_int_equal(outcome(o, "idt")->fault.error & 7, 7);   /* present, write, user */
	assert_stopped(outcome(o, "handlers"), 14, "execute");
	assert_stopped(outcome(o, "iret"), 13, "CPL 0");
	assert_int_equal(outcome(o, "iret")->fault.error, SEL_KERNEL_CODE);
	assert_stopped(outcome(o, "report"), 13, "I/O bitmap");
	assert_stopped(outcome(o, "other"), 14, "instance 0's page tables");
	assert_int_equal(outcome(o, "other")->fault.cr2, m.inst[0].slice.cr3);
	/* SYSCALL with EFER.SCE clear: #UD on VMX/SVM; this PVM host jumps to LSTAR instead. */
	assert_true(outcome(o, "syscall")->ok);
	assert_true(outcome(o, "syscall")->fault.vector == 6 ||
		    outcome(o, "syscall")->fault.vector == 14);
	/* INT n through a DPL-0 gate: #GP(n * 8 + 2) on VMX/SVM; this PVM host raises #UD. */
	assert_true(outcome(o, "int")->ok);
	assert_non_null(strstr(outcome(o, "int")->fault.what, "INT 0xe"));
	assert_stopped(outcome(o, "iopl"), 13, "I/O bitmap");
	assert_int_equal(outcome(o, "iopl")->fault.rflags & 0x3000, 0);   /* IOPL still 0 */
	/* The hypercalls: every one refused (-EFAULT), the run ended normally. */
	assert_true(outcome(o, "hypercalls")->ok);
	assert_int_equal(outcome(o, "hypercalls")->end, INSTANCE_HALTED);
	while (fgets(line, sizeof(line), out)) {
		assert_null(strstr(line, "NOT refused"));
		refusals += strstr(line, "-> -EFAULT, refused") != NULL;
		/* The write at instance 0's answer's guest-physical address landed at home. */
		stayed_home += strstr(line, "wrote 666 at 0x400") && strstr(line, "now holds 666");
	}
	assert_int_equal(refusals, 7);
	assert_int_equal(stayed_home, 1);
	finish(&m, out, false);
}

/* Even with the port open in its bitmap, a report from CPL 3 is refused by the host. */
static void test_forged_report_refused(void **state)
{
	struct guest_image img = guest_image_lab_e();
	struct plan p = { .work = "0", .fault = -1 };
	struct multi_vm m;
	struct instance *in = &m.inst[1];
	char *argv[] = { "lab-e", "1", "2097152", "0", "attack", "report", NULL };
	uint8_t *bitmap;
	FILE *out;

	(void)state;
	boot(&m, 2, &img, &p);
	instance_boot(in, &img, 6, argv);
	bitmap = m.vm.mem.host + in->slice.base + in->slice.desc + SUP_TSS + TSS_SIZE;
	for (unsigned port = LAB_E_PORT_FAULT; port < LAB_E_PORT_FAULT + 4; port++)
		bitmap[port / 8] &= (uint8_t)~(1u << (port % 8));
	out = run(&m, NULL, NULL);
	assert_halted_with_42(&m.inst[0]);
	assert_int_equal(in->end, INSTANCE_FAILED);
	assert_false(in->fault.reported);
	assert_non_null(strstr(in->vcpu.why, "only the CPL-0 fault handlers may report"));
	finish(&m, out, true);
}

static void test_lines_whole_and_tagged(void **state)
{
	struct guest_image img = guest_image_lab_e();
	struct plan p = { .work = "400", .fault = -1 };
	struct multi_vm m;
	FILE *out;
	char line[512];
	int lines[MULTI_MAX_VCPUS] = { 0 };

	(void)state;
	boot(&m, 4, &img, &p);
	out = run(&m, NULL, NULL);
	while (fgets(line, sizeof(line), out)) {
		int id = -1, inst = -2;
		char *text = strstr(line, "] ");

		/* "[vcpuN +t ms] instance N: ..." and nothing else, ever. */
		assert_int_equal(sscanf(line, "[vcpu%d", &id), 1);
		assert_non_null(text);
		assert_int_equal(sscanf(text + 2, "instance %d:", &inst), 1);
		assert_int_equal(id, inst);
		lines[id]++;
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(lines[i], 7); /* started, 4 progress lines, files, done */
		assert_int_equal(m.inst[i].answer, 42);
	}
	finish(&m, out, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slice_rights),
		cmocka_unit_test(test_descriptor_page),
		cmocka_unit_test(test_two_instances_isolated),
		cmocka_unit_test(test_fault_is_reported_and_stops_only_that_vcpu),
		cmocka_unit_test(test_original_guest_on_every_vcpu),
		cmocka_unit_test(test_attacks_stopped_or_refused),
		cmocka_unit_test(test_forged_report_refused),
		cmocka_unit_test(test_lines_whole_and_tagged),
	};
	int failed = cmocka_run_group_tests_name("multi", tests, NULL, NULL);

	if (root[sizeof(root) - 2] != 'X')
		remove_tree(root);
	return failed;
}

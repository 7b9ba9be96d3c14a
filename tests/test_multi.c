/*
 * Several vCPUs in one VM (lab-e's machinery): each instance runs in its own
 * slice behind its own page table, concurrently, with hypercalls (files
 * included, one descriptor table per instance); a fault
 * stops only the faulting vCPU; output lines arrive whole and tagged.
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
#include "lab-b/hypercalls.h"
#include "lab/lab.h"
#include "lab-c/files.h"
#include "lab-e/instances.h"
#include "util/util.h"

GUEST_IMAGE_FILE(lab_e, "lab-e")

#define SLICE (2u << 20)

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

/* Boot and run count instances, each with its own file table in one root,
 * with their output captured in *out. */
static void run(struct multi_vm *m, int count, struct plan *p, FILE **out)
{
	struct guest_image img = guest_image_lab_e();
	int saved;

	if (!have_kvm())
		skip();
	multi_boot(m, count, SLICE, &img, 30, false, args_for, p);
	lab_register_guest_ports(&m->vm);
	hc_register_print_exits(&m->vm);
	if (root[sizeof(root) - 2] == 'X')
		assert_non_null(mkdtemp(root));
	for (int i = 0; i < count; i++)
		hc_files_attach(&m->inst[i].vcpu, hc_files_create(root));
	hc_register_fs(&m->vm);
	*out = tmpfile();
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(*out), STDOUT_FILENO);
	multi_run(m);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(*out);
}

static void finish(struct multi_vm *m, FILE *out)
{
	for (int i = 0; i < m->count; i++) {
		assert_int_equal(hc_files_open_count(m->inst[i].vcpu.lab_state), 0);
		hc_files_destroy(m->inst[i].vcpu.lab_state);
	}
	fclose(out);
	multi_free(m);
}

static void test_two_instances_isolated(void **state)
{
	struct plan p = { .work = "300", .fault = -1 };
	struct multi_vm m;
	FILE *out;

	(void)state;
	run(&m, 2, &p, &out);
	for (int i = 0; i < 2; i++) {
		struct instance *in = &m.inst[i];
		struct guest_view g = guest_view_long_mode(&m.vm.mem, in->layout.cr3);
		uint8_t *host;
		uint64_t avail;

		assert_int_equal(in->end, VCPU_HALTED);
		assert_int_equal(in->status, 0);
		assert_int_equal(in->answer, 42);
		/* Its own tables: 0x400 lands in its own slice; the next slice is unmapped. */
		assert_int_equal(in->layout.base, (uint64_t)i * SLICE);
		assert_int_equal(guest_translate(&g, 0x400, false, &host, &avail), 0);
		assert_ptr_equal(host, m.vm.mem.host + (uint64_t)i * SLICE + 0x400);
		assert_int_equal(guest_translate(&g, SLICE + 0x400, false, &host, &avail), -EFAULT);
		assert_true(in->layout.tables >= in->layout.base + in->layout.mapped_end);
		/* Exit counts are per vCPU: each counted its own calls only. */
		assert_in_range(in->vcpu.exits, 300, 330);
	}
	assert_int_not_equal(m.inst[0].layout.cr3, m.inst[1].layout.cr3);
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
	finish(&m, out);
}

static void test_fault_stops_only_that_vcpu(void **state)
{
	struct plan p = { .work = "200", .fault = 1 };
	struct multi_vm m;
	FILE *out;

	(void)state;
	run(&m, 2, &p, &out);
	assert_int_equal(m.inst[0].end, VCPU_HALTED);
	assert_int_equal(m.inst[0].answer, 42);
	assert_int_equal(m.inst[1].end, VCPU_FAILED);
	assert_non_null(strstr(m.inst[1].vcpu.why, "triple fault"));
	finish(&m, out);
}

static void test_lines_whole_and_tagged(void **state)
{
	struct plan p = { .work = "400", .fault = -1 };
	struct multi_vm m;
	FILE *out;
	char line[512];
	int lines[MULTI_MAX_VCPUS] = { 0 };

	(void)state;
	run(&m, 4, &p, &out);
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
	finish(&m, out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_instances_isolated),
		cmocka_unit_test(test_fault_stops_only_that_vcpu),
		cmocka_unit_test(test_lines_whole_and_tagged),
	};

	int failed = cmocka_run_group_tests_name("multi", tests, NULL, NULL);

	if (root[sizeof(root) - 2] != 'X')
		remove_tree(root);
	return failed;
}

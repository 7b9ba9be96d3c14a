/*
 * lab-e: one VM, several vCPUs, each running its own instance of the same
 * guest at the same time (part e of the assignment, with the e.2 bonus).
 *
 * What changes against kvm-hello-world (answers e.1):
 *   - guest memory is N slices (2 x 2 MiB by default), one per instance;
 *   - every instance gets its own page table, built inside its own slice,
 *     mapping the same guest-virtual range [0, mapped_end) onto that slice
 *     only (common/lab/layout.c): an instance cannot name another's memory;
 *   - one vCPU per instance, each created with its own id and entered at
 *     guest-virtual 0 with its own CR3 (common/lab/boot.c), each run by its own
 *     host thread (labs/lab-e/instances.c) and joined at the end;
 *   - the hypercall handlers are thread-safe: exit counts live in each
 *     vCPU, output is written whole lines at a time, tagged with the vCPU,
 *     and each instance has its own table of open files.
 * The guest (labs/lab-e/guest.c) is unchanged in spirit: it stores 42 at its
 * own guest-virtual 0x400, which the host finds in each slice.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab-b/hypercalls.h"
#include "lab-c/files.h"
#include "lab/lab.h"
#include "instances.h"
#include "util/opts.h"
#include "util/util.h"

GUEST_IMAGE_FILE(lab_e, "lab-e")

#define ANSWER 42

struct options {
	struct lab_options lab;    /* lab.mem is the size of ONE slice */
	int vcpus;
	long work;
	int fault;                 /* instance that touches outside its mapping, or -1 */
	const char *dot_file;
	const char *root;          /* sandbox for the instances' files; NULL: a fresh temporary one */
};

struct guest_args {
	const struct options *o;
	char text[MULTI_MAX_VCPUS][3][24];
};

static void usage(void)
{
	printf("usage: %s [--vcpus N] [--work N] [--fault I] [--dot FILE] [OPTIONS]\n"
	       "\n"
	       "Run N instances of the lab-e guest at once, one per vCPU and host thread, each\n"
	       "in its own slice of guest memory behind its own page table.\n"
	       "\n"
	       "  --vcpus N          instances and vCPUs, 1 to %d (default 2)\n"
	       "  --work N           hypercalls each instance makes (default 2000)\n"
	       "  --fault I          instance I also reads outside its page table: it faults and\n"
	       "                     stops, the others run to the end\n"
	       "  --dot FILE         write a graphviz description of the slices and tables\n"
	       "  --root DIR         where the instances' files go (default: a fresh temporary\n"
	       "                     directory, removed at the end)\n"
	       "%s"
	       "  (--mem is the size of each instance's slice)\n"
	       "\n"
	       "Exit status: 0 every instance left 42 in its own slice (and, with --fault,\n"
	       "exactly instance I stopped on its fault); 1 otherwise; 2 usage; 77 no KVM.\n",
	       kit_progname, MULTI_MAX_VCPUS, LAB_COMMON_HELP);
}

static long parse_in(const char *opt, const char *arg, long min, long max)
{
	long v;

	if (parse_long_in(arg, min, max, &v) < 0)
		die_usage("%s '%s': expected a whole number from %ld to %ld", opt, arg, min, max);
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "vcpus", required_argument, NULL, 'n' },
		{ "work", required_argument, NULL, 'w' },
		{ "fault", required_argument, NULL, 'f' },
		{ "dot", required_argument, NULL, 'd' },
		{ "root", required_argument, NULL, 'r' },
		LAB_COMMON_OPTIONS,
	};
	int c;

	lab_options_init(&o->lab);
	o->vcpus = 2;
	o->work = 2000;
	o->fault = -1;
	o->dot_file = NULL;
	o->root = NULL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'n')
			o->vcpus = (int)parse_in("--vcpus", optarg, 1, MULTI_MAX_VCPUS);
		else if (c == 'w')
			o->work = parse_in("--work", optarg, 0, 10000000);
		else if (c == 'f')
			o->fault = (int)parse_in("--fault", optarg, 0, MULTI_MAX_VCPUS - 1);
		else if (c == 'd')
			o->dot_file = optarg;
		else if (c == 'r')
			o->root = optarg;
		else
			lab_common_option(c, argv, &o->lab, usage);
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (o->fault >= o->vcpus)
		die_usage("--fault %d: there are only %d instances (0 to %d)", o->fault, o->vcpus,
			  o->vcpus - 1);
	if ((uint64_t)o->vcpus * o->lab.mem > VM_MEM_MAX)
		die_usage("%d slices of --mem bytes exceed the 2 GiB the kit gives a VM", o->vcpus);
}

/* Each instance's argv: lab-e INSTANCE SLICE WORK [fault]. */
static int args_for(int i, char **argv, void *ctx)
{
	struct guest_args *a = ctx;
	int argc = 0;

	snprintf(a->text[i][0], sizeof(a->text[i][0]), "%d", i);
	snprintf(a->text[i][1], sizeof(a->text[i][1]), "%llu", (unsigned long long)a->o->lab.mem);
	snprintf(a->text[i][2], sizeof(a->text[i][2]), "%ld", a->o->work);
	argv[argc++] = "lab-e";
	for (int k = 0; k < 3; k++)
		argv[argc++] = a->text[i][k];
	if (i == a->o->fault)
		argv[argc++] = "fault";
	return argc;
}

/* Each instance its own descriptor table: files one opens, the other cannot touch. */
static void give_each_its_files(struct multi_vm *m, const char *root)
{
	for (int i = 0; i < m->count; i++)
		hc_files_attach(&m->inst[i].vcpu, hc_files_create(root));
	hc_register_fs(&m->vm);
}

static void close_files(struct multi_vm *m)
{
	for (int i = 0; i < m->count; i++)
		hc_files_destroy(m->inst[i].vcpu.lab_state);
}

/* The default root: a fresh directory, emptied and removed at the end. */
static const char *make_temp_root(char *path, size_t size)
{
	snprintf(path, size, "%s/lab-e-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(path))
		die("cannot create a temporary directory for the instances' files: %s",
		    strerror(errno));
	return path;
}

static void remove_temp_root(const char *path)
{
	int err = remove_tree(path);

	if (err)
		warnx("could not remove %s: %s", path, strerror(-err));
}

static void describe_layout(const struct multi_vm *m)
{
	printf("lab-e: %d vCPU(s), %llu bytes of guest memory: one slice of 0x%llx bytes each\n",
	       m->count, (unsigned long long)m->vm.mem.size, (unsigned long long)m->slice);
	for (int i = 0; i < m->count; i++) {
		const struct instance_layout *l = &m->inst[i].layout;

		printf("lab-e: vCPU %d: slice 0x%llx-0x%llx, CR3 0x%llx (%u table pages in the "
		       "slice), guest-virtual 0x0-0x%llx -> guest-physical 0x%llx-0x%llx\n", i,
		       (unsigned long long)l->base, (unsigned long long)(l->base + l->size - 1),
		       (unsigned long long)l->cr3, l->table_pages,
		       (unsigned long long)(l->mapped_end - 1), (unsigned long long)l->base,
		       (unsigned long long)(l->base + l->mapped_end - 1));
	}
	fflush(stdout);
}

static const char *end_name(enum vcpu_end end)
{
	return end == VCPU_HALTED ? "halted" : end == VCPU_TIMED_OUT ? "timed out" : "stopped";
}

/* Did each instance do what it was asked? Print one line each. */
static bool judge(const struct multi_vm *m, const struct options *o)
{
	bool ok = true;

	for (int i = 0; i < m->count; i++) {
		const struct instance *in = &m->inst[i];
		bool meant_to_fault = i == o->fault;
		bool good = meant_to_fault ? in->end == VCPU_FAILED
					   : in->end == VCPU_HALTED && in->status == 0 &&
						     in->answer == ANSWER;

		printf("lab-e: vCPU %d: %s%s, %llu exits, ran %.1f-%.1f ms; its slice holds %llu at "
		       "guest-physical 0x%llx (its guest-virtual 0x400)%s\n", i,
		       end_name(in->end), meant_to_fault ? " on its fault, as asked" : "",
		       (unsigned long long)in->vcpu.exits,
		       (in->started - m->vm.tag_epoch) * 1e3, (in->ended - m->vm.tag_epoch) * 1e3,
		       (unsigned long long)in->answer,
		       (unsigned long long)(in->layout.base + 0x400), good ? "" : "  <-- WRONG");
		ok &= good;
	}
	return ok;
}

/* The time every instance was running at once: evidence of concurrency. */
static void report_overlap(const struct multi_vm *m)
{
	double start = 0, end = 1e30;

	if (m->count < 2)
		return;
	for (int i = 0; i < m->count; i++) {
		if (m->inst[i].started > start)
			start = m->inst[i].started;
		if (m->inst[i].ended < end)
			end = m->inst[i].ended;
	}
	printf("lab-e: all %d vCPUs were running at once for %.1f ms\n", m->count,
	       end > start ? (end - start) * 1e3 : 0.0);
}

static void write_dot(const struct multi_vm *m, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(f, "digraph lab_e {\n  rankdir=LR; node [shape=record, fontname=\"monospace\"];\n");
	fprintf(f, "  phys [label=\"guest-physical");
	for (int i = 0; i < m->count; i++) {
		const struct instance_layout *l = &m->inst[i].layout;

		fprintf(f, "|<s%d> slice %d: 0x%llx code, data, stack|<t%d> 0x%llx its page tables",
			i, i, (unsigned long long)l->base, i, (unsigned long long)l->tables);
	}
	fprintf(f, "\"];\n");
	for (int i = 0; i < m->count; i++) {
		const struct instance_layout *l = &m->inst[i].layout;

		fprintf(f, "  v%d [label=\"vCPU %d|<cr3> CR3 0x%llx|<va> guest-virtual 0x0-0x%llx\"];\n",
			i, i, (unsigned long long)l->cr3, (unsigned long long)(l->mapped_end - 1));
		fprintf(f, "  v%d:cr3 -> phys:t%d [label=\"its PML4\"];\n", i, i);
		fprintf(f, "  v%d:va -> phys:s%d [label=\"maps onto\"];\n", i, i);
	}
	fprintf(f, "}\n");
	if (f != stdout && fclose(f) != 0)
		die("cannot write %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	struct options o;
	struct guest_args args;
	struct guest_image img;
	struct multi_vm m;
	char temp_root[PATH_MAX];
	const char *root;
	bool ok;

	kit_set_progname(argv[0]);
	parse_options(argc, argv, &o);
	args.o = &o;
	if (o.lab.guest_file)
		guest_image_load(o.lab.guest_file, o.lab.mem, &img);
	else
		img = guest_image_lab_e();

	multi_boot(&m, o.vcpus, o.lab.mem, &img, o.lab.timeout, o.lab.trace, args_for, &args);
	root = o.root ? o.root : make_temp_root(temp_root, sizeof(temp_root));
	lab_register_guest_ports(&m.vm);
	hc_register_print_exits(&m.vm);
	give_each_its_files(&m, root);
	describe_layout(&m);
	if (o.dot_file)
		write_dot(&m, o.dot_file);
	multi_run(&m);
	fflush(stdout);

	ok = judge(&m, &o);
	report_overlap(&m);
	printf("lab-e: %s\n", ok ? (o.fault >= 0 ? "OK: the faulting instance stopped alone; "
						   "the others finished with 42 in their own slices"
						 : "OK: every instance finished with 42 in its own slice")
			       : "FAILED");
	close_files(&m);
	if (!o.root)
		remove_temp_root(root);
	multi_free(&m);
	guest_image_free(&img);
	return ok ? EXIT_OK : EXIT_FAIL;
}

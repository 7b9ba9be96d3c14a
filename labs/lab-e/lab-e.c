/*
 * lab-e: one VM, several vCPUs, each running its own instance of the same
 * guest at the same time, each in its own half of the memory behind its
 * own page table, in user mode (part e of the assignment, with e.2).
 *
 * What changes against kvm-hello-world, in the order main() does it:
 *   - the memory is doubled: one slot of N slices (instances.c);
 *   - one vCPU per instance (instances.c), each booted in its own slice
 *     with its own page table (slice.c), its GDT, TSS and IDT, entered at
 *     CPL 3 so that it cannot load CR3 or touch a supervisor page
 *     (user_mode.c); a fault goes to a CPL-0 stub (traps.S) that reports
 *     it to the host (faults.c) and stops that vCPU only;
 *   - one host thread per vCPU, all joined (instances.c);
 *   - the hypercall handlers of parts (b) and (c) are shared and
 *     thread-safe, with a file table per instance.
 * The guest (guest.c) is the same image in every slice; it leaves 42 at
 * its own guest-virtual 0x400, which the host finds in each slice.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack.h"
#include "diagram.h"
#include "faults.h"
#include "instances.h"
#include "lab-b/hypercalls.h"
#include "lab-c/files.h"
#include "lab/lab.h"
#include "report.h"
#include "util/opts.h"
#include "util/util.h"

GUEST_IMAGE_FILE(lab_e, "lab-e")

struct options {
	struct lab_options lab;    /* lab.mem is the size of ONE slice */
	int vcpus;
	long work;
	int fault;                 /* instance that touches outside its mapping, or -1 */
	bool attack;
	const char *dot_file;
	const char *root;          /* sandbox for the instances' files; NULL: a fresh temporary one */
};

struct guest_args {
	const struct options *o;
	char text[MULTI_MAX_VCPUS][3][24];
};

static void usage(void)
{
	printf("usage: %s [--vcpus N] [--work N] [--fault I | --attack] [--dot FILE] [OPTIONS]\n"
	       "\n"
	       "Run N instances of the lab-e guest at once, one per vCPU and host thread, each\n"
	       "in its own slice of guest memory behind its own page table, in user mode.\n"
	       "\n"
	       "  --vcpus N          instances and vCPUs, 1 to %d (default 2)\n"
	       "  --work N           hypercalls each instance makes (default 2000)\n"
	       "  --fault I          instance I also reads outside its page table: it faults and\n"
	       "                     stops, the others run to the end\n"
	       "  --attack           instance 1 is hostile: booted once per attack, it tries every\n"
	       "                     way out of its slice while instance 0 runs; each must be\n"
	       "                     stopped with a report (or refused, for hypercalls)\n"
	       "  --dot FILE         write a graphviz description of the slices and tables\n"
	       "  --root DIR         where the instances' files go (default: a fresh temporary\n"
	       "                     directory, removed at the end)\n"
	       "%s"
	       "  (--mem is the size of each instance's slice)\n"
	       "\n"
	       "Exit status: 0 every instance left 42 in its own slice (with --fault, exactly\n"
	       "instance I stopped on its fault; with --attack, every attack was stopped or\n"
	       "refused and instance 0 finished); 1 otherwise; 2 usage; 77 no KVM.\n",
	       kit_progname, MULTI_MAX_VCPUS, LAB_COMMON_HELP);
}

static long parse_in(const char *opt, const char *arg, long min, long max)
{
	long v;

	if (parse_long_in(arg, min, max, &v) < 0)
		die_usage("%s '%s': expected a whole number from %ld to %ld", opt, arg, min, max);
	return v;
}

static void check_options(const struct options *o)
{
	if (o->fault >= o->vcpus)
		die_usage("--fault %d: there are only %d instances (0 to %d)", o->fault, o->vcpus,
			  o->vcpus - 1);
	if (o->attack && (o->vcpus < 2 || o->fault >= 0 || o->lab.guest_file))
		die_usage("--attack needs two instances or more of the built-in guest, and no "
			  "--fault");
	if ((uint64_t)o->vcpus * o->lab.mem > VM_MEM_MAX)
		die_usage("%d slices of --mem bytes exceed the 2 GiB the kit gives a VM", o->vcpus);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "vcpus", required_argument, NULL, 'n' },
		{ "work", required_argument, NULL, 'w' },
		{ "fault", required_argument, NULL, 'f' },
		{ "attack", no_argument, NULL, 'a' },
		{ "dot", required_argument, NULL, 'd' },
		{ "root", required_argument, NULL, 'r' },
		LAB_COMMON_OPTIONS,
	};
	struct lab_options common;
	int c;

	lab_options_init(&common);
	*o = (struct options){ .lab = common, .vcpus = 2, .work = 2000, .fault = -1 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'n')
			o->vcpus = (int)parse_in("--vcpus", optarg, 1, MULTI_MAX_VCPUS);
		else if (c == 'w')
			o->work = parse_in("--work", optarg, 0, 10000000);
		else if (c == 'f')
			o->fault = (int)parse_in("--fault", optarg, 0, MULTI_MAX_VCPUS - 1);
		else if (c == 'a')
			o->attack = true;
		else if (c == 'd')
			o->dot_file = optarg;
		else if (c == 'r')
			o->root = optarg;
		else
			lab_common_option(c, argv, &o->lab, usage);
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	check_options(o);
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

/* The hypercalls of parts (b) and (c), each instance its own file table, and the fault port. */
static void register_ports(struct multi_vm *m, const char *root)
{
	lab_register_guest_ports(&m->vm);
	hc_register_print_exits(&m->vm);
	for (int i = 0; i < m->count; i++)
		hc_files_attach(&m->inst[i].vcpu, hc_files_create(root));
	hc_register_fs(&m->vm);
	faults_register(m);
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
		kit_warn("could not remove %s: %s", path, strerror(-err));
}

/* Run the instances (or the attack) and judge them; true when all went as asked. */
static bool run_and_judge(struct multi_vm *m, const struct options *o, struct guest_image *img,
			  struct guest_args *args)
{
	struct attack_plan plan = { .img = img, .args_for = args_for, .ctx = args };
	struct verdict_rules rules = { .fault = o->fault, .skip = o->attack ? ATTACKER : -1 };
	bool attacks_ok = true, ok;

	if (o->attack)
		attacks_ok = attack_run(m, &plan, NULL);
	else
		instances_run(m);
	fflush(stdout);
	ok = report_instances(m, &rules) && attacks_ok;
	report_overlap(m);
	printf("lab-e: %s\n", !ok ? "FAILED"
		 : o->attack ? "OK: every attack was stopped or refused; instance 0 finished "
			       "with 42 in its own slice"
		 : o->fault >= 0 ? "OK: the faulting instance stopped alone; the others "
				   "finished with 42 in their own slices"
				 : "OK: every instance finished with 42 in its own slice");
	return ok;
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

	instances_create(&m, o.vcpus, o.lab.mem, o.lab.timeout, o.lab.trace);
	root = o.root ? o.root : make_temp_root(temp_root, sizeof(temp_root));
	register_ports(&m, root);  /* first: each instance's I/O bitmap opens exactly these */
	for (int i = 0; i < m.count; i++) {
		char *guest_argv[MULTI_MAX_ARGS + 1] = { 0 };

		instance_boot(&m.inst[i], &img, args_for(i, guest_argv, &args), guest_argv);
	}
	report_layout(&m);
	if (o.dot_file)
		diagram_write(&m, o.dot_file);
	ok = run_and_judge(&m, &o, &img, &args);
	close_files(&m);
	if (!o.root)
		remove_temp_root(root);
	instances_free(&m);
	guest_image_free(&img);
	return ok ? EXIT_OK : EXIT_FAIL;
}

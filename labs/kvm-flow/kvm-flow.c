/*
 * kvm-flow: KVM's control flow, observed (individual problem 1; lecture 9,
 * slides 26 and 27). Each demo runs the kvm-flow guest on a fresh VM and
 * prints what happened, from this process's side (KVM_RUN's returns, the
 * exits it saw) and from KVM's side (the vCPU's own counters):
 *
 *   exits   exits KVM handles inside the kernel never return from KVM_RUN;
 *           port I/O to user space and HLT do (slide 26, the two loops)
 *   signal  a signal pending while the guest runs ends KVM_RUN with EINTR,
 *           and so does immediate_exit (slide 26, the second diamond)
 *   mmio    KVM decodes an instruction that touches no memory slot and
 *           hands user space the access: KVM_EXIT_MMIO (slide 27)
 *   fault   KVM injects #GP and #DE into the guest instead of exiting
 *           (slide 27, the exception paths)
 *
 * The demos themselves are demos.c (on the VM and run loop of flow.c); what
 * they saw is printed and judged by report.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flow.h"
#include "report.h"
#include "util/opts.h"
#include "util/device.h"
#include "util/util.h"

#define LOOPS_DEFAULT 1000
#define LOOPS_MAX 10000000
#define SIGNALS_DEFAULT 5
#define SIGNALS_MAX 1000

static const char *const demos[] = { "exits", "signal", "mmio", "fault" };

struct options {
	const char *demo;        /* NULL: all of them */
	long loops;
	long signals;
	double timeout;
};

static void usage(void)
{
	printf("usage: %s [--demo NAME] [OPTIONS]\n"
	       "\n"
	       "Run tiny guests through the paths of KVM's control flow and print what\n"
	       "happened, as this process and as KVM's own counters see it.\n"
	       "\n"
	       "  --demo NAME        one demo instead of all four:\n"
	       "                     exits   CPUID, RDMSR, OUT (ioeventfd and user space), HLT:\n"
	       "                             which exits KVM handles itself, which reach us\n"
	       "                     signal  a signal while the guest runs: KVM_RUN returns EINTR;\n"
	       "                             immediate_exit: KVM_RUN returns before entering\n"
	       "                     mmio    guest accesses to an address with no memory behind\n"
	       "                             it: KVM decodes them, we complete them\n"
	       "                     fault   KVM injects #GP and #DE; the guest's IDT catches them\n"
	       "  --loops N          instructions per loop of the exits demo (default %d)\n"
	       "  --signals N        signals the signal demo sends (default %d)\n"
	       "  --timeout SECONDS  stop a demo whose guest runs longer (default 10)\n"
	       "  --help             this text\n"
	       "\n"
	       "KVM's counters come from the vCPU's binary stats file (KVM_GET_STATS_FD,\n"
	       "Linux 5.14 and later); where the kernel has none, they show as n/a.\n"
	       "Exit status: 0 every demo behaved as KVM should; 1 one did not; 2 usage;\n"
	       "77 no usable /dev/kvm.\n",
	       kit_progname, LOOPS_DEFAULT, SIGNALS_DEFAULT);
}

static long parse_count(const char *opt, const char *text, long max)
{
	long n;

	if (parse_long_in(text, 1, max, &n) < 0)
		die_usage("%s '%s': expected a whole number from 1 to %ld", opt, text, max);
	return n;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "demo", required_argument, NULL, 'd' },
		{ "loops", required_argument, NULL, 'l' },
		{ "signals", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){ NULL, LOOPS_DEFAULT, SIGNALS_DEFAULT, VM_TIMEOUT_DEFAULT };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->demo = optarg;
			break;
		case 'l':
			o->loops = parse_count("--loops", optarg, LOOPS_MAX);
			break;
		case 's':
			o->signals = parse_count("--signals", optarg, SIGNALS_MAX);
			break;
		case 'T':
			if (parse_seconds(optarg, &o->timeout) < 0)
				die_usage("--timeout '%s': expected a positive number of seconds",
					  optarg);
			break;
		case 'h':
			usage();
			exit(EXIT_OK);
		case ':':
			die_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			die_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (o->demo) {
		for (size_t i = 0; i < ARRAY_SIZE(demos); i++)
			if (strcmp(o->demo, demos[i]) == 0)
				return;
		die_usage("--demo '%s': choose exits, signal, mmio or fault", o->demo);
	}
}

/* --- running ---------------------------------------------------------------- */

static void boot_or_die(struct flow *f, const char *demo, const char *arg, double timeout)
{
	const char *why;
	int err = flow_boot_raw(f, demo, arg, timeout, &why);

	if (!err)
		return;
	if (f->vm.failed_step == VM_STEP_OPEN) {
		const char *dev = getenv(KVM_DEVICE_ENV) ? getenv(KVM_DEVICE_ENV) : KVM_DEVICE_DEFAULT;
		char advice[400];

		die_with(EXIT_SKIP, "%s: %s: %s", dev, strerror(-err),
			 err == -EACCES || err == -EPERM
			 ? device_access_advice(dev, NULL, advice, sizeof(advice))
			 : "KVM is not available here (load kvm_intel or kvm_amd)");
	}
	die("cannot %s: %s", why, strerror(-err));
}

/* Run one demo on a fresh VM; print what it saw. true when KVM behaved. */
static bool run_demo(const char *name, const struct options *o, bool first)
{
	static union {
		struct flow_exits_result exits;
		struct flow_signal_result signal;
		struct flow_mmio_result mmio;
		struct flow_fault_result fault;
	} r;
	struct flow f;
	char loops[16];
	int err = -1;
	bool ok = false;

	snprintf(loops, sizeof(loops), "%ld", o->loops);
	boot_or_die(&f, name, strcmp(name, "exits") == 0 ? loops : NULL, o->timeout);
	if (first) {
		printf("kvm-flow: KVM's control flow, observed (lecture 9, slides 26 and 27)\n");
		print_sources(&f);
	}
	fflush(stdout);
	if (strcmp(name, "exits") == 0 && !(err = flow_demo_exits(&f, (uint32_t)o->loops, &r.exits)))
		ok = print_exits(&f, &r.exits);
	else if (strcmp(name, "signal") == 0 &&
		 !(err = flow_demo_signal(&f, (unsigned)o->signals, &r.signal)))
		ok = print_signal(&f, &r.signal);
	else if (strcmp(name, "mmio") == 0 && !(err = flow_demo_mmio(&f, &r.mmio)))
		ok = print_mmio(&f, &r.mmio);
	else if (strcmp(name, "fault") == 0 && !(err = flow_demo_fault(&f, &r.fault)))
		ok = print_fault(&f, &r.fault);
	fflush(stdout);
	if (err)
		kit_warn("demo %s failed: %s", name, f.why);
	flow_free(&f);
	return !err && ok;
}

int main(int argc, char **argv)
{
	struct options o;
	bool ok = true, first = true;

	kit_set_progname(argv[0]);
	parse_options(argc, argv, &o);
	for (size_t i = 0; i < ARRAY_SIZE(demos); i++) {
		if (o.demo && strcmp(o.demo, demos[i]) != 0)
			continue;
		ok &= run_demo(demos[i], &o, first);
		first = false;
	}
	return ok ? EXIT_OK : EXIT_FAIL;
}

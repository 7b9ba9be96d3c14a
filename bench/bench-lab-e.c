/*
 * make bench-lab-e: two vCPUs doing the same hypercall-heavy work at once,
 * against one vCPU doing both shares in turn, side by side in one run
 * (interleaved, repeated, median), each instance in user mode as lab-e runs
 * it. On two cores the ratio should approach 0.5; the target is 0.6 or less.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab-b/hypercalls.h"
#include "lab/lab.h"
#include "lab-c/files.h"
#include "lab-e/faults.h"
#include "lab-e/instances.h"
#include "util/clock.h"
#include "util/util.h"

GUEST_IMAGE_FILE(lab_e, "lab-e")

#define WORK 20000
#define ROUNDS 5

struct plan {
	long work;
	char text[MULTI_MAX_VCPUS][3][24];
};

static int args_for(int i, char **argv, void *ctx)
{
	struct plan *p = ctx;

	snprintf(p->text[i][0], sizeof(p->text[i][0]), "%d", i);
	snprintf(p->text[i][1], sizeof(p->text[i][1]), "%d", 2 << 20);
	snprintf(p->text[i][2], sizeof(p->text[i][2]), "%ld", p->work);
	argv[0] = "lab-e";
	argv[1] = p->text[i][0];
	argv[2] = p->text[i][1];
	argv[3] = p->text[i][2];
	return 4;
}

static char root[] = "/tmp/kit-bench-e-XXXXXX";

/* Wall time of one run of count vCPUs each doing work hypercalls. */
static double timed_run(int count, long work)
{
	struct guest_image img = guest_image_lab_e();
	struct plan p = { .work = work };
	struct multi_vm m;
	double start, elapsed;

	instances_create(&m, count, 2 << 20, 120, false);
	lab_register_guest_ports(&m.vm);
	hc_register_print_exits(&m.vm);
	for (int i = 0; i < count; i++)
		hc_files_attach(&m.inst[i].vcpu, hc_files_create(root));
	hc_register_fs(&m.vm);
	faults_register(&m);
	for (int i = 0; i < count; i++) {
		char *argv[MULTI_MAX_ARGS + 1] = { 0 };

		instance_boot(&m.inst[i], &img, args_for(i, argv, &p), argv);
	}
	start = monotonic_seconds();
	instances_run(&m);
	elapsed = monotonic_seconds() - start;
	for (int i = 0; i < count; i++) {
		if (m.inst[i].end != INSTANCE_HALTED || m.inst[i].answer != 42)
			die("benchmark instance %d failed", i);
		hc_files_destroy(m.inst[i].vcpu.lab_state);
	}
	instances_free(&m);
	return elapsed;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	double two[ROUNDS], one[ROUNDS];
	int saved, devnull;

	kit_set_progname(argv[0]);
	if (argc > 1) {
		printf("usage: %s\nTwo vCPUs at once against one vCPU doing both shares.\n",
		       kit_progname);
		return strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_USAGE;
	}
	if (!mkdtemp(root))
		die("cannot create a temporary directory: %s", strerror(errno));
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	devnull = open("/dev/null", O_WRONLY);
	for (int r = 0; r < ROUNDS; r++) {
		dup2(devnull, STDOUT_FILENO);
		two[r] = timed_run(2, WORK);
		one[r] = timed_run(1, 2 * WORK);
		dup2(saved, STDOUT_FILENO);
	}
	remove_tree(root);
	qsort(two, ROUNDS, sizeof(double), compare);
	qsort(one, ROUNDS, sizeof(double), compare);
	printf("lab-e benchmark: %d hypercalls per share, median of %d interleaved rounds\n",
	       WORK, ROUNDS);
	printf("  two vCPUs, one share each, at once:   %8.1f ms\n", two[ROUNDS / 2] * 1e3);
	printf("  one vCPU doing both shares in turn:  %8.1f ms\n", one[ROUNDS / 2] * 1e3);
	printf("  ratio (time, concurrent / serial):   %8.2fx   (target <= 0.60 on two cores)\n",
	       two[ROUNDS / 2] / one[ROUNDS / 2]);
	printf("BENCH lab-e.concurrent.ratio_vs_serial %.2f x\n", two[ROUNDS / 2] / one[ROUNDS / 2]);
	return EXIT_OK;
}

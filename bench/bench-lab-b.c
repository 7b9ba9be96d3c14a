/*
 * make bench-lab-b: what print() and exits() cost against a bare port-I/O
 * exit, measured side by side in one run (modes interleaved, repeated,
 * median), so machine noise hits every mode alike and the ratios hold.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lab/boot.h"
#include "lab-b/hypercalls.h"
#include "lab/lab.h"
#include "util/clock.h"
#include "util/util.h"

GUEST_IMAGE_FILE(bench_b, "bench-b")

#define BENCH_NULL_PORT 0x05FF
#define ROUNDS 5

struct mode {
	const char *name;
	int count;           /* hypercalls per run */
	double per_call[ROUNDS];
	double median;
	uint64_t exits;      /* of the last run */
};

static enum pio_result do_nothing(struct vcpu *v, struct pio *io, void *opaque)
{
	(void)v;
	(void)io;
	(void)opaque;
	return PIO_DONE;
}

/* Boot a fresh VM for one run and time only the guest's loop (vcpu_run). */
static double run_once(struct mode *m)
{
	struct vm vm;
	struct vcpu v;
	struct instance_layout layout;
	struct guest_image img = guest_image_bench_b();
	char count[16];
	char *argv[] = { "bench-b", (char *)m->name, count, NULL };
	double start, elapsed;

	snprintf(count, sizeof(count), "%d", m->count);
	vm_create(&vm);
	vm.timeout = 120;
	vm_add_memory(&vm, 2 << 20);
	vcpu_create(&vm, &v, 0);
	boot_instance(&v, 0, 2 << 20, &img, 3, argv, &layout);
	lab_register_guest_ports(&vm);
	hc_register_print_exits(&vm);
	vm_on_port(&vm, &(struct port_spec){ .port = BENCH_NULL_PORT, .dirs = PIO_DIR_OUT,
					     .size = 4, .name = "null", .fn = do_nothing });
	start = monotonic_seconds();
	if (vcpu_run(&v) != VCPU_HALTED || v.guest_status != 0)
		die("benchmark guest failed in mode %s", m->name);
	elapsed = monotonic_seconds() - start;
	m->exits = v.exits;
	vcpu_destroy(&v);
	vm_destroy(&vm);
	return elapsed / m->count;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void median_of(struct mode *m)
{
	double sorted[ROUNDS];

	memcpy(sorted, m->per_call, sizeof(sorted));
	qsort(sorted, ROUNDS, sizeof(double), compare);
	m->median = sorted[ROUNDS / 2];
}

int main(int argc, char **argv)
{
	struct mode modes[] = {
		{ .name = "bare", .count = 20000 },
		{ .name = "exits", .count = 20000 },
		{ .name = "print", .count = 20000 },
		{ .name = "print1000", .count = 2000 },
		{ .name = "bytes1000", .count = 40 },
	};
	int n = (int)ARRAY_SIZE(modes), saved_stdout, devnull;
	struct mode *bare = &modes[0], *ex = &modes[1], *pr = &modes[2];
	struct mode *p1000 = &modes[3], *b1000 = &modes[4];

	kit_set_progname(argv[0]);
	if (argc > 1) {
		printf("usage: %s\nBenchmark print() and exits() against a bare port-I/O exit.\n",
		       kit_progname);
		return strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_USAGE;
	}
	/* The guest's output goes to /dev/null; our table to the real stdout. */
	fflush(stdout);
	saved_stdout = dup(STDOUT_FILENO);
	devnull = open("/dev/null", O_WRONLY);
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < n; i++) {
			dup2(devnull, STDOUT_FILENO);
			modes[i].per_call[r] = run_once(&modes[i]);
			fflush(stdout);
			dup2(saved_stdout, STDOUT_FILENO);
		}
	for (int i = 0; i < n; i++)
		median_of(&modes[i]);

	printf("lab-b benchmark: median of %d interleaved rounds, time per call\n", ROUNDS);
	printf("  %-34s %10s %12s\n", "what", "us/call", "vs bare exit");
	printf("  %-34s %10.2f %12s\n", "bare port-I/O exit (baseline)", bare->median * 1e6, "1.00x");
	printf("  %-34s %10.2f %11.2fx\n", "exits()", ex->median * 1e6, ex->median / bare->median);
	printf("  %-34s %10.2f %11.2fx\n", "print() of 3 characters", pr->median * 1e6,
	       pr->median / bare->median);
	printf("  %-34s %10.2f %11.2fx\n", "print() of 1000 characters", p1000->median * 1e6,
	       p1000->median / bare->median);
	printf("  %-34s %10.2f %11.2fx\n", "1000 characters, one OUT per byte",
	       b1000->median * 1e6, b1000->median / bare->median);
	printf("  print() of 1000 characters is %.0fx faster than one OUT per byte "
	       "(%llu exits per string against 1)\n", b1000->median / p1000->median,
	       (unsigned long long)((b1000->exits - 1) / (uint64_t)b1000->count));
	printf("BENCH lab-b.exits.ratio_vs_pio %.2f x\n", ex->median / bare->median);
	printf("BENCH lab-b.print_short.ratio_vs_pio %.2f x\n", pr->median / bare->median);
	printf("BENCH lab-b.print_1000.exits %llu exits\n",
	       (unsigned long long)((p1000->exits - 1) / (uint64_t)p1000->count));
	printf("BENCH lab-b.print_1000.us %.2f us\n", p1000->median * 1e6);
	printf("BENCH lab-b.bytes_1000.us %.2f us\n", b1000->median * 1e6);
	printf("BENCH lab-b.print_1000.ratio_vs_bytes %.4f x\n", p1000->median / b1000->median);
	return EXIT_OK;
}

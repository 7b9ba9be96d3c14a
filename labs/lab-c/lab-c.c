/*
 * lab-c: filesystem paravirtualization (part c of the assignment).
 *
 * The guest (labs/lab-c/guest.c) calls open/read/write/close; each is one OUT
 * to a port of its own (0x510-0x514), one exit. The hypervisor side is
 * labs/lab-c/files.c, the sandbox labs/lab-c/sandbox.c, the ABI common/abi/hypercall.h.
 *
 *   open(path)       EAX = the path's guest-virtual address. The host copies
 *                    the string out through the vCPU's page tables and opens
 *                    it inside the sandbox root. RAX = a small descriptor.
 *   read(buf, len)   two parameters: EAX = the address of a struct hc_io
 *   write(buf, len)  {buf, fd, len} in guest memory. The host reads the block,
 *                    checks all of [buf, buf + len), then readv/writev
 *                    straight between the file and the guest's pages.
 *   close()          EAX = the descriptor (HC_FD_CURRENT for the current file).
 *
 * --queue (cp only): the same file calls through a request queue in guest
 * memory, virtio's split virtqueue (labs/lab-c/queue.c), many per exit; the
 * guest is labs/lab-c/guest_queue_cp.c.
 *
 * Here: choose what the guest does (the scenario, cat or cp), hand it its
 * arguments in guest memory (argv), give it a file table rooted at --root,
 * run it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab-b/hypercalls.h"
#include "files.h"
#include "lab/lab.h"
#include "queue.h"
#include "util/opts.h"
#include "util/util.h"

GUEST_IMAGE_FILE(lab_c, "lab-c")
GUEST_IMAGE_FILE(lab_c_queue, "lab-c-queue")

#define SCENARIO_IN "labs/lab-c/guest.c"
#define SCENARIO_OUT "lab-c-out.txt"
#define SCENARIO_CHUNK 1024u
#define COPY_CHUNK (1u << 20)
/* Guest memory the built-in guest needs besides its buffer: bss, stack, arguments. */
#define GUEST_OVERHEAD (4096u + (48u << 10))
/* The queue guest also keeps the queue's three areas in its bss. */
#define QUEUE_GUEST_OVERHEAD (GUEST_OVERHEAD + HC_QDESC_BYTES(HC_QUEUE_SIZE_MAX) + \
			      HC_QAVAIL_BYTES(HC_QUEUE_SIZE_MAX) + HC_QUSED_BYTES(HC_QUEUE_SIZE_MAX))
#define QUEUE_BATCH 64u

struct lab_c_options {
	struct lab_options common;
	const char *root, *in, *out;
	bool out_given;           /* --out: then never overwrite it without --force */
	uint64_t chunk;           /* 0 until --chunk: then the mode's default */
	bool force;
	bool queue;               /* --queue: the file calls through the request queue */
	uint32_t batch;           /* --batch: requests per notify (0 until given) */
};

static void usage(void)
{
	printf("usage: %s [OPTIONS]                 the assignment's scenario\n"
	       "       %s [OPTIONS] cat PATH        print a file through the guest\n"
	       "       %s [OPTIONS] cp SRC DST      copy a file through the guest\n"
	       "       %s [OPTIONS] --queue cp SRC DST   the same through the request queue\n"
	       "\n"
	       "The guest reaches host files with open/read/write/close hypercalls, one exit\n"
	       "each. Every path it names resolves inside --root: \"/\" is the root, \"..\"\n"
	       "stops there, symlinks cannot lead out.\n"
	       "\n"
	       "With --queue the guest puts its open/read/write/close requests in a queue in\n"
	       "its own memory (virtio's split virtqueue: descriptors, an available ring, a\n"
	       "used ring) and notifies the host once per batch: one exit for many requests.\n"
	       "\n"
	       "The scenario: open() --in, read() it, print() it, close(); create --out\n"
	       "(a file named with --out is never overwritten without --force; the default\n"
	       "output, the scenario's own, is replaced), open() it, write() what was\n"
	       "read, close(). Each step shows its result and the exits it took.\n"
	       "\n"
	       "  --root DIR         the sandbox root (default: the current directory)\n"
	       "  --chunk SIZE       bytes per read/write, e.g. 4K, 1M (default: 1K for the\n"
	       "                     scenario, 1M for cat and cp); the guest's buffer must\n"
	       "                     fit in its memory (--mem)\n"
	       "  --in FILE          the scenario's input (default " SCENARIO_IN ")\n"
	       "  --out FILE         the scenario's output (default " SCENARIO_OUT ")\n"
	       "  --force            let the scenario and cp overwrite an existing output\n"
	       "  --queue            cp through the request queue\n"
	       "  --batch N          with --queue: requests per notify, a power of two from 2\n"
	       "                     to %u (default %u)\n"
	       LAB_COMMON_HELP
	       "\n"
	       "Exit status: 0 done; 1 a file call failed or the guest failed; 2 usage;\n"
	       "77 no KVM.\n",
	       kit_progname, kit_progname, kit_progname, kit_progname, HC_QUEUE_SIZE_MAX / 2,
	       QUEUE_BATCH);
}

static uint64_t parse_chunk(const char *arg)
{
	uint64_t v;

	if (parse_size(arg, &v) < 0 || v == 0 || v > INT32_MAX)
		die_usage("--chunk '%s': expected a size from 1 byte to 2G-1, such as 4K or 1M", arg);
	return v;
}

static uint32_t parse_batch(const char *arg)
{
	uint64_t v;

	if (parse_size(arg, &v) < 0 || v < 2 || v > HC_QUEUE_SIZE_MAX / 2 || (v & (v - 1)))
		die_usage("--batch '%s': expected a power of two from 2 to %u", arg,
			  HC_QUEUE_SIZE_MAX / 2);
	return (uint32_t)v;
}

static void parse_options(int argc, char **argv, struct lab_c_options *o)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "queue", no_argument, NULL, 'q' },
		{ "batch", required_argument, NULL, 'b' },
		LAB_COMMON_OPTIONS,
	};
	int c;

	*o = (struct lab_c_options){ .root = ".", .in = SCENARIO_IN, .out = SCENARIO_OUT };
	lab_options_init(&o->common);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->root = optarg; break;
		case 'c': o->chunk = parse_chunk(optarg); break;
		case 'i': o->in = optarg; break;
		case 'o': o->out = optarg; o->out_given = true; break;
		case 'f': o->force = true; break;
		case 'q': o->queue = true; break;
		case 'b': o->batch = parse_batch(optarg); break;
		default: lab_common_option(c, argv, &o->common, usage);
		}
	}
	if (o->batch && !o->queue)
		die_usage("--batch goes with --queue (the one-exit calls have no batches)");
	if (!o->batch)
		o->batch = QUEUE_BATCH;
}

static void check_words(int nwords, char **words, bool queue)
{
	if (queue && (nwords == 0 || strcmp(words[0], "cp")))
		die_usage("--queue copies: use --queue cp SRC DST");
	if (nwords == 0 || (!strcmp(words[0], "cat") && nwords == 2) ||
	    (!strcmp(words[0], "cp") && nwords == 3))
		return;
	if (!strcmp(words[0], "cat") || !strcmp(words[0], "cp"))
		die_usage("%s takes %s", words[0], words[0][1] == 'a' ? "one PATH" : "SRC and DST");
	die_usage("unknown command '%s' (expected cat or cp, or nothing for the scenario)",
		  words[0]);
}

/*
 * The guest's argv (labs/lab-c/guest.c's main reads it) for the words after the
 * options: scenario IN OUT CHUNK FORCE, cat PATH CHUNK, cp SRC DST CHUNK FORCE;
 * with --queue (labs/lab-c/guest_queue_cp.c) cp SRC DST CHUNK FORCE BATCH.
 */
static int guest_args(int nwords, char **words, struct lab_c_options *o, char *chunk,
		      char *batch, char **args)
{
	int n = 0;

	check_words(nwords, words, o->queue);
	args[n++] = "lab-c";
	if (nwords == 0) {
		args[n++] = "scenario";
		args[n++] = (char *)o->in;
		args[n++] = (char *)o->out;
	} else {
		for (int i = 0; i < nwords; i++)
			args[n++] = words[i];
	}
	if (!o->chunk)
		o->chunk = nwords ? COPY_CHUNK : SCENARIO_CHUNK;
	snprintf(chunk, 24, "%llu", (unsigned long long)o->chunk);
	args[n++] = chunk;
	if (strcmp(args[1], "cat"))
		/* The default output is the scenario's own: it replaces it, so it can run again. */
		args[n++] = o->force || (nwords == 0 && !o->out_given) ? "1" : "0";
	if (o->queue) {
		snprintf(batch, 24, "%u", o->batch);
		args[n++] = batch;
	}
	args[n] = NULL;
	return n;
}

/* The built-in guest's buffer lies between its image and its stack: say so early if it cannot. */
static void check_chunk_fits(const struct lab_vm *lab, uint64_t buffer, uint64_t mem,
			     uint64_t overhead)
{
	uint64_t image = (lab->image.size + 4095) & ~4095ull;
	uint64_t room = lab->layout.mapped_end > image + overhead
				? lab->layout.mapped_end - image - overhead
				: 0;
	char have[32], need[32];

	if (buffer > room)
		die_usage("the guest's %s transfer buffer (--chunk) does not fit in its %s of "
			  "memory (room for %llu bytes): give it more with --mem, or a smaller --chunk",
			  format_size(buffer, need, sizeof(need)), format_size(mem, have, sizeof(have)),
			  (unsigned long long)room);
}

static void say_summary(const struct lab_vm *lab, const struct hc_files *files, int status)
{
	printf("lab-c: the guest %s after %llu exits (%llu port I/O); its file calls: %llu, "
	       "%llu bytes read, %llu bytes written\n",
	       status == EXIT_OK ? "finished" : "did not finish cleanly",
	       (unsigned long long)lab->vcpu.exits, (unsigned long long)lab->vcpu.io_exits,
	       (unsigned long long)files->stats.calls, (unsigned long long)files->stats.bytes_read,
	       (unsigned long long)files->stats.bytes_written);
}

static void say_copied(const struct lab_vm *lab, const struct hc_files *files, char **args)
{
	const struct hc_fs_stats *s = &files->stats;

	printf("lab-c: cp %s %s: %llu bytes in %llu reads and %llu writes of up to %s bytes; "
	       "%llu exits\n", args[2], args[3], (unsigned long long)s->bytes_written,
	       (unsigned long long)s->reads, (unsigned long long)s->writes, args[4],
	       (unsigned long long)lab->vcpu.exits);
}

/* The queue's summary: requests, notifies, and what each request cost in exits. */
static void say_queued(const struct lab_vm *lab, const struct hc_files *files,
		       struct hc_queue *q, char **args)
{
	struct hc_queue_stats s = hc_queue_stats(q);

	printf("lab-c: cp %s %s through the queue: %llu bytes in %llu requests, %llu notifies of "
	       "up to %s requests; %llu exits, %.4f per request; %llu host file calls\n",
	       args[2], args[3], (unsigned long long)files->stats.bytes_written,
	       (unsigned long long)s.requests, (unsigned long long)s.notifies, args[6],
	       (unsigned long long)lab->vcpu.exits,
	       s.requests ? (double)lab->vcpu.exits / (double)s.requests : 0.0,
	       (unsigned long long)s.host_calls);
}

/* The request queue of the lab's one instance: its device may touch the instance's mapped memory. */
static struct hc_queue *add_queue(struct lab_vm *lab, struct hc_files *files)
{
	struct phys_mem window = { .host = lab->vm.mem.host + lab->layout.base,
				   .size = lab->layout.mapped_end };
	struct hc_queue *q = hc_queue_create(files, &window);

	hc_register_queue(&lab->vm, q);
	return q;
}

int main(int argc, char **argv)
{
	/* static: still reachable if a later step dies with a usage error (no ASan leak report) */
	static struct hc_files *files;
	static struct hc_queue *queue;
	struct lab_c_options o;
	struct lab_vm lab;
	char chunk[24], batch[24], *args[8] = { 0 };
	int nargs, status;
	bool scenario;

	kit_set_progname(argv[0]);
	parse_options(argc, argv, &o);
	nargs = guest_args(argc - optind, argv + optind, &o, chunk, batch, args);
	scenario = !strcmp(args[1], "scenario");
	files = hc_files_create(o.root);
	hc_files_allow_consoles(files);

	lab_boot(&lab, &o.common, o.queue ? guest_image_lab_c_queue() : guest_image_lab_c(), nargs,
		 args);
	if (!o.common.guest_file)
		check_chunk_fits(&lab, o.chunk + scenario, o.common.mem,
				 o.queue ? QUEUE_GUEST_OVERHEAD : GUEST_OVERHEAD);
	hc_register_print_exits(&lab.vm);
	hc_register_fs(&lab.vm);
	hc_files_attach(&lab.vcpu, files);
	if (o.queue)
		queue = add_queue(&lab, files);
	if (scenario)
		printf("lab-c: guest paths resolve inside %s, with %s\n", o.root,
		       sandbox_resolver_name(files->sandbox.resolver));

	status = lab_run(&lab);
	/* cat's standard output carries the file alone */
	vm_print_port_exits(&lab.vm, "lab-c", strcmp(args[1], "cat") ? stdout : stderr);
	if (scenario)
		say_summary(&lab, files, status);
	else if (status == EXIT_OK && queue)
		say_queued(&lab, files, queue, args);
	else if (status == EXIT_OK && !strcmp(args[1], "cp"))
		say_copied(&lab, files, args);
	lab_free(&lab);
	hc_queue_destroy(queue);
	hc_files_destroy(files);
	return status;
}

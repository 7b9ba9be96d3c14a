/*
 * lab-a: kvm-hello-world in long mode, rebuilt on the kit's helper layer.
 *
 * The layout is the original's, address for address (lab-a.h). Read it top
 * to bottom: set up memory, page tables, code and vCPU, run, check the 42.
 * What the run found out answers questions a.1-a.7: answers.c prints them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab-a.h"

#include "abi/hypercall.h"
#include "lab/lab.h"
#include "util/opts.h"
#include "util/util.h"

GUEST_IMAGE(hello)

struct options {
	struct lab_options lab;    /* --guest, --trace, --timeout (the memory size is fixed) */
	const char *dot_file;
};

static void usage(void)
{
	printf(
		"usage: %s [--guest FILE] [--dot FILE] [--trace] [--timeout SECONDS]\n"
		"\n"
		"Run kvm-hello-world's long-mode guest on the kit's KVM layer, with the\n"
		"original's memory layout, and answer questions a.1-a.7 from live data.\n"
		"\n"
		"  --guest FILE       run this flat binary instead (loaded at guest-physical 0,\n"
		"                     entered at 0 in long mode, at most %llu bytes: the page\n"
		"                     tables start at 0x%llx); its port-0xE9 output is printed\n"
		"                     and the 42 it leaves at 0x400 and in RAX is checked\n"
		"  --dot FILE         also write a graphviz description of the memory layout\n"
		"                     and the page tables to FILE ('-' for stdout)\n"
		"  --trace            one line per VM exit on stderr\n"
		"  --timeout SECONDS  stop a guest that runs longer (default %g)\n"
		"  --help             this text\n"
		"\n"
		"Exit status: 0 the guest printed and left 42; 1 it did not; 2 usage;\n"
		"77 KVM is not available here.\n",
		kit_progname, (unsigned long long)MAX_IMAGE, (unsigned long long)PML4_GPA,
		VM_TIMEOUT_DEFAULT);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "dot", required_argument, NULL, 'd' },
		LAB_RUN_OPTIONS,
	};
	int c;

	lab_options_init(&o->lab);
	o->dot_file = NULL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
		if (c == 'd')
			o->dot_file = optarg;
		else
			lab_common_option(c, argv, &o->lab, usage);
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
}

/* --- set-up: memory, page tables, code, vCPU ------------------------------ */

static enum pio_result on_console(struct vcpu *v, struct pio *io, void *opaque)
{
	struct lab *lab = opaque;

	lab->console_exits++;
	lab->console_bytes += io->count;
	lab->io_data_offset = v->run->io.data_offset;
	for (uint32_t i = 0; i < io->count; i++)
		vcpu_console_byte(v, io->data[i]);
	return PIO_DONE;
}

/* The original's tables: PML4 -> PDPT -> PD, whose entry 0 maps a 2 MiB page at 0. */
static void build_page_tables(struct lab *lab)
{
	int err = pt_init(&lab->tables, &lab->vm.mem, PML4_GPA, TABLES_END);

	if (!err)
		err = pt_map(&lab->tables, 0, 0, MEM_SIZE, PTE_WRITABLE | PTE_USER, PT_USE_2M);
	if (err)
		die("cannot build the page tables: %s", strerror(-err));
}

/*
 * Fill the 8 bytes at 0x400 with a mark before the run (when the image
 * leaves them free), so a.7 can show how many bytes the guest's store wrote.
 */
static void mark_answer_slot(struct lab *lab)
{
	lab->slot_marked = lab->image.size <= HC_ANSWER_SLOT;
	if (lab->slot_marked)
		memset(lab->vm.mem.host + HC_ANSWER_SLOT, SLOT_MARK, 8);
}

static void set_up(struct lab *lab, const struct options *o)
{
	if (o->lab.guest_file)
		guest_image_load(o->lab.guest_file, MAX_IMAGE, &lab->image);
	else
		lab->image = guest_image_hello();

	vm_create(&lab->vm);
	lab->vm.timeout = o->lab.timeout;
	lab->vm.trace = o->lab.trace;
	vm_add_memory(&lab->vm, MEM_SIZE);
	build_page_tables(lab);
	memcpy(lab->vm.mem.host, lab->image.data, lab->image.size);
	mark_answer_slot(lab);

	vm_on_port(&lab->vm, &(struct port_spec){
		.port = CONSOLE_PORT, .dirs = PIO_DIR_OUT, .size = 1, .strings_ok = true,
		.name = "console", .fn = on_console, .opaque = lab });
	vcpu_create(&lab->vm, &lab->vcpu, 0);
	vcpu_enter_long_mode(&lab->vcpu, lab->tables.root, ENTRY_GVA, STACK_TOP);
}

/* Run, then read the answer as the original does: RAX, and guest memory at 0x400. */
static void run(struct lab *lab)
{
	lab->end = vcpu_run(&lab->vcpu);
	lab->rax_at_halt = vcpu_regs(&lab->vcpu)->rax;
	memcpy(&lab->answer_in_memory, lab->vm.mem.host + HC_ANSWER_SLOT, sizeof(uint64_t));
}

/* --- main --------------------------------------------------------------------- */

static int verdict(const struct lab *lab)
{
	if (lab->end != VCPU_HALTED) {
		kit_warn("the guest did not run to its HLT (see the report above)");
		return EXIT_FAIL;
	}
	if (lab->rax_at_halt != ANSWER || lab->answer_in_memory != ANSWER) {
		kit_warn("the guest halted without leaving 42 (RAX = %llu, memory at 0x400 = %llu)",
		      (unsigned long long)lab->rax_at_halt,
		      (unsigned long long)lab->answer_in_memory);
		return EXIT_FAIL;
	}
	printf("\nlab-a: OK: the guest printed %llu bytes and left 42 in RAX and at 0x400\n",
	       (unsigned long long)lab->console_bytes);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct lab lab;
	int status;

	kit_set_progname(argv[0]);
	parse_options(argc, argv, &opts);
	memset(&lab, 0, sizeof(lab));
	set_up(&lab, &opts);
	run(&lab);

	answer_questions(&lab);
	if (opts.dot_file)
		write_dot(&lab, opts.dot_file);

	status = verdict(&lab);
	vcpu_destroy(&lab.vcpu);
	vm_destroy(&lab.vm);
	guest_image_free(&lab.image);
	return status;
}

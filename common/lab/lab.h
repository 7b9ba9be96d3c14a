/*
 * What every single-vCPU lab program shares: the common options (--guest,
 * --mem, --trace, --timeout, --help), booting the guest in the kit's
 * standard layout with main(argc, argv) arguments, running it, and turning
 * the result into the kit's exit status.
 */
#ifndef KIT_LAB_H
#define KIT_LAB_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvm/guest_image.h"
#include "kvm/kvm.h"
#include "layout.h"

struct lab_options {
	const char *guest_file;   /* --guest: a flat binary instead of the built-in guest */
	uint64_t mem;             /* --mem: guest memory in bytes */
	double timeout;           /* --timeout: seconds */
	bool trace;               /* --trace: one line per exit */
};

/*
 * getopt_long entries of the common options; end a program's table with
 * them. LAB_RUN_OPTIONS leaves out --mem, for labs with a fixed memory size.
 */
#define LAB_RUN_OPTIONS                                             \
	{ "guest", required_argument, NULL, 'g' },                  \
	{ "trace", no_argument, NULL, 't' },                        \
	{ "timeout", required_argument, NULL, 'T' },                \
	{ "help", no_argument, NULL, 'h' },                         \
	{ NULL, 0, NULL, 0 }
#define LAB_COMMON_OPTIONS                                          \
	{ "mem", required_argument, NULL, 'm' },                    \
	LAB_RUN_OPTIONS

/* Help text for the common options (after a program's own). */
#define LAB_COMMON_HELP                                                                   \
	"  --guest FILE       run this flat binary instead of the built-in guest\n"         \
	"                     (loaded at guest-physical 0, entered at 0 in long mode)\n"    \
	"  --mem SIZE         guest memory, e.g. 2M, 64M (default 2M, at most 2G)\n"        \
	"  --trace            one line per VM exit on stderr\n"                            \
	"  --timeout SECONDS  stop a guest that runs longer (default 10)\n"                 \
	"  --help             this text\n"

void lab_options_init(struct lab_options *o);

/*
 * Handle getopt's answer c for the common options: stores the value, prints
 * usage for 'h' (via the program's usage function) and exits, and dies with
 * exit status 2 for bad values, unknown options and missing values. Returns
 * false for a character that is not a common option.
 */
bool lab_common_option(int c, char **argv, struct lab_options *o, void (*usage)(void));

struct lab_vm {
	struct vm vm;
	struct vcpu vcpu;
	struct instance_layout layout;
	struct guest_image image;
};

/*
 * Create the VM and its memory, load --guest FILE or the built-in image, and
 * boot it with argv, with the console and status ports installed. Register
 * the lab's own port handlers after this, before lab_run.
 */
void lab_boot(struct lab_vm *l, const struct lab_options *o, struct guest_image builtin,
	      int argc, char *const argv[]);

/*
 * Run to the end. Returns EXIT_OK when the guest succeeded (lab_guest_succeeded);
 * EXIT_FAIL when it reported a non-zero status (said on stderr), failed or
 * timed out (reported by the run loop).
 */
int lab_run(struct lab_vm *l);

void lab_free(struct lab_vm *l);

/*
 * HC_PORT_CONSOLE (0xE9), as in kvm-hello-world: one byte per OUT, printed
 * a whole line at a time per vCPU (REP OUTSB accepted).
 */
void lab_register_console(struct vm *vm);
/* The console and HC_PORT_STATUS, where a guest reports a failing exit status. */
void lab_register_guest_ports(struct vm *vm);

/*
 * The kit's one rule for the end of a run (common/abi/hypercall.h): the guest
 * halted, and did not report a non-zero status first. kvm-hello-world's own
 * guest (42 in RAX and at 0x400, then HLT) is a success by it.
 */
bool lab_guest_succeeded(const struct vcpu *v, enum vcpu_end end);

#endif

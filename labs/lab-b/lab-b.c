/*
 * lab-b: the print() and exits() hypercalls (part b of the assignment).
 *
 * The hypervisor side of both calls is labs/lab-b/hypercalls.c; the ABI is
 * common/abi/hypercall.h; the guest is labs/lab-b/guest.c. Here: boot the guest
 * with the message to print as its argv[1], install the handlers, run.
 *
 *   print(str)  OUT to port 0x500, EAX = the string's guest-virtual address.
 *               The host walks the vCPU's page tables to find the string's
 *               bytes and writes them with one writev: one exit, any length.
 *   exits()     IN from port 0x501. The host answers with the vCPU's exit
 *               count in EAX: one exit, and the count includes it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hypercalls.h"
#include "lab/lab.h"
#include "util/util.h"

GUEST_IMAGE_FILE(lab_b, "lab-b")

static void usage(void)
{
	printf("usage: %s [--message TEXT] [OPTIONS]\n"
	       "\n"
	       "Run the lab-b guest: it prints TEXT with the print() hypercall, then measures\n"
	       "with exits() what print() costs against one OUT per byte, for strings of 1,\n"
	       "14 and 1000 characters.\n"
	       "\n"
	       "  --message TEXT     what the guest prints first (default: a greeting)\n"
	       LAB_COMMON_HELP
	       "\n"
	       "Ports: 0xE9 console (OUT, 1 byte), 0x500 print (OUT, 4 bytes: the string's\n"
	       "address; RAX = bytes written or -errno), 0x501 exits (IN, 4 bytes).\n"
	       "Exit status: 0 the guest ran and returned 0; 1 it failed; 2 usage; 77 no KVM.\n",
	       kit_progname);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "message", required_argument, NULL, 'M' },
		LAB_COMMON_OPTIONS,
	};
	const char *message = NULL;
	struct lab_options opts;
	struct lab_vm lab;
	int c, status;

	kit_set_progname(argv[0]);
	lab_options_init(&opts);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
		if (c == 'M')
			message = optarg;
		else
			lab_common_option(c, argv, &opts, usage);
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);

	char *guest_argv[] = { "lab-b", (char *)message, NULL };

	lab_boot(&lab, &opts, guest_image_lab_b(), message ? 2 : 1, guest_argv);
	hc_register_print_exits(&lab.vm);
	status = lab_run(&lab);
	vm_print_port_exits(&lab.vm, "lab-b", stdout);
	printf("lab-b: the guest %s after %llu exits (%llu of them port I/O)\n",
	       status == EXIT_OK ? "finished" : "did not finish cleanly",
	       (unsigned long long)lab.vcpu.exits, (unsigned long long)lab.vcpu.io_exits);
	lab_free(&lab);
	return status;
}

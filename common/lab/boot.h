/*
 * Booting a guest instance in the kit's standard layout (layout.h): page
 * tables built, image copied to the instance's base, the vCPU in long mode
 * at guest-virtual 0, and main(argc, argv) arguments placed at the top of
 * the instance's stack, as an OS places them for a new process.
 */
#ifndef KIT_BOOT_H
#define KIT_BOOT_H

#include "kvm/guest_image.h"
#include "kvm/kvm.h"
#include "layout.h"

/* Bytes at most that arguments may take at the top of the stack. */
#define BOOT_ARGS_MAX (64u << 10)

/*
 * Set up vCPU v (already created) to run img in [base, base + size) of vm's
 * memory with the given arguments. 0 or -errno; *why names the failed step.
 */
int boot_instance_raw(struct vcpu *v, gpa_t base, uint64_t size, const struct guest_image *img,
		      int argc, char *const argv[], struct instance_layout *out, const char **why);
/* The same; dies with one line (exit EXIT_USAGE when the image or arguments do not fit). */
void boot_instance(struct vcpu *v, gpa_t base, uint64_t size, const struct guest_image *img,
		   int argc, char *const argv[], struct instance_layout *out);

/*
 * Copy argv's strings and the argv array below layout->stack_top in guest
 * memory; return the argv array's guest-virtual address and the new RSP.
 */
int boot_push_args(struct phys_mem *mem, const struct instance_layout *layout, int argc,
		   char *const argv[], gva_t *argv_gva, gva_t *rsp);

#endif

#include "boot.h"
#include "kvm/guest_access.h"
#include "util/util.h"

#include <errno.h>
#include <string.h>

int boot_push_args(struct phys_mem *mem, const struct instance_layout *layout, int argc,
		   char *const argv[], gva_t *argv_gva, gva_t *rsp)
{
	struct guest_view g = guest_view_long_mode(mem, layout->cr3);
	gva_t top = layout->stack_top, floor = layout->stack_top - BOOT_ARGS_MAX;
	uint64_t pointers[argc + 1];

	/* The strings first, highest at the top, then the array below them. */
	for (int i = argc - 1; i >= 0; i--) {
		size_t len = strlen(argv[i]) + 1;

		if (top - floor < len)
			return -E2BIG;
		top -= len;
		if (guest_write(&g, top, argv[i], len) < 0)
			return -EFAULT;
		pointers[i] = top;
	}
	pointers[argc] = 0;
	top &= ~15ull;
	if (top - floor < sizeof(pointers) + 16)
		return -E2BIG;
	top -= sizeof(pointers);
	top &= ~15ull;
	if (guest_write(&g, top, pointers, sizeof(pointers)) < 0)
		return -EFAULT;
	*argv_gva = top;
	*rsp = top; /* 16-byte aligned; start.S's call then pushes the return address */
	return 0;
}

int boot_instance_raw(struct vcpu *v, gpa_t base, uint64_t size, const struct guest_image *img,
		      int argc, char *const argv[], struct instance_layout *out, const char **why)
{
	struct phys_mem *mem = &v->vm->mem;
	gva_t argv_gva, rsp;
	int err;

	*why = "lay out guest memory";
	err = layout_instance(mem, base, size, out);
	if (err)
		return err;
	*why = "load the guest image";
	if (img->size > layout_max_image(out))
		return -EFBIG;
	memcpy(mem->host + base, img->data, img->size);
	*why = "place the guest's arguments";
	err = boot_push_args(mem, out, argc, argv, &argv_gva, &rsp);
	if (err)
		return err;
	*why = "enter long mode";
	err = vcpu_enter_long_mode_raw(v, out->cr3, 0, rsp);
	if (err)
		return err;
	*why = "set main's arguments";
	return vcpu_set_main_args_raw(v, (uint64_t)argc, argv_gva, rsp);
}

void boot_instance(struct vcpu *v, gpa_t base, uint64_t size, const struct guest_image *img,
		   int argc, char *const argv[], struct instance_layout *out)
{
	const char *why;
	int err = boot_instance_raw(v, base, size, img, argc, argv, out, &why);

	if (err == -EFBIG)
		die_with(EXIT_USAGE, "guest image %s (%zu bytes) does not fit in %llu bytes of guest "
			 "memory with room for its stack: give it more with --mem", img->name,
			 img->size, (unsigned long long)size);
	if (err == -E2BIG)
		die_with(EXIT_USAGE, "the guest's arguments take more than %u bytes", BOOT_ARGS_MAX);
	if (err)
		die("vCPU %d: cannot %s: %s", v->id, why, strerror(-err));
}

/*
 * Part (b), host side: the print() (b.1) and exits() (b.2) hypercalls.
 *
 * Each is one port: the run loop (common/kvm/kvm_run.c) sees a KVM_EXIT_IO
 * in the vCPU's kvm_run (port, direction, size, data), checks the access
 * against the port's spec registered below, and calls its handler. The guest
 * side is guest_hypercalls.c; the ABI is common/abi/hypercall.h.
 */
#include "hypercalls.h"

#include "abi/hypercall.h"
#include "kvm/guest_access.h"
#include "util/util.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#ifndef STUB_b1 /* SOLUTION b1 (b.1): print(), host side */
/*
 * The guest did OUT to HC_PORT_PRINT with EAX = the string's guest-virtual
 * address. We find the string's bytes through the calling vCPU's own page
 * tables, page by page, and hand those pieces of guest memory straight to
 * one writev: no copy, one exit, any length. The answer (bytes written, or
 * -HC_Exxx) goes back in RAX before the guest resumes: no second exit.
 */
/* The ABI's error for a failed lookup of the string (guest_string's -errno). */
static int64_t string_error(int err)
{
	return err == -E2BIG ? -HC_E2BIG : -HC_EFAULT;
}

/* Rare path: a string in more host pieces than one writev takes. */
static int64_t print_in_batches(struct vcpu *v, const struct guest_view *g, gva_t str,
				uint64_t len)
{
	struct iovec iov[IOV_MAX_BATCH];
	uint64_t done = 0, covered;

	while (done < len) {
		int n = guest_iov(g, str + done, len - done, false, iov, IOV_MAX_BATCH, &covered);

		if (n < 0)
			return -HC_EFAULT;
		if (guest_view_out_of_time(g) || vcpu_write_out(v, iov, n) < 0)
			return -HC_EIO;
		done += covered;
	}
	return (int64_t)len;
}

/* b.1: print the NUL-terminated string at guest-virtual address str. */
static int64_t print_string(struct vcpu *v, gva_t str)
{
	struct guest_view g = guest_view_of(v);
	struct iovec iov[IOV_MAX_BATCH];
	uint64_t len;
	int n;

	if (str == 0)
		return -HC_EFAULT; /* NULL is never a string, even where page 0 is mapped */
	/* At most as long as the guest's memory: bounds our work (see the ABI's Limits). */
	n = guest_string(&g, str, g.mem->size, iov, IOV_MAX_BATCH, &len);
	if (n == -ENOBUFS) {
		/* More pieces than one writev takes: measure it, then write in batches. */
		n = guest_string(&g, str, g.mem->size, NULL, 0, &len);
		return n < 0 ? string_error(n) : print_in_batches(v, &g, str, len);
	}
	if (n < 0)
		return string_error(n);
	return vcpu_write_out(v, iov, n) < 0 ? -HC_EIO : (int64_t)len;
}

#else
/* b.1: print the NUL-terminated string at guest-virtual address str. */
static int64_t print_string(struct vcpu *v, gva_t str)
{
	/*
	 * b.1: find the string's bytes through the calling vCPU's OWN page tables
	 * (common/kvm/guest_access.h: guest_view_of, guest_string), check every
	 * byte, and write them out with one write (vcpu_write_out). Answer the
	 * bytes written, or -HC_EFAULT / -HC_E2BIG as common/abi/hypercall.h says.
	 */
	(void)v;
	(void)str;
	kit_not_written("print(), host side", "labs/lab-b/hypercalls.c");
	return -HC_ENOSYS;
}

#endif /* SOLUTION b1 */

static enum pio_result on_print(struct vcpu *v, struct pio *io, void *opaque)
{
	(void)opaque;
	vcpu_set_rax(v, (uint64_t)print_string(v, io->value));
	return PIO_DONE;
}

#ifndef STUB_b2 /* SOLUTION b2 (b.2): exits(), host side */
/*
 * The guest did IN from HC_PORT_EXITS; the CPU's IN puts our 4-byte answer
 * in EAX. The run loop counts every return from KVM_RUN, so the count
 * includes this call's own exit.
 */
static enum pio_result on_exits(struct vcpu *v, struct pio *io, void *opaque)
{
	uint32_t count = (uint32_t)v->exits;

	(void)opaque;
	memcpy(io->data, &count, sizeof(count)); /* what the guest's IN will find in EAX */
	return PIO_DONE;
}
#else
static enum pio_result on_exits(struct vcpu *v, struct pio *io, void *opaque)
{
	/*
	 * b.2: the guest's IN finds in EAX whatever you leave in io->data. Which
	 * count is "the number of exits since it started" (struct vcpu in
	 * common/kvm/kvm.h), and does it include this call's own exit?
	 */
	(void)v;
	(void)opaque;
	kit_not_written("exits(), host side", "labs/lab-b/hypercalls.c");
	memset(io->data, 0, 4);
	return PIO_DONE;
}
#endif /* SOLUTION b2 */

void hc_register_print_exits(struct vm *vm)
{
	vm_on_port(vm, &(struct port_spec){ .port = HC_PORT_PRINT, .dirs = PIO_DIR_OUT,
					    .size = 4, .name = "print", .fn = on_print });
	vm_on_port(vm, &(struct port_spec){ .port = HC_PORT_EXITS, .dirs = PIO_DIR_IN,
					    .size = 4, .name = "exits", .fn = on_exits });
}

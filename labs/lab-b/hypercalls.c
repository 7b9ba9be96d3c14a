/* The console, print() and exits() hypercalls: part (b) of the assignment. */
#include "hypercalls.h"

#include "abi/hypercall.h"
#include "kvm/guest_access.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* Rare path: a string in more host pieces than one writev takes. */
static int64_t print_in_batches(struct vcpu *v, const struct guest_view *g, gva_t str)
{
	struct iovec iov[IOV_MAX_BATCH];
	uint64_t len, done = 0, covered;
	int n = guest_string(g, str, UINT64_MAX, NULL, 0, &len);

	if (n < 0)
		return n;
	while (done < len) {
		n = guest_iov(g, str + done, len - done, false, iov, IOV_MAX_BATCH, &covered);
		if (n < 0)
			return n;
		if (vcpu_write_out(v, iov, n) < 0)
			return -HC_EIO;
		done += covered;
	}
	return (int64_t)len;
}

/*
 * print(str): find the string through the caller's page tables, then hand
 * its pieces of guest memory straight to writev: no copy, one write.
 */
static enum pio_result on_print(struct vcpu *v, struct pio *io, void *opaque)
{
	struct guest_view g = guest_view_of(v);
	struct iovec iov[IOV_MAX_BATCH];
	uint64_t len;
	int64_t ret;
	int n;

	(void)opaque;
	n = guest_string(&g, io->value, UINT64_MAX, iov, IOV_MAX_BATCH, &len);
	if (n == -E2BIG)
		ret = print_in_batches(v, &g, io->value);
	else if (n < 0)
		ret = -HC_EFAULT;
	else
		ret = vcpu_write_out(v, iov, n) < 0 ? -HC_EIO : (int64_t)len;
	vcpu_set_rax(v, (uint64_t)ret);
	return PIO_DONE;
}

/* exits(): the counter already includes the exit that brought us here. */
static enum pio_result on_exits(struct vcpu *v, struct pio *io, void *opaque)
{
	uint32_t count = (uint32_t)v->exits;

	(void)opaque;
	memcpy(io->data, &count, sizeof(count));
	return PIO_DONE;
}

void hc_register_print_exits(struct vm *vm)
{
	vm_on_port(vm, &(struct port_spec){ .port = HC_PORT_PRINT, .dirs = PIO_DIR_OUT,
					    .size = 4, .name = "print", .fn = on_print });
	vm_on_port(vm, &(struct port_spec){ .port = HC_PORT_EXITS, .dirs = PIO_DIR_IN,
					    .size = 4, .name = "exits", .fn = on_exits });
}

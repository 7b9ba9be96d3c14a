/* VM lifecycle: open KVM, create the VM, back its memory, register ports. */
#include "kvm.h"
#include "util/device.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUARD 4096ull

static const char *kvm_device(void)
{
	const char *dev = getenv(KVM_DEVICE_ENV);

	return dev && *dev ? dev : KVM_DEVICE_DEFAULT;
}

/* Both regs and sregs must be syncable for us to rely on run->s.regs. */
static bool has_sync_regs(int kvm_fd)
{
	int caps = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	int need = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;

	return caps > 0 && (caps & need) == need;
}

int vm_create_raw(struct vm *vm, const char **why)
{
	int api;

	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	vm->timeout = VM_TIMEOUT_DEFAULT;
	pthread_mutex_init(&vm->out_lock, NULL);

	*why = "open";
	vm->failed_step = VM_STEP_OPEN;
	vm->kvm_fd = open(kvm_device(), O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return -errno;
	*why = "KVM_GET_API_VERSION";
	vm->failed_step = VM_STEP_KVM_IOCTL;
	api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return api < 0 ? -errno : -EPROTO;
	*why = "KVM_GET_VCPU_MMAP_SIZE";
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run))
		return vm->run_size < 0 ? -errno : -EPROTO;
	vm->sync_regs = has_sync_regs(vm->kvm_fd);
	*why = "KVM_CREATE_VM";
	vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return -errno;
	/* Intel needs three guest pages for a real-mode TSS; keep them out of RAM's way. */
	*why = "KVM_SET_TSS_ADDR";
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, (unsigned long)VM_TSS_GPA) < 0)
		return -errno;
	*why = NULL;
	return 0;
}

void vm_create(struct vm *vm)
{
	const char *why;
	int err = vm_create_raw(vm, &why);

	if (!err)
		return;
	if (vm->failed_step == VM_STEP_OPEN) {
		if (err == -ENOENT || err == -ENXIO || err == -ENODEV)
			die_with(EXIT_SKIP, "%s: %s: KVM is not available here; load it "
				 "(modprobe kvm_intel or kvm_amd), enable virtualization in the "
				 "firmware, or enable nested virtualization for this VM",
				 kvm_device(), strerror(-err));
		if (err == -EACCES || err == -EPERM) {
			char advice[400];

			die_with(EXIT_SKIP, "%s: %s: %s", kvm_device(), strerror(-err),
				 device_access_advice(kvm_device(), NULL, advice, sizeof(advice)));
		}
		die_with(EXIT_SKIP, "%s: %s", kvm_device(), strerror(-err));
	}
	if (err == -EPROTO)
		die("%s returned an unexpected value: this KVM is not API version %d",
		    why, KVM_API_VERSION);
	die("%s failed: %s", why, strerror(-err));
}

int vm_add_memory_raw(struct vm *vm, uint64_t size)
{
	struct kvm_userspace_memory_region region;
	void *host;

	if (vm->mem.host)
		return -EEXIST;
	if (size < VM_MEM_MIN || size > VM_MEM_MAX || size % 4096)
		return -EINVAL;
	/*
	 * NORESERVE: untouched guest pages cost the host nothing. A PROT_NONE
	 * guard page on each side turns any host access just outside guest
	 * memory into an immediate fault instead of a silent overrun.
	 */
	host = mmap(NULL, size + 2 * GUARD, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (host == MAP_FAILED)
		return -errno;
	host = (uint8_t *)host + GUARD;
	if (mprotect(host, size, PROT_READ | PROT_WRITE) < 0) {
		int err = -errno;

		munmap((uint8_t *)host - GUARD, size + 2 * GUARD);
		return err;
	}
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		int err = -errno;

		munmap((uint8_t *)host - GUARD, size + 2 * GUARD);
		return err;
	}
	vm->mem.host = host;
	vm->mem.size = size;
	return 0;
}

void vm_add_memory(struct vm *vm, uint64_t size)
{
	int err = vm_add_memory_raw(vm, size);

	if (err == -EINVAL)
		die("guest memory of %llu bytes is not possible: use a multiple of 4 KiB "
		    "between 64 KiB and 2 GiB", (unsigned long long)size);
	if (err)
		die("cannot give the guest %llu bytes of memory: %s",
		    (unsigned long long)size, strerror(-err));
}

void vm_destroy(struct vm *vm)
{
	if (vm->mem.host)
		munmap(vm->mem.host - GUARD, vm->mem.size + 2 * GUARD);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	pthread_mutex_destroy(&vm->out_lock);
	memset(&vm->mem, 0, sizeof(vm->mem));
	vm->fd = vm->kvm_fd = -1;
}

const struct port_spec *vm_port(const struct vm *vm, uint16_t port)
{
	for (unsigned i = 0; i < vm->nports; i++)
		if (vm->ports[i].port == port)
			return &vm->ports[i];
	return NULL;
}

void vm_print_port_exits(const struct vm *vm, const char *prefix, FILE *out)
{
	fflush(stdout);
	fprintf(out, "%s: exits by port:", prefix);
	for (unsigned i = 0; i < vm->nports; i++)
		fprintf(out, "%s %s (0x%04x) %llu", i ? "," : "", vm->ports[i].name ? vm->ports[i].name : "?",
		       vm->ports[i].port,
		       (unsigned long long)__atomic_load_n(&vm->ports[i].exits, __ATOMIC_RELAXED));
	fprintf(out, "\n");
}

int vm_on_port_raw(struct vm *vm, const struct port_spec *spec)
{
	if (!spec->fn || !spec->dirs || (spec->dirs & ~(PIO_DIR_IN | PIO_DIR_OUT)))
		return -EINVAL;
	if (spec->size != 0 && spec->size != 1 && spec->size != 2 && spec->size != 4)
		return -EINVAL;
	if (vm_port(vm, spec->port))
		return -EEXIST;
	if (vm->nports == VM_MAX_PORTS)
		return -ENOSPC;
	vm->ports[vm->nports] = *spec;
	vm->ports[vm->nports++].exits = 0;
	return 0;
}

void vm_on_port(struct vm *vm, const struct port_spec *spec)
{
	int err = vm_on_port_raw(vm, spec);

	if (err)
		die("cannot register port 0x%04x (%s): %s", spec->port,
		    spec->name ? spec->name : "?", strerror(-err));
}

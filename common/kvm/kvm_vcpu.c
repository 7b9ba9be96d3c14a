/* vCPU lifecycle, long-mode set-up and register access. */
#include "kvm.h"
#include "x86.h"
#include "util/util.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GDT_CODE_SELECTOR (1 << 3)
#define GDT_DATA_SELECTOR (2 << 3)

int vcpu_create_raw(struct vm *vm, struct vcpu *v, int id)
{
	void *run;

	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0)
		return -errno;
	/* The kvm_run area: KVM writes each exit's details here; we read them in place. */
	run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (run == MAP_FAILED) {
		int err = -errno;

		close(v->fd);
		v->fd = -1;
		return err;
	}
	v->run = run;
	if (vm->sync_regs) {
		/* KVM copies the registers here on every exit: no ioctl per hypercall. */
		v->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
		v->regs = &v->run->s.regs.regs;
		v->sregs = &v->run->s.regs.sregs;
	} else {
		v->regs = &v->regs_buf;
		v->sregs = &v->sregs_buf;
	}
	return 0;
}

void vcpu_create(struct vm *vm, struct vcpu *v, int id)
{
	int err = vcpu_create_raw(vm, v, id);

	if (err)
		die("cannot create vCPU %d: %s%s", id, strerror(-err),
		    err == -EINVAL ? " (more vCPUs than this KVM allows?)" : "");
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, (size_t)v->vm->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type, bool code)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = 0,   /* must be 0 when L = 1 */
		.s = 1,    /* code/data, not a system segment */
		.l = code, /* 64-bit code segment */
		.g = 1,
	};
}

int vcpu_enter_long_mode_raw(struct vcpu *v, gpa_t page_table_root, gva_t entry, gva_t stack_top)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_segment data = flat_segment(GDT_DATA_SELECTOR, 3 /* RW, accessed */, false);

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	sregs.cr3 = page_table_root;
	sregs.cr4 = CR4_PAE;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	sregs.efer = EFER_LME | EFER_LMA;
	sregs.cs = flat_segment(GDT_CODE_SELECTOR, 11 /* execute/read, accessed */, true);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;

	memset(&regs, 0, sizeof(regs));
	regs.rflags = RFLAGS_FIXED; /* IF = 0: no interrupts */
	regs.rip = entry;
	regs.rsp = stack_top;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

void vcpu_enter_long_mode(struct vcpu *v, gpa_t page_table_root, gva_t entry, gva_t stack_top)
{
	int err = vcpu_enter_long_mode_raw(v, page_table_root, entry, stack_top);

	if (err)
		die("cannot put vCPU %d into long mode: %s", v->id, strerror(-err));
}

int vcpu_set_main_args_raw(struct vcpu *v, uint64_t argc, gva_t argv, gva_t stack_top)
{
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
		return -errno;
	regs.rdi = argc;
	regs.rsi = argv;
	regs.rsp = stack_top;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

struct kvm_regs *vcpu_regs(struct vcpu *v)
{
	if (!v->vm->sync_regs && !v->regs_fresh) {
		if (ioctl(v->fd, KVM_GET_REGS, v->regs) < 0)
			memset(v->regs, 0, sizeof(*v->regs));
		v->regs_fresh = true;
	}
	return v->regs;
}

struct kvm_sregs *vcpu_sregs(struct vcpu *v)
{
	if (!v->vm->sync_regs && !v->sregs_fresh) {
		if (ioctl(v->fd, KVM_GET_SREGS, v->sregs) < 0)
			memset(v->sregs, 0, sizeof(*v->sregs));
		v->sregs_fresh = true;
	}
	return v->sregs;
}

void vcpu_set_rax(struct vcpu *v, uint64_t value)
{
	struct kvm_regs *regs = vcpu_regs(v);

	regs->rax = value;
	v->rax_set = true;
	if (v->vm->sync_regs) {
		/* KVM loads the synced registers back at the next KVM_RUN. */
		v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	} else if (ioctl(v->fd, KVM_SET_REGS, regs) < 0) {
		kit_warn("vCPU %d: KVM_SET_REGS failed: %m", v->id);
	}
}

/*
 * An instance in user mode: its descriptor tables, its trap stubs and its
 * entry at CPL 3 (user_mode.h). The formats are the Intel SDM's: vol. 3
 * "Segment Descriptors", "64-Bit Mode IDT", "Task Management in 64-bit
 * Mode"; vol. 1 "I/O Permission Bit Map".
 */
#include "user_mode.h"
#include "supervisor.h"

#include "kvm/guest_image.h"
#include "kvm/paging.h"
#include "kvm/x86.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

/* The CPL-0 fault handlers (traps.S), the same image in every instance. */
GUEST_IMAGE_FILE(lab_e_traps, "lab-e-traps")

#define MSR_LSTAR 0xc0000082u     /* where SYSCALL would jump */

/* --- descriptors ----------------------------------------------------------- */

enum { CODE_TYPE = 0xb /* execute/read, accessed */, DATA_TYPE = 0x3 /* read/write, accessed */ };
enum { TSS_TYPE_BUSY = 0xb, GATE_TYPE_INTERRUPT = 0xe };

/*
 * A flat code or data segment descriptor. The accessed bit is set in
 * advance: the CPU would otherwise write it when it loads the descriptor,
 * and the GDT is on a read-only page.
 */
static uint64_t segment_descriptor(unsigned type, unsigned dpl, bool code)
{
	return 0xffffull | (0xfull << 48)                   /* limit 0xfffff, in 4 KiB units */
	       | ((uint64_t)type << 40) | (1ull << 44)      /* code/data (S = 1) */
	       | ((uint64_t)dpl << 45) | (1ull << 47)       /* DPL, present */
	       | (code ? 1ull << 53 : 1ull << 54)            /* code: L = 1 (64-bit); data: D/B = 1 */
	       | (1ull << 55);                               /* G: limit in pages */
}

/* The 16-byte TSS descriptor: base, limit, type 64-bit TSS (busy), present. */
static void tss_descriptor(uint64_t out[2], uint64_t base, uint32_t limit)
{
	out[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | ((uint64_t)TSS_TYPE_BUSY << 40) |
		 (1ull << 47) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xff) << 56);
	out[1] = base >> 32;
}

/* A 64-bit interrupt gate to handler in the kernel code segment, DPL 0: INT n at CPL 3 cannot use it. */
static void interrupt_gate(uint64_t out[2], uint64_t handler)
{
	out[0] = (handler & 0xffff) | ((uint64_t)SEL_KERNEL_CODE << 16) |
		 ((uint64_t)GATE_TYPE_INTERRUPT << 40) | (1ull << 47) |
		 (((handler >> 16) & 0xffff) << 48);
	out[1] = handler >> 32;
}

static uint32_t tss_limit(void)
{
	/* The bitmap, then one byte of all ones that the CPU may read past its end. */
	return TSS_SIZE + IOMAP_PORTS / 8;
}

/* --- the descriptor page and the trap page ------------------------------------ */

static void write_gdt(uint8_t *page, const struct slice *s)
{
	uint64_t gdt[GDT_ENTRIES] = {
		[SEL_KERNEL_CODE >> 3] = segment_descriptor(CODE_TYPE, 0, true),
		[SEL_KERNEL_DATA >> 3] = segment_descriptor(DATA_TYPE, 0, false),
		[SEL_USER_DATA >> 3] = segment_descriptor(DATA_TYPE, 3, false),
		[SEL_USER_CODE >> 3] = segment_descriptor(CODE_TYPE, 3, true),
	};

	tss_descriptor(&gdt[SEL_TSS >> 3], s->desc + SUP_TSS, tss_limit());
	memcpy(page + SUP_GDT, gdt, sizeof(gdt));
}

/* Open port .. port + width - 1 in the bitmap (a clear bit allows the access). */
static int open_ports(uint8_t *bitmap, unsigned port, unsigned width)
{
	if (port + width > IOMAP_PORTS)
		return -ERANGE;
	for (unsigned p = port; p < port + width; p++)
		bitmap[p / 8] &= (uint8_t)~(1u << (p % 8));
	return 0;
}

static int write_tss(uint8_t *page, const struct slice *s, const struct vm *vm)
{
	uint8_t *tss = page + SUP_TSS, *bitmap = tss + TSS_SIZE;
	uint64_t rsp0 = s->kstack_top;
	uint16_t iomap = TSS_SIZE;

	memset(tss, 0, TSS_SIZE);
	memcpy(tss + TSS_RSP0, &rsp0, sizeof(rsp0));     /* the stack a fault switches to */
	memcpy(tss + TSS_IOMAP_BASE, &iomap, sizeof(iomap));
	memset(bitmap, 0xff, IOMAP_PORTS / 8 + 1);         /* every port closed */
	for (unsigned i = 0; i < vm->nports; i++) {
		const struct port_spec *p = &vm->ports[i];
		/* An access of n bytes at port p needs the bits of p .. p + n - 1. */
		int err = p->port == LAB_E_PORT_FAULT ? 0
						      : open_ports(bitmap, p->port, p->size ? p->size : 4);

		if (err)
			return err;
	}
	return 0;
}

static void write_idt(uint8_t *page, const struct slice *s)
{
	for (unsigned v = 0; v < TRAP_VECTORS; v++) {
		uint64_t gate[2];

		interrupt_gate(gate, s->traps + v * TRAP_STUB_BYTES);
		memcpy(page + SUP_IDT + v * sizeof(gate), gate, sizeof(gate));
	}
}

int user_mode_install(const struct vm *vm, const struct phys_mem *mem, const struct slice *s)
{
	struct guest_image traps = guest_image_lab_e_traps();
	uint8_t *desc = slice_host(mem, s, s->desc, PAGE_SIZE_4K);
	uint8_t *stubs = slice_host(mem, s, s->traps, PAGE_SIZE_4K);

	if (!desc || !stubs || traps.size > PAGE_SIZE_4K)
		return -EINVAL;
	memset(desc, 0, PAGE_SIZE_4K);
	memset(stubs, 0, PAGE_SIZE_4K);
	memcpy(stubs, traps.data, traps.size);
	write_gdt(desc, s);
	write_idt(desc, s);
	return write_tss(desc, s, vm);
}

/* --- entering at CPL 3 ----------------------------------------------------------- */

static struct kvm_segment flat(uint16_t selector, unsigned type, bool code)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = selector, .type = (uint8_t)type,
		.present = 1, .dpl = selector & 3, .db = !code, .s = 1, .l = code, .g = 1,
	};
}

/*
 * KVM takes the CPL from SS.DPL (VMX: the SS access rights; SVM: the VMCB's
 * CPL, which KVM sets from SS.DPL). VM entry also wants CS.DPL = SS.DPL and
 * both selectors' RPL equal to it, so every one of them says 3.
 */
static void user_segments(struct kvm_sregs *sr, const struct slice *s)
{
	sr->cs = flat(SEL_USER_CODE, CODE_TYPE, true);
	sr->ss = sr->ds = sr->es = sr->fs = sr->gs = flat(SEL_USER_DATA, DATA_TYPE, false);
	sr->tr = (struct kvm_segment){ .base = s->desc + SUP_TSS, .limit = tss_limit(),
				       .selector = SEL_TSS, .type = TSS_TYPE_BUSY, .present = 1 };
	sr->gdt.base = s->desc + SUP_GDT;
	sr->gdt.limit = GDT_ENTRIES * 8 - 1;
	sr->idt.base = s->desc + SUP_IDT;
	sr->idt.limit = TRAP_VECTORS * 16 - 1;
}

/*
 * SYSCALL is off (EFER.SCE = 0), so a CPU raises #UD. The PVM host this kit
 * is built on jumps to LSTAR at CPL 3 instead; LSTAR on the trap page turns
 * that into a fault on a supervisor page, so it is reported there too.
 */
static int aim_syscall_at_traps(struct vcpu *v, const struct slice *s)
{
	union {
		struct kvm_msrs head;   /* nmsrs, then the entries */
		uint8_t room[sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)];
	} msrs;
	int set;

	memset(&msrs, 0, sizeof(msrs));
	msrs.head.nmsrs = 1;
	msrs.head.entries[0] = (struct kvm_msr_entry){ .index = MSR_LSTAR, .data = s->traps };
	set = ioctl(v->fd, KVM_SET_MSRS, &msrs);

	return set == 1 ? 0 : set < 0 ? -errno : -EINVAL;
}

int user_mode_enter_raw(struct vcpu *v, const struct slice *s, gva_t entry, gva_t rsp,
			uint64_t argc, gva_t argv)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int err;

	/* The kit's long mode (CR0, CR4, EFER, CR3 = this slice's PML4) at CPL 0 ... */
	err = vcpu_enter_long_mode_raw(v, s->cr3, entry, rsp);
	if (err)
		return err;
	/* ... lowered to CPL 3 with this instance's own GDT, TSS and IDT. */
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	user_segments(&sregs, s);
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rflags = RFLAGS_FIXED;   /* IOPL = 0 and IF = 0: no port by privilege, no interrupts */
	regs.rip = entry;
	regs.rsp = rsp;
	regs.rdi = argc;
	regs.rsi = argv;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return aim_syscall_at_traps(v, s);
}

/*
 * lab-d's hypercall ABI: the in-kernel hypercalls that labs/lab-d/kvm-*.patch
 * add to KVM's kvm_emulate_hypercall(), and how the lab-d guest reports back
 * to the lab-d host. Included by labs/lab-d/lab-d.c and labs/lab-d/guest.c.
 *
 * The numbers and values must match the KIT_HC_* defines in both kernel
 * patches (the kernel cannot include this file); `make lab-d-vm` checks the
 * whole chain, and the grader checks that the patches agree with this file.
 *
 * The calling convention is KVM's own (Documentation/virt/kvm/x86/hypercalls.rst):
 * VMCALL (Intel) or VMMCALL (AMD), the number in RAX, up to four arguments in
 * RBX, RCX, RDX, RSI, the result in RAX. Errors are negative KVM_E* values.
 */
#ifndef LAB_D_KIT_HYPERCALL_H
#define LAB_D_KIT_HYPERCALL_H

/* Far above KVM's own KVM_HC_* numbers (1, 2, ... 12 in Linux 6.1). */
#define KIT_HC_BASE       0x4b495400u          /* "KIT\0" */
#define KIT_HC_PROBE      (KIT_HC_BASE + 0)    /* () -> KIT_HC_MAGIC */
#define KIT_HC_EXITS      (KIT_HC_BASE + 1)    /* () -> this vCPU's VM exits so far */
#define KIT_HC_PRINT      (KIT_HC_BASE + 2)    /* (gva, len) -> len, logged by the kernel */
#define KIT_HC_MAGIC      0x4b564d21u          /* "KVM!": the probe's answer */
#define KIT_HC_PRINT_MAX  256                  /* longest string KIT_HC_PRINT accepts */

/* KVM's hypercall error values (include/uapi/linux/kvm_para.h). */
#define KVM_ENOSYS_VALUE  1000   /* unknown hypercall number: what an unpatched KVM answers */
#define KVM_EPERM_VALUE   1      /* called from guest CPL > 0 */
#define KVM_EFAULT_VALUE  14     /* the kit's print: a bad guest address */
#define KVM_E2BIG_VALUE   7      /* the kit's print: longer than KIT_HC_PRINT_MAX */

/*
 * The guest halts with RAX = one of these and RBX = the detail. None is 0,
 * so a guest that merely halts (RAX still 0) does not pass for working.
 */
enum lab_d_outcome {
	LAB_D_WORKS = 1,          /* every in-kernel hypercall answered as expected */
	LAB_D_NO_KIT_HC = 2,      /* the probe did not return KIT_HC_MAGIC; RBX = its answer */
	LAB_D_WRONG_ANSWER = 3,   /* a later check failed; RBX = the step (enum lab_d_step) */
};

/* The checks the guest makes after the probe, in order. */
enum lab_d_step {
	LAB_D_STEP_EXITS = 1,     /* exits() grows by at least one per hypercall */
	LAB_D_STEP_PRINT = 2,     /* print() of a string returns its length */
	LAB_D_STEP_BAD_ADDRESS = 3, /* print() of an unmapped address returns -KVM_EFAULT */
	LAB_D_STEP_TOO_LONG = 4,  /* print() of KIT_HC_PRINT_MAX + 1 bytes returns -KVM_E2BIG */
};

/*
 * A port whose OUTs the host answers by doing nothing: the guest times them
 * against KIT_HC_EXITS to compare an exit to userspace with one that KVM
 * answers itself.
 */
#define LAB_D_NOOP_PORT 0xE8

/* The line the guest asks the kernel to log (lab-d-vm looks for it in dmesg). */
#define LAB_D_GREETING "hello from the lab-d guest, logged by kvm_emulate_hypercall()"

#endif

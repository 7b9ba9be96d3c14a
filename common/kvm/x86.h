/*
 * The x86-64 architectural bits the KVM layer needs, in one place (Intel SDM
 * vol. 3, 2.5 "Control registers" and 2.2.1 "Extended feature enable register").
 */
#ifndef KIT_X86_H
#define KIT_X86_H

#define CR0_PE   (1ull << 0)    /* protected mode */
#define CR0_MP   (1ull << 1)
#define CR0_ET   (1ull << 4)
#define CR0_NE   (1ull << 5)    /* native FPU error reporting */
#define CR0_WP   (1ull << 16)   /* write protection applies to ring 0 too */
#define CR0_AM   (1ull << 18)
#define CR0_PG   (1ull << 31)   /* paging */

#define CR4_PAE  (1ull << 5)    /* 64-bit page-table entries: required by long mode */
#define CR4_LA57 (1ull << 12)   /* 5-level paging */

#define EFER_LME (1ull << 8)    /* long mode enable */
#define EFER_LMA (1ull << 10)   /* long mode active */

#define RFLAGS_FIXED (1ull << 1) /* bit 1 always reads as 1 */
#define RFLAGS_IF    (1ull << 9)  /* interrupts enabled */
#define RFLAGS_IOPL3 (3ull << 12) /* I/O privilege level 3: IN/OUT allowed at CPL 3 */

#endif

/*
 * A hostile instance (lab-e --attack): each boot runs one attack of
 * attacks.h, as a guest that knows the kit's layout would (it is no secret:
 * SIDT gives the descriptor page, supervisor.h the rest). The instance runs
 * at CPL 3, so each attack should end in a fault report before its next
 * line runs; if one ever returns, the guest says so and fails.
 */
#include "attacks.h"
#include "guest_attack.h"
#include "supervisor.h"

#include "abi/hypercall.h"
#include "lab-c/guest_files.h"
#include "rt/hypercall.h"
#include "rt/io.h"
#include "rt/print.h"
#include "rt/string.h"

#define PAGE 0x1000

struct target {
	int id, other;
	uint64_t slice;
	uint64_t desc, gdt, tss, idt, traps, kstack, tables;   /* its own, guest-virtual */
	uint64_t my_root, other_root;   /* guest-physical addresses of the two PML4s */
};

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct target find_target(int id, uint64_t slice)
{
	struct dtr idtr;
	struct target t = { .id = id, .other = id == 0 ? 1 : 0, .slice = slice };

	asm volatile("sidt %0" : "=m"(idtr)); /* allowed at CPL 3 (no UMIP here) */
	t.desc = idtr.base - SUP_IDT;
	t.gdt = t.desc + SUP_GDT;
	t.tss = t.desc + SUP_TSS;
	t.idt = idtr.base;
	t.traps = t.desc + SUP_PAGE_TRAPS;
	t.kstack = t.desc + SUP_PAGE_KSTACK;
	t.tables = t.desc + SUP_PAGES_SIZE;    /* the first table page is the PML4 */
	t.my_root = (uint64_t)id * slice + t.tables;
	t.other_root = (uint64_t)t.other * slice + t.tables;
	return t;
}

static void poke(uint64_t va, uint64_t value)
{
	*(volatile uint64_t *)guest_addr(va) = value;
}

static int attack_cr3(const struct target *t)
{
	asm volatile("mov %0, %%cr3" : : "r"(t->other_root) : "memory");
	return 1; /* not stopped */
}

static int attack_lidt(const struct target *t)
{
	static uint64_t gates[2 * 32];
	struct dtr mine = { sizeof(gates) - 1, (uint64_t)gates };

	(void)t;
	asm volatile("lidt %0" : : "m"(mine) : "memory");
	return 1; /* not stopped */
}

static int attack_tables(const struct target *t)
{
	poke(t->my_root, 0); /* PML4 entry 0: would unmap everything, or map anything */
	return 1; /* not stopped */
}

static int attack_idt(const struct target *t)
{
	poke(t->idt + 14 * 16, 0); /* the #PF gate */
	return 1; /* not stopped */
}

static int attack_gdt(const struct target *t)
{
	struct dtr gdtr;

	asm volatile("sgdt %0" : "=m"(gdtr));
	if (gdtr.base != t->gdt)
		printf("instance %d: SGDT says 0x%lx\n", t->id, (unsigned long)gdtr.base);
	poke(gdtr.base + (SEL_USER_CODE >> 3) * 8, 0x00af9b000000ffffull); /* DPL 0 code */
	return 1; /* not stopped */
}

static int attack_tss(const struct target *t)
{
	*(volatile uint8_t *)guest_addr(t->tss + TSS_SIZE + LAB_E_PORT_FAULT / 8) = 0;
	return 1; /* not stopped */
}

static int attack_handlers(const struct target *t)
{
	((void (*)(void))guest_addr(t->traps + 14 * TRAP_STUB_BYTES))();
	return 1; /* not stopped */
}

static int attack_kstack(const struct target *t)
{
	poke(t->kstack + PAGE - 8, SEL_KERNEL_DATA);
	return 1; /* not stopped */
}

static int attack_iret(const struct target *t)
{
	(void)t;
	/* A frame that returns to the next instruction with the kernel's CS (RPL 0). */
	asm volatile("mov %%rsp, %%rax\n\t"
		     "pushq %0\n\tpushq %%rax\n\tpushfq\n\tpushq %1\n\t"
		     "lea 1f(%%rip), %%rax\n\tpushq %%rax\n\t"
		     "iretq\n1:"
		     : : "i"(SEL_KERNEL_DATA), "i"(SEL_KERNEL_CODE) : "rax", "memory");
	return 1; /* not stopped */
}

static int attack_syscall(const struct target *t)
{
	(void)t;
	asm volatile("syscall" : : : "rcx", "r11", "memory");
	return 1; /* not stopped */
}

static int attack_int(const struct target *t)
{
	(void)t;
	asm volatile("int $14" : : : "memory");
	return 1; /* not stopped */
}

static int attack_iopl(const struct target *t)
{
	(void)t;
	/* POPF at CPL 3 leaves IOPL as it was, silently: the OUT still needs the bitmap. */
	asm volatile("pushfq\n\torq $0x3000, (%%rsp)\n\tpopfq" : : : "memory", "cc");
	outl(LAB_E_PORT_FAULT, 0);
	return 1; /* not stopped */
}

static int attack_report(const struct target *t)
{
	(void)t;
	outl(LAB_E_PORT_FAULT, 0);
	return 1; /* not stopped */
}

static int attack_other(const struct target *t)
{
	uint64_t answer = (uint64_t)t->other * t->slice + HC_ANSWER_SLOT;

	/* In instance 1, guest-virtual 0x400 is its own slot: the write stays home. */
	if (answer < t->desc) {
		poke(answer, 666);
		printf("instance %d: wrote 666 at 0x%lx, instance %d's answer's guest-physical "
		       "address; my own answer slot now holds %lu\n", t->id, (unsigned long)answer,
		       t->other, (unsigned long)answer_slot);
	}
	poke(t->other_root, 0);
	return 1; /* not stopped */
}

/* One hypercall that must be refused: its result, printed. */
static int refused(const struct target *t, const char *call, int64_t got)
{
	printf("instance %d: %s -> %s\n", t->id, call,
	       got == -HC_EFAULT ? "-EFAULT, refused" : "NOT refused");
	return got == -HC_EFAULT ? 0 : 1;
}

/*
 * Pointers the host must not follow for a user-mode caller: into
 * supervisor pages (the host would leak them or write them for it) and
 * past its slice. Each call must give -EFAULT and move nothing.
 */
static int attack_hypercalls(const struct target *t)
{
	static const char data[] = "sixteen bytes...";
	struct hc_io io = { .len = 16 };
	int bad = 0, fd;

	fd = fd_open("lab-e-attack.txt", HC_O_RDWR | HC_O_CREAT | HC_O_TRUNC, 0644);
	fd_write(fd, data, 16);
	fd_close(fd);
	io.fd = fd_open("lab-e-attack.txt", HC_O_RDONLY, 0);
	bad += refused(t, "print(its GDT)", hypercall_out(HC_PORT_PRINT, (uint32_t)t->gdt));
	bad += refused(t, "open(a path in its GDT)", hypercall_out(HC_PORT_OPEN, (uint32_t)t->gdt));
	io.buf = t->kstack;   /* writable, but only for CPL 0 */
	bad += refused(t, "read(fd, its kernel stack, 16)", hypercall_out(HC_PORT_READ, gva32(&io)));
	io.buf = t->idt;
	bad += refused(t, "write(fd, its IDT, 16)", hypercall_out(HC_PORT_WRITE, gva32(&io)));
	bad += refused(t, "read(an argument block in its TSS)",
		       hypercall_out(HC_PORT_READ, (uint32_t)t->tss));
	io.buf = t->other_root;
	bad += refused(t, "read(fd, the other's PML4 by its guest-physical address, 16)",
		       hypercall_out(HC_PORT_READ, gva32(&io)));
	bad += refused(t, "print(its own answer slot by its guest-physical address)",
		       hypercall_out(HC_PORT_PRINT, (uint32_t)(t->id * t->slice + HC_ANSWER_SLOT)));
	fd_close(io.fd);
	return bad;
}

#define ATTACK_ENTRY(name, what) { #name, attack_##name },
static const struct {
	const char *name;
	int (*fn)(const struct target *t);
} attacks[] = { LAB_E_ATTACKS(ATTACK_ENTRY) };

int attack(const char *name, int id, uint64_t slice)
{
	struct target t = find_target(id, slice);

	answer_slot = 42;
	for (unsigned i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		if (strcmp(name, attacks[i].name) != 0)
			continue;
		if (attacks[i].fn(&t) == 0)
			return 0;
		if (strcmp(name, LAB_E_ATTACK_REFUSED) != 0)
			printf("instance %d: attack %s was NOT stopped\n", id, name);
		return 1;
	}
	printf("instance %d: no attack named %s\n", id, name);
	return 1;
}

/*
 * What an instance's fault means, in one sentence (faults.h): the few
 * instructions a user-mode instance may try and must not do, and, for a
 * page fault, what the address is in the instance's layout (slice.h).
 * Not a disassembler: anything else is shown as its bytes.
 */
#include "faults.h"
#include "util/util.h"
#include "supervisor.h"

#include "kvm/paging.h"

#include <stdarg.h>
#include <stdio.h>

#define X86_UD 6
#define X86_GP 13
#define X86_PF 14

#define PF_PRESENT (1u << 0)
#define PF_WRITE   (1u << 1)
#define PF_FETCH   (1u << 4)

const char *fault_vector_name(unsigned vector)
{
	static const char *const names[] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vector 9",
		"#TS", "#NP", "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM",
		"#VE", "#CP",
	};

	return vector < ARRAY_SIZE(names) ? names[vector] : "a reserved vector";
}

/* Skip legacy prefixes and REX: the opcode's offset. */
static unsigned opcode_at(const uint8_t *b, unsigned n)
{
	unsigned i = 0;

	while (i < n && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xf2 || b[i] == 0xf3 ||
			 b[i] == 0x2e || b[i] == 0x3e || b[i] == 0x26 || b[i] == 0x36 ||
			 b[i] == 0x64 || b[i] == 0x65 || (b[i] & 0xf0) == 0x40))
		i++;
	return i;
}

bool fault_on_hlt(const uint8_t *bytes, unsigned n)
{
	unsigned i = opcode_at(bytes, n);

	return i < n && bytes[i] == 0xf4;
}

/* Format into tmp and return it: for the sentences that carry a number. */
static const char *say(char *tmp, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static const char *say(char *tmp, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, size, fmt, ap);
	va_end(ap);
	return tmp;
}

/* Two-byte opcodes 0F xx: control registers, descriptor tables, MSRs, SYSCALL. */
static const char *two_byte(const uint8_t *b, unsigned n, char *tmp, size_t size)
{
	unsigned reg = n > 2 ? (b[2] >> 3) & 7 : 8;

	if (n < 2)
		return NULL;
	if (b[1] == 0x22)
		return reg == 3 ? "tried to load CR3 (MOV to a control register is privileged)"
				: say(tmp, size, "tried to write CR%u (privileged)", reg);
	if (b[1] == 0x20)
		return say(tmp, size, "tried to read CR%u (privileged)", reg);
	if (b[1] == 0x01 && reg == 2)
		return "tried to load a GDT of its own (LGDT is privileged)";
	if (b[1] == 0x01 && reg == 3)
		return "tried to load an IDT of its own (LIDT is privileged)";
	if (b[1] == 0x00 && reg == 3)
		return "tried to load a task register (LTR is privileged)";
	if (b[1] == 0x30 || b[1] == 0x32)
		return "tried to use a model-specific register (RDMSR/WRMSR are privileged)";
	if (b[1] == 0x05)
		return "tried SYSCALL into the kernel: there is none (EFER.SCE = 0)";
	if (b[1] == 0x34)
		return "tried SYSENTER into the kernel: there is none";
	return NULL;
}

static const char *one_byte(const uint8_t *b, unsigned n, const struct fault *f, char *tmp,
			    size_t size)
{
	switch (b[0]) {
	case 0xcf:
		return say(tmp, size, "tried to return into CPL 0 (IRET to selector %#llx)",
			   (unsigned long long)f->error);
	case 0xca: case 0xcb:
		return "tried a far return into another code segment";
	case 0xcd:
		return n > 1 ? say(tmp, size, "tried INT %#x: its gate is for the kernel only "
				   "(DPL 0)", b[1]) : NULL;
	case 0xcc:
		return "tried INT3: the gate is for the kernel only (DPL 0)";
	case 0xfa: case 0xfb:
		return "tried to change the interrupt flag (CLI/STI need IOPL 3)";
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
		return n > 1 ? say(tmp, size, "port I/O to port %#x, which its I/O bitmap does "
				   "not open", b[1]) : NULL;
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:
	case 0xec: case 0xed: case 0xee: case 0xef:
		return say(tmp, size, "port I/O to port %#x, which its I/O bitmap does not open",
			   (unsigned)(f->rdx & 0xffff));
	}
	return NULL;
}

static void describe_instruction(const struct fault *f, const uint8_t *bytes, unsigned n,
				 char *out, size_t size)
{
	unsigned i = opcode_at(bytes, n);
	char tmp[120];
	const char *what = NULL;
	int len;

	if (i < n)
		what = bytes[i] == 0x0f ? two_byte(bytes + i, n - i, tmp, sizeof(tmp))
					: one_byte(bytes + i, n - i, f, tmp, sizeof(tmp));
	if (what) {
		snprintf(out, size, "%s", what);
		return;
	}
	len = snprintf(out, size, "the instruction is not allowed at CPL 3 (bytes");
	for (unsigned k = 0; k < n && k < 6 && len > 0 && (size_t)len < size; k++)
		len += snprintf(out + len, size - (size_t)len, " %02x", bytes[k]);
	if (len > 0 && (size_t)len < size)
		snprintf(out + len, size - (size_t)len, ")");
}

/* A part of an instance's slice, by offset. */
static const char *slice_part(const struct slice *s, uint64_t off)
{
	if (off < s->user_end)
		return "memory";
	if (off >= s->desc && off < s->desc + SUP_TSS)
		return "GDT";
	if (off >= s->desc + SUP_TSS && off < s->desc + SUP_IDT)
		return "TSS and I/O bitmap";
	if (off >= s->desc && off < s->traps)
		return "IDT";
	if (off >= s->traps && off < s->kstack)
		return "CPL-0 fault handlers";
	if (off >= s->kstack && off < s->kstack_top)
		return "kernel stack";
	return "page tables";
}

/*
 * Why an unmapped address may have been tried: as a guest-physical address
 * it names something, in this instance's slice or another's.
 */
static void physical_meaning(const struct instance *in, uint64_t addr, char *out, size_t size)
{
	const struct multi_vm *m = in->m;
	int j = (int)(addr / m->slice_size);

	if (addr >= (uint64_t)m->count * m->slice_size) {
		snprintf(out, size, "past every slice");
		return;
	}
	if (j == in->id)
		snprintf(out, size, "the guest-physical address of its own %s",
			 slice_part(&m->inst[j].slice, addr - m->inst[j].slice.base));
	else
		snprintf(out, size, "the guest-physical address of instance %d's %s", j,
			 slice_part(&m->inst[j].slice, addr - m->inst[j].slice.base));
}

static void describe_page_fault(const struct instance *in, char *out, size_t size)
{
	const struct fault *f = &in->fault;
	/* Without NX or SMEP the CPU leaves the fetch bit clear; a fetch faults at its RIP. */
	bool fetch = (f->error & PF_FETCH) || f->cr2 == f->rip;
	const char *op = fetch ? "execute at" : f->error & PF_WRITE ? "write" : "read";
	char meaning[120];

	if (f->error & PF_PRESENT) {
		struct pt_walk w;

		pt_walk(&in->m->vm.mem, f->cr3, f->cr2, &w);
		snprintf(out, size, "tried to %s %#llx: its %s, a %s page", op,
			 (unsigned long long)f->cr2,
			 f->cr2 < in->slice.size ? slice_part(&in->slice, f->cr2) : "page",
			 !w.user ? "supervisor-only" : !w.writable ? "read-only" : "mapped");
		return;
	}
	physical_meaning(in, f->cr2, meaning, sizeof(meaning));
	snprintf(out, size, "tried to %s %#llx: not mapped (%s)", op, (unsigned long long)f->cr2,
		 meaning);
}

void fault_explain(const struct instance *in, const uint8_t *bytes, unsigned n, char *out,
		   size_t size)
{
	const struct fault *f = &in->fault;

	if (f->halt)
		snprintf(out, size, "HLT, its normal end");
	else if (f->vector == X86_PF)
		describe_page_fault(in, out, size);
	else if (f->vector == X86_GP || f->vector == X86_UD)
		describe_instruction(f, bytes, n, out, size);
	else
		snprintf(out, size, "an exception it has no handler for");
}

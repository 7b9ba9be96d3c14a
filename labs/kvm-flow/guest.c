/*
 * The kvm-flow guest: tiny programs that make each path of KVM's control
 * flow happen (slides 26 and 27 of Lecture 9). argv: kvm-flow DEMO [LOOPS]
 *
 *   exits   LOOPS x CPUID, x RDMSR, x OUT to an ioeventfd port, x OUT to a
 *           user-space port, with a report between the loops; then HLT.
 *   signal  spins, counting, until the host sets the stop flag.
 *   mmio    writes, reads and adds to a register of the host's MMIO device.
 *   fault   installs its own IDT, then RDMSR of an MSR nobody defines (#GP)
 *           and DIV by an MMIO register that reads 0 (#DE): KVM injects
 *           each fault and this guest's handlers catch it.
 *
 * Everything the guest learns goes to the host as a struct flow_report
 * (one OUT); the host prints it.
 */
#include <stdint.h>

#include "abi.h"
#include "rt/io.h"
#include "rt/string.h"

static struct flow_report report;

static void send(uint32_t what, uint64_t value, uint64_t aux)
{
	report.what = what;
	report.value = value;
	report.aux = aux;
	outl(FLOW_PORT_REPORT, (uint32_t)(uintptr_t)&report);
}

static void cpuid(uint32_t leaf)
{
	uint32_t a = leaf, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* --- exits ---------------------------------------------------------------- */

static int demo_exits(uint32_t loops)
{
	send(FLOW_PHASE_START, 0, 0);
	for (uint32_t i = 0; i < loops; i++)
		cpuid(0);
	send(FLOW_PHASE_CPUID, loops, 0);
	for (uint32_t i = 0; i < loops; i++)
		(void)rdmsr(FLOW_MSR_APIC_BASE);
	send(FLOW_PHASE_RDMSR, loops, 0);
	for (uint32_t i = 0; i < loops; i++)
		outl(FLOW_PORT_KICK, i);
	send(FLOW_PHASE_KICK, loops, 0);
	for (uint32_t i = 0; i < loops; i++)
		outl(FLOW_PORT_USER, i);
	send(FLOW_PHASE_USER, loops, 0);
	return 0; /* the runtime halts: one more exit, KVM_EXIT_HLT */
}

/* --- signal --------------------------------------------------------------- */

static volatile uint64_t spins;
static volatile uint32_t stop;

static int demo_signal(void)
{
	send(FLOW_SPIN_READY, (uintptr_t)&spins, (uintptr_t)&stop);
	while (!stop) {
		spins++;
		asm volatile("pause");
	}
	return 0;
}

/* --- mmio ----------------------------------------------------------------- */

static volatile uint32_t *mmio_reg(unsigned offset)
{
	return guest_addr(FLOW_MMIO_GVA + offset);
}

static int demo_mmio(void)
{
	volatile uint32_t *reg = mmio_reg(FLOW_REG_SCRATCH);
	uint32_t got;

	*reg = 0x600df00d;                         /* a write: KVM_EXIT_MMIO, is_write 1 */
	got = *reg;                                /* a read: the host supplies the value */
	send(FLOW_MMIO_CHECK, got, 0x600df00d);
	/* One instruction that reads and writes: KVM's emulator does both halves. */
	asm volatile("addl $5, %0" : "+m"(*reg));
	got = *reg;
	send(FLOW_MMIO_CHECK, got, 0x600df00d + 5);
	return 0;
}

/* --- fault: an IDT of our own -------------------------------------------- */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;        /* present, DPL 0, 64-bit interrupt gate */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

struct table_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* The registers the stubs below save, then what the CPU pushed. */
struct fault_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define CODE_SELECTOR 0x08   /* what the host put in CS (common/kvm/kvm_vcpu.c) */
#define GATE_INTERRUPT 0x8e

/*
 * The host loaded CS and SS with selectors 0x08 and 0x10 but left no GDT
 * behind them; delivering an exception and IRETQ read the GDT, so here is
 * one with the same two descriptors (64-bit code, flat data).
 */
static const uint64_t gdt[3] __attribute__((aligned(16))) = {
	0, 0x00af9b000000ffffull, 0x00cf93000000ffffull,
};
static struct idt_gate idt[32] __attribute__((aligned(16)));

/* Where a probe wants to continue when its instruction faults (0: none). */
volatile uint64_t resume_rip;
static volatile struct flow_report caught;

/* Entry stubs: make every vector's frame alike (an error code, then the vector). */
asm(".pushsection .text\n"
    "isr_de: pushq $0\n pushq $0\n jmp isr_common\n"
    "isr_ud: pushq $0\n pushq $6\n jmp isr_common\n"
    "isr_gp: pushq $13\n jmp isr_common\n"
    "isr_pf: pushq $14\n jmp isr_common\n"
    "isr_common:\n"
    " push %rax\n push %rcx\n push %rdx\n push %rsi\n push %rdi\n"
    " push %r8\n push %r9\n push %r10\n push %r11\n"
    " mov %rsp, %rdi\n"
    " cld\n"
    " call on_fault\n"
    " pop %r11\n pop %r10\n pop %r9\n pop %r8\n"
    " pop %rdi\n pop %rsi\n pop %rdx\n pop %rcx\n pop %rax\n"
    " add $16, %rsp\n"
    " iretq\n"
    ".popsection");
extern char isr_de[], isr_ud[], isr_gp[], isr_pf[];

/*
 * Probes: one risky instruction each, with resume_rip pointing just past
 * it, so a handler that catches its fault lets the guest carry on.
 */
asm(".pushsection .text\n"
    /* void probe_rdmsr(uint32_t msr) */
    "probe_rdmsr:\n"
    " lea 1f(%rip), %rax\n mov %rax, resume_rip(%rip)\n"
    " mov %edi, %ecx\n"
    " rdmsr\n"
    "1: movq $0, resume_rip(%rip)\n ret\n"
    /* uint32_t probe_div(volatile uint32_t *divisor): 1000 / *divisor */
    "probe_div:\n"
    " lea 1f(%rip), %rax\n mov %rax, resume_rip(%rip)\n"
    " mov $1000, %eax\n xor %edx, %edx\n"
    " divl (%rdi)\n"
    "1: movq $0, resume_rip(%rip)\n ret\n"
    ".popsection");
void probe_rdmsr(uint32_t msr);
uint32_t probe_div(volatile uint32_t *divisor);

__attribute__((used)) void on_fault(struct fault_frame *f);
__attribute__((used)) void on_fault(struct fault_frame *f)
{
	caught.vector = (uint32_t)f->vector;
	caught.error_code = f->error_code;
	caught.rip = f->rip;
	caught.what = FLOW_FAULT_CAUGHT;
	if (!resume_rip) {
		report.vector = (uint32_t)f->vector;
		report.error_code = f->error_code;
		report.rip = f->rip;
		send(FLOW_UNEXPECTED_FAULT, 0, 0);
		halt(1);
	}
	f->rip = resume_rip;
	resume_rip = 0;
}

static void set_gate(unsigned vector, const void *handler)
{
	uint64_t at = (uintptr_t)handler;

	idt[vector] = (struct idt_gate){
		.offset_low = (uint16_t)at, .selector = CODE_SELECTOR, .type = GATE_INTERRUPT,
		.offset_mid = (uint16_t)(at >> 16), .offset_high = (uint32_t)(at >> 32),
	};
}

static void install_idt(void)
{
	struct table_pointer g = { sizeof(gdt) - 1, (uintptr_t)gdt };
	struct table_pointer i = { sizeof(idt) - 1, (uintptr_t)idt };

	set_gate(FLOW_VEC_DE, isr_de);
	set_gate(FLOW_VEC_UD, isr_ud);
	set_gate(FLOW_VEC_GP, isr_gp);
	set_gate(FLOW_VEC_PF, isr_pf);
	asm volatile("lgdt %0\n lidt %1" : : "m"(g), "m"(i) : "memory");
}

static void announce_probe(uint32_t expected_vector)
{
	report.vector = expected_vector;
	send(FLOW_PROBE_START, 0, 0);
}

/* Report what the probe's fault handler saw, or that nothing faulted. */
static void report_probe(uint32_t expected_vector, uint64_t result)
{
	if (caught.what == FLOW_FAULT_CAUGHT) {
		report.vector = caught.vector;
		report.error_code = caught.error_code;
		report.rip = caught.rip;
		send(FLOW_FAULT_CAUGHT, 0, 0);
	} else {
		report.vector = expected_vector;
		send(FLOW_FAULT_MISSING, result, 0);
	}
	memset((void *)&caught, 0, sizeof(caught));
}

static int demo_fault(void)
{
	uint32_t quotient;

	install_idt();
	announce_probe(FLOW_VEC_GP);
	probe_rdmsr(FLOW_BOGUS_MSR);              /* the RDMSR exit handler injects #GP(0) */
	report_probe(FLOW_VEC_GP, 0);
	announce_probe(FLOW_VEC_DE);
	quotient = probe_div(mmio_reg(FLOW_REG_DIVISOR)); /* the emulator's DIV raises #DE */
	report_probe(FLOW_VEC_DE, quotient);
	return 0;
}

int main(int argc, char **argv)
{
	const char *demo = argc > 1 ? argv[1] : "";

	if (strcmp(demo, "exits") == 0)
		return demo_exits(argc > 2 ? parse_u32(argv[2]) : 1000);
	if (strcmp(demo, "signal") == 0)
		return demo_signal();
	if (strcmp(demo, "mmio") == 0)
		return demo_mmio();
	if (strcmp(demo, "fault") == 0)
		return demo_fault();
	return 2;
}

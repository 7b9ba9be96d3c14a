/*
 * The lab-d guest: hypercalls that KVM answers inside the kernel.
 *
 * It calls the kit's hypercalls the way Linux guests call KVM's own
 * (arch/x86/include/asm/kvm_para.h, KVM_HYPERCALL): VMCALL on Intel, VMMCALL
 * on AMD, the number in RAX, arguments in RBX, RCX, RDX, RSI, the result in
 * RAX. Linux picks the instruction by patching its code at boot; this guest
 * picks it at run time from the CPUID vendor string.
 *
 * It reports through the console port (0xE9, one OUT per byte, handled by
 * the lab-d host) and halts with RAX = enum lab_d_outcome, RBX = its detail.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "rt/format.h"
#include "rt/io.h"
#include "rt/print.h"
#include "rt/string.h"
#include "kit_hypercall.h"

#define CONSOLE_PORT 0xE9
/* 4 GiB: far past the few MiB the host maps for this guest. */
#define UNMAPPED_ADDRESS 0x100000000ul

static bool use_vmmcall;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	vformat(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (const char *p = line; *p; p++)
		outb(CONSOLE_PORT, (uint8_t)*p);
}

/* Stop for good with the outcome in RAX and its detail in RBX. */
static __attribute__((noreturn)) void finish(enum lab_d_outcome outcome, uint64_t detail)
{
	for (;;)
		asm volatile("hlt" : : "a"((uint64_t)outcome), "b"(detail) : "memory");
}

/* CPUID leaf 0 names the vendor in EBX, EDX, ECX (12 ASCII bytes). */
static void cpu_vendor(char vendor[13])
{
	uint32_t eax = 0, ebx, ecx, edx;

	asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
	memcpy(vendor, &ebx, 4);
	memcpy(vendor + 4, &edx, 4);
	memcpy(vendor + 8, &ecx, 4);
	vendor[12] = '\0';
}

/*
 * AMD's SVM decodes VMMCALL, Intel's VMX decodes VMCALL; the other one is an
 * invalid opcode that KVM would have to emulate. Hygon CPUs are AMD's design.
 */
static bool vendor_uses_vmmcall(const char *vendor)
{
	return strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0;
}

#ifndef STUB_d /* SOLUTION d (d): the guest's side of a hypercall into KVM */
/*
 * One hypercall, as KVM's own convention (arch/x86/include/asm/kvm_para.h):
 * the number in RAX, the arguments in RBX, RCX, RDX and RSI, the answer in
 * RAX. The "memory" clobber makes the compiler store anything the kernel
 * may read (the print hypercall's string) before the instruction.
 */
static long hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	long ret;

	if (use_vmmcall)
		asm volatile("vmmcall"
			     : "=a"(ret)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			     : "memory");
	else
		asm volatile("vmcall"
			     : "=a"(ret)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			     : "memory");
	return ret;
}
#else
static long hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	/*
	 * (d): KVM's own hypercall instruction, in KVM's calling convention (see
	 * KVM_HYPERCALL and kvm_hypercall4() in arch/x86/include/asm/kvm_para.h);
	 * which of the two instructions this CPU decodes is in use_vmmcall.
	 * Until then: the answer a stock KVM gives, -KVM_ENOSYS.
	 */
	(void)nr;
	(void)a0;
	(void)a1;
	(void)a2;
	(void)a3;
	(void)use_vmmcall;
	not_written("the hypercall instruction", "labs/lab-d/guest.c");
	return -1000;
}
#endif /* SOLUTION d */

/* The kit's hypercalls, as a guest program would use them. */
static long kit_probe(void)
{
	return hypercall(KIT_HC_PROBE, 0, 0, 0, 0);
}

static unsigned long kit_exits(void)
{
	return (unsigned long)hypercall(KIT_HC_EXITS, 0, 0, 0, 0);
}

static long kit_print(const char *text, unsigned long len)
{
	return hypercall(KIT_HC_PRINT, (uint64_t)(uintptr_t)text, len, 0, 0);
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void expect(bool ok, enum lab_d_step step)
{
	if (!ok)
		finish(LAB_D_WRONG_ANSWER, step);
}

/* Each hypercall is a VM exit that KVM counts, even though the host never sees it. */
static void check_exits(void)
{
	unsigned long first = kit_exits();
	unsigned long second = kit_exits();

	say("guest: exits() = %lu, then %lu: KVM counted the VM exit of the second call\n",
	    first, second);
	expect(second > first, LAB_D_STEP_EXITS);
}

static void check_print(void)
{
	static const char greeting[] = LAB_D_GREETING;
	unsigned long before = kit_exits();
	long logged = kit_print(greeting, sizeof(greeting) - 1);
	unsigned long after = kit_exits();

	say("guest: print(\"%s\") = %ld: the kernel logged it (VM exits around it: %lu)\n",
	    greeting, logged, after - before - 1);
	expect(logged == (long)sizeof(greeting) - 1, LAB_D_STEP_PRINT);
}

static void check_bad_address(void)
{
	long ret = kit_print((const char *)UNMAPPED_ADDRESS, 16);

	say("guest: print() of unmapped address 0x%lx = %ld (-KVM_EFAULT is -%d)\n",
	    UNMAPPED_ADDRESS, ret, KVM_EFAULT_VALUE);
	expect(ret == -KVM_EFAULT_VALUE, LAB_D_STEP_BAD_ADDRESS);
}

static void check_too_long(void)
{
	long ret = kit_print(LAB_D_GREETING, KIT_HC_PRINT_MAX + 1);

	say("guest: print() of %d bytes = %ld (-KVM_E2BIG is -%d)\n",
	    KIT_HC_PRINT_MAX + 1, ret, KVM_E2BIG_VALUE);
	expect(ret == -KVM_E2BIG_VALUE, LAB_D_STEP_TOO_LONG);
}

/*
 * What staying in the kernel saves: the same exit, answered by KVM itself
 * (KIT_HC_EXITS) or by the host program (an OUT to a port it ignores),
 * timed with the TSC over alternating rounds. Under TCG these are emulated
 * ticks: the ratio means more than the numbers.
 */
static void compare_costs(void)
{
	enum { ROUNDS = 4, CALLS = 100 };
	uint64_t in_kernel = 0, to_host = 0, ratio10;

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = rdtsc();

		for (int i = 0; i < CALLS; i++)
			kit_exits();
		uint64_t t1 = rdtsc();

		for (int i = 0; i < CALLS; i++)
			outb(LAB_D_NOOP_PORT, 0);
		in_kernel += t1 - t0;
		to_host += rdtsc() - t1;
	}
	in_kernel /= ROUNDS * CALLS;
	to_host /= ROUNDS * CALLS;
	ratio10 = in_kernel ? to_host * 10 / in_kernel : 0;
	say("guest: TSC ticks per call: hypercall answered in KVM %lu, port-I/O exit answered "
	    "by the host program %lu (%lu.%lu times as long)\n",
	    (unsigned long)in_kernel, (unsigned long)to_host,
	    (unsigned long)(ratio10 / 10), (unsigned long)(ratio10 % 10));
}

int main(void)
{
	char vendor[13];
	long answer;

	cpu_vendor(vendor);
	use_vmmcall = vendor_uses_vmmcall(vendor);
	say("guest: CPU vendor \"%s\": hypercalls use %s\n", vendor,
	    use_vmmcall ? "VMMCALL" : "VMCALL");

	say("guest: probe: hypercall 0x%x ...\n", KIT_HC_PROBE);
	answer = kit_probe();
	if (answer != KIT_HC_MAGIC) {
		say("guest: probe answered %ld (0x%lx), not 0x%x\n", answer,
		    (unsigned long)answer, KIT_HC_MAGIC);
		finish(LAB_D_NO_KIT_HC, (uint64_t)answer);
	}
	say("guest: probe answered 0x%lx: this KVM has the kit's hypercalls\n",
	    (unsigned long)answer);

	check_exits();
	check_print();
	check_bad_address();
	check_too_long();
	compare_costs();
	finish(LAB_D_WORKS, 0);
}

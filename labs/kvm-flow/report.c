/*
 * kvm-flow's printing and judging: what each demo saw, side by side with
 * KVM's own counters. Each print_* function returns false when KVM did not
 * behave as every KVM (VMX, SVM or otherwise) must: those facts are about
 * what reaches user space, which the KVM API fixes. KVM's counters are
 * printed, never judged: what counts as an "exit" depends on the backend.
 */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"


/* "12" for a counter this kernel keeps, "n/a" for one it does not. */
static const char *count(const struct flow *f, const struct flow_sample *d, enum flow_counter c,
			 char *buf, size_t size)
{
	if (!f->have[c])
		return "n/a";
	snprintf(buf, size, "%llu", (unsigned long long)d->kvm[c]);
	return buf;
}

static bool expect(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool expect(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	fflush(stdout);
	fprintf(stderr, "%s: UNEXPECTED: ", kit_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

void print_sources(const struct flow *f)
{
	static const char *const modules[] = { "kvm_intel", "kvm_amd", "kvm_pvm" };
	const char *backend = "unknown";
	char path[64];

	for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s", modules[i]);
		if (access(path, F_OK) == 0)
			backend = modules[i];
	}
	printf("KVM backend: %s\n", backend);
	if (f->stats_err)
		printf("KVM's counters: unavailable: %s\n",
		       kvm_stats_unavailable_why(f->stats_err));
	else
		printf("KVM's counters: the vCPU's binary stats file (%s)\n", f->stats.id);
	for (int c = 0; c < FC_COUNT; c++)
		if (!f->stats_err && !f->have[c])
			printf("KVM's counters: this kernel has no '%s'\n", flow_counter_name[c]);
}

/* What the CPUID loop says about where this KVM ran the guest's instructions. */
static void print_exits_reading(const struct flow *f, const struct flow_exits_result *r)
{
	const struct flow_sample *cpuid = &r->phase[0];

	if (!f->have[FC_EXITS] || !f->have[FC_INSN_EMULATION])
		printf("reading: KVM's counters are unavailable; only KVM_RUN's returns show, and "
		       "they show that CPUID and RDMSR never reached user space\n");
	else if (cpuid->kvm[FC_INSN_EMULATION] >= r->loops)
		printf("reading: KVM's emulator ran the guest's instructions (insn_emulation >= "
		       "loops) and 'exits' counts only world switches, not instructions: the "
		       "guest's ring-0 code is not running natively on this host\n");
	else if (cpuid->kvm[FC_EXITS] >= r->loops)
		printf("reading: every CPUID was a VM exit that KVM handled in the kernel and "
		       "re-entered the guest without returning to user space\n");
	else
		printf("reading: CPUID did not exit on this host (KVM exits < loops)\n");
}

bool print_exits(const struct flow *f, const struct flow_exits_result *r)
{
	const uint64_t expected[FLOW_PHASES] = {
		1, 1, f->kick_fd >= 0 ? 1 : r->loops + 1ull, r->loops + 1ull, 1,
	};
	char a[32], b[32], c[32], d[32];
	bool ok = true;

	printf("\n== exits: handled inside KVM, or returned to user space (slide 26)\n");
	for (int p = 0; p < FLOW_PHASES; p++) {
		const struct flow_sample *s = &r->phase[p];
		char label[64];

		if (p == FLOW_PHASES - 1)
			snprintf(label, sizeof(label), "%s", r->phase_name[p]);
		else
			snprintf(label, sizeof(label), "%u x %s", r->loops, r->phase_name[p]);
		printf("%s: KVM_RUN returns %llu; KVM exits %s (io_exits %s, irq_exits %s), "
		       "insn_emulation %s\n", label, (unsigned long long)s->returns,
		       count(f, s, FC_EXITS, a, 32), count(f, s, FC_IO_EXITS, b, 32),
		       count(f, s, FC_IRQ_EXITS, c, 32), count(f, s, FC_INSN_EMULATION, d, 32));
		ok &= expect(s->returns == expected[p], "%s: %llu KVM_RUN returns, not %llu", label,
			     (unsigned long long)s->returns, (unsigned long long)expected[p]);
	}
	printf("each phase ends with the guest's report: one OUT that reaches user space\n");
	if (f->kick_fd >= 0)
		printf("ioeventfd on port 0x%04x: KVM signalled it %llu times; "
		       "%llu of those OUTs reached user space\n", FLOW_PORT_KICK,
		       (unsigned long long)r->kicks_signalled, (unsigned long long)r->kicks_here);
	else
		printf("ioeventfd on port 0x%04x: KVM_IOEVENTFD failed (%s); all %llu OUTs "
		       "reached user space\n", FLOW_PORT_KICK, strerror(-f->kick_err),
		       (unsigned long long)r->kicks_here);
	printf("OUT to port 0x%04x: %llu handled here, in user space\n", FLOW_PORT_USER,
	       (unsigned long long)r->user_outs);
	print_exits_reading(f, r);
	ok &= expect(f->kick_fd < 0 || r->kicks_signalled == r->loops,
		     "the ioeventfd counted %llu kicks, not %u",
		     (unsigned long long)r->kicks_signalled, r->loops);
	return expect(r->user_outs == r->loops, "%llu OUTs reached user space, not %u",
		      (unsigned long long)r->user_outs, r->loops) && ok;
}

bool print_signal(const struct flow *f, const struct flow_signal_result *r)
{
	char a[32], b[32];

	printf("\n== signal pending: KVM_RUN returns to user space (slide 26)\n");
	printf("the guest spins; %u timer signals arrive while it runs\n", r->signals);
	printf("KVM_RUN failed with EINTR %u times, %u of them with exit_reason KVM_EXIT_INTR\n",
	       r->eintr, r->exit_intr);
	printf("signals: KVM_RUN returns %llu, KVM's signal_exits %s; "
	       "the guest ran %llu loop iterations meanwhile\n",
	       (unsigned long long)r->during.returns, count(f, &r->during, FC_SIGNAL_EXITS, a, 32),
	       (unsigned long long)r->spins);
	printf("immediate_exit = 1, no signal: KVM_RUN %s; the guest %s; "
	       "KVM exits %s, signal_exits %s\n",
	       r->immediate_eintr ? "failed with EINTR at once" : "did NOT fail with EINTR",
	       r->immediate_ran ? "RAN" : "did not run",
	       count(f, &r->immediate, FC_EXITS, a, 32),
	       count(f, &r->immediate, FC_SIGNAL_EXITS, b, 32));
	bool ok = expect(r->eintr == r->signals, "%u signals but %u EINTR returns", r->signals,
			 r->eintr);

	return expect(r->immediate_eintr && !r->immediate_ran,
		      "with immediate_exit set, KVM_RUN %s and the guest %s",
		      r->immediate_eintr ? "returned EINTR" : "did not return EINTR",
		      r->immediate_ran ? "ran" : "did not run") && ok;
}

bool print_mmio(const struct flow *f, const struct flow_mmio_result *r)
{
	/* What the guest's three instructions must produce, in order. */
	static const struct { bool is_write; uint32_t value; } want[] = {
		{ true, 0x600df00d }, { false, 0x600df00d },
		{ false, 0x600df00d }, { true, 0x600df012 }, { false, 0x600df012 },
	};
	char a[32], b[32], c[32];
	bool ok = expect(r->accesses == ARRAY_SIZE(want), "%u MMIO exits, not %zu",
			 r->accesses, ARRAY_SIZE(want));

	printf("\n== MMIO: KVM decodes the instruction, user space completes the access "
	       "(slide 27)\n");
	for (unsigned i = 0; i < r->accesses; i++) {
		const struct flow_mmio *m = &r->access[i];

		if (m->is_write)
			printf("KVM_EXIT_MMIO: write %u bytes at guest-physical 0x%llx, data 0x%llx "
			       "(rip 0x%llx: already past the instruction)\n", m->len,
			       (unsigned long long)m->gpa, (unsigned long long)m->value,
			       (unsigned long long)m->rip);
		else
			printf("KVM_EXIT_MMIO: read %u bytes at guest-physical 0x%llx, user space "
			       "supplies 0x%llx (rip 0x%llx: the instruction waits for it)\n", m->len,
			       (unsigned long long)m->gpa, (unsigned long long)m->value,
			       (unsigned long long)m->rip);
		if (i < ARRAY_SIZE(want))
			ok &= expect(m->gpa == FLOW_MMIO_GPA && m->len == 4 &&
				     m->is_write == want[i].is_write && m->value == want[i].value,
				     "MMIO exit %u is not a 4-byte %s of 0x%x at 0x%llx", i + 1,
				     want[i].is_write ? "write" : "read", want[i].value, FLOW_MMIO_GPA);
	}
	for (unsigned i = 0; i < r->checks; i++) {
		bool same = r->check[i].value == r->check[i].aux;

		printf("guest: read back 0x%llx, expected 0x%llx: %s\n",
		       (unsigned long long)r->check[i].value, (unsigned long long)r->check[i].aux,
		       same ? "ok" : "WRONG");
		ok &= expect(same, "the guest read back a wrong value");
	}
	printf("MMIO: KVM_RUN returns %llu; KVM's mmio_exits %s, exits %s, insn_emulation %s\n",
	       (unsigned long long)r->all.returns, count(f, &r->all, FC_MMIO_EXITS, a, 32),
	       count(f, &r->all, FC_EXITS, b, 32), count(f, &r->all, FC_INSN_EMULATION, c, 32));
	return expect(r->checks == 2, "%u checks from the guest, not 2", r->checks) && ok;
}

static const char *vector_name(uint32_t v)
{
	switch (v) {
	case FLOW_VEC_DE: return "#DE";
	case FLOW_VEC_UD: return "#UD";
	case FLOW_VEC_GP: return "#GP";
	case FLOW_VEC_PF: return "#PF";
	default: return "an exception";
	}
}

bool print_fault(const struct flow *f, const struct flow_fault_result *r)
{
	static const char *const what[FLOW_PROBES] = {
		"RDMSR of MSR 0x4b46f10e, which nothing defines",
		"DIV by an MMIO register that reads 0",
	};
	static const uint32_t want_vector[FLOW_PROBES] = { FLOW_VEC_GP, FLOW_VEC_DE };
	static const unsigned want_reads[FLOW_PROBES] = { 0, 1 };
	char a[32], b[32];
	bool ok = expect(r->probes == FLOW_PROBES, "%u probes, not %d", r->probes, FLOW_PROBES);

	printf("\n== faults: KVM injects an exception into the guest instead of exiting "
	       "(slide 27)\n");
	for (unsigned i = 0; i < r->probes; i++) {
		const struct flow_probe *p = &r->probe[i];
		const struct flow_report *rep = &p->report;
		bool caught = rep->what == FLOW_FAULT_CAUGHT;

		if (caught)
			printf("%s: the guest's own handler caught %s (vector %u, error code %llu) "
			       "at rip 0x%llx\n", what[i], vector_name(rep->vector), rep->vector,
			       (unsigned long long)rep->error_code, (unsigned long long)rep->rip);
		else
			printf("%s: NO fault: the instruction completed (result %llu)\n", what[i],
			       (unsigned long long)rep->value);
		printf("  on the way: KVM_RUN returns %llu (MMIO reads %u, the guest's report 1); "
		       "KVM exits %s, insn_emulation %s\n", (unsigned long long)p->during.returns,
		       p->mmio_reads, count(f, &p->during, FC_EXITS, a, 32),
		       count(f, &p->during, FC_INSN_EMULATION, b, 32));
		ok &= expect(caught && rep->vector == want_vector[i] && rep->error_code == 0,
			     "%s: expected %s with error code 0", what[i],
			     vector_name(want_vector[i]));
		ok &= expect(p->mmio_reads == want_reads[i] && p->during.returns == want_reads[i] + 1,
			     "%s: %llu KVM_RUN returns, expected %u", what[i],
			     (unsigned long long)p->during.returns, want_reads[i] + 1);
	}
	return ok;
}


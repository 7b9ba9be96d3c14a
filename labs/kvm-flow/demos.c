/*
 * kvm-flow's four demos, each a function that drives the guest through one
 * path of KVM's control flow and returns what it saw (flow.h); the VM and
 * the KVM_RUN loop they drive are flow.c.
 */
#include "flow.h"

#include <signal.h>
#include <string.h>

#include "kvm/guest_access.h"

#define DEMO_SIGNAL_NS 20000000L      /* each signal comes 20 ms into a KVM_RUN */

/* --- exits: handled in the kernel or in user space --------------------------- */

int flow_demo_exits(struct flow *f, uint32_t loops, struct flow_exits_result *r)
{
	static const char *const names[FLOW_PHASES] = {
		"CPUID", "RDMSR", "OUT to an ioeventfd port", "OUT to a user-space port", "HLT",
	};
	struct flow_sample at, now;
	struct flow_event ev;
	int phase = -1;

	memset(r, 0, sizeof(*r));
	r->loops = loops;
	memcpy(r->phase_name, names, sizeof(names));
	for (;;) {
		enum flow_event_kind k = flow_next_event(f, &ev);

		if (k == FLOW_EV_REPORT && phase < 0 && ev.report.what == FLOW_PHASE_START) {
			phase = 0;
		} else if (k == FLOW_EV_REPORT && phase >= 0 && phase < FLOW_PHASES - 1 &&
			   ev.report.what == (uint32_t)(FLOW_PHASE_CPUID + phase)) {
			flow_sample(f, &now);
			r->phase[phase++] = flow_delta(&at, &now);
		} else if (k == FLOW_EV_HALT && phase == FLOW_PHASES - 1) {
			flow_sample(f, &now);
			r->phase[phase] = flow_delta(&at, &now);
			break;
		} else {
			return flow_unexpected(f, &ev, "the next phase of the exits demo");
		}
		flow_sample(f, &at);
	}
	if (f->kick_fd >= 0 && read(f->kick_fd, &r->kicks_signalled, 8) != 8)
		r->kicks_signalled = 0;
	r->kicks_here = f->kicks_here;
	r->user_outs = f->user_outs;
	return flow_guest_status(f);
}

/* --- signal: a pending signal sends KVM_RUN back to user space ---------------- */

static int guest_u64(struct flow *f, gva_t at, uint64_t *value)
{
	struct guest_view g = guest_view_of(&f->vcpu);

	return guest_read(&g, value, at, sizeof(*value)) < 0
		? flow_fail(f, "the guest's counter at 0x%llx is not in its memory",
		       (unsigned long long)at) : 0;
}

static int send_signals(struct flow *f, unsigned signals, struct flow_signal_result *r)
{
	struct flow_event ev;
	timer_t timer;
	int err = flow_thread_timer(SIG_DEMO, &timer);

	if (err)
		return flow_fail(f, "cannot create the signal timer: %s", strerror(-err));
	for (unsigned i = 0; i < signals; i++) {
		flow_arm(timer, DEMO_SIGNAL_NS / 1e9, 0);
		r->signals++;
		if (flow_next(f, &ev) != FLOW_EV_EINTR) {
			timer_delete(timer);
			return flow_unexpected(f, &ev, "the signal to end KVM_RUN");
		}
		r->eintr++;
		r->exit_intr += ev.exit_reason == KVM_EXIT_INTR;
	}
	timer_delete(timer);
	return 0;
}

int flow_demo_signal(struct flow *f, unsigned signals, struct flow_signal_result *r)
{
	struct flow_sample a, b, c;
	struct flow_event ev;
	uint64_t spins0, spins1, spins2;
	gva_t spins_at, stop_at;
	struct guest_view g;

	memset(r, 0, sizeof(*r));
	if (flow_next_event(f, &ev) != FLOW_EV_REPORT || ev.report.what != FLOW_SPIN_READY)
		return flow_unexpected(f, &ev, "the guest to start spinning");
	spins_at = ev.report.value;
	stop_at = ev.report.aux;
	flow_sample(f, &a);
	if (guest_u64(f, spins_at, &spins0) || send_signals(f, signals, r) ||
	    guest_u64(f, spins_at, &spins1))
		return -1;
	flow_sample(f, &b);
	r->during = flow_delta(&a, &b);
	r->spins = spins1 - spins0;

	/* No signal at all: immediate_exit alone makes KVM_RUN return before entry. */
	f->vcpu.run->immediate_exit = 1;
	r->immediate_eintr = flow_next(f, &ev) == FLOW_EV_EINTR;
	flow_sample(f, &c);
	r->immediate = flow_delta(&b, &c);
	if (guest_u64(f, spins_at, &spins2))
		return -1;
	r->immediate_ran = spins2 != spins1;

	g = guest_view_of(&f->vcpu);
	if (guest_write(&g, stop_at, &(uint32_t){ 1 }, 4) < 0)
		return flow_fail(f, "the guest's stop flag at 0x%llx is not in its memory",
			    (unsigned long long)stop_at);
	if (flow_next_event(f, &ev) != FLOW_EV_HALT)
		return flow_unexpected(f, &ev, "the guest to stop");
	return flow_guest_status(f);
}

/* --- mmio: KVM decodes, user space completes ----------------------------------- */

int flow_demo_mmio(struct flow *f, struct flow_mmio_result *r)
{
	struct flow_sample a, b;
	struct flow_event ev;

	memset(r, 0, sizeof(*r));
	flow_sample(f, &a);
	for (;;) {
		enum flow_event_kind k = flow_next_event(f, &ev);

		if (k == FLOW_EV_MMIO && r->accesses < FLOW_MAX_MMIO)
			r->access[r->accesses++] = ev.mmio;
		else if (k == FLOW_EV_REPORT && ev.report.what == FLOW_MMIO_CHECK &&
			 r->checks < FLOW_MAX_CHECKS)
			r->check[r->checks++] = ev.report;
		else if (k == FLOW_EV_HALT)
			break;
		else
			return flow_unexpected(f, &ev, "MMIO accesses");
	}
	flow_sample(f, &b);
	r->all = flow_delta(&a, &b);
	return flow_guest_status(f);
}

/* --- fault: KVM injects an exception instead of exiting ------------------------ */

int flow_demo_fault(struct flow *f, struct flow_fault_result *r)
{
	struct flow_sample a = { 0 }, b;
	struct flow_event ev;
	bool in_probe = false;
	unsigned reads = 0;

	memset(r, 0, sizeof(*r));
	for (;;) {
		enum flow_event_kind k = flow_next_event(f, &ev);
		uint32_t what = ev.report.what;

		if (k == FLOW_EV_REPORT && what == FLOW_PROBE_START && !in_probe) {
			flow_sample(f, &a);
			in_probe = true;
			reads = 0;
		} else if (k == FLOW_EV_MMIO && in_probe && !ev.mmio.is_write) {
			reads++;
		} else if (k == FLOW_EV_REPORT && in_probe && r->probes < FLOW_PROBES &&
			   (what == FLOW_FAULT_CAUGHT || what == FLOW_FAULT_MISSING)) {
			struct flow_probe *p = &r->probe[r->probes++];

			flow_sample(f, &b);
			p->report = ev.report;
			p->during = flow_delta(&a, &b);
			p->mmio_reads = reads;
			in_probe = false;
		} else if (k == FLOW_EV_REPORT && what == FLOW_UNEXPECTED_FAULT) {
			return flow_fail(f, "the guest took an unexpected fault: vector %u, error code "
				    "0x%llx, at rip 0x%llx", ev.report.vector,
				    (unsigned long long)ev.report.error_code,
				    (unsigned long long)ev.report.rip);
		} else if (k == FLOW_EV_HALT && !in_probe) {
			break;
		} else {
			return flow_unexpected(f, &ev, "the fault probes");
		}
	}
	return flow_guest_status(f);
}

/*
 * kvm-flow's demos as functions: each boots the kvm-flow guest on a fresh VM,
 * drives KVM_RUN itself and returns what it observed. kvm-flow.c prints the
 * results; tests/test_kvm_flow.c asserts on them.
 *
 * Why a run loop of its own: the kit's vcpu_run() (common/kvm/kvm_run.c) treats
 * KVM_EXIT_MMIO as fatal and retries KVM_RUN on EINTR without telling its
 * caller, and those are exactly the two paths to show here.
 */
#ifndef KVM_FLOW_H
#define KVM_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "abi.h"
#include "kvm/kvm.h"
#include "kvm/kvm_stats.h"
#include "lab/layout.h"

/* KVM's per-vCPU counters the demos look at, by their names in the stats file. */
enum flow_counter {
	FC_EXITS,          /* every VM exit, wherever it was handled */
	FC_IO_EXITS,       /* port-I/O exits (in-kernel devices and ioeventfds included) */
	FC_MMIO_EXITS,     /* exits to user space with KVM_EXIT_MMIO */
	FC_HALT_EXITS,
	FC_SIGNAL_EXITS,   /* KVM_RUN left with EINTR because a signal was pending */
	FC_IRQ_EXITS,      /* host interrupts that arrived while the guest ran */
	FC_INSN_EMULATION, /* instructions KVM's x86 emulator ran */
	FC_COUNT
};
extern const char *const flow_counter_name[FC_COUNT];

/* The state at one moment, or (flow_delta) the difference of two. */
struct flow_sample {
	uint64_t returns;            /* KVM_RUN returns to this process (vcpu->exits) */
	uint64_t kvm[FC_COUNT];      /* KVM's counters (0 where unavailable) */
};

struct flow {
	struct vm vm;
	struct vcpu vcpu;
	struct instance_layout layout;
	struct kvm_stats stats;
	int stats_err;               /* 0, or why KVM's counters are unavailable (-errno) */
	bool have[FC_COUNT];         /* which counters this kernel keeps */
	int kick_fd;                 /* eventfd behind FLOW_PORT_KICK, -1 without one */
	int kick_err;                /* why KVM_IOEVENTFD failed (-errno), or 0 */
	uint64_t user_outs;          /* OUTs to FLOW_PORT_USER handled here */
	uint64_t kicks_here;         /* OUTs to FLOW_PORT_KICK that reached user space */
	uint8_t mmio_regs[FLOW_MMIO_SIZE];  /* the MMIO device's registers */
	double deadline;             /* CLOCK_MONOTONIC seconds; past it, runs fail */
	timer_t watchdog;            /* kicks KVM_RUN out once the deadline has passed */
	bool watchdog_armed;
	char why[240];               /* what went wrong, when a function returns -1 */
};

enum flow_event_kind {
	FLOW_EV_REPORT,              /* the guest sent a report */
	FLOW_EV_MMIO,                /* KVM_EXIT_MMIO, already served by the device */
	FLOW_EV_EINTR,               /* KVM_RUN failed with EINTR */
	FLOW_EV_HALT,                /* KVM_EXIT_HLT */
	FLOW_EV_FAIL,                /* anything else: f->why says what */
};

struct flow_mmio {
	uint64_t gpa;
	uint32_t len;
	bool is_write;
	uint64_t value;              /* written by the guest, or supplied to it */
	uint64_t rip;                /* the guest's RIP at the exit */
};

struct flow_event {
	enum flow_event_kind kind;
	struct flow_report report;   /* FLOW_EV_REPORT */
	struct flow_mmio mmio;       /* FLOW_EV_MMIO */
	uint32_t exit_reason;        /* FLOW_EV_EINTR: run->exit_reason as KVM left it */
};

/*
 * A VM with 2 MiB of memory in the kit's standard layout, the guest's page
 * tables extended by the MMIO window, the guest booted with argv
 * {"kvm-flow", demo, arg}, the vCPU's stats file opened and an ioeventfd on
 * FLOW_PORT_KICK. 0, or -errno with *why naming the step ("open" when
 * /dev/kvm itself cannot be opened).
 */
int flow_boot_raw(struct flow *f, const char *demo, const char *arg, double timeout,
		  const char **why);
void flow_free(struct flow *f);

/* One step: KVM_RUN until something a demo cares about. Port I/O to the
 * user and kick ports is counted here and the guest resumed. */
enum flow_event_kind flow_next(struct flow *f, struct flow_event *ev);

void flow_sample(const struct flow *f, struct flow_sample *s);

/*
 * The run loop's verbs for the demos (demos.c), from flow.c:
 *   flow_next_event   flow_next, with KVM_RUN failures turned into FLOW_EV_ERROR
 *   flow_fail         record why the demo failed (f->error); returns -1
 *   flow_unexpected   flow_fail for an event that is not the one awaited
 *   flow_guest_status after the final HLT: 0, or flow_fail with the guest's status
 *   flow_thread_timer a timer sending signal sig to this thread; 0 or -errno
 *   flow_arm          fire it first seconds from now, then every repeat_ns
 * SIG_DEMO is the signal demo's timer signal (not SIGRTMIN + 0: the kit's run
 * loop uses that one).
 */
#define SIG_DEMO (SIGRTMIN + 1)
enum flow_event_kind flow_next_event(struct flow *f, struct flow_event *ev);
int flow_fail(struct flow *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int flow_unexpected(struct flow *f, const struct flow_event *ev, const char *waiting_for);
int flow_guest_status(struct flow *f);
int flow_thread_timer(int sig, timer_t *t);
void flow_arm(timer_t t, double first, long repeat_ns);
struct flow_sample flow_delta(const struct flow_sample *before, const struct flow_sample *after);

/* --- the demos --------------------------------------------------------------- */

enum { FLOW_PHASES = 5 };    /* CPUID, RDMSR, OUT to the ioeventfd, OUT to us, HLT */

struct flow_exits_result {
	uint32_t loops;
	const char *phase_name[FLOW_PHASES];
	struct flow_sample phase[FLOW_PHASES];  /* each phase ends with the guest's report */
	uint64_t kicks_signalled;    /* the ioeventfd's count: OUTs KVM completed in the kernel */
	uint64_t kicks_here;         /* OUTs to the kick port that reached user space */
	uint64_t user_outs;
};
int flow_demo_exits(struct flow *f, uint32_t loops, struct flow_exits_result *r);

struct flow_signal_result {
	unsigned signals;            /* timer signals sent while the guest ran */
	unsigned eintr;              /* KVM_RUN returns with EINTR they caused */
	unsigned exit_intr;          /* of which with exit_reason KVM_EXIT_INTR */
	uint64_t spins;              /* loop iterations the guest made meanwhile */
	struct flow_sample during;   /* counters over the signals */
	bool immediate_eintr;        /* immediate_exit = 1: KVM_RUN failed with EINTR ... */
	bool immediate_ran;          /* ... and the guest ran meanwhile (it must not) */
	struct flow_sample immediate;  /* counters over that one KVM_RUN */
};
int flow_demo_signal(struct flow *f, unsigned signals, struct flow_signal_result *r);

enum { FLOW_MAX_MMIO = 8, FLOW_MAX_CHECKS = 4 };

struct flow_mmio_result {
	struct flow_mmio access[FLOW_MAX_MMIO];
	unsigned accesses;
	struct flow_report check[FLOW_MAX_CHECKS];   /* the guest's FLOW_MMIO_CHECK reports */
	unsigned checks;
	struct flow_sample all;      /* counters over the whole demo */
};
int flow_demo_mmio(struct flow *f, struct flow_mmio_result *r);

enum { FLOW_PROBES = 2 };    /* RDMSR of a bogus MSR (#GP), DIV by an MMIO zero (#DE) */

struct flow_probe {
	struct flow_report report;   /* FLOW_FAULT_CAUGHT or FLOW_FAULT_MISSING */
	struct flow_sample during;   /* from the previous report to this one */
	unsigned mmio_reads;         /* MMIO exits on the way (the DIV's operand) */
};
struct flow_fault_result {
	struct flow_probe probe[FLOW_PROBES];
	unsigned probes;
};
int flow_demo_fault(struct flow *f, struct flow_fault_result *r);

#endif

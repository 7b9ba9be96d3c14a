/*
 * The run loop: enter the guest, look at why it came back, dispatch.
 * Also the per-vCPU timeout (a timer signal that kicks KVM_RUN out with
 * EINTR) and the report printed whenever a vCPU stops abnormally.
 */
#include "kvm.h"
#include "util/clock.h"
#include "util/util.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KICK_SIGNAL (SIGRTMIN + 0)
#define KICK_REPEAT_NS 50000000L /* re-kick every 50 ms until noticed */

/* The kvm_run of the vCPU this thread is running, for the signal handler. */
static __thread struct kvm_run *running;

static void on_kick(int sig)
{
	(void)sig;
	/* Makes KVM_RUN return EINTR even if the signal lands just before entry. */
	if (running)
		running->immediate_exit = 1;
}

static void install_kick_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick; /* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, NULL);
}

static void arm_timeout(struct vcpu *v)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sigevent ev;
	struct itimerspec when;
	double t = v->vm->timeout;

	if (t <= 0)
		return;
	pthread_once(&once, install_kick_handler);
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = KICK_SIGNAL;
	ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &ev, &v->timer) < 0) {
		kit_warn("vCPU %d: no timeout (timer_create: %m)", v->id);
		return;
	}
	when.it_value.tv_sec = (time_t)t;
	when.it_value.tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
	when.it_interval.tv_sec = 0;
	when.it_interval.tv_nsec = KICK_REPEAT_NS;
	v->deadline = monotonic_seconds() + t;
	timer_settime(v->timer, 0, &when, NULL);
	v->timer_armed = true;
}

static void disarm_timeout(struct vcpu *v)
{
	if (v->timer_armed)
		timer_delete(v->timer);
	v->timer_armed = false;
}

void vcpu_fail(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
}

const char *kvm_exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO", [KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG", [KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO", [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN", [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR", [KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS", [KVM_EXIT_NMI] = "NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "(unnamed)";
}

static void report_exit_details(struct vcpu *v)
{
	struct kvm_run *r = v->run;

	fprintf(stderr, "  exit #%llu: KVM_EXIT_%s (%u)", (unsigned long long)v->exits,
		kvm_exit_name(r->exit_reason), r->exit_reason);
	if (r->exit_reason == KVM_EXIT_IO) {
		uint32_t value = 0;

		memcpy(&value, (uint8_t *)r + r->io.data_offset,
		       r->io.size <= 4 ? r->io.size : 4);
		fprintf(stderr, ": %s port 0x%04x, size %u, count %u, value 0x%x",
			r->io.direction == KVM_EXIT_IO_OUT ? "OUT to" : "IN from",
			r->io.port, r->io.size, r->io.count,
			r->io.direction == KVM_EXIT_IO_OUT ? value : 0);
	} else if (r->exit_reason == KVM_EXIT_MMIO) {
		fprintf(stderr, ": %s guest-physical 0x%llx, %u bytes",
			r->mmio.is_write ? "write to" : "read from",
			(unsigned long long)r->mmio.phys_addr, r->mmio.len);
	} else if (r->exit_reason == KVM_EXIT_FAIL_ENTRY) {
		fprintf(stderr, ": hardware entry failure reason 0x%llx",
			(unsigned long long)r->fail_entry.hardware_entry_failure_reason);
	} else if (r->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
		fprintf(stderr, ": suberror %u", r->internal.suberror);
	}
	fputc('\n', stderr);
}

static void report_registers(struct vcpu *v)
{
	const struct kvm_regs *g = vcpu_regs(v);
	const struct kvm_sregs *s = vcpu_sregs(v);

	fprintf(stderr,
		"  rip %016llx  rsp %016llx  rbp %016llx  rflags %08llx\n"
		"  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n"
		"  rsi %016llx  rdi %016llx  r8  %016llx  r9  %016llx\n"
		"  r10 %016llx  r11 %016llx  r12 %016llx  r13 %016llx\n"
		"  r14 %016llx  r15 %016llx\n"
		"  cr0 %016llx  cr3 %016llx  cr4 %016llx  efer %llx\n",
		g->rip, g->rsp, g->rbp, g->rflags, g->rax, g->rbx, g->rcx, g->rdx,
		g->rsi, g->rdi, g->r8, g->r9, g->r10, g->r11, g->r12, g->r13,
		g->r14, g->r15, s->cr0, s->cr3, s->cr4, s->efer);
}

void vcpu_report(struct vcpu *v, const char *headline)
{
	fflush(stdout);
	fprintf(stderr, "%s: vCPU %d stopped: %s\n", kit_progname, v->id, headline);
	report_exit_details(v);
	report_registers(v);
}

static void trace_exit(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	const struct port_spec *spec;
	uint32_t value = 0;

	if (r->exit_reason != KVM_EXIT_IO) {
		fprintf(stderr, "[trace] vcpu%d exit %llu: %s rip 0x%llx\n", v->id,
			(unsigned long long)v->exits, kvm_exit_name(r->exit_reason),
			vcpu_regs(v)->rip);
		return;
	}
	/* Traced after the handler ran: an IN shows the value handed back. */
	spec = vm_port(v->vm, r->io.port);
	memcpy(&value, (uint8_t *)r + r->io.data_offset, r->io.size <= 4 ? r->io.size : 4);
	fprintf(stderr, "[trace] vcpu%d exit %llu: IO %s port 0x%04x (%s) size %u %s 0x%x",
		v->id, (unsigned long long)v->exits,
		r->io.direction == KVM_EXIT_IO_OUT ? "OUT" : "IN", r->io.port,
		spec && spec->name ? spec->name : "no handler", r->io.size,
		r->io.direction == KVM_EXIT_IO_OUT ? "value" : "returns", value);
	if (v->rax_set)
		fprintf(stderr, " -> rax %lld", (long long)vcpu_regs(v)->rax);
	fprintf(stderr, " rip 0x%llx\n", vcpu_regs(v)->rip);
}

/* The port's spec, writable: the run loop counts its exits. */
static struct port_spec *port_of(struct vm *vm, uint16_t port)
{
	for (unsigned i = 0; i < vm->nports; i++)
		if (vm->ports[i].port == port)
			return &vm->ports[i];
	return NULL;
}

/* Check the access against the port's spec, then call its handler. */
static enum pio_result dispatch_pio(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	bool out = r->io.direction == KVM_EXIT_IO_OUT;
	struct port_spec *spec = port_of(v->vm, r->io.port);
	struct pio io = {
		.port = r->io.port, .out = out, .size = r->io.size, .count = r->io.count,
		.data = (uint8_t *)r + r->io.data_offset,
	};

	if (!spec) {
		vcpu_fail(v, "%s port 0x%04x, which has no handler",
			  out ? "OUT to" : "IN from", io.port);
		return PIO_STOP;
	}
	if (!(spec->dirs & (out ? PIO_DIR_OUT : PIO_DIR_IN))) {
		vcpu_fail(v, "%s port 0x%04x (%s), which only accepts %s", out ? "OUT to" : "IN from",
			  io.port, spec->name, out ? "IN" : "OUT");
		return PIO_STOP;
	}
	if (spec->size && io.size != spec->size) {
		vcpu_fail(v, "%u-byte access to port 0x%04x (%s), which takes %u-byte accesses",
			  io.size, io.port, spec->name, spec->size);
		return PIO_STOP;
	}
	if (io.count != 1 && !spec->strings_ok) {
		vcpu_fail(v, "string I/O (count %u) on port 0x%04x (%s), which takes one value",
			  io.count, io.port, spec->name);
		return PIO_STOP;
	}
	if (out)
		memcpy(&io.value, io.data, io.size);
	__atomic_add_fetch(&spec->exits, 1, __ATOMIC_RELAXED);
	return spec->fn(v, &io, spec->opaque);
}

/* Why an exit other than port I/O or HLT ends the run. */
static void describe_fatal_exit(struct vcpu *v)
{
	switch (v->run->exit_reason) {
	case KVM_EXIT_SHUTDOWN:
		vcpu_fail(v, "the guest shut down (triple fault: an exception it could not handle)");
		break;
	case KVM_EXIT_MMIO:
		vcpu_fail(v, "the guest touched guest-physical 0x%llx, which is not RAM",
			  (unsigned long long)v->run->mmio.phys_addr);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_fail(v, "KVM could not enter the guest (invalid vCPU state)");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_fail(v, "KVM internal error (often an instruction KVM cannot emulate)");
		break;
	default:
		vcpu_fail(v, "exit reason %s (%u), which the kit does not handle",
			  kvm_exit_name(v->run->exit_reason), v->run->exit_reason);
	}
}

static int enter_guest(struct vcpu *v)
{
	int ret = ioctl(v->fd, KVM_RUN, 0);

	v->regs_fresh = v->sregs_fresh = false;
	v->rax_set = false;
	return ret < 0 ? -errno : 0;
}

bool vcpu_out_of_time(const struct vcpu *v)
{
	return v->timer_armed && monotonic_seconds() >= v->deadline;
}

static enum vcpu_end finish(struct vcpu *v, enum vcpu_end end)
{
	running = NULL;
	disarm_timeout(v);
	vcpu_console_flush(v);
	if (end != VCPU_HALTED)
		vcpu_report(v, v->why);
	return end;
}

static enum vcpu_end time_is_up(struct vcpu *v)
{
	vcpu_fail(v, "the guest ran for more than %g s, its hypercalls included (raise it "
		  "with --timeout)", v->vm->timeout);
	return finish(v, VCPU_TIMED_OUT);
}

enum vcpu_end vcpu_run(struct vcpu *v)
{
	v->why[0] = '\0';
	running = v->run;
	arm_timeout(v);
	for (;;) {
		int err = enter_guest(v);

		v->exits++;
		if (err == -EINTR || err == -EAGAIN) {
			v->run->immediate_exit = 0;
			if (vcpu_out_of_time(v))
				return time_is_up(v);
			continue;
		}
		if (err) {
			vcpu_fail(v, "KVM_RUN failed: %s", strerror(-err));
			return finish(v, VCPU_FAILED);
		}
		if (v->vm->trace && v->run->exit_reason != KVM_EXIT_IO)
			trace_exit(v);
		switch (v->run->exit_reason) {
		case KVM_EXIT_IO:
			v->io_exits++;
			if (dispatch_pio(v) == PIO_STOP)
				return finish(v, VCPU_FAILED);
			if (v->vm->trace)
				trace_exit(v);
			/* The timeout covers the handlers' time too (a print to a full pipe). */
			if (vcpu_out_of_time(v))
				return time_is_up(v);
			break;
		case KVM_EXIT_HLT:
			return finish(v, VCPU_HALTED);
		default:
			describe_fatal_exit(v);
			return finish(v, VCPU_FAILED);
		}
	}
}

/*
 * kvm-flow's host side: a VM for the kvm-flow guest, a KVM_RUN loop of its
 * own (see flow.h for why), and a tiny MMIO device; the demos are demos.c.
 */
#include "flow.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lab/boot.h"
#include "kvm/guest_access.h"
#include "kvm/guest_image.h"
#include "kvm/paging.h"

GUEST_IMAGE_FILE(kvm_flow, "kvm-flow")

#define FLOW_MEM (2ull << 20)
/* The signal demo's timer, and the watchdog behind --timeout. Not SIGRTMIN + 0:
 * the kit's own run loop uses that one. */
#define SIG_WATCHDOG (SIGRTMIN + 2)
#define WATCHDOG_REPEAT_NS 50000000L
/* on_io's answer for an exit it handled itself: re-enter the guest. */
#define RESUME ((enum flow_event_kind)-1)

const char *const flow_counter_name[FC_COUNT] = {
	[FC_EXITS] = "exits", [FC_IO_EXITS] = "io_exits", [FC_MMIO_EXITS] = "mmio_exits",
	[FC_HALT_EXITS] = "halt_exits", [FC_SIGNAL_EXITS] = "signal_exits",
	[FC_IRQ_EXITS] = "irq_exits", [FC_INSN_EMULATION] = "insn_emulation",
};

/* --- signals: both only make sure KVM_RUN returns (the kit's idiom) ---------- */

static __thread struct kvm_run *running;

static void on_signal(int sig)
{
	(void)sig;
	/* Set before entry, this makes KVM_RUN return EINTR at once: no signal is lost
	 * even if it lands between two KVM_RUN calls. */
	if (running)
		running->immediate_exit = 1;
}

static void install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIG_DEMO, &sa, NULL);
	sigaction(SIG_WATCHDOG, &sa, NULL);
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A timer that sends sig to this thread (not to whichever thread the kernel picks). */
int flow_thread_timer(int sig, timer_t *t)
{
	struct sigevent ev;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = sig;
	ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	return timer_create(CLOCK_MONOTONIC, &ev, t) < 0 ? -errno : 0;
}

void flow_arm(timer_t t, double first, long repeat_ns)
{
	struct itimerspec when = {
		.it_value = { (time_t)first, (long)((first - (double)(time_t)first) * 1e9) },
		.it_interval = { 0, repeat_ns },
	};

	timer_settime(t, 0, &when, NULL);
}

int flow_fail(struct flow *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* --- boot ------------------------------------------------------------------ */

/*
 * Map the MMIO window into the guest's page tables. The layout's tables
 * come from a pool at the top of the instance (layout.h); keep drawing
 * from where it stopped.
 */
static int map_mmio_window(struct flow *f)
{
	struct pt_builder b = {
		.mem = &f->vm.mem,
		.root = f->layout.cr3,
		.pool_next = f->layout.tables + (gpa_t)f->layout.table_pages * PAGE_SIZE_4K,
		.pool_end = f->layout.base + f->layout.size,
		.tables = f->layout.table_pages,
	};

	return pt_map(&b, FLOW_MMIO_GVA, FLOW_MMIO_GPA, PAGE_SIZE_4K, PTE_WRITABLE, PT_USE_4K);
}

static void open_stats(struct flow *f)
{
	f->stats_err = kvm_stats_open_raw(&f->stats, f->vcpu.fd);
	for (int i = 0; i < FC_COUNT; i++)
		f->have[i] = !f->stats_err && kvm_stats_has(&f->stats, flow_counter_name[i]);
}

/* OUTs to FLOW_PORT_KICK complete inside KVM, which signals this eventfd. */
static void open_kick(struct flow *f)
{
	struct kvm_ioeventfd io = {
		.addr = FLOW_PORT_KICK, .len = 4, .flags = KVM_IOEVENTFD_FLAG_PIO,
	};

	f->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->kick_fd < 0) {
		f->kick_err = -errno;
		return;
	}
	io.fd = f->kick_fd;
	if (ioctl(f->vm.fd, KVM_IOEVENTFD, &io) < 0) {
		f->kick_err = -errno;
		close(f->kick_fd);
		f->kick_fd = -1;
	}
}

int flow_boot_raw(struct flow *f, const char *demo, const char *arg, double timeout,
		  const char **why)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct guest_image img = guest_image_kvm_flow();
	char *argv[] = { "kvm-flow", (char *)demo, (char *)arg, NULL };
	int err;

	memset(f, 0, sizeof(*f));
	f->kick_fd = -1;
	f->stats.fd = -1;
	f->vcpu.fd = -1;
	err = vm_create_raw(&f->vm, why);
	if (err)
		return err;
	*why = "give the guest memory";
	err = vm_add_memory_raw(&f->vm, FLOW_MEM);
	if (!err) {
		*why = "create the vCPU";
		err = vcpu_create_raw(&f->vm, &f->vcpu, 0);
	}
	if (!err)
		err = boot_instance_raw(&f->vcpu, 0, FLOW_MEM, &img, arg ? 3 : 2, argv,
					&f->layout, why);
	if (!err) {
		*why = "map the MMIO window";
		err = map_mmio_window(f);
	}
	if (!err) {
		*why = "create the --timeout timer";
		err = flow_thread_timer(SIG_WATCHDOG, &f->watchdog);
	}
	if (err)
		return err;
	pthread_once(&once, install_handlers);
	f->watchdog_armed = true;
	f->deadline = now_seconds() + timeout;
	flow_arm(f->watchdog, timeout, WATCHDOG_REPEAT_NS);
	open_stats(f);
	open_kick(f);
	*why = NULL;
	return 0;
}

void flow_free(struct flow *f)
{
	running = NULL;
	if (f->watchdog_armed)
		timer_delete(f->watchdog);
	f->watchdog_armed = false;
	kvm_stats_close(&f->stats);
	if (f->kick_fd >= 0)
		close(f->kick_fd);
	f->kick_fd = -1;
	if (f->vcpu.fd >= 0)
		vcpu_destroy(&f->vcpu);
	vm_destroy(&f->vm);
}

/* --- the run loop ------------------------------------------------------------ */

/* One KVM_RUN. Like the kit's loop, vcpu->exits counts every return. */
static int enter(struct flow *f)
{
	struct vcpu *v = &f->vcpu;
	int err;

	running = v->run;
	err = ioctl(v->fd, KVM_RUN, 0) < 0 ? -errno : 0;
	v->exits++;
	v->regs_fresh = v->sregs_fresh = false;
	v->rax_set = false;
	return err;
}

static enum flow_event_kind on_io(struct flow *f, struct flow_event *ev)
{
	struct kvm_run *r = f->vcpu.run;
	uint32_t value = 0;
	struct guest_view g;

	if (r->io.direction != KVM_EXIT_IO_OUT || r->io.size != 4 || r->io.count != 1) {
		flow_fail(f, "the guest used port 0x%04x in a way kvm-flow does not (%s, %u bytes)",
		     r->io.port, r->io.direction == KVM_EXIT_IO_OUT ? "OUT" : "IN", r->io.size);
		return FLOW_EV_FAIL;
	}
	memcpy(&value, (uint8_t *)r + r->io.data_offset, 4);
	f->vcpu.io_exits++;
	switch (r->io.port) {
	case FLOW_PORT_USER:
		f->user_outs++;
		return RESUME;
	case FLOW_PORT_KICK: /* only when KVM_IOEVENTFD was refused */
		f->kicks_here++;
		return RESUME;
	case FLOW_PORT_REPORT:
		g = guest_view_of(&f->vcpu);
		if (guest_read(&g, &ev->report, value, sizeof(ev->report)) < 0) {
			flow_fail(f, "the guest's report at 0x%x is not in its memory", value);
			return FLOW_EV_FAIL;
		}
		return ev->kind = FLOW_EV_REPORT;
	default:
		flow_fail(f, "OUT to port 0x%04x, which kvm-flow does not handle", r->io.port);
		return FLOW_EV_FAIL;
	}
}

/* The MMIO device: FLOW_MMIO_SIZE bytes of registers that keep what is written. */
static enum flow_event_kind on_mmio(struct flow *f, struct flow_event *ev)
{
	struct kvm_run *r = f->vcpu.run;
	struct flow_mmio *m = &ev->mmio;
	uint64_t off = r->mmio.phys_addr - FLOW_MMIO_GPA;

	memset(m, 0, sizeof(*m));
	m->gpa = r->mmio.phys_addr;
	m->len = r->mmio.len;
	m->is_write = r->mmio.is_write;
	m->rip = vcpu_regs(&f->vcpu)->rip;
	if (r->mmio.phys_addr < FLOW_MMIO_GPA || off >= FLOW_MMIO_SIZE || m->len == 0 ||
	    m->len > 8 || m->len > FLOW_MMIO_SIZE - off) {
		flow_fail(f, "the guest touched guest-physical 0x%llx (%u bytes), outside the MMIO window",
		     (unsigned long long)m->gpa, m->len);
		return FLOW_EV_FAIL;
	}
	if (m->is_write)
		memcpy(f->mmio_regs + off, r->mmio.data, m->len);
	else /* KVM hands this to the waiting instruction at the next KVM_RUN */
		memcpy(r->mmio.data, f->mmio_regs + off, m->len);
	memcpy(&m->value, r->mmio.data, m->len);
	return ev->kind = FLOW_EV_MMIO;
}

/* One KVM_RUN and what its exit means. */
static enum flow_event_kind step(struct flow *f, struct flow_event *ev)
{
	int err = enter(f);

	memset(ev, 0, sizeof(*ev));
	if (err == -EINTR) {
		f->vcpu.run->immediate_exit = 0;
		if (now_seconds() >= f->deadline) {
			flow_fail(f, "the guest ran past the timeout (raise it with --timeout)");
			return ev->kind = FLOW_EV_FAIL;
		}
		ev->exit_reason = f->vcpu.run->exit_reason;
		return ev->kind = FLOW_EV_EINTR;
	}
	if (err) {
		flow_fail(f, "KVM_RUN failed: %s", strerror(-err));
		return ev->kind = FLOW_EV_FAIL;
	}
	switch (f->vcpu.run->exit_reason) {
	case KVM_EXIT_IO:
		return ev->kind = on_io(f, ev);
	case KVM_EXIT_MMIO:
		return ev->kind = on_mmio(f, ev);
	case KVM_EXIT_HLT:
		return ev->kind = FLOW_EV_HALT;
	case KVM_EXIT_SHUTDOWN:
		flow_fail(f, "the guest shut down (a fault it could not handle) at rip 0x%llx",
		     vcpu_regs(&f->vcpu)->rip);
		return ev->kind = FLOW_EV_FAIL;
	default:
		flow_fail(f, "exit reason KVM_EXIT_%s (%u) at rip 0x%llx, which kvm-flow does not expect",
		     kvm_exit_name(f->vcpu.run->exit_reason), f->vcpu.run->exit_reason,
		     vcpu_regs(&f->vcpu)->rip);
		return ev->kind = FLOW_EV_FAIL;
	}
}

enum flow_event_kind flow_next(struct flow *f, struct flow_event *ev)
{
	enum flow_event_kind k;

	while ((k = step(f, ev)) == RESUME)
		;
	return k;
}

/* flow_next, passing over EINTR from signals that are not the demo's business. */
enum flow_event_kind flow_next_event(struct flow *f, struct flow_event *ev)
{
	enum flow_event_kind k;

	while ((k = flow_next(f, ev)) == FLOW_EV_EINTR)
		;
	return k;
}

int flow_unexpected(struct flow *f, const struct flow_event *ev, const char *waiting_for)
{
	switch (ev->kind) {
	case FLOW_EV_FAIL:
		return -1; /* f->why is set */
	case FLOW_EV_REPORT:
		return flow_fail(f, "the guest sent report %u while kvm-flow waited for %s",
			    ev->report.what, waiting_for);
	case FLOW_EV_MMIO:
		return flow_fail(f, "an MMIO exit at 0x%llx while kvm-flow waited for %s",
			    (unsigned long long)ev->mmio.gpa, waiting_for);
	case FLOW_EV_HALT:
		return flow_fail(f, "the guest halted while kvm-flow waited for %s", waiting_for);
	default:
		return flow_fail(f, "KVM_RUN returned EINTR while kvm-flow waited for %s", waiting_for);
	}
}

/* After HLT: the guest's main() returned RAX; 0 means every check passed. */
int flow_guest_status(struct flow *f)
{
	int64_t status = (int64_t)vcpu_regs(&f->vcpu)->rax;

	return status == 0 ? 0 : flow_fail(f, "the guest halted with status %lld", (long long)status);
}

void flow_sample(const struct flow *f, struct flow_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->returns = f->vcpu.exits;
	for (int i = 0; i < FC_COUNT; i++)
		if (f->have[i])
			(void)kvm_stats_get(&f->stats, flow_counter_name[i], &s->kvm[i]);
}

struct flow_sample flow_delta(const struct flow_sample *before, const struct flow_sample *after)
{
	struct flow_sample d = { .returns = after->returns - before->returns };

	for (int i = 0; i < FC_COUNT; i++)
		d.kvm[i] = after->kvm[i] - before->kvm[i];
	return d;
}

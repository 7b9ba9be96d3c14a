/*
 * lab-d (bonus): hypercalls answered inside the KVM kernel module.
 *
 * The hypercalls of lab-b travel as port I/O: every one leaves the guest,
 * leaves the kernel, and is answered by this process. Part (d) moves them
 * into KVM itself: labs/lab-d/kvm-6.1.patch (and kvm-5.4.patch) extend
 * kvm_emulate_hypercall() in arch/x86/kvm/x86.c, which the VMCALL (Intel,
 * vmx.c) and VMMCALL (AMD, svm.c) exit handlers call. Such a hypercall never
 * reaches userspace: KVM reads the guest's registers, does the work, writes
 * RAX and re-enters the guest.
 *
 * This program is therefore only the stage: it creates the VM, hands the
 * vCPU the host's CPUID (the guest reads the vendor to choose VMCALL or
 * VMMCALL), prints the guest's console, and afterwards shows the lines the
 * print hypercall left in the kernel log. The guest (labs/lab-d/guest.c) first
 * probes: a patched KVM answers KIT_HC_PROBE with KIT_HC_MAGIC, a stock one
 * with -KVM_ENOSYS (-1000). Some KVM backends never complete a VMCALL at all
 * (the PVM backend of our build machines); a short timeout catches that.
 * Where it cannot work here, it says why and points to `make lab-d-vm`,
 * which boots a Debian kernel with the patched module under QEMU.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm/guest_access.h"
#include "kvm/guest_image.h"
#include "kvm/kvm.h"
#include "lab/lab.h"
#include "lab/layout.h"
#include "util/opts.h"
#include "util/util.h"
#include "lab-d/kit_hypercall.h"

GUEST_IMAGE_FILE(lab_d, "lab-d")

#define MEM_SIZE         (2ull << 20)
/* Long enough for the whole guest (milliseconds), short enough not to wait for a stuck VMCALL. */
#define DEFAULT_TIMEOUT  2.0
#define KMSG_TAG         "kvm_kit: "
#define VM_HINT          "'make lab-d-vm' shows them working under QEMU instead"

struct options {
	struct lab_options lab;    /* --guest, --trace, --timeout (the memory size is fixed) */
};

struct lab {
	struct vm vm;
	struct vcpu vcpu;
	struct instance_layout layout;
	struct guest_image image;
	char vendor[13];          /* the CPUID vendor the vCPU sees */
	uint64_t noop_outs;       /* OUTs to LAB_D_NOOP_PORT: the guest's timing loop */
	int kmsg_fd;              /* the kernel log, read from the run's start; -1 if not readable */
	int kmsg_errno;
	enum vcpu_end end;
};

static void usage(void)
{
	printf(
		"usage: %s [--guest FILE] [--timeout SECONDS] [--trace]\n"
		"\n"
		"Run the lab-d guest, which calls hypercalls that KVM answers inside the\n"
		"kernel (labs/lab-d/kvm-6.1.patch adds them to kvm_emulate_hypercall()).\n"
		"The guest first probes for them; where the running KVM lacks them (a stock\n"
		"module answers -KVM_ENOSYS = -1000) or never completes a VMCALL/VMMCALL\n"
		"(the PVM backend), this says so and points to 'make lab-d-vm', which proves\n"
		"the whole chain under QEMU with the patched module.\n"
		"\n"
		"  --guest FILE       run this flat binary instead of the built-in lab-d guest\n"
		"  --timeout SECONDS  stop the guest after this long (default %g)\n"
		"  --trace            one line per exit that reaches this program, on stderr\n"
		"  --help             this text\n"
		"\n"
		"Exit status: 0 the in-kernel hypercalls work; 1 something failed; 2 usage;\n"
		"77 they cannot be shown on this host (no KVM, a stock module, or a backend\n"
		"that never completes hypercalls).\n",
		kit_progname, DEFAULT_TIMEOUT);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = { LAB_RUN_OPTIONS };
	int c;

	lab_options_init(&o->lab);
	o->lab.timeout = DEFAULT_TIMEOUT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
		lab_common_option(c, argv, &o->lab, usage);
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
}

/* --- set-up ------------------------------------------------------------------ */

static enum pio_result on_noop(struct vcpu *v, struct pio *io, void *opaque)
{
	struct lab *lab = opaque;

	(void)v;
	lab->noop_outs += io->count;
	return PIO_DONE;
}

/* Like vm_create(), but every way of not having KVM also points to the QEMU run. */
static void create_vm(struct vm *vm)
{
	const char *dev = getenv(KVM_DEVICE_ENV) && *getenv(KVM_DEVICE_ENV) ?
			  getenv(KVM_DEVICE_ENV) : KVM_DEVICE_DEFAULT;
	const char *why;
	int err = vm_create_raw(vm, &why);

	if (!err)
		return;
	if (strcmp(why, "open") == 0)
		die_with(EXIT_SKIP, "SKIP: %s: %s: no KVM to run on here; " VM_HINT,
			 dev, strerror(-err));
	die("%s failed: %s", why, strerror(-err));
}

/*
 * Give the vCPU the CPUID that KVM supports on this host. Without
 * KVM_SET_CPUID2 the guest's CPUID returns zeros and it could not tell
 * VMCALL from VMMCALL.
 */
static void set_cpuid(struct lab *lab)
{
	struct kvm_cpuid2 *cpuid = NULL;
	int nent = 64;

	for (;;) {
		free(cpuid);
		cpuid = calloc(1, sizeof(*cpuid) + (size_t)nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			die("out of memory");
		cpuid->nent = (uint32_t)nent;
		if (ioctl(lab->vm.kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			break;
		if (errno != E2BIG || nent >= 4096)
			die("KVM_GET_SUPPORTED_CPUID failed: %s", strerror(errno));
		nent *= 2;
	}
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == 0) {
			memcpy(lab->vendor, &e->ebx, 4);
			memcpy(lab->vendor + 4, &e->edx, 4);
			memcpy(lab->vendor + 8, &e->ecx, 4);
		}
	}
	if (ioctl(lab->vcpu.fd, KVM_SET_CPUID2, cpuid) < 0)
		die("KVM_SET_CPUID2 failed: %s", strerror(errno));
	free(cpuid);
}

/* Before KVM is touched, so that an unusable --guest FILE is a usage error everywhere. */
static void choose_image(struct lab *lab, const struct options *o)
{
	if (o->lab.guest_file)
		guest_image_load(o->lab.guest_file, MEM_SIZE, &lab->image);
	else
		lab->image = guest_image_lab_d();
}

static void load_image(struct lab *lab)
{
	int err = layout_instance(&lab->vm.mem, 0, MEM_SIZE, &lab->layout);
	uint64_t max = layout_max_image(&lab->layout);

	if (err)
		die("cannot build the guest's page tables: %s", strerror(-err));
	if (lab->image.size > max)
		die_with(EXIT_USAGE, "guest image %s is too large: %zu bytes, at most %llu fit "
			 "below the stack and page tables", lab->image.name, lab->image.size,
			 (unsigned long long)max);
	memcpy(lab->vm.mem.host, lab->image.data, lab->image.size);
}

static void set_up(struct lab *lab, const struct options *o)
{
	choose_image(lab, o);
	create_vm(&lab->vm);
	lab->vm.timeout = o->lab.timeout;
	lab->vm.trace = o->lab.trace;
	vm_add_memory(&lab->vm, MEM_SIZE);
	load_image(lab);
	lab_register_guest_ports(&lab->vm);
	vm_on_port(&lab->vm, &(struct port_spec){
		.port = LAB_D_NOOP_PORT, .dirs = PIO_DIR_OUT, .size = 1,
		.name = "no-op", .fn = on_noop, .opaque = lab });
	vcpu_create(&lab->vm, &lab->vcpu, 0);
	set_cpuid(lab);
	vcpu_enter_long_mode(&lab->vcpu, lab->layout.cr3, 0, lab->layout.stack_top);
}

/* --- the kernel log ---------------------------------------------------------- */

/* Start reading the kernel log at its current end (needs root or dmesg_restrict=0). */
static void kmsg_open_at_end(struct lab *lab)
{
	lab->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	lab->kmsg_errno = lab->kmsg_fd < 0 ? errno : 0;
	if (lab->kmsg_fd >= 0)
		lseek(lab->kmsg_fd, 0, SEEK_END);
}

/* Print the kernel log records since the start that the print hypercall wrote. */
static unsigned kmsg_show_kit_lines(struct lab *lab)
{
	char record[2048];
	unsigned shown = 0;

	if (lab->kmsg_fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(lab->kmsg_fd, record, sizeof(record) - 1);
		char *text;

		if (n < 0 && errno == EPIPE)
			continue; /* older records were overwritten; go on with the next */
		if (n <= 0)
			break;    /* EAGAIN: nothing more */
		record[n] = '\0';
		/* "priority,sequence,microseconds,flags;text\n" */
		text = strchr(record, ';');
		if (!text)
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		if (strncmp(text, KMSG_TAG, strlen(KMSG_TAG)) == 0) {
			printf("lab-d: kernel log: %s\n", text);
			shown++;
		}
	}
	close(lab->kmsg_fd);
	lab->kmsg_fd = -1;
	return shown;
}

/* --- verdicts ---------------------------------------------------------------- */

static const char *hypercall_insn_at(struct vcpu *v, uint64_t rip)
{
	struct guest_view view = guest_view_of(v);
	uint8_t insn[3];

	if (guest_read(&view, insn, rip, sizeof(insn)) < 0 || insn[0] != 0x0f || insn[1] != 0x01)
		return NULL;
	if (insn[2] == 0xc1)
		return "VMCALL";
	if (insn[2] == 0xd9)
		return "VMMCALL";
	return NULL;
}

/* The instruction the guest chose: AMD's (and Hygon's) SVM decodes VMMCALL, Intel's VMX VMCALL. */
static const char *guest_hypercall_insn(const struct lab *lab)
{
	return strcmp(lab->vendor, "AuthenticAMD") == 0 || strcmp(lab->vendor, "HygonGenuine") == 0 ?
	       "VMMCALL" : "VMCALL";
}

/* Did the run stop in a hypercall that never completed (a backend that cannot finish one)? */
static bool stuck_in_hypercall(struct lab *lab)
{
	return lab->end == VCPU_TIMED_OUT && hypercall_insn_at(&lab->vcpu, vcpu_regs(&lab->vcpu)->rip);
}

static int verdict_timed_out(struct lab *lab, const struct options *o)
{
	uint64_t rip = vcpu_regs(&lab->vcpu)->rip;
	const char *insn = hypercall_insn_at(&lab->vcpu, rip);
	const char *chosen = guest_hypercall_insn(lab);

	if (!insn) {
		printf("lab-d: FAIL: the guest ran past %g s at rip 0x%llx, outside any hypercall\n",
		       o->lab.timeout, (unsigned long long)rip);
		return EXIT_FAIL;
	}
	/* KVM rewrites the other vendor's instruction in guest memory to its host's own. */
	printf("lab-d: SKIP: the guest's %s at rip 0x%llx%s%s%s did not complete within %g s:\n"
	       "lab-d: this KVM backend never completes hypercall instructions (a PVM backend\n"
	       "lab-d: behaves so), and a longer --timeout would not change that: in-kernel\n"
	       "lab-d: hypercalls cannot be shown on this host; " VM_HINT ".\n",
	       chosen, (unsigned long long)rip, strcmp(insn, chosen) ? " (which KVM patched to " : "",
	       strcmp(insn, chosen) ? insn : "", strcmp(insn, chosen) ? " for this host's CPU)" : "",
	       o->lab.timeout);
	return EXIT_SKIP;
}

static int verdict_no_kit_hypercall(long answer)
{
	if (answer == -KVM_ENOSYS_VALUE) {
		printf("lab-d: SKIP: the running KVM answered the probe with %ld (-KVM_ENOSYS):\n"
		       "lab-d: its kvm module lacks the kit's hypercalls. 'make lab-d-modules'\n"
		       "lab-d: builds the patched module; " VM_HINT ".\n", answer);
		return EXIT_SKIP;
	}
	printf("lab-d: FAIL: the probe answered %ld (0x%lx), neither 0x%x (the kit's KVM)\n"
	       "lab-d: nor -%d (a stock KVM)%s\n", answer, (unsigned long)answer, KIT_HC_MAGIC,
	       KVM_ENOSYS_VALUE,
	       answer == -KVM_EPERM_VALUE ? ": -KVM_EPERM, the guest did not run at CPL 0" : "");
	return EXIT_FAIL;
}

static int verdict_works(struct lab *lab)
{
	unsigned shown = kmsg_show_kit_lines(lab);

	if (lab->kmsg_errno && shown == 0)
		printf("lab-d: (the kernel log is not readable here: %s; see 'dmesg')\n",
		       strerror(lab->kmsg_errno));
	printf("lab-d: exits that reached this program: %llu (%llu console bytes, %llu timing OUTs,\n"
	       "lab-d: 1 HLT); the hypercalls were answered inside KVM and never came here\n",
	       (unsigned long long)lab->vcpu.exits,
	       (unsigned long long)(lab->vcpu.io_exits - lab->noop_outs),
	       (unsigned long long)lab->noop_outs);
	printf("lab-d: OK: the in-kernel hypercalls work (probe 0x%x, exits, print)\n",
	       KIT_HC_MAGIC);
	return EXIT_OK;
}

static int verdict(struct lab *lab, const struct options *o)
{
	const struct kvm_regs *regs;

	if (lab->end == VCPU_TIMED_OUT)
		return verdict_timed_out(lab, o);
	if (lab->end != VCPU_HALTED)
		return EXIT_FAIL; /* vcpu_run() has reported why */
	regs = vcpu_regs(&lab->vcpu);
	switch (regs->rax) {
	case LAB_D_WORKS:
		return verdict_works(lab);
	case LAB_D_NO_KIT_HC:
		return verdict_no_kit_hypercall((long)regs->rbx);
	case LAB_D_WRONG_ANSWER:
		printf("lab-d: FAIL: the kit's hypercalls answered wrongly at step %llu "
		       "(enum lab_d_step in labs/lab-d/kit_hypercall.h)\n",
		       (unsigned long long)regs->rbx);
		return EXIT_FAIL;
	default:
		printf("lab-d: FAIL: the guest halted with RAX = %llu, not an outcome of "
		       "enum lab_d_outcome\n", (unsigned long long)regs->rax);
		return EXIT_FAIL;
	}
}

/*
 * vcpu_run() reports on stderr why a run did not halt: registers, and for a
 * timeout the hint to raise --timeout. A hypercall that the backend never
 * completes is a SKIP with its own message, which that report would
 * contradict, so the report is held until the verdict is known and shown for
 * every other end. With --trace, stderr is the trace and is never held.
 */
struct held_stderr {
	int saved; /* the real stderr, -1 when nothing is held */
	int memory;
};

static struct held_stderr hold_stderr(bool hold)
{
	struct held_stderr h = { -1, -1 };

	if (!hold)
		return h;
	fflush(stderr);
	h.memory = memfd_create("lab-d-report", MFD_CLOEXEC);
	h.saved = h.memory >= 0 ? fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3) : -1;
	if (h.saved < 0 || dup2(h.memory, STDERR_FILENO) < 0) {
		if (h.saved >= 0)
			close(h.saved);
		if (h.memory >= 0)
			close(h.memory);
		return (struct held_stderr){ -1, -1 };
	}
	return h;
}

static void release_stderr(struct held_stderr *h, bool show)
{
	char chunk[4096];
	ssize_t n;

	if (h->saved < 0)
		return;
	fflush(stderr);
	dup2(h->saved, STDERR_FILENO);
	close(h->saved);
	if (show && lseek(h->memory, 0, SEEK_SET) == 0)
		while ((n = read(h->memory, chunk, sizeof(chunk))) > 0)
			write_all(STDERR_FILENO, chunk, (size_t)n);
	close(h->memory);
	h->saved = -1;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct lab lab;
	int status;

	kit_set_progname(argv[0]);
	parse_options(argc, argv, &opts);
	memset(&lab, 0, sizeof(lab));
	lab.kmsg_fd = -1;
	set_up(&lab, &opts);

	printf("lab-d: guest %s (%zu bytes); the vCPU's CPUID vendor is \"%s\"; timeout %g s\n",
	       lab.image.name, lab.image.size, lab.vendor, opts.lab.timeout);
	fflush(stdout);
	kmsg_open_at_end(&lab);
	struct held_stderr report = hold_stderr(!opts.lab.trace);
	lab.end = vcpu_run(&lab.vcpu);
	release_stderr(&report, !stuck_in_hypercall(&lab));
	status = verdict(&lab, &opts);

	if (lab.kmsg_fd >= 0)
		close(lab.kmsg_fd);
	vcpu_destroy(&lab.vcpu);
	vm_destroy(&lab.vm);
	guest_image_free(&lab.image);
	return status;
}

/* The fault-report port: what an instance's CPL-0 stub tells the host (faults.h). */
#include "faults.h"
#include "supervisor.h"

#include "kvm/guest_access.h"
#include "util/util.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define X86_GP 13
#define X86_PF 14
#define MAX_INSN 15

static struct instance *instance_of(struct vcpu *v)
{
	return (struct instance *)((char *)v - offsetof(struct instance, vcpu));
}

/* The instruction bytes at rip, as far as the table in use (cr3) maps them. */
static unsigned read_instruction(const struct instance *in, gpa_t cr3, gva_t rip, uint8_t *bytes)
{
	struct guest_view g = guest_view_long_mode(&in->m->vm.mem, cr3);
	unsigned n = 0;

	while (n < MAX_INSN && guest_read(&g, bytes + n, rip + n, 1) == 0)
		n++;
	return n;
}

static void record(struct instance *in, const uint64_t *frame, const struct kvm_sregs *s)
{
	struct fault *f = &in->fault;
	uint8_t bytes[MAX_INSN];
	unsigned n;
	int len;

	*f = (struct fault){
		.reported = true, .vector = (unsigned)frame[FRAME_VECTOR],
		.error = frame[FRAME_ERROR], .rip = frame[FRAME_RIP], .rsp = frame[FRAME_RSP],
		.rflags = frame[FRAME_RFLAGS], .cs = frame[FRAME_CS], .rax = frame[FRAME_RAX],
		.rdx = frame[FRAME_RDX],
		.cr2 = frame[FRAME_VECTOR] == X86_PF ? s->cr2 : 0, .cr3 = s->cr3,
	};
	n = read_instruction(in, f->cr3, f->rip, bytes);
	/* HLT is privileged at CPL 3: the #GP it raises is how an instance ends. */
	f->halt = f->vector == X86_GP && (f->cs & 3) == 3 && fault_on_hlt(bytes, n);
	len = snprintf(f->what, sizeof(f->what), "%s(%#llx) at RIP %#llx: ",
		       fault_vector_name(f->vector), (unsigned long long)f->error,
		       (unsigned long long)f->rip);
	if (len > 0 && (size_t)len < sizeof(f->what))
		fault_explain(in, bytes, n, f->what + len, sizeof(f->what) - (size_t)len);
}

void fault_print(const struct instance *in)
{
	const struct fault *f = &in->fault;

	fflush(stdout);
	fprintf(stderr, "%s: instance %d stopped: %s\n"
		"  at the fault: rip %#llx rsp %#llx rflags %#llx cs %#llx rax %#llx cr2 %#llx "
		"cr3 %#llx\n", kit_progname, in->id, f->what, (unsigned long long)f->rip,
		(unsigned long long)f->rsp, (unsigned long long)f->rflags,
		(unsigned long long)f->cs, (unsigned long long)f->rax, (unsigned long long)f->cr2,
		(unsigned long long)f->cr3);
}

/*
 * The OUT of traps.S's `report`. Only the stub may get here: CPL 0, and the
 * kernel stack holding exactly one frame.
 */
static enum pio_result on_fault_report(struct vcpu *v, struct pio *io, void *opaque)
{
	struct instance *in = instance_of(v);
	const struct kvm_sregs *s = vcpu_sregs(v);
	uint64_t rsp = vcpu_regs(v)->rsp, frame[FRAME_WORDS];
	const void *at = slice_host(&v->vm->mem, &in->slice, rsp, sizeof(frame));

	(void)io;
	(void)opaque;
	if (s->cs.dpl != 0 || s->ss.dpl != 0) {
		vcpu_fail(v, "a fault report on port 0x%04x from CPL %d: only the CPL-0 fault "
			  "handlers may report", LAB_E_PORT_FAULT, s->ss.dpl);
		return PIO_STOP;
	}
	if (rsp != in->slice.kstack_top - sizeof(frame) || !at) {
		vcpu_fail(v, "a fault report with the kernel stack at %#llx instead of %#llx: a "
			  "fault inside the fault handler", (unsigned long long)rsp,
			  (unsigned long long)(in->slice.kstack_top - sizeof(frame)));
		return PIO_STOP;
	}
	memcpy(frame, at, sizeof(frame));
	record(in, frame, s);
	if (!in->fault.halt && !in->m->quiet_faults)
		fault_print(in);
	return PIO_DONE; /* the stub halts: the run ends, the host reads the verdict */
}

void faults_register(struct multi_vm *m)
{
	vm_on_port(&m->vm, &(struct port_spec){
		.port = LAB_E_PORT_FAULT, .dirs = PIO_DIR_OUT, .size = 4,
		.name = "lab-e fault report", .fn = on_fault_report, .opaque = m });
}

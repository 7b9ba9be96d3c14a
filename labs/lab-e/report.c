#include "report.h"

#include "abi/hypercall.h"

#include <stdio.h>

#define ANSWER 42

void report_layout(const struct multi_vm *m)
{
	printf("lab-e: %d vCPU(s), %llu bytes of guest memory: one slice of 0x%llx bytes each\n",
	       m->count, (unsigned long long)m->vm.mem.size, (unsigned long long)m->slice_size);
	for (int i = 0; i < m->count; i++) {
		const struct slice *s = &m->inst[i].slice;

		printf("lab-e: vCPU %d: slice 0x%llx-0x%llx, CR3 0x%llx (%u table pages in the "
		       "slice), guest-virtual 0x0-0x%llx -> guest-physical 0x%llx-0x%llx, user "
		       "pages\n", i, (unsigned long long)s->base,
		       (unsigned long long)(s->base + s->size - 1), (unsigned long long)s->cr3,
		       s->table_pages, (unsigned long long)(s->user_end - 1),
		       (unsigned long long)s->base, (unsigned long long)(s->base + s->user_end - 1));
		printf("lab-e: vCPU %d: runs at CPL 3; supervisor-only pages: 0x%llx GDT, TSS, IDT; "
		       "0x%llx fault handlers; 0x%llx kernel stack\n", i,
		       (unsigned long long)s->desc, (unsigned long long)s->traps,
		       (unsigned long long)s->kstack);
	}
	fflush(stdout);
}

static const char *end_name(const struct instance *in, bool meant_to_fault)
{
	if (in->end == INSTANCE_HALTED)
		return "halted";
	if (in->end == INSTANCE_FAILED)
		return "stopped by the host (see its report)";
	return meant_to_fault ? "stopped on its fault, as asked" : "stopped on a fault";
}

bool report_instances(const struct multi_vm *m, const struct verdict_rules *rules)
{
	bool ok = true;

	for (int i = 0; i < m->count; i++) {
		const struct instance *in = &m->inst[i];
		bool meant_to_fault = i == rules->fault;
		bool good = meant_to_fault ? in->end == INSTANCE_FAULTED
					   : in->end == INSTANCE_HALTED && in->status == 0 &&
						     in->answer == ANSWER;

		if (i == rules->skip)
			continue;
		printf("lab-e: vCPU %d: %s, %llu exits, ran %.1f-%.1f ms; its slice holds %llu at "
		       "guest-physical 0x%llx (its guest-virtual 0x%x)%s\n", i,
		       end_name(in, meant_to_fault), (unsigned long long)in->vcpu.exits,
		       (in->started - m->vm.tag_epoch) * 1e3, (in->ended - m->vm.tag_epoch) * 1e3,
		       (unsigned long long)in->answer,
		       (unsigned long long)(in->slice.base + HC_ANSWER_SLOT), HC_ANSWER_SLOT,
		       good ? "" : "  <-- WRONG");
		ok &= good;
	}
	return ok;
}

void report_overlap(const struct multi_vm *m)
{
	double start = 0, end = 1e30;

	if (m->count < 2)
		return;
	for (int i = 0; i < m->count; i++) {
		if (m->inst[i].started > start)
			start = m->inst[i].started;
		if (m->inst[i].ended < end)
			end = m->inst[i].ended;
	}
	printf("lab-e: all %d vCPUs were running at once for %.1f ms\n", m->count,
	       end > start ? (end - start) * 1e3 : 0.0);
}

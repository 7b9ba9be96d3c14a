/*
 * lab-e --dot: each vCPU's address space as its page table really maps it
 * (walked with pt_for_each_mapping, user and supervisor pages apart), and
 * the part of its slice of guest-physical memory each range lands in.
 * `make diagrams` renders it as diagrams/lab-e.svg.
 */
#include "diagram.h"

#include "kvm/paging.h"
#include "lab/dot.h"
#include "util/util.h"

/* The parts of a slice, in address order: the fields of its node. */
static const char *const part_names[] = {
	"image, data, bss, stack", "GDT, TSS, IDT", "fault handlers (CPL 0)", "kernel stack",
	"page tables",
};

static uint64_t part_start(const struct slice *s, int part)
{
	const uint64_t starts[] = { 0, s->desc, s->traps, s->kstack, s->tables };

	return starts[part];
}

static int part_of(const struct slice *s, uint64_t offset)
{
	int p = (int)ARRAY_SIZE(part_names) - 1;

	while (p > 0 && offset < part_start(s, p))
		p--;
	return p;
}

/* A range of guest-virtual pages with the same rights, inside one part of the slice. */
struct piece {
	uint64_t va, len;
	int part;
	bool user, writable;
};

struct pieces {
	const struct slice *s;
	struct piece p[16];
	int n;
};

/* Split each run of the table at the slice's part boundaries. */
static int collect(const struct pt_mapping *r, void *ctx)
{
	struct pieces *ps = ctx;
	uint64_t va = r->va, end = r->va + r->len;

	while (va < end && ps->n < (int)ARRAY_SIZE(ps->p)) {
		uint64_t off = r->pa + (va - r->va) - ps->s->base;
		int part = part_of(ps->s, off);
		uint64_t stop = part + 1 < (int)ARRAY_SIZE(part_names) ? part_start(ps->s, part + 1)
								     : ps->s->size;
		uint64_t len = stop - off < end - va ? stop - off : end - va;

		ps->p[ps->n++] = (struct piece){ .va = va, .len = len, .part = part,
						 .user = r->user, .writable = r->writable };
		va += len;
	}
	return 0;
}

static void instance_nodes(struct dot *d, const struct multi_vm *m, const struct instance *in)
{
	const struct slice *s = &in->slice;
	struct pieces ps = { .s = s };

	pt_for_each_mapping(&m->vm.mem, s->cr3, collect, &ps);
	dot_record(d, "v%d", in->id);
	dot_field(d, "vCPU %d at CPL 3", in->id);
	dot_field(d, "<cr3> CR3 0x%llx", (unsigned long long)s->cr3);
	for (int i = 0; i < ps.n; i++)
		dot_field(d, "<m%d> 0x%llx-0x%llx: %s, %s", i, (unsigned long long)ps.p[i].va,
			  (unsigned long long)(ps.p[i].va + ps.p[i].len - 1),
			  ps.p[i].user ? "user" : "supervisor",
			  ps.p[i].writable ? "read-write" : "read-only");
	dot_field(d, "0x%llx-: not mapped", (unsigned long long)s->tables);
	dot_record_end(d);
	dot_record(d, "s%d", in->id);
	dot_field(d, "slice %d, guest-physical", in->id);
	for (int p = 0; p < (int)ARRAY_SIZE(part_names); p++)
		dot_field(d, "<p%d> 0x%llx %s", p, (unsigned long long)(s->base + part_start(s, p)),
			  part_names[p]);
	dot_record_end(d);
	for (int i = 0; i < ps.n; i++)
		dot_edge(d, ps.p[i].user ? "U/S=1" : "U/S=0", "v%d:m%d -> s%d:p%d", in->id, i,
			 in->id, ps.p[i].part);
	dot_edge(d, "its PML4, not mapped", "v%d:cr3 -> s%d:p%d", in->id, in->id,
		 (int)ARRAY_SIZE(part_names) - 1);
}

void diagram_write(const struct multi_vm *m, const char *path)
{
	struct dot d;

	dot_open(&d, path, "lab_e");
	for (int i = 0; i < m->count; i++)
		instance_nodes(&d, m, &m->inst[i]);
	dot_close(&d);
}

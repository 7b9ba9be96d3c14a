/* lab-a --dot: the layout and the walk of 0x400, drawn from live data (graphviz). */
#include <stdio.h>
#include <string.h>

#include "lab-a.h"

#include "abi/hypercall.h"
#include "lab/dot.h"
#include "util/util.h"

#ifndef STUB_a /* SOLUTION a (a.3, a.4): the layout and the walk, drawn */
/*
 * Host addresses change every run; the diagram names them relative to the
 * mmap'd base ("mem + 0x2000") so regenerating it gives the same file.
 */
static void dot_layout(const struct lab *lab, FILE *f)
{
	fprintf(f, "  subgraph cluster_host {\n    label=\"hypervisor process (host-virtual)\";\n");
	fprintf(f, "    host [label=\"mem = mmap(2 MiB)|<code> mem+0x0: code (%zu bytes)|"
		"<answer> mem+0x400: 42|<tables> mem+0x2000..0x4fff: page tables|"
		"<stack> mem+0x1fffff: stack top\"];\n", lab->image.size);
	fprintf(f, "    run [label=\"kvm_run = mmap(vcpu_fd, %d bytes)|exit_reason, io, s.regs|"
		"<data> +0x%x: port-I/O data\"];\n  }\n", lab->vm.run_size, lab->io_data_offset);
	fprintf(f, "  subgraph cluster_phys {\n    label=\"guest-physical (slot 0)\";\n");
	fprintf(f, "    phys [label=\"<code> 0x0 code|<answer> 0x400 answer|<pml4> 0x2000 PML4|"
		"<pdpt> 0x3000 PDPT|<pd> 0x4000 PD|<free> 0x5000 free|<stack> 0x1fffff stack "
		"(RSP=0x200000)\"];\n  }\n");
	fprintf(f, "  subgraph cluster_virt {\n    label=\"guest-virtual\";\n");
	fprintf(f, "    virt [label=\"<entry> 0x0 entry (RIP)|<answer> 0x400|<top> 0x1fffff "
		"last mapped byte|<none> 0x200000.. not mapped\"];\n  }\n");
	fprintf(f, "  phys:code -> host:code [label=\"KVM_SET_USER_MEMORY_REGION\"];\n");
	fprintf(f, "  virt:entry -> phys:code [label=\"one 2 MiB page, identity\"];\n");
	fprintf(f, "  virt:answer -> phys:answer;\n");
}

/* The walk of guest-virtual 0x400, one node per level. */
static void dot_walk(const struct lab *lab, FILE *f)
{
	struct pt_walk w;

	pt_walk(&lab->vm.mem, lab->tables.root, HC_ANSWER_SLOT, &w);
	fprintf(f, "  subgraph cluster_walk {\n    label=\"translating guest-virtual 0x400\";\n");
	fprintf(f, "    cr3 [shape=ellipse, label=\"CR3 = 0x%llx\"];\n",
		(unsigned long long)lab->tables.root);
	for (int i = 0; i < w.steps; i++)
		fprintf(f, "    step%d [label=\"%s @0x%llx|index %u (va bits %d..%d)|"
			"entry 0x%llx\"];\n", i, pt_level_name(w.step[i].level),
			(unsigned long long)w.step[i].table, w.step[i].index,
			12 + 9 * w.step[i].level - 1, 12 + 9 * (w.step[i].level - 1),
			(unsigned long long)w.step[i].entry);
	fprintf(f, "    page [label=\"2 MiB page @0x0|+ offset 0x400 (va bits 20..0)|"
		"guest-physical 0x%llx\"];\n", (unsigned long long)w.gpa);
	fprintf(f, "    cr3 -> step0;\n");
	for (int i = 1; i < w.steps; i++)
		fprintf(f, "    step%d -> step%d;\n", i - 1, i);
	fprintf(f, "    step%d -> page [label=\"PS=1\"];\n  }\n", w.steps - 1);
	fprintf(f, "  phys:pml4 -> step0 [style=dashed, arrowhead=none];\n");
}

void write_dot(const struct lab *lab, const char *path)
{
	struct dot d;

	dot_open(&d, path, "lab_a");
	dot_layout(lab, d.f);
	dot_walk(lab, d.f);
	dot_close(&d);
}
#else
void write_dot(const struct lab *lab, const char *path)
{
	/* a.3 and a.4 ask you to draw the layout and the walk yourself (answers/lab-a.md). */
	(void)lab;
	(void)path;
	kit_not_written("--dot: the layout and the walk of 0x400", "answers/lab-a.md");
}
#endif /* SOLUTION a */

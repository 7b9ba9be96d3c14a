/* What lab-e prints about its instances: the layout before, the verdict after. */
#ifndef LAB_E_REPORT_H
#define LAB_E_REPORT_H

#include "instances.h"

/* One line per instance: its slice, CR3, user range and supervisor pages. */
void report_layout(const struct multi_vm *m);

struct verdict_rules {
	int fault;   /* the instance asked to fault, or -1 */
	int skip;    /* an instance judged elsewhere (the attacker), or -1 */
};

/*
 * One line per instance: how it ended, its exits, when it ran, what its
 * slice holds at its guest-virtual 0x400. True when each did as asked:
 * halted in user mode with status 0 and 42 in its slot, or, for the one
 * asked to fault, stopped by its fault handler.
 */
bool report_instances(const struct multi_vm *m, const struct verdict_rules *rules);

/* How long every instance was running at once: evidence of concurrency. */
void report_overlap(const struct multi_vm *m);

#endif

/*
 * lab-e --attack (host side): instance 0 does its ordinary work while
 * instance 1, booted again for each attack of attacks.h, tries one way out
 * of its slice per boot. Every attack must end in a fault report (the
 * hypercalls one: every call refused), and nothing of either instance's
 * supervisor pages or page tables may change.
 */
#ifndef LAB_E_ATTACK_H
#define LAB_E_ATTACK_H

#include "instances.h"

#define ATTACKER 1

struct attack_plan {
	const struct guest_image *img;
	int (*args_for)(int instance, char **argv, void *ctx);  /* the instance's usual argv */
	void *ctx;
};

/* How one attack ended. */
struct attack_outcome {
	const char *name, *what;  /* from attacks.h */
	enum instance_end end;
	int status;
	struct fault fault;
	char why[200];            /* the run loop's reason, for an INSTANCE_FAILED end */
	bool intact;              /* its supervisor pages and page tables unchanged */
	bool ok;                  /* stopped by a fault report (or, for the hypercalls, all refused) */
};

/* How many attacks attacks.h lists. */
unsigned attack_count(void);

/*
 * With every instance booted as usual, run instance 0 and, on instance 1's
 * thread, the attacks one after the other; print one line per attack. Fill
 * out[attack_count()] when out is not NULL. True when every attack went as
 * it must and instance 0's supervisor pages and tables are intact too
 * (instance 0's own result is for the caller to judge).
 */
bool attack_run(struct multi_vm *m, const struct attack_plan *plan, struct attack_outcome *out);

#endif

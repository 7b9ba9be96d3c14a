/* lab-e --attack, the host side (attack.h). */
#include "attack.h"
#include "attacks.h"

#include "kvm/paging.h"
#include "util/clock.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

#define ATTACK_INFO(name, what) { #name, what },
static const struct {
	const char *name, *what;
} attacks[] = { LAB_E_ATTACKS(ATTACK_INFO) };

#define ATTACKS ARRAY_SIZE(attacks)

struct attack_state {
	const struct attack_plan *plan;
	struct attack_outcome outcome[ATTACKS];
};

unsigned attack_count(void)
{
	return ATTACKS;
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

/*
 * A fingerprint of what an instance must never change: its descriptor and
 * trap pages byte for byte, its page tables but for the accessed and dirty
 * bits, which the CPU (or KVM) sets as it walks them.
 */
static uint64_t supervisor_fingerprint(const struct instance *in)
{
	const struct phys_mem *mem = &in->m->vm.mem;
	const struct slice *s = &in->slice;
	const uint64_t *tables = slice_host(mem, s, s->tables, s->size - s->tables);
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv(h, slice_host(mem, s, s->desc, PAGE_SIZE_4K), PAGE_SIZE_4K);
	h = fnv(h, slice_host(mem, s, s->traps, PAGE_SIZE_4K), PAGE_SIZE_4K);
	for (uint64_t i = 0; i < (s->size - s->tables) / 8; i++) {
		uint64_t e = tables[i] & ~(PTE_ACCESSED | PTE_DIRTY);

		h = fnv(h, (const uint8_t *)&e, sizeof(e));
	}
	return h;
}

/* Instance 1's thread: one boot and one run per attack. */
static void attacker(struct instance *in, void *ctx)
{
	struct attack_state *st = ctx;
	double started = monotonic_seconds();

	for (unsigned a = 0; a < ATTACKS; a++) {
		char *argv[MULTI_MAX_ARGS + 1] = { 0 };
		int argc = st->plan->args_for(in->id, argv, st->plan->ctx);
		struct attack_outcome *o = &st->outcome[a];
		uint64_t before;

		argv[argc++] = "attack";
		argv[argc++] = (char *)attacks[a].name;
		instance_boot(in, st->plan->img, argc, argv);
		before = supervisor_fingerprint(in);
		instance_run(in);
		*o = (struct attack_outcome){ .name = attacks[a].name, .what = attacks[a].what,
					      .end = in->end, .status = in->status,
					      .fault = in->fault,
					      .intact = supervisor_fingerprint(in) == before };
		snprintf(o->why, sizeof(o->why), "%s", in->vcpu.why);
	}
	in->started = started;   /* the whole attack, for the overlap with instance 0 */
}

static bool must_be_refused(unsigned a)
{
	return strcmp(attacks[a].name, LAB_E_ATTACK_REFUSED) == 0;
}

/* Did it go as it must? Print one line. */
static bool report(unsigned a, struct attack_outcome *o)
{
	bool ok = o->intact && (must_be_refused(a)
				? o->end == INSTANCE_HALTED && o->status == 0
				: o->end == INSTANCE_FAULTED);

	o->ok = ok;
	printf("lab-e: attack %s (%s): ", attacks[a].name, attacks[a].what);
	if (o->end == INSTANCE_FAULTED)
		printf("stopped: %s", o->fault.what);
	else if (o->end == INSTANCE_FAILED)
		printf("ended by the host: %s", o->why);
	else if (!must_be_refused(a))
		printf("NOT stopped: it ran to its end");
	else if (o->status == 0)
		printf("every call refused");
	else
		printf("some call was NOT refused (status %d)", o->status);
	printf("%s%s\n", o->intact ? "" : "; its supervisor pages or page tables CHANGED",
	       ok ? "" : "  <-- WRONG");
	return ok;
}

bool attack_run(struct multi_vm *m, const struct attack_plan *plan, struct attack_outcome *out)
{
	struct attack_state st;
	struct instance *victim = &m->inst[0], *in = &m->inst[ATTACKER];
	uint64_t victim_before = supervisor_fingerprint(victim);
	bool ok = true;

	st.plan = plan;
	in->body = attacker;
	in->body_ctx = &st;
	m->quiet_faults = true;  /* each attack's fault is printed below, in its line */
	instances_run(m);
	for (unsigned a = 0; a < ATTACKS; a++)
		ok &= report(a, &st.outcome[a]);
	if (out)
		memcpy(out, st.outcome, sizeof(st.outcome));
	if (supervisor_fingerprint(victim) != victim_before) {
		printf("lab-e: instance 0's supervisor pages or page tables CHANGED  <-- WRONG\n");
		ok = false;
	}
	if (ok)
		printf("lab-e: every attack of instance %d was stopped or refused; no supervisor "
		       "page or page table of either instance changed\n", ATTACKER);
	return ok;
}

/* lab-e's hostile instance (guest side): the attacks of attacks.h. */
#ifndef LAB_E_GUEST_ATTACK_H
#define LAB_E_GUEST_ATTACK_H

#include <stdint.h>

/*
 * Run attack name as instance id of slices of slice bytes. Returns only if
 * the attack was not stopped (1) or, for the hypercalls, with 0 when every
 * call was refused.
 */
int attack(const char *name, int id, uint64_t slice);

#endif

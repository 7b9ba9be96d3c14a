/* Guest side of part (b): print() and exits(). See guest_hypercalls.c. */
#ifndef LAB_B_GUEST_HYPERCALLS_H
#define LAB_B_GUEST_HYPERCALLS_H

#include <stdint.h>

/* (b.1) Print a NUL-terminated string with one exit. */
void print(const char *str);
/* The same, returning the host's answer: bytes written, or -HC_Exxx. */
int64_t print_result(const char *str);

/* (b.2) Exits this vCPU has taken so far, this call's own exit included. */
int exits(void);

#endif

/* Formatted output for guests, through the print hypercall (one exit per call). */
#ifndef GUEST_PRINT_H
#define GUEST_PRINT_H

/* Formats into a stack buffer of PRINTF_MAX bytes (longer output is cut) and prints it. */
#define PRINTF_MAX 512

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

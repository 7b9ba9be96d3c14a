/*
 * Formatted output for guests. printf() goes out through print() (lab-b's
 * one-exit hypercall) when the guest links it; a guest without it (or a
 * handout where print() is not written yet) falls back to kvm-hello-world's
 * way, one OUT to the console port per byte.
 */
#ifndef GUEST_PRINT_H
#define GUEST_PRINT_H

/* Formats into a stack buffer of PRINTF_MAX bytes (longer output is cut) and prints it. */
#define PRINTF_MAX 512

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One OUT to the console port (0xE9) per byte: always works, one exit per byte. */
void console_puts(const char *str);

/*
 * What a stub of the student handout says, once per stub: "not written yet:
 * WHAT: write it in WHERE". Console output, so it works before print() does.
 */
void not_written(const char *what, const char *where);

#endif

/*
 * Formatted output for guests. printf() formats into a buffer and hands it
 * to printf_sink: by default console_puts, kvm-hello-world's way (one OUT
 * to the console port per byte), which needs no hypercall of the labs; a
 * guest that wants one exit per printf sets printf_sink = print (lab-b's).
 */
#ifndef GUEST_PRINT_H
#define GUEST_PRINT_H

/* Formats into a stack buffer of PRINTF_MAX bytes (longer output is cut) and prints it. */
#define PRINTF_MAX 512

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Where printf's text goes: console_puts unless the guest says otherwise. */
extern void (*printf_sink)(const char *str);

/* One OUT to the console port (0xE9) per byte: always works, one exit per byte. */
void console_puts(const char *str);

/*
 * What a stub of the student handout says, once per stub: "not written yet:
 * WHAT: write it in WHERE". Console output, so it works before print() does.
 */
void not_written(const char *what, const char *where);

#endif

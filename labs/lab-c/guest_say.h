/* lab-c's guests: messages for the host's standard error (cat's stdout carries only the file). */
#ifndef LAB_C_GUEST_SAY_H
#define LAB_C_GUEST_SAY_H

/* printf to HC_FD_STDERR; to the console where the host gives no stderr. */
void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

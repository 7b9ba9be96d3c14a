/*
 * A small formatted print for guests: %d %i %u %x %X %p %s %c %%, with the
 * l, ll and z length modifiers, a field width and the 0 and - flags.
 * Always NUL-terminates; returns the length the full output would have.
 */
#ifndef GUEST_FORMAT_H
#define GUEST_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int vformat(char *buf, size_t size, const char *fmt, va_list ap);
int format(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

/* Parsing of option values shared by the labs: sizes, durations, counts. */
#ifndef KIT_OPTS_H
#define KIT_OPTS_H

#include <stdint.h>

/*
 * "4096", "64K", "2M", "1G" (binary units, optional trailing "iB" or "B").
 * Returns 0 and stores the value, or -EINVAL for anything else, including
 * overflow, negative numbers, empty strings and trailing garbage.
 */
int parse_size(const char *text, uint64_t *out);

/* A positive number of seconds, fractions allowed ("0.5", "10"). 0 or -EINVAL. */
int parse_seconds(const char *text, double *out);

/* A decimal integer within [min, max]. 0, -EINVAL (not a number) or -ERANGE. */
int parse_long_in(const char *text, long min, long max, long *out);

/* Human form of a size: "2 MiB", "4 KiB", "12288 bytes". Returns buf. */
const char *format_size(uint64_t bytes, char *buf, int buflen);

#endif

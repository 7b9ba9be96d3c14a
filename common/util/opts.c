#include "opts.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int unit_shift(const char *suffix, unsigned *shift)
{
	static const struct { const char *name; unsigned shift; } units[] = {
		{ "", 0 }, { "B", 0 },
		{ "K", 10 }, { "KB", 10 }, { "KiB", 10 },
		{ "M", 20 }, { "MB", 20 }, { "MiB", 20 },
		{ "G", 30 }, { "GB", 30 }, { "GiB", 30 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(suffix, units[i].name) == 0) {
			*shift = units[i].shift;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_size(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long value;
	unsigned shift;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	value = strtoull(text, &end, 0);
	if (errno || unit_shift(end, &shift) < 0)
		return -EINVAL;
	if (shift && value > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)value << shift;
	return 0;
}

int parse_seconds(const char *text, double *out)
{
	char *end;
	double value;

	if (!text || !*text || isspace((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	value = strtod(text, &end);
	if (errno || *end || !isfinite(value) || value <= 0 || value > 1e6)
		return -EINVAL;
	*out = value;
	return 0;
}

int parse_long_in(const char *text, long min, long max, long *out)
{
	char *end;
	long value;

	if (!text || !*text || isspace((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	value = strtol(text, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || value < min || value > max)
		return -ERANGE;
	*out = value;
	return 0;
}

const char *format_size(uint64_t bytes, char *buf, int buflen)
{
	if (bytes && bytes % (1ull << 30) == 0)
		snprintf(buf, (size_t)buflen, "%llu GiB", (unsigned long long)(bytes >> 30));
	else if (bytes && bytes % (1ull << 20) == 0)
		snprintf(buf, (size_t)buflen, "%llu MiB", (unsigned long long)(bytes >> 20));
	else if (bytes && bytes % (1ull << 10) == 0)
		snprintf(buf, (size_t)buflen, "%llu KiB", (unsigned long long)(bytes >> 10));
	else
		snprintf(buf, (size_t)buflen, "%llu bytes", (unsigned long long)bytes);
	return buf;
}

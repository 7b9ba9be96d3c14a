/* The kit's one clock: seconds on CLOCK_MONOTONIC, for timeouts and measurements. */
#ifndef KIT_CLOCK_H
#define KIT_CLOCK_H

#include <time.h>

static inline double monotonic_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#endif

#include "print.h"

#include <stdarg.h>

#include "format.h"
#include "hc.h"

int printf(const char *fmt, ...)
{
	char buf[PRINTF_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	print(buf);
	return n;
}

#include "guest_say.h"

#include <stdarg.h>

#include "guest_files.h"
#include "rt/format.h"
#include "rt/print.h"

void complain(const char *fmt, ...)
{
	char line[PRINTF_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	if (fd_write_all(HC_FD_STDERR, line, n) < 0)
		console_puts(line); /* a host that gives no stderr: the console will do */
}

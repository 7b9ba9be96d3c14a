#include "print.h"

#include <stdarg.h>

#include "abi/hypercall.h"
#include "format.h"
#include "io.h"

void console_puts(const char *str)
{
	for (; *str; str++)
		outb(HC_PORT_CONSOLE, (uint8_t)*str);
}

void (*printf_sink)(const char *str) = console_puts;

void not_written(const char *what, const char *where)
{
	static const char *said[16];
	unsigned i;

	for (i = 0; i < 16 && said[i]; i++)
		if (said[i] == what)
			return;
	if (i < 16)
		said[i] = what;
	console_puts("not written yet: ");
	console_puts(what);
	console_puts(": write it in ");
	console_puts(where);
	console_puts("\n");
}

int printf(const char *fmt, ...)
{
	char buf[PRINTF_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf_sink(buf);
	return n;
}

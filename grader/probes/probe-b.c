/*
 * The grader's probe for part (b): a guest that makes exactly the calls one
 * check needs, through the print() and exits() of labs/lab-b/guest_hypercalls.c,
 * and reports what it saw on the console port, one OUT per byte, never
 * through print(): a broken print() cannot hide an exits() result, nor the
 * other way round. The host side is judged by the hypervisor's own count
 * ("exits by port"), not by anything this guest says.
 *
 * Run as `./lab-b --guest build/guests/probe-b.bin --message MODE[:TEXT]`:
 *   print:TEXT  print(TEXT) once, then a newline with print() too
 *   lengths     print() of 1, 14 and 1000 characters (the last crossing a
 *               page boundary), once each
 *   exits       exits() five times in a row (before any other exit: the
 *               first must say 1), then exits() around 7 console bytes
 */
#include "abi/hypercall.h"
#include "lab-b/guest_hypercalls.h"
#include "rt/format.h"
#include "rt/io.h"
#include "rt/print.h"
#include "rt/string.h"

#define PAGE 4096

static char page_crossing[2 * PAGE] __attribute__((aligned(PAGE)));

static int probe_print(const char *text)
{
	print(text);
	print("\n");
	return 0;
}

/* 1, 14 and 1000 characters; the 1000 end 500 bytes into the second page. */
static int probe_lengths(void)
{
	char *thousand = page_crossing + PAGE - 500;

	memset(thousand, 'L', 999);
	thousand[999] = '\n';
	thousand[1000] = '\0';
	print("1");
	print("\n");
	print("fourteen char\n");
	print(thousand);
	return 0;
}

static int probe_exits(void)
{
	int row[5], before, after;
	char line[160];

	for (int i = 0; i < 5; i++)
		row[i] = exits();
	before = exits();
	console_puts("seven\n"); /* 6 bytes ... */
	outb(HC_PORT_CONSOLE, '\n'); /* ... and 1: 7 console exits */
	after = exits();
	format(line, sizeof(line), "probe: exits() in a row: %d %d %d %d %d\n", row[0], row[1],
	       row[2], row[3], row[4]);
	console_puts(line);
	format(line, sizeof(line), "probe: exits() around 7 console bytes: %d more\n", after - before);
	console_puts(line);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!memcmp(mode, "print:", 6))
		return probe_print(mode + 6);
	if (!strcmp(mode, "lengths"))
		return probe_lengths();
	if (!strcmp(mode, "exits"))
		return probe_exits();
	console_puts("probe-b: unknown mode (print:TEXT, lengths, exits)\n");
	return 2;
}

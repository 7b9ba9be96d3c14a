/*
 * Benchmark guest for lab-b: argv = { MODE, COUNT }. Each mode is one tight
 * loop so the modes differ only in the hypercall they make:
 *   bare       OUT to a port whose handler does nothing (the baseline exit)
 *   exits      exits()
 *   print      print() of a 3-character string
 *   print1000  print() of 1000 characters
 *   bytes1000  1000 characters, one OUT per byte (kvm-hello-world's way)
 */
#include "abi/hypercall.h"
#include "lab-b/guest_hypercalls.h"
#include "rt/io.h"
#include "rt/string.h"

#define BENCH_NULL_PORT 0x05FF

static char text[1001];

static int to_int(const char *s)
{
	int n = 0;

	while (*s >= '0' && *s <= '9')
		n = n * 10 + (*s++ - '0');
	return n;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? to_int(argv[2]) : 0;
	const char *mode = argc > 1 ? argv[1] : "";

	memset(text, 'z', 1000);
	if (strcmp(mode, "bare") == 0)
		for (int i = 0; i < n; i++)
			outl(BENCH_NULL_PORT, (uint32_t)i);
	else if (strcmp(mode, "exits") == 0)
		for (int i = 0; i < n; i++)
			(void)exits();
	else if (strcmp(mode, "print") == 0)
		for (int i = 0; i < n; i++)
			print("hi\n");
	else if (strcmp(mode, "print1000") == 0)
		for (int i = 0; i < n; i++)
			print(text);
	else if (strcmp(mode, "bytes1000") == 0)
		for (int i = 0; i < n; i++)
			for (const char *p = text; *p; p++)
				outb(HC_PORT_CONSOLE, (uint8_t)*p);
	else
		return 2;
	return 0;
}

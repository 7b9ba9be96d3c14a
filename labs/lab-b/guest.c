/*
 * The lab-b guest: print() and exits() (part b of the assignment).
 *
 * It prints the message the hypervisor hands it (argv[1]) with print(),
 * then measures with exits() what printing costs: print() against
 * kvm-hello-world's one OUT per byte, for strings of 1, 14 and 1000
 * characters. exits() counts its own exit, so the cost of X is
 * exits() after - exits() before - 1.
 */
#include "lab-b/guest_hypercalls.h"
#include "rt/print.h"
#include "rt/string.h"

#define LONG_LEN 1000

struct cost {
	int by_print;
	int by_bytes;
};

static int cost_of_print(const char *s)
{
	int before = exits();

	print(s);
	return exits() - before - 1;
}

static int cost_of_bytewise(const char *s)
{
	int before = exits();

	console_puts(s); /* kvm-hello-world's way: one OUT per byte */
	return exits() - before - 1;
}

static struct cost measure(const char *title, const char *s)
{
	struct cost c;

	printf("-- %s, by print() and then one OUT per byte:\n", title);
	c.by_print = cost_of_print(s);
	c.by_bytes = cost_of_bytewise(s);
	if (s[strlen(s) - 1] != '\n')
		print("\n");
	return c;
}

/* 999 letters and a newline: 1000 characters. */
static void make_long_text(char *buf)
{
	for (int i = 0; i < LONG_LEN - 1; i++)
		buf[i] = (char)('a' + i % 26);
	buf[LONG_LEN - 1] = '\n';
	buf[LONG_LEN] = '\0';
}

int main(int argc, char **argv)
{
	static char long_text[LONG_LEN + 1];
	const char *message = argc > 1 ? argv[1] : "Hello from the guest, in one print() hypercall!";
	const int lengths[3] = { 1, 14, LONG_LEN };
	struct cost c[3];
	int message_cost, ok = 1;

	printf_sink = print; /* printf in one exit per line, by the print() under test */

	printf("lab-b guest: started; exits() says %d exits so far\n", exits());
	message_cost = cost_of_print(message);
	print("\n");
	printf("print() of the %d-character message took %d exit(s)\n",
	       (int)strlen(message), message_cost);

	make_long_text(long_text);
	c[0] = measure("1 character", "x");
	c[1] = measure("14 characters", "Hello, world!\n");
	c[2] = measure("1000 characters", long_text);

	printf("characters | exits by print() | exits by one OUT per byte\n");
	for (int i = 0; i < 3; i++) {
		printf("%10d | %16d | %25d\n", lengths[i], c[i].by_print, c[i].by_bytes);
		ok &= c[i].by_print == 1 && c[i].by_bytes == lengths[i];
	}
	ok &= message_cost == 1;
	printf("lab-b guest: %s\n", ok ? "every print() took exactly one exit"
				       : "UNEXPECTED exit counts (see the table)");
	return ok ? 0 : 1;
}

/*
 * The programs as a user runs them, from the kit's top folder: behaviours
 * no library test reaches.
 *   - lab-a lists a guest's page tables in a bounded number of lines, even
 *     tables a --guest has linked into cycles (guests/cyclic.c);
 *   - lab-b answers print() of a string aliased over 127.9 TiB at once and
 *     ends (guests/alias.c), within its --timeout;
 *   - lab-c's default scenario can run twice in a row.
 * Each program's exit status 77 (no KVM here) skips the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/util.h"

struct result {
	int status;      /* exit status, or 128 + signal */
	int lines;
	char *output;    /* stdout and stderr, NUL-terminated */
};

/* Run a shell command from the top folder; `timeout` guards against hangs. */
static struct result run(const char *command)
{
	char wrapped[4096];
	struct result r = { 0 };
	size_t cap = 1 << 16, len = 0;
	FILE *p;
	int c, status;

	snprintf(wrapped, sizeof(wrapped), "timeout 60 sh -c '%s' 2>&1", command);
	r.output = malloc(cap);
	assert_non_null(p = popen(wrapped, "r"));
	while ((c = fgetc(p)) != EOF) {
		if (len + 1 < cap)
			r.output[len++] = (char)c;
		r.lines += c == '\n';
	}
	r.output[len] = '\0';
	status = pclose(p);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (r.status == EXIT_SKIP)
		skip();
	return r;
}

static void test_lab_a_bounds_a_cyclic_listing(void **state)
{
	struct result r = run("./lab-a --guest build/guests/cyclic.bin");

	(void)state;
	assert_int_equal(r.status, 0);
	assert_true(r.lines < 300);
	assert_non_null(strstr(r.output, "more run(s), not listed"));
	assert_non_null(strstr(r.output, "link into a cycle"));
	free(r.output);
}

static void test_lab_b_bounds_an_aliased_print(void **state)
{
	struct result r = run("./lab-b --guest build/guests/alias.bin --message huge --timeout 1");

	(void)state;
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.output, "aliased pages = -7")); /* -HC_E2BIG */
	free(r.output);
}

static void test_lab_c_scenario_runs_twice(void **state)
{
	char dir[] = "/tmp/kit-programs-XXXXXX", command[1024];
	struct result r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(command, sizeof(command),
		 "top=$PWD && mkdir -p %s/labs/lab-c && cp labs/lab-c/guest.c %s/labs/lab-c/ && "
		 "cd %s && \"$top\"/lab-c >/dev/null && \"$top\"/lab-c >/dev/null && echo twice ok",
		 dir, dir, dir);
	r = run(command);
	if (r.status != 0)
		fail_msg("lab-c twice in %s: status %d: %s", dir, r.status, r.output);
	assert_non_null(strstr(r.output, "twice ok"));
	free(r.output);
	assert_int_equal(remove_tree(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_a_bounds_a_cyclic_listing),
		cmocka_unit_test(test_lab_b_bounds_an_aliased_print),
		cmocka_unit_test(test_lab_c_scenario_runs_twice),
	};

	return cmocka_run_group_tests_name("programs", tests, NULL, NULL);
}

/*
 * Every hypercall's work is bounded, and --timeout covers the time spent
 * inside handlers (common/abi/hypercall.h, "Limits"):
 *   - a guest whose page tables alias 127.9 TiB of address space onto one
 *     page of 'x' gets -HC_E2BIG from print() at once (guests/alias.c),
 *     where the host used to walk for half an hour;
 *   - a print() to a standard output nobody reads ends when the run's
 *     timeout passes, where the handler used to block forever.
 * An alarm turns a hang into a failure instead of a stuck test.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab-b/hypercalls.h"
#include "lab/boot.h"
#include "lab/lab.h"

GUEST_IMAGE(alias)

#define HANG_LIMIT 60 /* seconds: far beyond any bounded run, far below a hang */

struct run {
	struct vm vm;
	struct vcpu v;
	struct instance_layout layout;
};

static void boot_alias(struct run *r, uint64_t mem, double timeout, char *arg)
{
	struct guest_image img = guest_image_alias();
	char *argv[] = { "alias", arg, NULL };
	const char *why;

	if (vm_create_raw(&r->vm, &why) < 0)
		skip();
	r->vm.timeout = timeout;
	assert_int_equal(vm_add_memory_raw(&r->vm, mem), 0);
	assert_int_equal(vcpu_create_raw(&r->vm, &r->v, 0), 0);
	assert_int_equal(boot_instance_raw(&r->v, 0, mem, &img, 2, argv, &r->layout, &why), 0);
	lab_register_guest_ports(&r->vm);
	hc_register_print_exits(&r->vm);
}

static void free_run(struct run *r)
{
	vcpu_destroy(&r->v);
	vm_destroy(&r->vm);
}

static void on_hang(int sig)
{
	(void)sig;
	static const char msg[] = "test_bounds: a run did not end within " "60 s: a handler hangs\n";
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

static void test_aliased_string_is_bounded(void **state)
{
	struct run r;
	enum vcpu_end end;

	(void)state;
	boot_alias(&r, 2 << 20, 30, "huge");
	alarm(HANG_LIMIT);
	end = vcpu_run(&r.v);
	alarm(0);
	assert_int_equal(end, VCPU_HALTED);
	assert_int_equal(r.v.guest_status, 0); /* the guest saw -HC_E2BIG */
	free_run(&r);
}

static void test_timeout_covers_a_blocked_print(void **state)
{
	struct run r;
	enum vcpu_end end;
	int pipefd[2], saved;

	(void)state;
	boot_alias(&r, 4 << 20, 0.5, "long=1000000"); /* far more than a pipe holds */
	assert_int_equal(pipe(pipefd), 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(pipefd[1], STDOUT_FILENO); /* nobody ever reads pipefd[0] */
	alarm(HANG_LIMIT);
	end = vcpu_run(&r.v);
	alarm(0);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_int_equal(end, VCPU_TIMED_OUT);
	free_run(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aliased_string_is_bounded),
		cmocka_unit_test(test_timeout_covers_a_blocked_print),
	};

	signal(SIGALRM, on_hang);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("bounds", tests, NULL, NULL);
}

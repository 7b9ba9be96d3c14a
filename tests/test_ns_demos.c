/*
 * ns-a .. ns-d, the demonstrations of questions (a)-(d): they run, they
 * show what the answers claim, and they leave nothing behind. Run inside a
 * network and mount namespace of our own (ns-d makes a veth pair), as root
 * and again as uid 65534 through setpriv; everything skips without user
 * namespaces. uid 65534 runs copies of the programs in a folder it can
 * enter (tests/ns/for-others.c): the kit may lie where it cannot (/root).
 */
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <cmocka.h>

#include "ns/ns_idmap.h"
#include "ns/ns_show.h"
#include "ns/ns_spawn.h"
#include "ns/for-others.h"

#define TIMEOUT_MS 60000

static char bindir[PATH_MAX]; /* where ns-a .. ns-d are */
static char copies[PATH_MAX]; /* copies of them for uid 65534, when we are root */
static const char *skip_reason;
static bool real_root;

static void program(const char *name, char *path, size_t len)
{
	if ((size_t)snprintf(path, len, "%s/%s", bindir, name) >= len)
		path[0] = '\0';
}

/* Run ns-X with ARG (or none) as root or as uid 65534; output and status. */
static int run_demo(const char *name, const char *arg, bool as_nobody, char *out, size_t len)
{
	char path[PATH_MAX + 8];
	char *plain[] = { path, (char *)arg, NULL };
	char *nobody[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", path,
			   (char *)arg, NULL };

	if (as_nobody)
		snprintf(path, sizeof(path), "%s/%s", copies, name);
	else
		program(name, path, sizeof(path));
	return ns_run_capture(as_nobody ? nobody : plain, out, len, TIMEOUT_MS);
}

static void expect_text(const char *out, const char *text)
{
	if (!strstr(out, text)) {
		print_error("expected \"%s\" in:\n%s\n", text, out);
		fail();
	}
}

static int count_text(const char *out, const char *text)
{
	int n = 0;

	for (const char *p = strstr(out, text); p; p = strstr(p + 1, text))
		n++;
	return n;
}

static void expect_status(int got, int want, const char *out)
{
	if (got != want) {
		print_error("exit status %d, expected %d; output:\n%s\n", got, want, out);
		fail();
	}
}

/*
 * Stands in for every test when they cannot run here. cmocka counts a
 * skip() in a test's body as SKIPPED, but one in a setup function as an
 * error, so the decision is made before the run, not in a setup.
 */
static void skip_test(void **state)
{
	(void)state;
	print_message("skipped: %s\n", skip_reason);
	skip();
}

static void need_root(void)
{
	if (!real_root) {
		print_message("skipped: needs root (to run as uid 65534)\n");
		skip();
	}
}

static void test_help_and_usage(void **state)
{
	static const char *const names[] = { "ns-a", "ns-b", "ns-c", "ns-d" };
	char out[4096];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		expect_status(run_demo(names[i], "--help", false, out, sizeof(out)), 0, out);
		expect_text(out, "usage: ");
		expect_status(run_demo(names[i], "--bogus", false, out, sizeof(out)), 2, out);
	}
}

static void test_ns_a_hierarchy(void **state)
{
	static char out[65536];

	(void)state;
	expect_status(run_demo("ns-a", NULL, false, out, sizeof(out)), 0, out);
	expect_text(out, "8 processes for one container: 4 unshare + 4 shells");
	expect_text(out, "user, uts and net stages ran in one process: exec keeps the pid");
	expect_text(out, "2 processes: unshare must fork once");
	expect_text(out, "2 processes, and only the container's is inside");
	assert_int_equal(count_text(out, "all gone"), 3);
	expect_text(out, "it is gone");
	expect_text(out, "`-ns-a --stage pid");
	assert_int_equal(count_text(out, "STILL ALIVE"), 0);
}

static void test_ns_b_order_and_late_maps(void **state)
{
	static char out[65536];

	(void)state;
	expect_status(run_demo("ns-b", NULL, false, out, sizeof(out)), 0, out);
	expect_text(out, "unshare(CLONE_NEWIPC) first      -> EPERM");
	if (real_root) {
		expect_text(out, "uts      user     sethostname(\"isolated\")        -> EPERM");
		expect_text(out, "user     uts      sethostname(\"isolated\")        -> ok");
		expect_text(out, "net      user     ip link set lo up (rtnetlink)  -> EPERM");
		expect_text(out, "user     net      ip link set lo up (rtnetlink)  -> ok");
		expect_text(out, "pid+mnt  user     mount -t proc proc /proc       -> EPERM");
		expect_text(out, "user     pid+mnt  mount -t proc proc /proc       -> ok");
	}
	expect_text(out, "CapEff 0000000000000000  unshare(UTS|IPC) -> EPERM");
	expect_text(out, "as uid 0:         uid 0     CapEff 000001ffffffffff  unshare(UTS|IPC) -> ok");
	expect_text(out, "Writing uid_map a second time -> EPERM");
}

static void test_ns_c_lookup(void **state)
{
	static char out[65536];

	(void)state;
	expect_status(run_demo("ns-c", NULL, false, out, sizeof(out)), 0, out);
	expect_text(out, "before its unshare: net:[");
	expect_text(out, "= ours");
	expect_text(out, "(new)");
	expect_text(out, "says $$ = 1");
	expect_text(out, "in our own user namespace -> Operation not permitted");
}

static void test_ns_d_teardown(void **state)
{
	static char out[65536];

	(void)state;
	expect_status(run_demo("ns-d", NULL, false, out, sizeof(out)), 0, out);
	assert_int_equal(count_text(out, "=> nothing left behind"), 3);
	expect_text(out, "processes of the container's tree alive: 6 of 8");
	/* the one-command form: unshare ignores SIGTERM; killed, it leaves PID 1 running */
	expect_text(out, "nothing happens: unshare --fork blocks SIGINT and");
	expect_text(out, "is still running,");
	expect_text(out, "processes of the container's tree alive: 1 of 2");
	if (real_root)
		expect_text(out, "vanished by itself");
}

static void test_demos_rootless(void **state)
{
	static const char *const names[] = { "ns-a", "ns-b", "ns-c", "ns-d" };
	static char out[65536];

	(void)state;
	need_root();
	if (!copies[0]) {
		print_message("skipped: no copies of ns-a .. ns-d that uid 65534 can reach\n");
		skip();
	}
	for (size_t i = 0; i < 4; i++)
		expect_status(run_demo(names[i], NULL, true, out, sizeof(out)), 0, out);
	expect_text(out, "CAP_NET_ADMIN"); /* ns-d says why it has no veth */
}

static int enter_sandbox(void **state)
{
	enum ns_idmap_file step;
	uid_t uid = getuid();
	gid_t gid = getgid();

	(void)state;
	if (uid == 0 && unshare(CLONE_NEWNET | CLONE_NEWNS) == 0)
		real_root = true;
	else if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) < 0 ||
		 ns_map_root_to(getpid(), uid, gid, true, &step) < 0)
		skip_reason = "cannot create a network namespace to test in";
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	ns_become_subreaper();
	return 0;
}

/* build-san/tests/test_ns_demos tests build-san/ns-*; build/tests/... tests the top folder's. */
static int find_bindir(void)
{
	char probe[PATH_MAX + 8];

	if (ns_self_exe(bindir, sizeof(bindir)) < 0)
		return -1;
	*strrchr(bindir, '/') = '\0';
	*strrchr(bindir, '/') = '\0';
	if (!strstr(bindir, "build-san"))
		*strrchr(bindir, '/') = '\0';
	snprintf(probe, sizeof(probe), "%s/ns-d", bindir);
	return access(probe, X_OK);
}

/* Copies of ns-a .. ns-d in a folder uid 65534 can enter; "" if that fails. */
static void copy_for_others(void)
{
	static const char *const names[] = { "ns-a", "ns-b", "ns-c", "ns-d" };
	char src[PATH_MAX + 8], dst[PATH_MAX];

	if (for_others_begin() < 0)
		return;
	for (size_t i = 0; i < 4; i++) {
		program(names[i], src, sizeof(src));
		if (for_others_copy(src, dst, sizeof(dst)) < 0)
			return;
	}
	for_others_folder(copies, sizeof(copies));
}

int main(void)
{
	int status;
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_and_usage),
		cmocka_unit_test(test_ns_a_hierarchy),
		cmocka_unit_test(test_ns_b_order_and_late_maps),
		cmocka_unit_test(test_ns_c_lookup),
		cmocka_unit_test(test_ns_d_teardown),
		cmocka_unit_test(test_demos_rootless),
	};

	if (find_bindir() < 0)
		skip_reason = "ns-a .. ns-d not found (build them first)";
	else
		enter_sandbox(NULL);
	if (real_root)
		copy_for_others();
	if (skip_reason)
		for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
			tests[i].test_func = skip_test;
	status = cmocka_run_group_tests_name("ns demonstrations", tests, NULL, NULL);
	for_others_end();
	return status;
}

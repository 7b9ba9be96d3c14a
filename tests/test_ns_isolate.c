/*
 * isolate, end to end: the built binary is run as a student would run it.
 *
 * Every test runs inside a network (and mount) namespace this program
 * creates for itself at start-up, never in the machine's own: as root with
 * unshare(CLONE_NEWNET | CLONE_NEWNS), otherwise inside a user namespace of
 * its own as well. Tests that need real root (running isolate as another
 * user with setpriv) skip otherwise; everything skips without user namespaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ns/ns_idmap.h"
#include "ns/ns_netlink.h"
#include "ns/ns_proc.h"
#include "ns/ns_show.h"
#include "ns/ns_spawn.h"

#define TIMEOUT_MS 30000
#define NOBODY "65534"

static char isolate[PATH_MAX];    /* the binary under test */
static char ping_script[PATH_MAX]; /* tests/ns/ping-host-end.sh */
static const char *skip_reason;   /* set when nothing can run here */
static bool real_root;            /* root of the machine: setpriv works */

#define ISO(...) ((char *[]){ isolate, __VA_ARGS__, NULL })
#define AS_NOBODY(...) \
	((char *[]){ "setpriv", "--reuid=" NOBODY, "--regid=" NOBODY, "--clear-groups", isolate, \
		     __VA_ARGS__, NULL })

/* ---------------- helpers ---------------- */

static int run(char *out, size_t len, char *const argv[])
{
	return ns_run_capture(argv, out, len, TIMEOUT_MS);
}

/* Fail, showing the output, unless out has a line equal to LINE. */
static void expect_line(const char *out, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return;
	print_error("expected the line \"%s\" in:\n%s\n", line, out);
	fail();
}

static void expect_text(const char *out, const char *text)
{
	if (!strstr(out, text)) {
		print_error("expected \"%s\" in:\n%s\n", text, out);
		fail();
	}
}

static void expect_status(int got, int want, const char *out)
{
	if (got != want) {
		print_error("exit status %d, expected %d; output:\n%s\n", got, want, out);
		fail();
	}
}

/* Wait for PID (a child) at most timeout_ms; its exit code, or -ETIMEDOUT after killing it. */
static int wait_exit(pid_t pid, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 5) {
		int wstatus;

		if (waitpid(pid, &wstatus, WNOHANG) == pid)
			return ns_exit_code(wstatus);
		ns_sleep_ms(5);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -ETIMEDOUT;
}

/* Start isolate in the background and wait until PROGRAM runs as its container's init. */
static pid_t start_container(char *const argv[], const char *program, pid_t *init)
{
	pid_t pid;

	assert_int_equal(ns_spawn(argv, NULL, &pid), 0);
	*init = ns_wait_in_tree(pid, program, 10000);
	if (!*init || *init == pid) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		print_error("%s never started inside the container\n", program);
		fail();
	}
	return pid;
}

/* Interfaces named iso-* (host ends) or isz-* (retired host ends) here. */
static int count_our_links(void)
{
	struct if_nameindex *all = if_nameindex();
	int count = 0;

	for (int i = 0; all && all[i].if_index; i++)
		count += strncmp(all[i].if_name, "iso-", 4) == 0 || strncmp(all[i].if_name, "isz-", 4) == 0;
	if (all)
		if_freenameindex(all);
	return count;
}

static int count_mounts(void)
{
	char text[65536];
	int lines = 0;

	if (ns_read_text("/proc/self/mountinfo", text, sizeof(text)) < 0)
		return -1;
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	return lines;
}

/*
 * Nothing of ours left: no veth (the kernel removes a dead namespace's
 * pair asynchronously, so allow it a few seconds), no extra mount, no
 * process. We are a subreaper: a container orphaned by a killed isolate
 * comes to us, and must be dead.
 */
static void expect_nothing_left(int mounts_before)
{
	int links = -1, kids = -1;

	for (int waited = 0; waited < 5000; waited += 10) {
		kids = ns_reap_children(0);
		links = count_our_links();
		if (links == 0 && kids == 0)
			break;
		ns_sleep_ms(10);
	}
	assert_int_equal(links, 0);
	assert_int_equal(kids, 0);
	assert_int_equal(count_mounts(), mounts_before);
}

static void need_root(void)
{
	if (!real_root) {
		print_message("skipped: needs root (to run isolate as uid " NOBODY ")\n");
		skip();
	}
}

/* ---------------- the namespaces we run in ---------------- */

static void write_own_maps(uid_t uid, gid_t gid)
{
	const char *step;

	if (ns_map_root_to(getpid(), uid, gid, true, &step) < 0)
		skip_reason = "cannot map our uid in our own user namespace";
}

/*
 * /dev/net/tun is 0600 on some machines, so uid 65534's slirp4netns could
 * not open it. In our private mount namespace, put a 0666 node over it.
 */
static void make_tun_usable(void)
{
	char dir[] = "/tmp/ns-test-tun.XXXXXX", node[64];

	if (access("/dev/net/tun", F_OK) < 0 || !mkdtemp(dir))
		return;
	snprintf(node, sizeof(node), "%s/tun", dir);
	if (mount("tmpfs", dir, "tmpfs", 0, "mode=0755") == 0) {
		if (mknod(node, S_IFCHR | 0666, makedev(10, 200)) == 0 && chmod(node, 0666) == 0)
			mount(node, "/dev/net/tun", NULL, MS_BIND, NULL);
		umount2(dir, MNT_DETACH);
	}
	rmdir(dir);
}

static int enter_sandbox(void **state)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct ns_nl nl;

	(void)state;
	if (uid == 0 && unshare(CLONE_NEWNET | CLONE_NEWNS) == 0) {
		real_root = true;
	} else if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) == 0) {
		write_own_maps(uid, gid);
	} else {
		skip_reason = "cannot create a network namespace to test in";
		return 0;
	}
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (real_root)
		make_tun_usable();
	if (ns_nl_open(&nl) == 0) {
		ns_nl_link_up(&nl, 1);
		ns_nl_close(&nl);
	}
	ns_become_subreaper();
	return 0;
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

/* ---------------- uts, pid, user, ipc, mnt ---------------- */

static void test_hostname(void **state)
{
	char out[256], before[128], after[128], name[32];

	(void)state;
	snprintf(name, sizeof(name), "box-%x", (unsigned)(uint64_t)(ns_now_ms() * 1000) ^ (unsigned)getpid());
	gethostname(before, sizeof(before));
	expect_status(run(out, sizeof(out), ISO("hostname")), 0, out);
	expect_line(out, "isolated");
	expect_status(run(out, sizeof(out), ISO("--hostname", name, "hostname")), 0, out);
	expect_line(out, name);
	gethostname(after, sizeof(after));
	assert_string_equal(before, after);
}

static void test_program_is_pid_1(void **state)
{
	char out[256];

	(void)state;
	expect_status(run(out, sizeof(out), ISO("sh", "-c", "echo $$")), 0, out);
	expect_line(out, "1");
}

/* ps reads /proc: a fresh proc of the new pid namespace lists ps alone. */
static void test_proc_shows_only_the_container(void **state)
{
	char out[4096];

	(void)state;
	expect_status(run(out, sizeof(out), ISO("ps", "-e", "-o", "pid=,comm=")), 0, out);
	if (strcmp(out, "      1 ps\n") != 0) {
		print_error("ps inside saw more than itself:\n%s\n", out);
		fail();
	}
	expect_status(run(out, sizeof(out), ISO("sh", "-c", "sleep 1 & ps -e -o pid=")), 0, out);
	expect_line(out, "      1");
	expect_line(out, "      2");
}

static void test_uid_0_inside(void **state)
{
	char out[256], map[64];

	(void)state;
	expect_status(run(out, sizeof(out), ISO("id", "-u")), 0, out);
	expect_line(out, "0");
	expect_status(run(out, sizeof(out), ISO("cat", "/proc/self/uid_map")), 0, out);
	snprintf(map, sizeof(map), "%10d %10d %10d", 0, (int)geteuid(), 1);
	expect_line(out, map);
}

/* A file the container's root creates belongs, outside, to whoever ran isolate. */
static void test_uid_mapped_outside(void **state)
{
	char dir[] = "/tmp/ns-test-uid.XXXXXX", file[64], out[256];
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/made-inside", dir);
	expect_status(run(out, sizeof(out), ISO("touch", file)), 0, out);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_uid, geteuid());
	unlink(file);
	rmdir(dir);
}

static void test_ipc_is_isolated(void **state)
{
	char out[4096], key[32];
	char *ipcs[] = { "ipcs", "-q", NULL };
	int queue = msgget(0x15a7e001, IPC_CREAT | 0600);

	(void)state;
	assert_true(queue >= 0);
	snprintf(key, sizeof(key), "0x%08x", 0x15a7e001);
	expect_status(run(out, sizeof(out), ipcs), 0, out);
	expect_text(out, key); /* the control: we see our queue */
	expect_status(run(out, sizeof(out), ISO("ipcs", "-q")), 0, out);
	msgctl(queue, IPC_RMID, NULL);
	if (strstr(out, key)) {
		print_error("the container sees the host's message queue:\n%s\n", out);
		fail();
	}
}

/* ---------------- network ---------------- */

static void test_veth_ping(void **state)
{
	char out[4096];

	(void)state;
	expect_status(run(out, sizeof(out), ISO("ping", "-c", "1", "-W", "2", "10.11.12.13")), 0,
		      out);
	expect_text(out, " 0% packet loss");
	expect_status(run(out, sizeof(out), ISO("ip", "-4", "-o", "addr", "show", "dev", "peer0")),
		      0, out);
	expect_text(out, "inet 10.11.12.14/30");
	expect_status(run(out, sizeof(out), ISO("ip", "-o", "link", "show", "dev", "lo")), 0, out);
	expect_text(out, "UP");
}

static void test_veth_ping_with_ip_tool(void **state)
{
	char out[4096];

	(void)state;
	expect_status(run(out, sizeof(out),
			  ISO("--net-tool=ip", "ping", "-c", "1", "-W", "2", "10.11.12.13")), 0, out);
	expect_text(out, " 0% packet loss");
}

static void test_loopback_only(void **state)
{
	char out[4096];

	(void)state;
	expect_status(run(out, sizeof(out), ISO("--net=loopback", "ip", "-o", "link")), 0, out);
	expect_text(out, "1: lo:");
	if (strchr(out, '\n') != strrchr(out, '\n')) {
		print_error("more than lo:\n%s\n", out);
		fail();
	}
	expect_status(run(out, sizeof(out), ISO("--net=loopback", "ping", "-c", "1", "-W", "1",
						 "127.0.0.1")), 0, out);
}

static void test_slirp_as_root(void **state)
{
	char out[4096];

	(void)state;
	need_root();
	expect_status(run(out, sizeof(out), ISO("--net=slirp", "ping", "-c", "1", "-W", "2",
						 "10.0.2.2")), 0, out);
	expect_text(out, " 0% packet loss");
}

/* ---------------- exit status ---------------- */

static void test_exit_status_is_the_programs(void **state)
{
	char out[256];

	(void)state;
	expect_status(run(out, sizeof(out), ISO("sh", "-c", "exit 7")), 7, out);
	expect_status(run(out, sizeof(out), ISO("true")), 0, out);
	expect_status(run(out, sizeof(out), ISO("false")), 1, out);
}

static void test_exit_127_not_found(void **state)
{
	char out[256];

	(void)state;
	expect_status(run(out, sizeof(out), ISO("no-such-program-ns-kit")), 127, out);
	expect_text(out, "no-such-program-ns-kit: command not found");
}

static void test_exit_126_cannot_run(void **state)
{
	char out[256];

	(void)state;
	expect_status(run(out, sizeof(out), ISO("/etc/passwd")), 126, out);
	expect_text(out, "Permission denied");
	expect_status(run(out, sizeof(out), ISO("/tmp")), 126, out);
}

static void test_exit_2_usage(void **state)
{
	char out[1024];

	(void)state;
	expect_status(run(out, sizeof(out), ((char *[]){ isolate, NULL })), 2, out);
	expect_line(out, "usage: isolate [OPTIONS] PROGRAM [ARGS...]");
	expect_status(run(out, sizeof(out), ISO("--bogus", "true")), 2, out);
	expect_line(out, "usage: isolate [OPTIONS] PROGRAM [ARGS...]");
	expect_status(run(out, sizeof(out), ISO("--net=bridge", "true")), 2, out);
	expect_status(run(out, sizeof(out), ISO("--hostname")), 2, out);
	expect_status(run(out, sizeof(out), ISO("--help")), 0, out);
	expect_line(out, "usage: isolate [OPTIONS] PROGRAM [ARGS...]");
	/* options end at PROGRAM: -c belongs to sh */
	expect_status(run(out, sizeof(out), ISO("sh", "-c", "exit 3")), 3, out);
}

/* 125: isolate's own failure, here a veth asked of an ordinary user. */
static void test_exit_125_own_failure(void **state)
{
	char out[1024];

	(void)state;
	need_root();
	expect_status(run(out, sizeof(out), AS_NOBODY("--net=veth", "true")), 125, out);
	expect_text(out, "CAP_NET_ADMIN");
}

static void test_exit_128_plus_signal(void **state)
{
	pid_t init, pid = start_container(ISO("sleep", "30"), "sleep", &init);

	(void)state;
	kill(init, SIGKILL); /* from outside the container: delivered even to its init */
	assert_int_equal(wait_exit(pid, 5000), 128 + SIGKILL);
}

/* PID 1 ignores signals it has no handler for: isolate carries out the default action. */
static void test_sigterm_and_sigint_reach_the_container(void **state)
{
	pid_t init, pid;

	(void)state;
	pid = start_container(ISO("sleep", "30"), "sleep", &init);
	kill(pid, SIGTERM);
	assert_int_equal(wait_exit(pid, 5000), 128 + SIGTERM);
	pid = start_container(ISO("sleep", "30"), "sleep", &init);
	kill(pid, SIGINT);
	assert_int_equal(wait_exit(pid, 5000), 128 + SIGINT);
}

/* A program that handles the signal gets it, and decides. */
static void test_signal_reaches_a_handler(void **state)
{
	pid_t init, pid;

	(void)state;
	pid = start_container(ISO("sh", "-c", "trap 'exit 42' TERM; echo > /dev/null; "
				 "while :; do sleep 0.05; done"), "sh", &init);
	for (int i = 0; i < 200 && ns_signal_is_default(init, SIGTERM); i++)
		ns_sleep_ms(10); /* until the trap is installed */
	kill(pid, SIGTERM);
	assert_int_equal(wait_exit(pid, 5000), 42);
}

/* ---------------- nothing left, side by side ---------------- */

static void test_nothing_left_after_100_runs(void **state)
{
	int mounts = count_mounts();
	char out[256];

	(void)state;
	for (int i = 0; i < 100; i++)
		expect_status(run(out, sizeof(out), ISO("true")), 0, out);
	expect_nothing_left(mounts);
}

static void test_nothing_left_after_sigkill(void **state)
{
	int mounts = count_mounts();
	uint64_t ids[NS_TYPE_COUNT];
	pid_t init, pid;

	(void)state;
	pid = start_container(ISO("sh", "-c", "sleep 100 & exec sleep 100"), "sleep", &init);
	for (int i = 0; i < 500 && ns_count_tree(pid) < 3; i++)
		ns_sleep_ms(10); /* isolate, its init, and the background sleep */
	assert_int_equal(ns_ids_of(init, ids), 0);
	assert_int_equal(count_our_links(), 1);
	kill(pid, SIGKILL);
	assert_int_equal(wait_exit(pid, 5000), 128 + SIGKILL);
	expect_nothing_left(mounts);
	for (int t = 0; t < NS_TYPE_COUNT; t++)
		assert_int_equal(ns_count_holders((enum ns_type)t, ids[t]), 0);
}

static void test_ten_side_by_side(void **state)
{
	enum { N = 10 };
	char outputs[N][256], files[N][64];
	pid_t pids[N];
	int mounts = count_mounts(), most = 0, status[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		struct ns_spawn_opts opts = { 0 };

		snprintf(files[i], sizeof(files[i]), "/tmp/ns-test-out.%d.%d", (int)getpid(), i);
		opts.output_fd = open(files[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		assert_true(opts.output_fd > 0);
		assert_int_equal(ns_spawn(ISO(ping_script, "2"), &opts, &pids[i]), 0);
		close(opts.output_fd);
	}
	/* They hold on for 2 s after their ping: all ten pairs must exist at once. */
	for (int waited = 0; waited < 10000 && most < N; waited += 10) {
		int now = count_our_links();

		most = now > most ? now : most;
		ns_sleep_ms(10);
	}
	for (int i = 0; i < N; i++) {
		status[i] = wait_exit(pids[i], TIMEOUT_MS);
		ns_read_text(files[i], outputs[i], sizeof(outputs[i]));
		unlink(files[i]);
	}
	assert_int_equal(most, N);
	for (int i = 0; i < N; i++) {
		expect_status(status[i], 0, outputs[i]);
		expect_text(outputs[i], "10.11.");
	}
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			assert_string_not_equal(outputs[i], outputs[j]);
	expect_nothing_left(mounts);
}

/* ---------------- rootless ---------------- */

static void test_rootless_run(void **state)
{
	char dir[] = "/tmp/ns-test-rootless.XXXXXX", file[96], script[256], out[4096];
	struct stat st;

	(void)state;
	need_root();
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0777);
	snprintf(file, sizeof(file), "%s/made-inside", dir);
	snprintf(script, sizeof(script), "id -u; id -g; hostname; echo pid=$$; "
		 "cat /proc/self/uid_map /proc/self/setgroups; touch %s", file);
	expect_status(run(out, sizeof(out), AS_NOBODY("sh", "-c", script)), 0, out);
	expect_line(out, "0");
	expect_line(out, "isolated");
	expect_line(out, "pid=1");
	expect_line(out, "         0      65534          1");
	expect_line(out, "deny");
	expect_text(out, "rootless: no veth pair");
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_uid, 65534); /* uid 0 inside is uid 65534 outside */
	unlink(file);
	rmdir(dir);
	expect_status(run(out, sizeof(out), AS_NOBODY("ps", "-e", "-o", "pid=")), 0, out);
	expect_line(out, "      1");
}

/* Rootless networking: slirp4netns (our /dev/net/tun is usable, see make_tun_usable). */
static void test_rootless_network(void **state)
{
	char out[4096];

	(void)state;
	need_root();
	expect_status(run(out, sizeof(out), AS_NOBODY("ping", "-c", "1", "-W", "2", "10.0.2.2")), 0,
		      out);
	expect_text(out, "slirp4netns");
	expect_text(out, " 0% packet loss");
	expect_status(run(out, sizeof(out), AS_NOBODY("-q", "--net=loopback", "ip", "-o", "link")),
		      0, out);
	expect_text(out, "1: lo:");
}

/* ---------------- set-up ---------------- */

/* The kit's top folder: the nearest ancestor of our executable holding tests/ns. */
static int find_paths(void)
{
	char exe[PATH_MAX], top[PATH_MAX];
	const char *env = getenv("ISOLATE");

	if (ns_self_exe(exe, sizeof(exe)) < 0)
		return -1;
	strcpy(top, exe);
	for (char *slash = strrchr(top, '/'); slash; slash = strrchr(top, '/')) {
		*slash = '\0';
		snprintf(ping_script, sizeof(ping_script), "%s/tests/ns/ping-host-end.sh", top);
		if (access(ping_script, X_OK) == 0)
			break;
	}
	/* build-san/tests/test_ns_isolate tests build-san/isolate; build/tests/... tests ./isolate */
	snprintf(isolate, sizeof(isolate), "%s", exe);
	*strrchr(isolate, '/') = '\0';
	*strrchr(isolate, '/') = '\0';
	if (strstr(isolate, "build-san"))
		strcat(isolate, "/isolate");
	else
		snprintf(isolate, sizeof(isolate), "%s/isolate", top);
	if (env)
		snprintf(isolate, sizeof(isolate), "%s", env);
	return access(isolate, X_OK) == 0 && access(ping_script, X_OK) == 0 ? 0 : -1;
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_program_is_pid_1),
		cmocka_unit_test(test_proc_shows_only_the_container),
		cmocka_unit_test(test_uid_0_inside),
		cmocka_unit_test(test_uid_mapped_outside),
		cmocka_unit_test(test_ipc_is_isolated),
		cmocka_unit_test(test_veth_ping),
		cmocka_unit_test(test_veth_ping_with_ip_tool),
		cmocka_unit_test(test_loopback_only),
		cmocka_unit_test(test_slirp_as_root),
		cmocka_unit_test(test_exit_status_is_the_programs),
		cmocka_unit_test(test_exit_127_not_found),
		cmocka_unit_test(test_exit_126_cannot_run),
		cmocka_unit_test(test_exit_2_usage),
		cmocka_unit_test(test_exit_125_own_failure),
		cmocka_unit_test(test_exit_128_plus_signal),
		cmocka_unit_test(test_sigterm_and_sigint_reach_the_container),
		cmocka_unit_test(test_signal_reaches_a_handler),
		cmocka_unit_test(test_nothing_left_after_100_runs),
		cmocka_unit_test(test_nothing_left_after_sigkill),
		cmocka_unit_test(test_ten_side_by_side),
		cmocka_unit_test(test_rootless_run),
		cmocka_unit_test(test_rootless_network),
	};

	/* A PATH with folders uid 65534 cannot search makes execvp report EACCES (126),
	 * not ENOENT (127), for a missing program, as env(1) would: use a plain one. */
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	if (find_paths() < 0)
		skip_reason = "isolate or tests/ns/ping-host-end.sh not found (build isolate first)";
	else
		enter_sandbox(NULL);
	if (skip_reason)
		for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
			tests[i].test_func = skip_test;
	return cmocka_run_group_tests_name("isolate", tests, NULL, NULL);
}

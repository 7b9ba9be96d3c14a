/* The namespace helper layer on its own: address plan, maps, spawning, /proc, hints. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ns/ns_container.h"
#include "ns/ns_error.h"
#include "ns/ns_idmap.h"
#include "ns/ns_net.h"
#include "ns/ns_proc.h"
#include "ns/ns_spawn.h"
#include "ns/ns_sync.h"

static void test_lone_slot_is_the_assignments(void **state)
{
	struct ns_veth v;
	char text[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(ns_slot_order(0), NS_SLOT_LONE);
	ns_veth_plan(ns_slot_order(0), &v);
	assert_string_equal(ns_addr_text(v.host_addr, text), "10.11.12.13");
	assert_string_equal(ns_addr_text(v.peer_addr, text), "10.11.12.14");
	assert_int_equal(v.prefix, 30);
	assert_string_equal(v.host_if, "iso-12-13");
	assert_string_equal(v.peer_if, "peer0");
	ns_veth_plan(ns_slot_order(1), &v);
	assert_string_equal(ns_addr_text(v.host_addr, text), "10.11.12.17");
	assert_string_equal(v.host_if, "iso-12-17");
}

/* Every slot: names fit IFNAMSIZ and differ, addresses stay in 10.11.0.0/16 and never overlap. */
static void test_slots_never_clash(void **state)
{
	static unsigned char seen_addr[65536];
	static char names[NS_SLOT_COUNT][IF_NAMESIZE];
	struct ns_veth v;

	(void)state;
	memset(seen_addr, 0, sizeof(seen_addr));
	for (int n = 0; n < NS_SLOT_COUNT; n++) {
		uint32_t host, peer;

		ns_veth_plan(ns_slot_order(n), &v);
		host = ntohl(v.host_addr.s_addr);
		peer = ntohl(v.peer_addr.s_addr);
		assert_int_equal(host >> 16, 0x0a0b);
		assert_int_equal(peer, host + 1);
		assert_int_equal(host & 3, 1); /* .1 of its /30: not the network or broadcast address */
		assert_false(seen_addr[host & 0xffff]);
		assert_false(seen_addr[peer & 0xffff]);
		seen_addr[host & 0xffff] = seen_addr[peer & 0xffff] = 1;
		assert_true(strlen(v.host_if) < IF_NAMESIZE);
		strcpy(names[v.slot], v.host_if);
	}
	for (int a = 0; a < NS_SLOT_COUNT; a += 97) /* names are a function of the address */
		for (int b = a + 1; b < NS_SLOT_COUNT; b++)
			assert_string_not_equal(names[a], names[b]);
	ns_veth_plan(NS_SLOT_COUNT - 1, &v);
	assert_string_equal(v.host_if, "iso-255-253");
	assert_int_equal(ns_slot_order(NS_SLOT_COUNT - NS_SLOT_LONE), 0); /* wraps to slot 0 */
}

static void test_idmap_format(void **state)
{
	struct ns_idmap map = { 0, 1000, 1 };
	char buf[32], tiny[4];

	(void)state;
	assert_int_equal(ns_idmap_format(&map, buf, sizeof(buf)), 9);
	assert_string_equal(buf, "0 1000 1\n");
	assert_int_equal(ns_idmap_format(&map, tiny, sizeof(tiny)), -ENOSPC);
}

static void test_net_mode_names(void **state)
{
	enum ns_net_mode mode;

	(void)state;
	assert_int_equal(ns_net_mode_parse("veth", &mode), 0);
	assert_int_equal(mode, NS_NET_VETH);
	assert_int_equal(ns_net_mode_parse("loopback", &mode), 0);
	assert_int_equal(mode, NS_NET_LOOPBACK);
	assert_int_equal(ns_net_mode_parse("slirp", &mode), 0);
	assert_int_equal(ns_net_mode_parse("auto", &mode), 0);
	assert_int_equal(ns_net_mode_parse("bridge", &mode), -EINVAL);
	assert_int_equal(ns_net_mode_parse("", &mode), -EINVAL);
	assert_string_equal(ns_net_mode_name(NS_NET_SLIRP), "slirp");
}

static void test_hints_say_what_to_do(void **state)
{
	(void)state;
	assert_non_null(strstr(ns_hint(NS_OP_VETH, EPERM), "CAP_NET_ADMIN"));
	assert_non_null(strstr(ns_hint(NS_OP_CLONE, ENOSPC), "max_user_namespaces"));
	assert_non_null(strstr(ns_hint(NS_OP_CLONE, EPERM), "unprivileged_userns_clone"));
	assert_non_null(strstr(ns_hint(NS_OP_IDMAP, EPERM), "setgroups"));
	assert_non_null(strstr(ns_hint(NS_OP_SLIRP, EACCES), "/dev/net/tun"));
	assert_string_equal(ns_hint(NS_OP_OTHER, EPERM), "");
}

static void test_exit_codes_like_a_shell(void **state)
{
	(void)state;
	assert_int_equal(ns_exit_code(3 << 8), 3);           /* exited with 3 */
	assert_int_equal(ns_exit_code(SIGKILL), 128 + 9);    /* killed by SIGKILL */
	assert_int_equal(ns_exit_code(SIGTERM), 128 + 15);
}

static void test_find_program(void **state)
{
	char path[256];

	(void)state;
	assert_int_equal(ns_find_program("sh", path, sizeof(path)), 0);
	assert_int_equal(access(path, X_OK), 0);
	assert_int_equal(ns_find_program("no-such-program-ns-kit", path, sizeof(path)), -ENOENT);
	assert_int_equal(ns_find_program("/bin/sh", path, sizeof(path)), 0);
	assert_string_equal(path, "/bin/sh");
	/* ip lives in /usr/sbin, which an ordinary user's PATH often lacks */
	assert_int_equal(ns_find_program("ip", path, sizeof(path)), 0);
}

static void test_run_capture(void **state)
{
	char *echo[] = { "echo", "hello", NULL };
	char *fail[] = { "sh", "-c", "echo oops >&2; exit 3", NULL };
	char *slow[] = { "sleep", "5", NULL };
	char *missing[] = { "no-such-program-ns-kit", NULL };
	char out[64];
	double t0;

	(void)state;
	assert_int_equal(ns_run_capture(echo, out, sizeof(out), 5000), 0);
	assert_string_equal(out, "hello\n");
	assert_int_equal(ns_run_capture(fail, out, sizeof(out), 5000), 3);
	assert_string_equal(out, "oops\n");
	t0 = ns_now_ms();
	assert_int_equal(ns_run_capture(slow, out, sizeof(out), 100), -ETIMEDOUT);
	assert_true(ns_now_ms() - t0 < 2000);
	assert_int_equal(ns_run_capture(missing, out, sizeof(out), 100), -ENOENT);
}

static void test_pipe_sees_writer_death(void **state)
{
	struct ns_pipe p;
	int value = 42, got = 0;

	(void)state;
	assert_int_equal(ns_pipe_open(&p), 0);
	assert_int_equal(ns_pipe_send(p.write_fd, &value, sizeof(value)), 0);
	assert_int_equal(ns_pipe_recv(p.read_fd, &got, sizeof(got)), 0);
	assert_int_equal(got, 42);
	ns_close_fd(&p.write_fd);
	assert_int_equal(ns_pipe_recv(p.read_fd, &got, sizeof(got)), -EPIPE);
	ns_pipe_close(&p);
	assert_int_equal(p.read_fd, -1);
}

static void test_proc_reading(void **state)
{
	uint64_t id;
	struct stat st;
	char comm[32], name[32];

	(void)state;
	assert_int_equal(ns_id_of(getpid(), NS_NET, &id), 0);
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	assert_int_equal(id, st.st_ino);
	assert_int_equal(ns_comm_of(getpid(), comm, sizeof(comm)), 0);
	assert_int_equal(ns_set_comm("ns-unit-probe"), 0);
	assert_int_equal(ns_comm_of(getpid(), name, sizeof(name)), 0);
	assert_string_equal(name, "ns-unit-probe");
	assert_int_equal(ns_set_comm(comm), 0);
	assert_int_equal(ns_status_field(getpid(), "Name", name, sizeof(name)), 0);
	assert_string_equal(name, comm);
	assert_int_equal(ns_status_field(getpid(), "NoSuchField", name, sizeof(name)), -ENOENT);
	assert_int_equal(ns_parent_of(getpid()), getppid());
	assert_string_equal(ns_type_name(NS_MNT), "mnt");
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void test_signal_disposition(void **state)
{
	(void)state;
	signal(SIGUSR1, SIG_DFL);
	assert_true(ns_signal_is_default(getpid(), SIGUSR1));
	signal(SIGUSR1, on_usr1);
	assert_false(ns_signal_is_default(getpid(), SIGUSR1));
	signal(SIGUSR1, SIG_IGN);
	assert_false(ns_signal_is_default(getpid(), SIGUSR1));
	signal(SIGUSR1, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lone_slot_is_the_assignments),
		cmocka_unit_test(test_slots_never_clash),
		cmocka_unit_test(test_idmap_format),
		cmocka_unit_test(test_net_mode_names),
		cmocka_unit_test(test_hints_say_what_to_do),
		cmocka_unit_test(test_exit_codes_like_a_shell),
		cmocka_unit_test(test_find_program),
		cmocka_unit_test(test_run_capture),
		cmocka_unit_test(test_pipe_sees_writer_death),
		cmocka_unit_test(test_proc_reading),
		cmocka_unit_test(test_signal_disposition),
	};

	return cmocka_run_group_tests_name("namespace helpers", tests, NULL, NULL);
}

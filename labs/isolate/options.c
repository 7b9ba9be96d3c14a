/* isolate's command line: --help, the options, and the checks of their values. */
#include "isolate.h"
#include "util/util.h"

#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "usage: isolate [OPTIONS] PROGRAM [ARGS...]"

static void help(void)
{
	printf(USAGE "\n"
	       "Run PROGRAM (found on PATH) as PID 1 and as uid 0 of new user, uts, ipc,\n"
	       "network, pid, mount and cgroup namespaces. The root filesystem is shared;\n"
	       "/proc is a fresh one for the new pid namespace and /sys a fresh one for the\n"
	       "new network namespace; /sys, /proc/sys and /proc/sysrq-trigger are read-only.\n"
	       "\n"
	       "Options:\n"
	       "  --hostname NAME   hostname inside (default: isolated): letters, digits and\n"
	       "                    '-' in dot-separated labels (RFC 1123), at most %d bytes\n"
	       "  --net MODE        auto (default), veth, slirp or loopback:\n"
	       "                      veth      a veth pair to the host; needs root (CAP_NET_ADMIN\n"
	       "                                in the host network namespace)\n"
	       "                      slirp     user-mode networking with slirp4netns: container\n"
	       "                                10.0.2.100, host 10.0.2.2; needs no privilege\n"
	       "                      loopback  only lo\n"
	       "                      auto      veth as root, else slirp if usable, else loopback\n"
	       "  --net-tool TOOL   netlink (default): configure links over rtnetlink;\n"
	       "                    ip: run ip(8) for each step, as the assignment does\n"
	       "  --map-root-to-host-root\n"
	       "                    as root: make the container's root the host's root (unsafe:\n"
	       "                    it can then read /etc/shadow and change host-wide settings)\n"
	       "  -q, --quiet       no notes about what rootless mode cannot do\n"
	       "  -v, --verbose     describe namespaces, ids and addresses on stderr\n"
	       "  -h, --help        this text\n"
	       "\n"
	       "Addresses: a lone container gets veth iso-12-13 10.11.12.13/30 on the host and\n"
	       "peer0 10.11.12.14/30 inside. Containers running side by side take the next\n"
	       "/30 of 10.11.0.0/16 (10.11.12.17/.18 on iso-12-17, ...): the host end is\n"
	       "named after its address, and creating it claims the slot atomically.\n"
	       "\n"
	       "Privileges: uid 0 and gid 0 inside are never the host's root by default.\n"
	       "Run by root, isolate makes the veth pair and maps the container's root to\n"
	       "  - the user who ran sudo ($SUDO_UID, $SUDO_GID), one id; else\n"
	       "  - root's range in /etc/subuid and /etc/subgid (\"root:START:COUNT\"); else\n"
	       "  - nobody, 65534:65534, one id.\n"
	       "Run by another user, uid 0 and gid 0 inside map to that user's own uid and gid\n"
	       "only, setgroups(2) is denied, and there is no veth (see --net). The same map\n"
	       "is made for root of a user namespace other than the host's (unshare -r).\n"
	       "\n"
	       "Exit status: PROGRAM's; 128+N if it died of signal N; 125 if isolate itself\n"
	       "failed; 126 if PROGRAM cannot run (not executable, or its #! interpreter is\n"
	       "missing: \"bad interpreter\"); 127 if it was not found; 2 on a usage error.\n"
	       "SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to PROGRAM. PID 1 ignores\n"
	       "signals it has no handler for, so for those isolate carries out the default\n"
	       "action itself: it kills the container and exits 128+N.\n", HOST_NAME_MAX);
}

/* ARG for a one-line message: at most 40 bytes, anything unprintable (a newline) as \xNN. */
static const char *shown(const char *arg, char *buf, size_t len)
{
	size_t used = 0;

	for (const unsigned char *p = (const unsigned char *)arg; *p && used + 8 < len; p++) {
		if (p - (const unsigned char *)arg >= 40) {
			used += (size_t)snprintf(buf + used, len - used, "...");
			break;
		}
		used += (size_t)snprintf(buf + used, len - used, isprint(*p) ? "%c" : "\\x%02x", *p);
	}
	buf[used] = '\0';
	return buf;
}

static void usage_fail(const char *message)
{
	fprintf(stderr, "isolate: %s\n" USAGE "\nTry 'isolate --help'.\n", message);
	exit(EXIT_USAGE);
}

/* FMT has one %s, for ARG as the user typed it (shown safely). */
static void usage_error(const char *fmt, const char *arg)
{
	char safe[200], message[400];

	snprintf(message, sizeof(message), fmt, shown(arg, safe, sizeof(safe)));
	usage_fail(message);
}

/* One dot-separated label: 1-63 letters, digits and '-', no '-' at either end (RFC 1123). */
static const char *label_error(const char *label, size_t len)
{
	if (len == 0)
		return "a label (between dots) is empty";
	if (len > 63)
		return "a label (between dots) is longer than 63 bytes";
	if (label[0] == '-' || label[len - 1] == '-')
		return "a label starts or ends with '-'";
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)label[i]) && label[i] != '-')
			return "only letters, digits, '-' and '.' are allowed";
	return NULL;
}

const char *hostname_error(const char *name, char *why, size_t len)
{
	size_t bytes = strlen(name);

	if (bytes > HOST_NAME_MAX) {
		snprintf(why, len, "%zu bytes; a hostname is at most %d bytes", bytes, HOST_NAME_MAX);
		return why;
	}
	for (const char *label = name;; label += strcspn(label, ".") + 1) {
		const char *problem = label_error(label, strcspn(label, "."));

		if (problem) {
			snprintf(why, len, "%s", problem);
			return why;
		}
		if (!label[strcspn(label, ".")])
			return NULL;
	}
}

static const char *const mode_names[] = {
	[NET_AUTO] = "auto", [NET_VETH] = "veth", [NET_SLIRP] = "slirp", [NET_LOOPBACK] = "loopback",
};

int net_mode_parse(const char *text, enum net_mode *mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (strcmp(text, mode_names[i]) == 0) {
			*mode = (enum net_mode)i;
			return 0;
		}
	}
	return -1;
}

const char *net_mode_name(enum net_mode mode)
{
	return (size_t)mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

static void set_hostname(struct isolate_config *cfg, const char *name)
{
	char why[96], safe[200], message[400];

	if (!hostname_error(name, why, sizeof(why))) {
		cfg->hostname = name;
		return;
	}
	snprintf(message, sizeof(message), "--hostname: '%s' is not a valid hostname: %s",
		 shown(name, safe, sizeof(safe)), why);
	usage_fail(message);
}

void parse_args(int argc, char **argv, struct isolate_config *cfg)
{
	enum { OPT_HOSTNAME = 256, OPT_NET, OPT_NET_TOOL, OPT_HOST_ROOT };
	static const struct option longopts[] = {
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "net", required_argument, NULL, OPT_NET },
		{ "net-tool", required_argument, NULL, OPT_NET_TOOL },
		{ "map-root-to-host-root", no_argument, NULL, OPT_HOST_ROOT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt;

	opterr = 0;
	/* '+': options end at PROGRAM, so "isolate ls -l" passes -l to ls. */
	while ((opt = getopt_long(argc, argv, "+qvh", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_HOSTNAME:
			set_hostname(cfg, optarg);
			break;
		case OPT_NET:
			if (net_mode_parse(optarg, &cfg->net) < 0)
				usage_error("--net: '%s' is not auto, veth, slirp or loopback", optarg);
			break;
		case OPT_NET_TOOL:
			if (strcmp(optarg, "netlink") == 0)
				cfg->tool = NS_TOOL_NETLINK;
			else if (strcmp(optarg, "ip") == 0)
				cfg->tool = NS_TOOL_IP;
			else
				usage_error("--net-tool: '%s' is not netlink or ip", optarg);
			break;
		case OPT_HOST_ROOT:
			cfg->map_root_to_host_root = true;
			break;
		case 'q':
			cfg->quiet = true;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case 'h':
			help();
			exit(EXIT_OK);
		default:
			usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_fail("no PROGRAM given");
	cfg->argv = argv + optind;
}

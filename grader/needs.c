#include "needs.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/kvm.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/device.h"

#define KVM_DEVICE_DEFAULT "/dev/kvm"
#define KVM_DEVICE_ENV "KIT_KVM_DEVICE" /* the kit's programs open this instead, when set */

static void set_probe(struct need_probe *p, bool met, const char *text)
{
	p->probed = true;
	p->met = met;
	snprintf(p->text, sizeof(p->text), "%s", text);
}

void describe_mode(struct buf *out, const struct stat *st)
{
	char text[160];

	buf_printf(out, "%s", device_mode_text(st, text, sizeof(text)));
}

/* Denied: say who may open it, and what will work for this user (common/util/device.c). */
static void permission_advice(struct buf *out, const char *dev, const struct stat *st)
{
	char advice[512];

	buf_printf(out, "%s", device_access_advice(dev, st, advice, sizeof(advice)));
}

void kvm_access_advice(struct buf *out, const char *dev, int err, const struct stat *st)
{
	if (err == ENOENT || !st)
		buf_printf(out, "%s does not exist: there is no KVM here. As root, load it (modprobe kvm_intel, "
			   "or kvm_amd) with virtualization enabled in the firmware; inside a VM, the host "
			   "must offer nested virtualization; inside a container (Docker, a hosted autograder), "
			   "the host must pass the device in (docker run --device /dev/kvm)", dev);
	else if (err == EACCES || err == EPERM)
		permission_advice(out, dev, st);
	else if (err == ENXIO || err == ENODEV)
		buf_printf(out, "%s exists, but no KVM driver answers (%s): load kvm_intel or kvm_amd, "
			   "with virtualization enabled in the firmware", dev, strerror(err));
	else
		buf_printf(out, "%s cannot be opened: %s", dev, strerror(err));
}

static void probe_kvm(struct need_probe *p)
{
	const char *env = getenv(KVM_DEVICE_ENV);
	const char *dev = env && *env ? env : KVM_DEVICE_DEFAULT;
	int fd = open(dev, O_RDWR | O_CLOEXEC);
	struct buf text = { 0 };
	int version, vm;

	if (fd < 0) {
		int err = errno;
		struct stat st;

		kvm_access_advice(&text, dev, err, stat(dev, &st) == 0 ? &st : NULL);
		set_probe(p, false, buf_str(&text));
		buf_free(&text);
		return;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	vm = version == KVM_API_VERSION ? ioctl(fd, KVM_CREATE_VM, 0) : -1;
	if (version != KVM_API_VERSION)
		buf_printf(&text, "%s opens, but is not KVM (KVM_GET_API_VERSION answers %d, not %d)", dev,
			   version, KVM_API_VERSION);
	else if (vm < 0)
		buf_printf(&text, "%s opens, but KVM_CREATE_VM fails (%s): virtualization is off in the "
			   "firmware, or another hypervisor holds it", dev, strerror(errno));
	else
		buf_printf(&text, "%s opens and makes a VM", dev);
	set_probe(p, vm >= 0, buf_str(&text));
	if (vm >= 0)
		close(vm);
	close(fd);
	buf_free(&text);
}

/* Is capability cap (CAP_SYS_ADMIN is 21, CAP_NET_ADMIN 12) in this process's effective set? */
static bool effective_capability(int cap)
{
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long caps = 0;
	char line[256];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &caps) == 1;
	if (f)
		fclose(f);
	return found && (caps >> cap & 1);
}

/* In a child: unshare(CLONE_NEWNET | CLONE_NEWNS), as `unshare --net --mount` does. 0 or errno. */
static int netns_in_child(void)
{
	int fds[2], err = ECHILD, status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return errno;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int e = unshare(CLONE_NEWNET | CLONE_NEWNS) < 0 ? errno : 0;

		_exit(write(fds[1], &e, sizeof(e)) == sizeof(e) ? 0 : 2);
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &err, sizeof(err)) != sizeof(err))
		err = ECHILD;
	close(fds[0]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return pid < 0 ? errno : err;
}

/*
 * Root that can do what the namespace checks do as root: make a network namespace (and veth
 * pairs). A container's root often cannot: Docker drops CAP_SYS_ADMIN and CAP_NET_ADMIN and
 * its seccomp profile refuses unshare() without them; Gradescope grades in such containers.
 */
static void probe_root(struct need_probe *p)
{
	char me[64], text[600];
	bool sys_admin = effective_capability(21), net_admin = effective_capability(12);
	int err;

	user_name(me, sizeof(me), geteuid());
	if (geteuid() != 0) {
		snprintf(text, sizeof(text), "the grader runs as %s, not root: run it as root (sudo make grade)", me);
		set_probe(p, false, text);
		return;
	}
	err = netns_in_child();
	if (err == 0 && sys_admin && net_admin) {
		set_probe(p, true, "the grader runs as root, and root can make network namespaces");
		return;
	}
	snprintf(text, sizeof(text), "the grader runs as root, but root here %s%s%s%s: a container that drops "
		 "them (Docker's default; hosted autograders such as Gradescope's grade in containers) cannot run "
		 "these checks; run the grader on a machine or VM (e.g. a GitHub-hosted runner), or in a container "
		 "started with --privileged",
		 err ? "cannot make a network namespace (unshare(CLONE_NEWNET): " : "",
		 err ? strerror(err) : "", err ? ")" : "",
		 !sys_admin || !net_admin ? (!sys_admin && !net_admin ? ", lacks CAP_SYS_ADMIN and CAP_NET_ADMIN"
					     : !sys_admin ? ", lacks CAP_SYS_ADMIN" : ", lacks CAP_NET_ADMIN")
					  : "");
	set_probe(p, false, text);
}

/* --- user namespaces, probed in a child ------------------------------------------ */

enum userns_step { STEP_DROP = 1, STEP_UNSHARE, STEP_MAPS, STEP_MOUNT };

struct child_report {
	int step; /* 0: everything worked */
	int err;
};

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Become uid/gid, as setpriv would (an exec makes a process dumpable again: so do we, or
 * /proc/self would stay root's and its uid_map could not be written). */
static int drop_to(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return -1;
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

/* In the child: a user namespace with a mount namespace, maps, and a tmpfs mounted inside. */
static struct child_report try_userns(bool drop)
{
	uid_t uid;
	gid_t gid;
	char map[64];

	if (drop && drop_to(UNPRIVILEGED_UID, UNPRIVILEGED_GID) < 0)
		return (struct child_report){ STEP_DROP, errno };
	uid = getuid();
	gid = getgid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return (struct child_report){ STEP_UNSHARE, errno };
	snprintf(map, sizeof(map), "0 %d 1", (int)uid);
	if (write_text("/proc/self/setgroups", "deny") < 0 || write_text("/proc/self/uid_map", map) < 0)
		return (struct child_report){ STEP_MAPS, errno };
	snprintf(map, sizeof(map), "0 %d 1", (int)gid);
	if (write_text("/proc/self/gid_map", map) < 0)
		return (struct child_report){ STEP_MAPS, errno };
	/* Private first: nothing mounted here may reach the grader's own mount namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("none", "/tmp", "tmpfs", 0, "size=16k") < 0)
		return (struct child_report){ STEP_MOUNT, errno };
	return (struct child_report){ 0, 0 };
}

static struct child_report userns_in_child(bool drop)
{
	struct child_report report = { STEP_UNSHARE, ECHILD };
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return (struct child_report){ STEP_UNSHARE, errno };
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct child_report r = try_userns(drop);

		if (write(fds[1], &r, sizeof(r)) < 0)
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &report, sizeof(report)) != sizeof(report))
		report = (struct child_report){ STEP_UNSHARE, ECHILD };
	close(fds[0]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return report;
}

static long read_sysctl(const char *path)
{
	FILE *f = fopen(path, "r");
	long value = -1;

	if (f) {
		if (fscanf(f, "%ld", &value) != 1)
			value = -1;
		fclose(f);
	}
	return value;
}

/* The setting that most likely forbids them, as a hint. */
static const char *userns_hint(bool unprivileged)
{
	if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0)
		return "user.max_user_namespaces is 0 (as root: sysctl -w user.max_user_namespaces=10000)";
	if (unprivileged && read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
		return "kernel.unprivileged_userns_clone is 0 (as root: sysctl -w kernel.unprivileged_userns_clone=1)";
	if (unprivileged && read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
		return "AppArmor restricts them (kernel.apparmor_restrict_unprivileged_userns=1)";
	return "a container's or a security module's policy forbids them";
}

static void userns_text(struct buf *out, const struct child_report *r, bool unprivileged)
{
	static const char *const steps[] = {
		[STEP_DROP] = "switching to uid 65534", [STEP_UNSHARE] = "unshare(CLONE_NEWUSER | CLONE_NEWNS)",
		[STEP_MAPS] = "writing uid_map and gid_map", [STEP_MOUNT] = "mounting a tmpfs inside",
	};

	buf_printf(out, "user namespaces do not work here%s: %s failed: %s; %s",
		   unprivileged ? " for uid 65534" : "", steps[r->step], strerror(r->err),
		   userns_hint(unprivileged || geteuid() != 0));
}

static void probe_userns(struct need_probe *p)
{
	struct child_report r = userns_in_child(false);
	struct buf text = { 0 };

	if (r.step == 0)
		buf_puts(&text, "user namespaces work (with a tmpfs mounted inside)");
	else
		userns_text(&text, &r, false);
	set_probe(p, r.step == 0, buf_str(&text));
	buf_free(&text);
}

static void probe_unprivileged(struct need_probe *p)
{
	struct child_report r;
	struct buf text = { 0 };

	if (geteuid() != 0) {
		set_probe(p, false, "only root can run a program as uid 65534 (nobody), which this check does: "
			  "run the grader as root (sudo make grade)");
		return;
	}
	r = userns_in_child(true);
	if (r.step == 0)
		buf_puts(&text, "root can run programs as uid 65534, and user namespaces work for it");
	else
		userns_text(&text, &r, true);
	set_probe(p, r.step == 0, buf_str(&text));
	buf_free(&text);
}

/* --- the machine ------------------------------------------------------------------ */

const struct need_probe *machine_need(struct machine *m, enum need need)
{
	static struct need_probe none = { .probed = true, .met = true };

	switch (need) {
	case NEED_KVM:
		if (!m->kvm.probed)
			probe_kvm(&m->kvm);
		return &m->kvm;
	case NEED_ROOT:
		if (!m->root.probed)
			probe_root(&m->root);
		return &m->root;
	case NEED_USERNS:
		if (!m->userns.probed)
			probe_userns(&m->userns);
		return &m->userns;
	case NEED_UNPRIVILEGED_USER:
		if (!m->unprivileged.probed)
			probe_unprivileged(&m->unprivileged);
		return &m->unprivileged;
	default:
		return &none; /* not probed by the grader (network) */
	}
}

void machine_probe(struct machine *m, unsigned needs)
{
	for (unsigned bit = 1; bit <= NEEDS_PROBED; bit <<= 1)
		if (needs & bit & NEEDS_PROBED)
			machine_need(m, (enum need)bit);
}

bool machine_opted_in(const struct machine *m, const char *name)
{
	for (const char *const *o = m->optins; o && *o; o++)
		if (strcmp(*o, name) == 0)
			return true;
	return false;
}

/* --- can another user reach a path? ----------------------------------------------- */

char *unreachable_folder(const char *path, uid_t uid, gid_t gid, bool *probe_failed)
{
	char blocked[4096] = "";
	int fds[2], status;
	pid_t pid;
	ssize_t n;

	*probe_failed = false;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		*probe_failed = true;
		return NULL;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char prefix[4096];
		size_t len = strlen(path);

		if (drop_to(uid, gid) < 0 || len >= sizeof(prefix))
			_exit(3);
		/* Every folder from the root down, then path itself. */
		for (size_t i = 1; i <= len; i++) {
			if (i < len && path[i] != '/')
				continue;
			memcpy(prefix, path, i);
			prefix[i] = '\0';
			if (access(prefix, X_OK) < 0) {
				if (write(fds[1], prefix, i) < 0)
					_exit(2);
				break;
			}
		}
		_exit(0);
	}
	close(fds[1]);
	n = pid > 0 ? read(fds[0], blocked, sizeof(blocked) - 1) : -1;
	close(fds[0]);
	status = 0;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*probe_failed = true;
		return NULL;
	}
	if (n <= 0)
		return NULL;
	blocked[n] = '\0';
	return xstrdup(blocked);
}

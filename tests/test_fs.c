/*
 * Part (c): the filesystem hypercalls.
 *
 *   sandbox   every escape attempt (absolute paths, ".." chains, symlinks out,
 *             loops, /proc magic links, long names) against BOTH resolvers,
 *             openat2 and the kit's own walk, which must give the same answers.
 *   hc        the host handlers driven directly over a guest memory image with
 *             real page tables (no KVM): decoding of blocks, descriptors, flags,
 *             pointers and lengths, the table limit, short writes and EFBIG,
 *             consoles, and thousands of random calls (run under ASan too).
 *   guest     the built-in lab-c guest on KVM: cp of 0 bytes .. 64 MiB compared
 *             by checksum, one exit per call, refusals, cat, the scenario, and
 *             the hostile guest firing at the filesystem ports.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab/boot.h"
#include "lab-b/hypercalls.h"
#include "lab/lab.h"
#include "lab-c/files.h"
#include "lab/layout.h"
#include "lab-c/sandbox.h"
#include "util/util.h"

#include "test_files.h"

GUEST_IMAGE_FILE(lab_c, "lab-c")
GUEST_IMAGE(hostile)

/* --- files on the host ------------------------------------------------------ */

/*
 * make_tree's folders (tests/test_files.h), and in BASE/root inside.txt,
 * sub/ and links of every kind: escapes, loops, dangling, /proc magic.
 */
static void make_link_tree(struct tree *t)
{
	char *target;

	make_tree(t);
	put_file(t->root, "inside.txt", "inside", 6);
	target = join(t->root, "sub");
	assert_int_equal(mkdir(target, 0755), 0);
	free(target);
	put_link(t->root, "up", "../outside/secret.txt");
	target = join(t->outside, "secret.txt");
	put_link(t->root, "abs", target);
	free(target);
	target = join(t->outside, "new-abs");
	put_link(t->root, "abs_create", target);
	free(target);
	put_link(t->root, "updir", "..");
	put_link(t->root, "uptwo", "../..");
	put_link(t->root, "escape_create", "../outside/new-rel");
	put_link(t->root, "inside_create", "made-inside.txt");
	put_link(t->root, "absin", "/inside.txt");
	put_link(t->root, "rel_in", "sub/../inside.txt");
	put_link(t->root, "loop1", "loop2");
	put_link(t->root, "loop2", "loop1");
	put_link(t->root, "self", "self");
	put_link(t->root, "dangling", "nowhere");
	put_link(t->root, "pself", "/proc/self/root");
	put_link(t->root, "fdlink", "/proc/self/fd/0");
}

/* --- sandbox: both resolvers ------------------------------------------------- */

static const enum sandbox_resolver use_openat2 = SANDBOX_OPENAT2;
static const enum sandbox_resolver use_walk = SANDBOX_WALK;

struct sandbox_fixture {
	struct tree t;
	struct sandbox s;
	enum sandbox_resolver resolver;
};

static bool openat2_available(void)
{
	struct sandbox s;
	const char *why;
	bool yes;

	unsetenv(SANDBOX_ENV);
	if (sandbox_open_root(&s, "/", &why) < 0)
		return false;
	yes = s.resolver == SANDBOX_OPENAT2;
	sandbox_close(&s);
	return yes;
}

static int sandbox_setup(void **state)
{
	struct sandbox_fixture *x = calloc(1, sizeof(*x));
	const char *why;

	x->resolver = *(const enum sandbox_resolver *)*state;
	make_link_tree(&x->t);
	assert_int_equal(sandbox_open_root(&x->s, x->t.root, &why), 0);
	x->s.resolver = x->resolver;
	*state = x;
	return 0;
}

static int sandbox_teardown(void **state)
{
	struct sandbox_fixture *x = *state;

	sandbox_close(&x->s);
	free_tree(&x->t);
	free(x);
	return 0;
}

static void skip_without_openat2(const struct sandbox_fixture *x)
{
	if (x->resolver == SANDBOX_OPENAT2 && !openat2_available())
		skip();
}

/* Open path read-only inside the sandbox; its first bytes in out. fd or -errno. */
static int sandbox_read(const struct sandbox *s, const char *path, char *out, size_t size)
{
	int fd = sandbox_open(s, path, O_RDONLY | O_NONBLOCK, 0);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = read(fd, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	return 0;
}

static void test_inside_paths_resolve(void **state)
{
	struct sandbox_fixture *x = *state;
	static const char *const paths[] = {
		"inside.txt", "/inside.txt", "./inside.txt", "//inside.txt", "sub/../inside.txt",
		"../inside.txt", "../../../../../../inside.txt", "/../../inside.txt",
		"sub/./../sub/../inside.txt", "absin", "rel_in", "updir/inside.txt",
		"uptwo/inside.txt", "updir/updir/absin",
	};
	char got[64];

	skip_without_openat2(x);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		int r = sandbox_read(&x->s, paths[i], got, sizeof(got));

		if (r != 0 || strcmp(got, "inside"))
			fail_msg("%s: '%s' gave %d '%s', expected the file inside the root",
				 sandbox_resolver_name(x->resolver), paths[i], r, got);
	}
}

struct refusal {
	const char *path;
	int err;
};

static void expect_refusals(const struct sandbox_fixture *x, const struct refusal *r, size_t n,
			    int flags)
{
	for (size_t i = 0; i < n; i++) {
		int fd = sandbox_open(&x->s, r[i].path, flags, 0644);

		if (fd >= 0)
			close(fd);
		if (fd != -r[i].err)
			fail_msg("%s: '%s' gave %d (%s), expected -%s", sandbox_resolver_name(x->resolver),
				 r[i].path, fd, fd < 0 ? strerror(-fd) : "opened", strerror(r[i].err));
	}
}

static void test_escapes_refused(void **state)
{
	struct sandbox_fixture *x = *state;
	char *absolute = join(x->t.outside, "secret.txt");
	char long_name[300];
	char *deep_out;
	const struct refusal refusals[] = {
		{ "../outside/secret.txt", ENOENT },
		{ "../../../../../../../../outside/secret.txt", ENOENT },
		{ absolute, ENOENT },
		{ absolute + 1, ENOENT },
		{ "up", ENOENT },
		{ "abs", ENOENT },
		{ "updir/../outside/secret.txt", ENOENT },
		{ "uptwo/outside/secret.txt", ENOENT },
		{ "pself", ENOENT },
		{ "fdlink", ENOENT },
		{ "loop1", ELOOP },
		{ "loop1/x", ELOOP },
		{ "self", ELOOP },
		{ "dangling", ENOENT },
		{ "inside.txt/", ENOTDIR },
		{ "inside.txt/x", ENOTDIR },
		{ long_name, ENAMETOOLONG },
		{ "", ENOENT },
	};

	skip_without_openat2(x);
	memset(long_name, 'n', 256);
	long_name[256] = '\0';
	expect_refusals(x, refusals, ARRAY_SIZE(refusals), O_RDONLY | O_NONBLOCK);
	assert_true(asprintf(&deep_out, "pself%s", absolute) > 0);
	expect_refusals(x, &(struct refusal){ deep_out, ENOENT }, 1, O_RDONLY);
	free(deep_out);
	free(absolute);
}

static void test_create_cannot_escape(void **state)
{
	struct sandbox_fixture *x = *state;
	char *absolute = join(x->t.outside, "new-abs2");
	const struct refusal refusals[] = {
		{ "../outside/new-rel2", ENOENT },
		{ absolute, ENOENT },
		{ "escape_create", ENOENT },
		{ "abs_create", ENOENT },
		{ "updir/../outside/new3", ENOENT },
		{ "pself/tmp/new4", ENOENT },
	};
	int fd;

	skip_without_openat2(x);
	expect_refusals(x, refusals, ARRAY_SIZE(refusals), O_WRONLY | O_CREAT);
	assert_int_equal(entries_in(x->t.outside), 1); /* only secret.txt */
	assert_int_equal(entries_in(x->t.base), 2);
	/* A dangling link whose target is inside: created inside. */
	fd = sandbox_open(&x->s, "inside_create", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(file_size(x->t.root, "made-inside.txt"), 0);
	/* O_CREAT|O_EXCL never follows a symlink, as open(2). */
	expect_refusals(x, &(struct refusal){ "inside_create", EEXIST }, 1,
			O_WRONLY | O_CREAT | O_EXCL);
	free(absolute);
}

/* The kernel follows at most 40 symlinks in a path; the walk keeps the same limit. */
static void test_symlink_chain_limit(void **state)
{
	struct sandbox_fixture *x = *state;
	char name[32], target[32], got[64];

	skip_without_openat2(x);
	for (int i = 0; i <= SANDBOX_MAX_LINKS; i++) {
		snprintf(name, sizeof(name), "chain%d", i);
		snprintf(target, sizeof(target), i == SANDBOX_MAX_LINKS ? "inside.txt" : "chain%d",
			 i + 1);
		put_link(x->t.root, name, target);
	}
	/* chain1 .. chain40: 40 links, allowed; chain0: 41, ELOOP. */
	assert_int_equal(sandbox_read(&x->s, "chain1", got, sizeof(got)), 0);
	assert_string_equal(got, "inside");
	expect_refusals(x, &(struct refusal){ "chain0", ELOOP }, 1, O_RDONLY);
}

static void test_long_paths(void **state)
{
	struct sandbox_fixture *x = *state;
	char *path = malloc(PATH_MAX + 64), got[64];
	size_t len = 0;

	skip_without_openat2(x);
	/* 4000 bytes of "./" then the name: long, but fine. */
	while (len < 4000)
		len += (size_t)sprintf(path + len, "./");
	strcpy(path + len, "inside.txt");
	assert_int_equal(sandbox_read(&x->s, path, got, sizeof(got)), 0);
	/* Past PATH_MAX: refused by both. */
	len = 0;
	while (len < PATH_MAX + 10)
		len += (size_t)sprintf(path + len, "a/");
	path[len] = '\0';
	expect_refusals(x, &(struct refusal){ path, ENAMETOOLONG }, 1, O_RDONLY);
	free(path);
}

/* A root at /proc/self: its magic links (root, cwd, exe, fd/N) lead nowhere. */
static void test_magic_links_refused(void **state)
{
	struct sandbox_fixture *x = *state;
	struct sandbox s;
	const char *why;
	char *secret = join(x->t.outside, "secret.txt"), *via_root, path[64], got[64];
	int fd = open(secret, O_RDONLY);

	skip_without_openat2(x);
	assert_true(fd >= 0);
	assert_int_equal(sandbox_open_root(&s, "/proc/self", &why), 0);
	s.resolver = x->resolver;
	assert_true(asprintf(&via_root, "root%s", secret) > 0);
	snprintf(path, sizeof(path), "fd/%d", fd);
	assert_true(sandbox_read(&s, via_root, got, sizeof(got)) < 0);
	assert_true(sandbox_read(&s, path, got, sizeof(got)) < 0);
	assert_true(sandbox_read(&s, "exe", got, sizeof(got)) < 0);
	assert_true(sandbox_read(&s, "cwd/../../../etc/passwd", got, sizeof(got)) < 0);
	sandbox_close(&s);
	close(fd);
	free(via_root);
	free(secret);
}

/*
 * A trailing slash: both resolvers give the kernel's answers (a name to be
 * created as a file cannot end in '/': EISDIR; an existing file with one is
 * not a directory: ENOTDIR), so the hypercalls answer the same either way.
 */
static void test_trailing_slash(void **state)
{
	struct sandbox_fixture *x = *state;
	const struct { const char *path; int flags; int err; } cases[] = {
		{ "inside.txt/", O_RDONLY, ENOTDIR },
		{ "inside.txt/", O_PATH, ENOTDIR },
		{ "inside.txt/", O_RDWR | O_CREAT, EISDIR },
		{ "new/", O_RDWR | O_CREAT, EISDIR },
		{ "new/", O_PATH, ENOENT },
		{ "sub/", O_RDWR | O_CREAT, EISDIR },
		{ "absin/", O_RDONLY, ENOTDIR },
	};

	skip_without_openat2(x);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int fd = sandbox_open(&x->s, cases[i].path, cases[i].flags, 0644);

		if (fd >= 0)
			close(fd);
		if (fd != -cases[i].err)
			fail_msg("%s: '%s' (flags 0x%x) gave %d, expected -%s",
				 sandbox_resolver_name(x->resolver), cases[i].path, cases[i].flags,
				 fd, strerror(cases[i].err));
	}
	char *made = join(x->t.root, "new");

	assert_int_equal(access(made, F_OK), -1); /* nothing was created */
	free(made);
	assert_int_equal(sandbox_open(&x->s, "sub/", O_RDONLY | O_DIRECTORY, 0) >= 0, 1);
}

static void test_resolver_choice(void **state)
{
	struct sandbox s;
	const char *why;

	(void)state;
	setenv(SANDBOX_ENV, "walk", 1);
	assert_int_equal(sandbox_open_root(&s, "/", &why), 0);
	assert_int_equal(s.resolver, SANDBOX_WALK);
	sandbox_close(&s);
	unsetenv(SANDBOX_ENV);
	assert_int_equal(sandbox_open_root(&s, "/nonexistent-root", &why), -ENOENT);
	assert_string_equal(why, "cannot be opened");
	assert_int_equal(sandbox_open_root(&s, "/proc/self/status", &why), -ENOTDIR);
	assert_string_equal(why, "is not a directory");
}

/* --- hc: the handlers over a guest memory image --------------------------------- */

#define MEM (2u << 20)
#define PATH_GVA 0x1000u
#define BLOCK_GVA 0x2000u
#define BUF_GVA 0x10000u

struct hc_fixture {
	struct tree t;
	struct phys_mem mem;
	struct instance_layout layout;
	struct guest_view g;
	struct hc_files *f;
	uint32_t end;           /* first unmapped guest-virtual address */
};

static int hc_setup(void **state)
{
	struct hc_fixture *x = calloc(1, sizeof(*x));
	const char *why;

	make_link_tree(&x->t);
	put_file(x->t.root, "data.txt", "hello world", 11);
	x->mem = (struct phys_mem){ .host = calloc(1, MEM), .size = MEM };
	assert_int_equal(layout_instance(&x->mem, 0, MEM, &x->layout), 0);
	x->g = guest_view_long_mode(&x->mem, x->layout.cr3);
	x->end = (uint32_t)x->layout.mapped_end;
	assert_int_equal(hc_files_create_raw(x->t.root, &x->f, &why), 0);
	*state = x;
	return 0;
}

static int hc_teardown(void **state)
{
	struct hc_fixture *x = *state;

	hc_files_destroy(x->f);
	free(x->mem.host);
	free_tree(&x->t);
	free(x);
	return 0;
}

static uint32_t put_guest_string(struct hc_fixture *x, uint32_t gva, const char *s)
{
	memcpy(x->mem.host + gva, s, strlen(s) + 1);
	return gva;
}

static int64_t g_open(struct hc_fixture *x, const char *path)
{
	return hc_fs_open(x->f, &x->g, put_guest_string(x, PATH_GVA, path));
}

static int64_t g_openat(struct hc_fixture *x, const char *path, uint32_t flags, uint32_t mode)
{
	struct hc_open b = { .path = put_guest_string(x, PATH_GVA, path), .flags = flags,
			     .mode = mode };

	memcpy(x->mem.host + BLOCK_GVA, &b, sizeof(b));
	return hc_fs_openat(x->f, &x->g, BLOCK_GVA);
}

static int64_t g_io(struct hc_fixture *x, bool read, int32_t fd, uint64_t buf, int32_t len)
{
	struct hc_io b = { .buf = buf, .fd = fd, .len = len };

	memcpy(x->mem.host + BLOCK_GVA, &b, sizeof(b));
	return read ? hc_fs_read(x->f, &x->g, BLOCK_GVA) : hc_fs_write(x->f, &x->g, NULL, BLOCK_GVA);
}

static int64_t g_read(struct hc_fixture *x, int32_t fd, uint64_t buf, int32_t len)
{
	return g_io(x, true, fd, buf, len);
}

static int64_t g_write(struct hc_fixture *x, int32_t fd, uint64_t buf, int32_t len)
{
	return g_io(x, false, fd, buf, len);
}

static void test_assignment_calls(void **state)
{
	struct hc_fixture *x = *state;
	char got[32];

	assert_int_equal(g_open(x, "data.txt"), 0);
	assert_int_equal(x->f->current, 0);
	assert_int_equal(g_read(x, HC_FD_CURRENT, BUF_GVA, 5), 5);
	assert_memory_equal(x->mem.host + BUF_GVA, "hello", 5);
	put_guest_string(x, BUF_GVA, " THERE");
	assert_int_equal(g_write(x, HC_FD_CURRENT, BUF_GVA, 6), 6);
	assert_int_equal(g_read(x, HC_FD_CURRENT, BUF_GVA, 100), 0); /* end of file */
	assert_int_equal(hc_fs_close(x->f, (uint32_t)HC_FD_CURRENT), 0);
	assert_int_equal(file_read(x->t.root, "data.txt", got, sizeof(got)), 11);
	assert_memory_equal(got, "hello THERE", 11);
	/* Nothing open now: read, write and a second close are EBADF. */
	assert_int_equal(g_read(x, HC_FD_CURRENT, BUF_GVA, 5), -EBADF);
	assert_int_equal(g_write(x, HC_FD_CURRENT, BUF_GVA, 5), -EBADF);
	assert_int_equal(hc_fs_close(x->f, (uint32_t)HC_FD_CURRENT), -EBADF);
	assert_int_equal(hc_fs_close(x->f, 0), -EBADF);
	assert_int_equal(hc_files_open_count(x->f), 0);
	assert_int_equal(x->f->stats.bytes_read, 5);
	assert_int_equal(x->f->stats.bytes_written, 6);
}

static void test_open_creates_missing_file(void **state)
{
	struct hc_fixture *x = *state;
	char *p;
	struct stat st;

	assert_int_equal(g_open(x, "fresh.txt"), 0);
	p = join(x->t.root, "fresh.txt");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	free(p);
	/* The next open becomes the current file; the first stays open as descriptor 0. */
	assert_int_equal(g_open(x, "data.txt"), 1);
	assert_int_equal(x->f->current, 1);
	assert_int_equal(hc_files_open_count(x->f), 2);
}

/* A file that may only be read: open() falls back to read-only; writes are EBADF. */
static int readonly_fallback_checks(struct hc_fixture *x)
{
	struct hc_files *f;
	const char *why;
	int64_t fd;
	int bad = 0;

	if (hc_files_create_raw(x->t.root, &f, &why) < 0)
		return 1;
	hc_files_destroy(x->f);
	x->f = f;
	fd = g_open(x, "readonly.txt");
	bad |= fd != 0;
	bad |= g_read(x, HC_FD_CURRENT, BUF_GVA, 4) != 4;
	bad |= g_write(x, HC_FD_CURRENT, BUF_GVA, 4) != -EBADF;
	bad |= g_openat(x, "readonly.txt", HC_O_RDWR, 0) != -EACCES;
	return bad;
}

static int readonly_fallback_as_nobody(void *x)
{
	return setuid(65534) < 0 ? 2 : readonly_fallback_checks(x);
}

static void test_open_readonly_fallback(void **state)
{
	struct hc_fixture *x = *state;
	int status;

	put_file(x->t.root, "readonly.txt", "read", 4);
	{
		char *p = join(x->t.root, "readonly.txt");

		chmod(p, 0444);
		free(p);
	}
	chmod(x->t.root, 0755);
	if (geteuid() != 0) {
		assert_int_equal(readonly_fallback_checks(x), 0);
		return;
	}
	/* root may write anything: check as nobody, in a child. */
	status = status_in_child(readonly_fallback_as_nobody, x);
	if (status == 2)
		skip();
	assert_int_equal(status, 0);
}

static void test_several_files_at_once(void **state)
{
	struct hc_fixture *x = *state;
	int64_t a, b, c;
	char got[32];

	a = g_openat(x, "data.txt", HC_O_RDONLY, 0);
	b = g_openat(x, "b.txt", HC_O_WRONLY | HC_O_CREAT | HC_O_TRUNC, 0600);
	c = g_openat(x, "c.txt", HC_O_RDWR | HC_O_CREAT | HC_O_EXCL, 0644);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(c, 2);
	assert_int_equal(x->f->current, -1); /* openat leaves the current file alone */
	assert_int_equal(g_read(x, (int32_t)a, BUF_GVA, 6), 6);
	assert_int_equal(g_write(x, (int32_t)b, BUF_GVA, 6), 6);
	assert_int_equal(g_read(x, (int32_t)a, BUF_GVA, 5), 5);
	assert_int_equal(g_write(x, (int32_t)c, BUF_GVA, 5), 5);
	assert_int_equal(g_read(x, (int32_t)b, BUF_GVA, 1), -EBADF); /* write-only */
	assert_int_equal(g_write(x, (int32_t)a, BUF_GVA, 1), -EBADF); /* read-only */
	for (int fd = 0; fd < 3; fd++)
		assert_int_equal(hc_fs_close(x->f, (uint32_t)fd), 0);
	assert_int_equal(file_read(x->t.root, "b.txt", got, sizeof(got)), 6);
	assert_memory_equal(got, "hello ", 6);
	assert_int_equal(file_read(x->t.root, "c.txt", got, sizeof(got)), 5);
	assert_memory_equal(got, "world", 5);
	assert_int_equal(g_openat(x, "c.txt", HC_O_WRONLY | HC_O_CREAT | HC_O_EXCL, 0644), -EEXIST);
	assert_int_equal(g_openat(x, "missing.txt", HC_O_RDONLY, 0), -ENOENT);
}

static void test_table_limit(void **state)
{
	struct hc_fixture *x = *state;

	for (int i = 0; i < HC_MAX_FILES; i++)
		assert_int_equal(g_openat(x, "data.txt", HC_O_RDONLY, 0), i);
	assert_int_equal(g_openat(x, "data.txt", HC_O_RDONLY, 0), -EMFILE);
	/* A full table creates nothing. */
	assert_int_equal(g_open(x, "not-created.txt"), -EMFILE);
	assert_int_equal(file_size(x->t.root, "not-created.txt"), -1);
	assert_int_equal(hc_fs_close(x->f, 7), 0);
	assert_int_equal(g_open(x, "data.txt"), 7);
	assert_int_equal(hc_files_open_count(x->f), HC_MAX_FILES);
}

static void test_flags_and_modes_refused(void **state)
{
	struct hc_fixture *x = *state;
	static const uint32_t bad_flags[] = {
		HC_O_ACCMODE, 0x4, 0x8, 0x100, 0x80000000u, 0xffffffffu,
		HC_O_RDONLY | HC_O_EXCL, HC_O_RDONLY | HC_O_TRUNC, HC_O_WRONLY | HC_O_EXCL,
		0x40000 /* host O_DIRECTORY */, 0x200000 /* host O_PATH */,
	};
	static const uint32_t bad_modes[] = { 04755, 02755, 01777, 0x80000000u, 010000 };

	for (size_t i = 0; i < ARRAY_SIZE(bad_flags); i++)
		assert_int_equal(g_openat(x, "made.txt", bad_flags[i] | HC_O_CREAT * (i % 2), 0644),
				 -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_modes); i++)
		assert_int_equal(g_openat(x, "made.txt", HC_O_WRONLY | HC_O_CREAT, bad_modes[i]),
				 -EINVAL);
	assert_int_equal(file_size(x->t.root, "made.txt"), -1);
	assert_int_equal(hc_files_open_count(x->f), 0);
}

static void test_bad_descriptors(void **state)
{
	struct hc_fixture *x = *state;
	static const int32_t fds[] = { HC_FD_CURRENT, HC_FD_STDOUT, HC_FD_STDERR, -4, -100,
				       HC_MAX_FILES, HC_MAX_FILES + 1, 1000, INT32_MIN, INT32_MAX, 0, 3 };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		assert_int_equal(g_read(x, fds[i], BUF_GVA, 4), -EBADF);
		assert_int_equal(g_write(x, fds[i], BUF_GVA, 4), -EBADF);
		assert_int_equal(hc_fs_close(x->f, (uint32_t)fds[i]), -EBADF);
	}
}

static void test_bad_blocks(void **state)
{
	struct hc_fixture *x = *state;
	const uint32_t blocks[] = { 0, x->end, x->end - 8, x->end - 1, 0xffffffffu, 0xfffffff0u,
				    (uint32_t)x->layout.tables, MEM, MEM - 4 };

	assert_int_equal(g_open(x, "data.txt"), 0);
	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++) {
		assert_int_equal(hc_fs_openat(x->f, &x->g, blocks[i]), -EFAULT);
		assert_int_equal(hc_fs_read(x->f, &x->g, blocks[i]), -EFAULT);
		assert_int_equal(hc_fs_write(x->f, &x->g, NULL, blocks[i]), -EFAULT);
		if (blocks[i] != x->end - 1 && blocks[i] != x->end - 8) /* there: "" (zeroes) */
			assert_int_equal(hc_fs_open(x->f, &x->g, blocks[i]), -EFAULT);
	}
	assert_int_equal(hc_files_open_count(x->f), 1);
}

static void test_bad_buffers_and_lengths(void **state)
{
	struct hc_fixture *x = *state;
	const struct { uint64_t buf; int32_t len; int err; } cases[] = {
		{ 0, 4, EFAULT },
		{ x->end, 1, EFAULT },
		{ x->end - 10, 20, EFAULT },             /* straddles the end: nothing moves */
		{ x->end - 1, 2, EFAULT },
		{ x->layout.tables, 16, EFAULT },        /* the page tables are not mapped */
		{ MEM, 1, EFAULT },
		{ 0x8000000000000000ull, 1, EFAULT },    /* not canonical */
		{ 0xffffffffffffff00ull, 0x200, EFAULT }, /* wraps around */
		{ BUF_GVA, INT32_MAX, E2BIG },            /* longer than the guest's memory */
		{ BUF_GVA, MEM + 1, E2BIG },
		{ BUF_GVA, -1, EINVAL },
		{ BUF_GVA, INT32_MIN, EINVAL },
		{ 0, -5, EINVAL },
	};
	uint8_t before[20];

	memcpy(before, x->mem.host + x->end - 10, sizeof(before) / 2);
	assert_int_equal(g_openat(x, "data.txt", HC_O_RDWR, 0), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(g_read(x, 0, cases[i].buf, cases[i].len), -cases[i].err);
		assert_int_equal(g_write(x, 0, cases[i].buf, cases[i].len), -cases[i].err);
	}
	/* Nothing moved: the file is intact, its offset still 0, guest memory untouched. */
	assert_memory_equal(x->mem.host + x->end - 10, before, sizeof(before) / 2);
	assert_int_equal(file_size(x->t.root, "data.txt"), 11);
	assert_int_equal(g_read(x, 0, BUF_GVA, 0), 0);
	assert_int_equal(g_read(x, 0, 0, 0), 0);
	assert_int_equal(g_read(x, 0, BUF_GVA, 5), 5);
	assert_memory_equal(x->mem.host + BUF_GVA, "hello", 5);
	/* The last mapped byte is fine. */
	assert_int_equal(g_read(x, 0, x->end - 1, 1), 1);
	assert_int_equal(x->mem.host[x->end - 1], ' ');
}

static void test_bad_paths(void **state)
{
	struct hc_fixture *x = *state;
	char *longest = malloc(HC_PATH_MAX + 2);

	/* A path running into unmapped memory without a NUL. */
	memset(x->mem.host + x->end - 100, 'a', 100);
	assert_int_equal(hc_fs_open(x->f, &x->g, x->end - 100), -EFAULT);
	assert_int_equal(hc_fs_open(x->f, &x->g, 0), -EFAULT);
	assert_int_equal(hc_fs_open(x->f, &x->g, x->end), -EFAULT);
	/* HC_PATH_MAX bytes before the NUL: one too many. */
	memset(longest, 'b', HC_PATH_MAX);
	longest[HC_PATH_MAX] = '\0';
	assert_int_equal(g_open(x, longest), -ENAMETOOLONG);
	longest[HC_PATH_MAX - 1] = '\0'; /* fits the ABI; the kernel refuses the name */
	assert_int_equal(g_open(x, longest), -ENAMETOOLONG);
	free(longest);
	assert_int_equal(g_open(x, ""), -ENOENT);
	assert_int_equal(g_open(x, "sub"), -EISDIR);
	assert_int_equal(g_openat(x, "sub", HC_O_RDONLY, 0), -EISDIR);
	assert_int_equal(g_openat(x, "/", HC_O_RDONLY, 0), -EISDIR);
	assert_int_equal(g_open(x, "../outside/secret.txt"), -ENOENT);
	assert_int_equal(g_open(x, "loop1"), -ELOOP);
	assert_int_equal(entries_in(x->t.outside), 1);
	assert_int_equal(hc_files_open_count(x->f), 0);
}

/* A FIFO, a device, a socket: refused at once, never waited on. */
static void test_special_files_refused(void **state)
{
	struct hc_fixture *x = *state;
	char *fifo = join(x->t.root, "fifo");

	assert_int_equal(mkfifo(fifo, 0644), 0);
	put_link(x->t.root, "null", "/dev/null");
	assert_int_equal(g_open(x, "fifo"), -EACCES);
	assert_int_equal(g_openat(x, "fifo", HC_O_RDONLY, 0), -EACCES);
	assert_int_equal(g_openat(x, "fifo", HC_O_WRONLY, 0), -EACCES);
	assert_int_equal(g_open(x, "null"), -ENOENT); /* resolves to root/dev/null */
	assert_int_equal(hc_files_open_count(x->f), 0);
	free(fifo);
}

/*
 * The guest's opens of a FIFO inside the root are refused after an O_PATH
 * look, before anything opens the FIFO: opening it for writing would wake a
 * reader blocked on it, which would then read EOF. inotify sees every open
 * for writing as an IN_CLOSE_WRITE when it is closed, synchronously.
 */
static void test_fifo_never_opened(void **state)
{
	struct hc_fixture *x = *state;
	char *fifo = join(x->t.root, "fifo");
	char events[4096] __attribute__((aligned(8)));
	int watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ssize_t n;

	assert_true(watch >= 0);
	assert_int_equal(mkfifo(fifo, 0666), 0);
	assert_true(inotify_add_watch(watch, fifo, IN_CLOSE_WRITE | IN_MODIFY) >= 0);
	assert_int_equal(g_open(x, "fifo"), -EACCES);
	assert_int_equal(g_openat(x, "fifo", HC_O_WRONLY, 0), -EACCES);
	assert_int_equal(g_openat(x, "fifo", HC_O_RDWR, 0), -EACCES);
	n = read(watch, events, sizeof(events));
	assert_int_equal(n, -1); /* no event: nothing opened it for writing */
	assert_int_equal(errno, EAGAIN);
	close(watch);
	free(fifo);
}

/* With O_CREAT, a dangling symlink is followed, inside the root, and the file made there. */
static void test_create_through_dangling_link(void **state)
{
	struct hc_fixture *x = *state;
	char *made = join(x->t.root, "made-inside.txt");

	assert_int_equal(g_openat(x, "inside_create", HC_O_WRONLY | HC_O_CREAT | HC_O_TRUNC, 0644), 0);
	assert_int_equal(access(made, F_OK), 0);
	assert_int_equal(g_openat(x, "escape_create", HC_O_WRONLY | HC_O_CREAT, 0644), -ENOENT);
	assert_int_equal(entries_in(x->t.outside), 1); /* only secret.txt: nothing made outside */
	free(made);
}

/* Only the ABI's named errors reach a guest: anything else is EIO. */
static void test_errors_are_named(void **state)
{
	(void)state;
#define CHECK_NAMED(name, number) assert_int_equal(hc_errno(-number), -number);
	HC_ERRORS(CHECK_NAMED)
#undef CHECK_NAMED
	assert_int_equal(hc_errno(-ENOTTY), -HC_EIO);
	assert_int_equal(hc_errno(-ENODEV), -HC_EIO);
	assert_int_equal(hc_errno(ENOENT), -HC_ENOENT);
}

/* Guest pages that are not contiguous on the host, and a read-only one. */
static void test_buffers_cross_pages(void **state)
{
	struct hc_fixture *x = *state;
	struct pt_builder b;
	uint8_t *data = malloc(8192);

	for (int i = 0; i < 8192; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	put_file(x->t.root, "pattern.bin", data, 8192);
	/* gva 0x400000 -> gpa 0x50000, 0x401000 -> gpa 0x30000, 0x402000 -> 0x60000 read-only. */
	assert_int_equal(pt_init(&b, &x->mem, 0x100000, 0x110000), 0);
	assert_int_equal(pt_map(&b, 0x400000, 0x50000, 0x1000, PTE_WRITABLE, PT_USE_4K), 0);
	assert_int_equal(pt_map(&b, 0x401000, 0x30000, 0x1000, PTE_WRITABLE, PT_USE_4K), 0);
	assert_int_equal(pt_map(&b, 0x402000, 0x60000, 0x1000, 0, PT_USE_4K), 0);
	assert_int_equal(pt_map(&b, 0x0, 0x0, 0x10000, PTE_WRITABLE, PT_USE_4K), 0);
	x->g = guest_view_long_mode(&x->mem, b.root);

	assert_int_equal(g_openat(x, "pattern.bin", HC_O_RDONLY, 0), 0);
	assert_int_equal(g_read(x, 0, 0x400800, 6000), 6000);
	assert_memory_equal(x->mem.host + 0x50800, data, 2048);
	assert_memory_equal(x->mem.host + 0x30000, data + 2048, 3952);
	/* Into the read-only page: refused as a whole, the offset does not move. */
	assert_int_equal(g_read(x, 0, 0x401800, 0x1000), -EFAULT);
	assert_int_equal(g_read(x, 0, 0x402000, 1), -EFAULT);
	assert_int_equal(g_read(x, 0, 0x400000, 2192), 2192);
	assert_memory_equal(x->mem.host + 0x50000, data + 6000, 2192);
	/* Writing from a read-only page is fine: the host only reads it. */
	memset(x->mem.host + 0x60000, 'R', 0x1000);
	assert_int_equal(g_openat(x, "from-ro.bin", HC_O_WRONLY | HC_O_CREAT, 0644), 1);
	assert_int_equal(g_write(x, 1, 0x401f00, 0x200), 0x200);
	assert_int_equal(file_size(x->t.root, "from-ro.bin"), 0x200);
	free(data);
}

/* A write the file refuses part way: the bytes written, then the error. */
static int short_write_checks(void *arg)
{
	struct hc_fixture *x = arg;
	struct rlimit small = { .rlim_cur = 10000, .rlim_max = RLIM_INFINITY };
	int bad = 0;

	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &small) < 0)
		return 2;
	bad |= g_openat(x, "limited.bin", HC_O_WRONLY | HC_O_CREAT, 0644) != 0;
	bad |= (g_write(x, 0, BUF_GVA, 16384) != 10000) << 1;
	bad |= (g_write(x, 0, BUF_GVA, 16384) != -EFBIG) << 2;
	bad |= (g_write(x, 0, BUF_GVA, 1) != -EFBIG) << 3;
	return bad ? 10 + bad : 0;
}

static void test_short_write_then_error(void **state)
{
	struct hc_fixture *x = *state;

	assert_int_equal(status_in_child(short_write_checks, x), 0);
	assert_int_equal(file_size(x->t.root, "limited.bin"), 10000);
}

static void test_consoles(void **state)
{
	struct hc_fixture *x = *state;
	FILE *out = tmpfile();
	int saved = dup(STDOUT_FILENO);
	char got[8];

	memcpy(x->mem.host + BUF_GVA, "a\0b", 3);
	assert_int_equal(g_write(x, HC_FD_STDOUT, BUF_GVA, 3), -EBADF); /* not granted */
	hc_files_allow_consoles(x->f);
	fflush(stdout);
	dup2(fileno(out), STDOUT_FILENO);
	assert_int_equal(g_write(x, HC_FD_STDOUT, BUF_GVA, 3), 3);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(out);
	assert_int_equal(fread(got, 1, sizeof(got), out), 3);
	assert_memory_equal(got, "a\0b", 3);
	fclose(out);
	assert_int_equal(g_read(x, HC_FD_STDOUT, BUF_GVA, 3), -EBADF);
	assert_int_equal(hc_fs_close(x->f, (uint32_t)HC_FD_STDERR), -EBADF);
	assert_int_equal(g_write(x, HC_FD_STDERR, 0, 3), -EFAULT);
	assert_int_equal(x->f->stats.bytes_written, 0); /* console bytes are not file bytes */
}

/* Anything a guest could pass, many times over: only results and clean errors. */
static uint64_t random_address(const struct hc_fixture *x)
{
	const uint64_t fixed[] = { 0, x->end, x->end - 1, x->end - 8, 0xffffffff, MEM,
				   0x8000000000000000ull, 0xfffffffffffff000ull, x->layout.tables };

	switch (next_random() % 4) {
	case 0: return fixed[next_random() % ARRAY_SIZE(fixed)];
	case 1: return next_random();
	default: return BUF_GVA + next_random() % 0x20000;
	}
}

static int32_t random_length(void)
{
	const int32_t fixed[] = { 0, 1, -1, INT32_MIN, INT32_MAX, 4096, 65536, MEM };

	return next_random() % 2 ? fixed[next_random() % ARRAY_SIZE(fixed)]
				 : (int32_t)(next_random() % 70000);
}

static const char *random_path(void)
{
	static const char *const paths[] = {
		"data.txt", "r1", "r2", "sub/r3", "../r4", "/r5", "up", "abs", "loop1", "pself",
		"escape_create", "inside_create", "", "sub", "..", "dangling", "updir/r6",
	};

	return paths[next_random() % ARRAY_SIZE(paths)];
}

static int64_t random_call(struct hc_fixture *x)
{
	struct hc_io io = { .buf = random_address(x), .fd = (int32_t)(next_random() % 24) - 4,
			    .len = random_length() };
	struct hc_open op = { .path = put_guest_string(x, PATH_GVA, random_path()),
			      .flags = (uint32_t)next_random(), .mode = (uint32_t)next_random() };
	uint32_t block = next_random() % 8 ? BLOCK_GVA : (uint32_t)random_address(x);

	if (next_random() % 2) {
		op.flags &= HC_O_ALL;
		op.mode &= 0777;
	}
	if (next_random() % 8 == 0)
		op.path = random_address(x);
	switch (next_random() % 6) {
	case 0:
		return hc_fs_open(x->f, &x->g, next_random() % 4 ? PATH_GVA
								 : (uint32_t)random_address(x));
	case 1:
		memcpy(x->mem.host + BLOCK_GVA, &op, sizeof(op));
		return hc_fs_openat(x->f, &x->g, block);
	case 2:
		memcpy(x->mem.host + BLOCK_GVA, &io, sizeof(io));
		return hc_fs_read(x->f, &x->g, block);
	case 3:
		memcpy(x->mem.host + BLOCK_GVA, &io, sizeof(io));
		return hc_fs_write(x->f, &x->g, NULL, block);
	default:
		return hc_fs_close(x->f, (uint32_t)io.fd);
	}
}

static void test_random_calls(void **state)
{
	struct hc_fixture *x = *state;

	seed_random(0x1234567);
	for (int i = 0; i < 30000; i++) {
		int64_t r = random_call(x);

		if (r < -4095 || r > INT32_MAX)
			fail_msg("call %d answered %lld", i, (long long)r);
	}
	assert_int_equal(entries_in(x->t.outside), 1);
	assert_int_equal(entries_in(x->t.base), 2);
}

/* --- guest: the lab-c guest on KVM ------------------------------------------------ */

struct run {
	enum vcpu_end end;
	int64_t status;
	uint64_t exits, io_exits;
	struct hc_fs_stats stats;
	char output[4096];         /* the start of what the guest printed (stdout and stderr) */
};

/* Run an image with argv and a file table, its output captured. false: no KVM. */
static bool run_image_with(struct guest_image img, struct hc_files *files, uint64_t mem,
			   int argc, char **argv, struct run *r)
{
	struct vm vm;
	struct vcpu v;
	struct instance_layout layout;
	struct capture cap;

	memset(r, 0, sizeof(*r));
	if (!boot_test_guest(&vm, &v, &img, mem, 60, argc, argv, &layout))
		return false;
	hc_register_print_exits(&vm);
	hc_register_fs(&vm);
	hc_files_attach(&v, files);

	capture_start(&cap, -1);
	r->end = vcpu_run(&v);
	capture_stop(&cap, r->output, sizeof(r->output));
	capture_close(&cap);

	r->status = v.guest_status;
	r->exits = v.exits;
	r->io_exits = v.io_exits;
	r->stats = files->stats;
	vcpu_destroy(&v);
	vm_destroy(&vm);
	return true;
}

/* The same with a fresh table rooted at root, consoles granted as lab-c does. */
static bool run_image(struct guest_image img, const char *root, uint64_t mem, int argc,
		      char **argv, struct run *r)
{
	struct hc_files *files;
	const char *why;
	bool ran;

	assert_int_equal(hc_files_create_raw(root, &files, &why), 0);
	hc_files_allow_consoles(files);
	ran = run_image_with(img, files, mem, argc, argv, r);
	hc_files_destroy(files);
	return ran;
}

static void run_lab_c(const char *root, uint64_t mem, int argc, char **argv, struct run *r)
{
	if (!run_image(guest_image_lab_c(), root, mem, argc, argv, r))
		skip();
}

static int guest_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	make_link_tree(t);
	*state = t;
	return 0;
}

static void copy_and_compare(struct tree *t, size_t size, const char *chunk,
			     uint64_t chunk_bytes, uint64_t mem)
{
	char *argv[] = { "lab-c", "cp", "src.bin", "dst.bin", (char *)chunk, "1", NULL };
	uint64_t chunks = (size + chunk_bytes - 1) / chunk_bytes;
	struct run r;

	put_random_file(t->root, "src.bin", size);
	run_lab_c(t->root, mem, 6, argv, &r);
	if (r.end != VCPU_HALTED || r.status != 0)
		fail_msg("cp of %zu bytes: end %d, status %lld: %s", size, r.end,
			 (long long)r.status, r.output);
	assert_int_equal(file_size(t->root, "dst.bin"), (long long)size);
	assert_true(file_checksum(t->root, "src.bin") == file_checksum(t->root, "dst.bin"));
	/* One exit per call: 2 opens, a read and a write per chunk, the read of EOF, 2 closes. */
	assert_int_equal(r.io_exits, 2 * chunks + 5);
	assert_int_equal(r.stats.bytes_read, size);
	assert_int_equal(r.stats.bytes_written, size);
}

static void test_cp_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 4095, 4096, 4097, 65535, 65537, 1234567 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		copy_and_compare(*state, sizes[i], "65536", 65536, 2 << 20);
	copy_and_compare(*state, 100001, "4096", 4096, 2 << 20);
	copy_and_compare(*state, 9999, "1", 1, 2 << 20); /* 20,000 calls: a byte each */
}

static void test_cp_64_mib(void **state)
{
	copy_and_compare(*state, 64u << 20, "1048576", 1 << 20, 4 << 20);
}

static void test_cp_refuses_existing_destination(void **state)
{
	struct tree *t = *state;
	char *argv[] = { "lab-c", "cp", "inside.txt", "keep.txt", "4096", "0", NULL };
	struct run r;
	char got[16];

	put_file(t->root, "keep.txt", "precious", 8);
	run_lab_c(t->root, 2 << 20, 6, argv, &r);
	assert_int_equal(r.end, VCPU_HALTED);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.output, "keep.txt exists: refusing to overwrite it"));
	assert_int_equal(file_read(t->root, "keep.txt", got, sizeof(got)), 8);
	assert_memory_equal(got, "precious", 8);
	argv[5] = "1";
	run_lab_c(t->root, 2 << 20, 6, argv, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(file_read(t->root, "keep.txt", got, sizeof(got)), 6);
	assert_memory_equal(got, "inside", 6);
}

static void test_cp_failures_reported(void **state)
{
	struct tree *t = *state;
	char *missing[] = { "lab-c", "cp", "missing", "out", "4096", "0", NULL };
	char *to_dir[] = { "lab-c", "cp", "inside.txt", "sub", "4096", "1", NULL };
	char *escape[] = { "lab-c", "cp", "up", "out2", "4096", "0", NULL };
	struct run r;

	run_lab_c(t->root, 2 << 20, 6, missing, &r);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.output, "cannot open missing: ENOENT"));
	assert_int_equal(file_size(t->root, "out"), -1);
	run_lab_c(t->root, 2 << 20, 6, to_dir, &r);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.output, "cannot open sub: EISDIR"));
	run_lab_c(t->root, 2 << 20, 6, escape, &r);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.output, "cannot open up: ENOENT"));
}

/* In a child: cp under a 100000-byte RLIMIT_FSIZE. 0 when the guest was told EFBIG and failed. */
static int copy_past_file_size_limit(void *arg)
{
	struct tree *t = arg;
	char *argv[] = { "lab-c", "cp", "src.bin", "dst.bin", "65536", "1", NULL };
	struct rlimit small = { .rlim_cur = 100000, .rlim_max = RLIM_INFINITY };
	struct run r;

	if (setrlimit(RLIMIT_FSIZE, &small) < 0 ||
	    !run_image(guest_image_lab_c(), t->root, 2 << 20, 6, argv, &r))
		return 77;
	return r.end == VCPU_HALTED && r.status == 1 &&
	       strstr(r.output, "writing dst.bin failed after 100000 bytes: EFBIG") ? 0 : 1;
}

/* Past RLIMIT_FSIZE mid-copy: the guest is told (EFBIG) and fails; the host lives. */
static void test_cp_file_size_limit(void **state)
{
	struct tree *t = *state;
	int status;

	put_random_file(t->root, "src.bin", 300000);
	status = status_in_child(copy_past_file_size_limit, t);
	if (status == 77)
		skip();
	assert_int_equal(status, 0);
	assert_int_equal(file_size(t->root, "dst.bin"), 100000);
}

static void test_cat_is_exact(void **state)
{
	struct tree *t = *state;
	static const char bytes[] = "line one\n\0binary\xff\x01 no newline at the end";
	char *argv[] = { "lab-c", "cat", "bin.dat", "7", NULL };
	struct run r;

	put_file(t->root, "bin.dat", bytes, sizeof(bytes) - 1);
	run_lab_c(t->root, 2 << 20, 4, argv, &r);
	assert_int_equal(r.status, 0);
	assert_memory_equal(r.output, bytes, sizeof(bytes) - 1);
	assert_int_equal(r.output[sizeof(bytes) - 1], '\0'); /* and nothing else */
}

static void test_scenario(void **state)
{
	struct tree *t = *state;
	char *argv[] = { "lab-c", "scenario", "in.txt", "out.txt", "1024", "0", NULL };
	char text[700], got[1024];
	struct run r;

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + next_random() % 26);
	text[sizeof(text) - 1] = '\n';
	put_file(t->root, "in.txt", text, sizeof(text));
	run_lab_c(t->root, 2 << 20, 6, argv, &r);
	if (r.status != 0)
		fail_msg("scenario: status %lld: %s", (long long)r.status, r.output);
	assert_int_equal(file_read(t->root, "out.txt", got, sizeof(got)), sizeof(text));
	assert_memory_equal(got, text, sizeof(text));
	assert_non_null(strstr(r.output, "step 1  open(\"in.txt\")"));
	assert_non_null(strstr(r.output, "= 700 "));
	assert_non_null(strstr(r.output, "= -9    EBADF"));
	/* Again: the output exists and is not overwritten. */
	run_lab_c(t->root, 2 << 20, 6, argv, &r);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.output, "EEXIST"));
}

/* The buffer must fit in guest memory: the guest says so instead of corrupting itself. */
static void test_chunk_too_big_for_memory(void **state)
{
	struct tree *t = *state;
	char *argv[] = { "lab-c", "cp", "inside.txt", "o", "1048576", "0", NULL };
	struct run r;

	run_lab_c(t->root, 1 << 20, 6, argv, &r);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.output, "does not fit in guest memory"));
	assert_int_equal(file_size(t->root, "o"), -1);
}

/*
 * The hostile guest (lab-b's) with its filesystem calls. Under a root that
 * was removed after the table opened it, nothing can be created, so its
 * exact expectations hold (no current file at the end): status 0. Under a
 * live root, files get opened and written at random; the host must simply
 * survive, with nothing outside the root.
 */
static void test_hostile_guest(void **state)
{
	struct tree *t = *state;
	char *argv[] = { "hostile", "7", "6000", "fs", NULL };
	char *gone = join(t->base, "gone");
	struct hc_files *files;
	const char *why;
	struct run r;

	if (!run_image(guest_image_hostile(), t->root, 2 << 20, 4, argv, &r))
		skip();
	assert_int_equal(r.end, VCPU_HALTED);
	assert_true(r.exits > 6000);
	assert_int_equal(entries_in(t->outside), 1);
	assert_int_equal(entries_in(t->base), 2);

	assert_int_equal(mkdir(gone, 0755), 0);
	assert_int_equal(hc_files_create_raw(gone, &files, &why), 0);
	assert_int_equal(rmdir(gone), 0);
	argv[1] = "8";
	assert_true(run_image_with(guest_image_hostile(), files, 2 << 20, 4, argv, &r));
	if (r.end != VCPU_HALTED || r.status != 0)
		fail_msg("hostile guest: end %d, %lld broken answers: %.600s", r.end,
			 (long long)r.status, strstr(r.output, "hostile:") ?: r.output);
	assert_int_equal(r.stats.bytes_read + r.stats.bytes_written, 0);
	hc_files_destroy(files);
	free(gone);
}

int main(void)
{
	const struct CMUnitTest sandbox_tests[] = {
#define BOTH(t)                                                                                 \
	cmocka_unit_test_prestate_setup_teardown(t, sandbox_setup, sandbox_teardown,            \
						 (void *)&use_openat2),                         \
	cmocka_unit_test_prestate_setup_teardown(t, sandbox_setup, sandbox_teardown,            \
						 (void *)&use_walk)
		BOTH(test_inside_paths_resolve),
		BOTH(test_escapes_refused),
		BOTH(test_create_cannot_escape),
		BOTH(test_symlink_chain_limit),
		BOTH(test_long_paths),
		BOTH(test_magic_links_refused),
		BOTH(test_trailing_slash),
		cmocka_unit_test(test_resolver_choice),
	};
	const struct CMUnitTest hc_tests[] = {
#define HC(t) cmocka_unit_test_setup_teardown(t, hc_setup, hc_teardown)
		HC(test_assignment_calls),
		HC(test_open_creates_missing_file),
		HC(test_open_readonly_fallback),
		HC(test_several_files_at_once),
		HC(test_table_limit),
		HC(test_flags_and_modes_refused),
		HC(test_bad_descriptors),
		HC(test_bad_blocks),
		HC(test_bad_buffers_and_lengths),
		HC(test_bad_paths),
		HC(test_special_files_refused),
		HC(test_fifo_never_opened),
		HC(test_errors_are_named),
		HC(test_create_through_dangling_link),
		HC(test_buffers_cross_pages),
		HC(test_short_write_then_error),
		HC(test_consoles),
		HC(test_random_calls),
	};
	const struct CMUnitTest guest_tests[] = {
#define GUEST(t) cmocka_unit_test_setup_teardown(t, guest_setup, tree_teardown)
		GUEST(test_cp_sizes),
		GUEST(test_cp_64_mib),
		GUEST(test_cp_refuses_existing_destination),
		GUEST(test_cp_failures_reported),
		GUEST(test_cp_file_size_limit),
		GUEST(test_cat_is_exact),
		GUEST(test_scenario),
		GUEST(test_chunk_too_big_for_memory),
		GUEST(test_hostile_guest),
	};
	int failed = 0;

	umask(022);
	failed += cmocka_run_group_tests_name("fs.sandbox", sandbox_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("fs.hc", hc_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("fs.guest", guest_tests, NULL, NULL);
	return failed ? 1 : 0;
}

/* Path resolution inside a sandbox root: openat2, or the kit's own walk. */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* openat2 answers EAGAIN when a rename or mount raced with a ".." in the path. */
#define OPENAT2_RETRIES 16
/* The walk's working copy of the path: the guest's path plus spliced symlinks. */
#define WALK_PATH_MAX (2 * PATH_MAX)

const char *sandbox_resolver_name(enum sandbox_resolver r)
{
	return r == SANDBOX_OPENAT2 ? "openat2 RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS"
				    : "the kit's in-root walk (no openat2)";
}

static long openat2_in_root(int root, const char *path, int flags, unsigned mode)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned)flags,
		.mode = (flags & O_CREAT) ? mode : 0, /* openat2 insists on 0 otherwise */
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return syscall(SYS_openat2, root, path, &how, sizeof(how));
}

static int open_with_openat2(int root, const char *path, int flags, unsigned mode)
{
	for (int i = 0; i < OPENAT2_RETRIES; i++) {
		long fd = openat2_in_root(root, path, flags, mode);

		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
	return -EAGAIN;
}

/* --- the walk ------------------------------------------------------------ */

struct walk {
	int dirs[SANDBOX_MAX_DEPTH];   /* dirs[0] is the root, which the walk does not own */
	int depth;
	int links;                     /* symlinks followed so far */
	char path[WALK_PATH_MAX];      /* what is left to resolve */
};

static int walk_top(const struct walk *w)
{
	return w->dirs[w->depth - 1];
}

static void walk_pop(struct walk *w)
{
	if (w->depth > 1)
		close(w->dirs[--w->depth]);
}

static void walk_release(struct walk *w)
{
	while (w->depth > 1)
		walk_pop(w);
}

static int walk_push(struct walk *w, int fd)
{
	if (w->depth == SANDBOX_MAX_DEPTH) {
		close(fd);
		return -ENAMETOOLONG;
	}
	w->dirs[w->depth++] = fd;
	return 0;
}

/*
 * Replace the path with the symlink's target followed by what came after
 * the link (rest, NULL when the link was the last component). An absolute
 * target starts again from the root: the root is "/" for the guest.
 */
static int walk_splice(struct walk *w, int link_fd, const char *rest)
{
	char target[PATH_MAX], joined[WALK_PATH_MAX];
	ssize_t n = readlinkat(link_fd, "", target, sizeof(target));
	int len;

	if (n < 0)
		return -errno;
	if (n == sizeof(target))
		return -ENAMETOOLONG;
	if (n == 0)
		return -ENOENT; /* Linux treats an empty symlink as naming nothing */
	target[n] = '\0';
	if (++w->links > SANDBOX_MAX_LINKS)
		return -ELOOP;
	len = rest ? snprintf(joined, sizeof(joined), "%s/%s", target, rest)
		   : snprintf(joined, sizeof(joined), "%s", target);
	if (len < 0 || (size_t)len >= sizeof(joined))
		return -ENAMETOOLONG;
	memcpy(w->path, joined, (size_t)len + 1);
	if (target[0] == '/')
		walk_release(w);
	return 0;
}

/* fd is a symlink (opened with O_PATH | O_NOFOLLOW)? -errno on fstat failure. */
static int is_symlink(int fd, bool *dir)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*dir = S_ISDIR(st.st_mode);
	return S_ISLNK(st.st_mode);
}

/* A component with more path after it: it must be a directory or a symlink. */
static int walk_through(struct walk *w, const char *name, const char *rest)
{
	int fd = openat(walk_top(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	bool dir = false;
	int link, err;

	if (fd < 0)
		return -errno;
	link = is_symlink(fd, &dir);
	if (link == 1) {
		err = walk_splice(w, fd, rest);
		close(fd);
		return err;
	}
	if (link < 0 || !dir) {
		close(fd);
		return link < 0 ? link : -ENOTDIR;
	}
	err = walk_push(w, fd);
	if (!err)
		memmove(w->path, rest, strlen(rest) + 1);
	return err;
}

/*
 * The last component: open it without following a symlink; if it is one
 * (ELOOP with O_NOFOLLOW), splice its target in and go on walking. Returns
 * the descriptor, 0 to go on, or -errno.
 */
static int walk_last(struct walk *w, const char *name, int flags, unsigned mode, int *out)
{
	int fd = openat(walk_top(w), name, flags | O_NOFOLLOW, mode);
	bool dir;
	int link, err;

	if (fd >= 0) {
		*out = fd;
		return 0;
	}
	if (errno != ELOOP)
		return -errno;
	fd = openat(walk_top(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	link = is_symlink(fd, &dir);
	err = link == 1 ? walk_splice(w, fd, NULL) : link < 0 ? link : -ELOOP;
	close(fd);
	return err;
}

/* One step: the first component of w->path. Sets *out when the file is open. */
static int walk_step(struct walk *w, int flags, unsigned mode, int *out)
{
	char name[NAME_MAX + 1];
	char *p = w->path, *end, *rest;
	size_t len;

	while (*p == '/')
		p++;
	if (!*p) {
		/* Nothing left: the path names the directory reached so far. */
		int fd = openat(walk_top(w), ".", flags, mode);

		if (fd < 0)
			return -errno;
		*out = fd;
		return 0;
	}
	end = strchrnul(p, '/');
	len = (size_t)(end - p);
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, p, len);
	name[len] = '\0';
	rest = *end ? end + 1 : end;
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		if (name[1])
			walk_pop(w); /* ".." at the root stays at the root */
		memmove(w->path, rest, strlen(rest) + 1);
		return 0;
	}
	if (!*end)
		return walk_last(w, name, flags, mode, out);
	return walk_through(w, name, rest);
}

static int open_with_walk(int root, const char *path, int flags, unsigned mode)
{
	struct walk *w = malloc(sizeof(*w));
	int fd = -1, err = 0;

	if (!w)
		return -ENOMEM;
	w->dirs[0] = root;
	w->depth = 1;
	w->links = 0;
	if (strlen(path) >= PATH_MAX) { /* as the kernel refuses any such path */
		free(w);
		return -ENAMETOOLONG;
	}
	strcpy(w->path, path);
	while (fd < 0 && !err)
		err = walk_step(w, flags, mode, &fd);
	walk_release(w);
	free(w);
	return err ? err : fd;
}

/* --- the sandbox --------------------------------------------------------- */

static enum sandbox_resolver pick_resolver(int root)
{
	const char *forced = getenv(SANDBOX_ENV);
	long probe;

	if (forced && !strcmp(forced, "walk"))
		return SANDBOX_WALK;
	/* ENOSYS before Linux 5.6; EPERM from container seccomp profiles that predate it. */
	probe = openat2_in_root(root, ".", O_PATH | O_CLOEXEC, 0);
	if (probe < 0)
		return SANDBOX_WALK;
	close((int)probe);
	return SANDBOX_OPENAT2;
}

int sandbox_open_root(struct sandbox *s, const char *dir, const char **why)
{
	s->root_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0) {
		int err = -errno;

		*why = err == -ENOTDIR ? "is not a directory" : "cannot be opened";
		return err;
	}
	s->resolver = pick_resolver(s->root_fd);
	return 0;
}

void sandbox_close(struct sandbox *s)
{
	if (s->root_fd >= 0)
		close(s->root_fd);
	s->root_fd = -1;
}

int sandbox_open(const struct sandbox *s, const char *path, int flags, unsigned mode)
{
	size_t len = strlen(path);

	/* openat2 takes nothing but O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC with O_PATH. */
	flags |= O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY);
	if (!len)
		return -ENOENT; /* as open("") */
	/* The kernel's rule for a name that must be a directory but is to be
	 * created as a file, applied here so that both resolvers agree. */
	if ((flags & O_CREAT) && path[len - 1] == '/')
		return -EISDIR;
	if (s->resolver == SANDBOX_OPENAT2)
		return open_with_openat2(s->root_fd, path, flags, mode);
	return open_with_walk(s->root_fd, path, flags, mode);
}

/*
 * A sandbox root for guest paths: every path a guest names is resolved as
 * if the root directory were "/". Absolute paths start at the root, ".."
 * stops at the root, symlinks are followed but their targets are resolved
 * inside the root too, and /proc "magic links" (/proc/self/root, fd/N, ...)
 * never jump anywhere.
 *
 * Two resolvers give the same answers:
 *   openat2   the kernel's RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS (Linux 5.6+).
 *   walk      the kit's own, for kernels without openat2 (the course's 5.4):
 *             one component at a time with O_PATH | O_NOFOLLOW, symlinks read
 *             and spliced in by hand, ".." taken from a stack of the
 *             directories already walked (never looked up), so it cannot
 *             climb above the root. Magic links are read as text (their
 *             target's name) and resolved inside the root like any symlink.
 * The kit never falls back to a plain openat(): without openat2 it walks.
 * The environment variable KIT_SANDBOX=walk forces the walk (for tests).
 *
 * The threat is the guest. Another host process renaming directories
 * inside the root while a guest resolves a path is outside that model.
 */
#ifndef KIT_SANDBOX_H
#define KIT_SANDBOX_H

#include <stdbool.h>

#define SANDBOX_ENV "KIT_SANDBOX"
#define SANDBOX_MAX_LINKS 40    /* symlinks followed per path, as the kernel's ELOOP limit */
#define SANDBOX_MAX_DEPTH 256   /* directories deep (walk only): -ENAMETOOLONG past it */

enum sandbox_resolver {
	SANDBOX_OPENAT2,
	SANDBOX_WALK,
};

struct sandbox {
	int root_fd;                   /* O_PATH descriptor of the root directory */
	enum sandbox_resolver resolver;
};

/*
 * Open dir as the root and pick the resolver (openat2 if the kernel has it
 * and KIT_SANDBOX is not "walk"). 0, or -errno with *why saying what is
 * wrong with dir.
 */
int sandbox_open_root(struct sandbox *s, const char *dir, const char **why);
void sandbox_close(struct sandbox *s);

/*
 * open(2) of path inside the root with the given host flags and mode
 * (O_CLOEXEC, O_NOCTTY are added). Returns a host descriptor or -errno.
 */
int sandbox_open(const struct sandbox *s, const char *path, int flags, unsigned mode);

const char *sandbox_resolver_name(enum sandbox_resolver r);

#endif

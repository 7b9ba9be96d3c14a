/* The tree being graded: the kit in place, or a scratch copy of another checkout, built. */
#ifndef GRADER_TREE_H
#define GRADER_TREE_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"

#define BUILD_TIMEOUT_DEFAULT 600.0
#define BUILD_LOG_TAIL 20

struct graded_tree {
	char *source;        /* as the user named it */
	char *path;          /* absolute path the checks run in */
	char *scratch_root;  /* the temporary folder holding the copy; NULL when in place */
	bool build_failed;
	struct buf build_details; /* what failed and the tail of the build log */
	double build_seconds;
	struct buf notes;    /* things changed in the copy, e.g. symlinks removed */
	char *compiler;      /* "CC=ccache cc" when the build used ccache (checks that build use it too), or NULL */
	char *refused;       /* a submission that is not one of the handout: why (one line), or NULL */
};

struct tree_options {
	double build_timeout;
	int make_jobs;      /* make -j */
	bool color;
};

/* Grade path where it is (no copy, no build). 0, or -errno when it is not usable. */
int tree_in_place(struct graded_tree *t, const char *path);

/*
 * Copy source into a new scratch folder, leaving out the build output folders
 * build/ and build-san/ (symlinks stay symlinks; any that point outside the
 * copy are removed, so nothing writes through them into source), then run
 * `make -B -C COPY all` there with a hard timeout. The
 * report gets "Build: ... OK/FAIL" lines. 0, or -1 with a message on stderr
 * when the copy itself failed (a build failure is not an error: it is noted
 * in t->build_failed and every check fails).
 */
int tree_prepare(struct graded_tree *t, const char *source, const struct tree_options *opts, FILE *report);

/* Copy source to the new folder dest as tree_prepare() does (cp -a, without build/ and
 * build-san/). 0, or -1 with a message on stderr. */
int tree_copy_sources(const char *source, const char *dest);
/* The same without .git: a pristine handout copied for a submission. */
int tree_copy_pristine(const char *source, const char *dest);

/* The steps of tree_prepare() for other ways of filling a copy (a submission):
 * a fresh scratch folder in t->scratch_root and t->path (its "tree", not yet made),
 * 0 or -1 with a message; then `make -B all` in t->path, reported as tree_prepare() does. */
int tree_make_scratch(struct graded_tree *t);
void tree_build(struct graded_tree *t, const struct tree_options *opts, FILE *report);
/* chmod -R a+rX: every user may read it and enter its folders. 0 or -1. */
int tree_open_to_all(const char *path);

/* Remove the scratch copy (unless keep: then say where it is). */
void tree_release(struct graded_tree *t, bool keep, FILE *report);

/* A fresh folder $TMPDIR/PREFIX-XXXXXX (TMPDIR defaults to /tmp); NULL with errno. */
char *make_temp_dir(const char *prefix);
/* rm -rf without crossing file systems or following symlinks. 0 or -1. */
int remove_scratch_tree(const char *path);

#endif

/*
 * The submission contract. A handout (made by `make handout`) carries .handout:
 *
 *     # comments
 *     handout IDENTITY...        which handout this is (version and date)
 *     edit PATH                  a file the student writes; one line each
 *
 * Grading a submission takes ONLY its `edit` files, onto a fresh copy of the
 * pristine handout, and builds and grades that with the pristine rubric: a
 * student's Makefile, rubric, grader or tests cannot change how they are graded.
 * A folder without .handout, or with another handout's identity, is refused.
 */
#ifndef GRADER_SUBMISSION_H
#define GRADER_SUBMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "tree.h"

#define HANDOUT_FILE ".handout"
#define SUBMISSION_MAX_FILE (1024 * 1024) /* a larger edit file is not taken (the stub is graded) */
#define HANDOUT_MAX_FILE (64 * 1024)      /* .handout itself */

/* The one sentence every refusal ends with. */
#define SUBMISSION_CONTRACT                                                                        \
	"the contract: a submission is a copy of the handout made by 'make handout', with its "    \
	".handout; only the files .handout lists as 'edit' are graded, on a fresh copy of the handout"

struct handout {
	char *top;      /* the pristine handout's folder (its real path) */
	char *identity; /* what follows "handout" on its line */
	char **edits;   /* the files a student edits, relative to top */
	size_t nedits, edits_cap;
};

/* Does top hold a .handout file? */
bool handout_present(const char *top);

/* Read top/.handout (the pristine one: every `edit` path must be a plain relative path
 * of a regular file in top). 0, or -1 with "FILE:LINE: what is wrong" in err. */
int handout_load(struct handout *h, const char *top, struct buf *err);
void handout_free(struct handout *h);

/*
 * Find the submission in dir: dir itself, or its only folder (a zip that unpacks into
 * one folder), holding a .handout of this handout's identity. 0 with *root set (free
 * it; a note says when it is the inner folder), or -1 with the refusal in why: one
 * line naming the contract.
 */
int submission_find(const struct handout *h, const char *dir, char **root, struct buf *why, struct buf *notes);

/*
 * Copy the `edit` files of the submission at root over tree (a fresh copy of the
 * handout). Each is taken only if it is a regular file with one name, of at most
 * SUBMISSION_MAX_FILE bytes, reached without following a symlink; otherwise, or when it is missing, the
 * handout's own version (its stub) stays, with a note. Files outside the contract
 * that differ from the handout are named in a note as ignored. 0, or -1 when a file
 * could not be written into tree (with a message).
 */
int submission_apply(const struct handout *h, const char *root, const char *tree, struct buf *notes);

/*
 * The whole of it: find the submission in dir (refused: t->refused is set, 1 is
 * returned), copy the pristine handout to a fresh scratch folder without build
 * output or .git, apply the submission, build. 0, 1 (refused) or -1 (a message).
 */
int submission_prepare(struct graded_tree *t, const struct handout *h, const char *dir,
		       const struct tree_options *opts, FILE *report);

#endif

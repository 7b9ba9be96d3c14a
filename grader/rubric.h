/* The rubric: checks read from *.rubric files (format in grader/RUBRIC.md). */
#ifndef GRADER_RUBRIC_H
#define GRADER_RUBRIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define RUBRIC_STATUS_ANY (-1)
#define RUBRIC_DEFAULT_POINTS 1
#define RUBRIC_MAX_POINTS 1000
#define RUBRIC_DEFAULT_TIMEOUT 30.0
#define RUBRIC_DEFAULT_LET_LEN 12
#define RUBRIC_MAX_LET_LEN 256
#define SKIP_STATUS 77

/* What a check needs of the machine or of the user (`needs`); see needs.h. */
enum need {
	NEED_KVM = 1 << 0,               /* /dev/kvm opens and makes a VM */
	NEED_ROOT = 1 << 1,              /* the grader runs as root */
	NEED_USERNS = 1 << 2,            /* user namespaces work (with a mount inside) */
	NEED_UNPRIVILEGED_USER = 1 << 3, /* root can run the tree's programs as uid 65534 */
	NEED_NETWORK = 1 << 4,           /* downloads: the command's own 77 is trusted as SKIP */
};
/* The needs the grader probes itself: when all are met, a 77 is a FAIL. */
#define NEEDS_PROBED (NEED_KVM | NEED_ROOT | NEED_USERNS | NEED_UNPRIVILEGED_USER)

enum pattern_kind { PATTERN_EXPECT, PATTERN_FORBID };

/* `visibility`: when Gradescope shows a check's result to the student (its results.json key). */
enum visibility { VISIBILITY_VISIBLE, VISIBILITY_HIDDEN, VISIBILITY_AFTER_DUE_DATE, VISIBILITY_AFTER_PUBLISHED };

struct pattern {
	enum pattern_kind kind;
	char *text; /* as written, before ${NAME} substitution */
	int line;
};

enum let_kind { LET_WORD, LET_HEX };

struct let {
	char *name;
	enum let_kind kind;
	int length;
	char *value; /* set by rubric_roll_lets() */
};

struct check {
	char *id;
	char *part;
	char *title;
	char *run;
	int points;
	double timeout;
	int status; /* expected exit status or RUBRIC_STATUS_ANY */
	bool status_given;
	unsigned needs;     /* enum need bits */
	char **optins;      /* `needs optin:NAME`: runs only when asked for (--with NAME) */
	size_t noptins, optins_cap;
	char *cost;         /* `cost`: what running it takes (shown for opt-in checks), or NULL */
	char *regions;      /* `regions`: the solution regions it judges (space-separated), or NULL */
	enum visibility visibility;
	struct pattern *patterns;
	size_t npatterns, patterns_cap;
	struct let *lets;
	size_t nlets, lets_cap;
	const char *file; /* owned by the rubric */
	int line;
	size_t part_index;
	unsigned keys_seen; /* single-valued keys already given (duplicates are errors) */
};

struct rubric {
	struct check *checks;
	size_t nchecks, checks_cap;
	char **parts; /* in order of first appearance; checks are grouped by part */
	size_t nparts, parts_cap;
	char **files;
	size_t nfiles, files_cap;
};

struct rubric_error {
	char text[1024]; /* "file:line: what is wrong" */
};

/* Read a rubric file, or every *.rubric file of a folder in name order.
 * 0, or -1 with err filled; call rubric_free() in both cases. */
int rubric_load(struct rubric *r, const char *path, struct rubric_error *err);
/* The same for several paths, read in this order into one rubric (e.g. the handout's
 * rubric, then an instructor's private checks): an ID may appear only once in all. */
int rubric_load_all(struct rubric *r, const char *const *paths, size_t npaths, struct rubric_error *err);

/* The steps of rubric_load, for tests: add the checks of one stream, then finish
 * (group checks by part; a rubric without checks is an error). */
int rubric_parse_stream(struct rubric *r, FILE *in, const char *filename, struct rubric_error *err);
int rubric_finish(struct rubric *r, const char *origin, struct rubric_error *err);

/* Give every `let` a fresh random value (done once by rubric_load). */
void rubric_roll_lets(struct rubric *r);

void rubric_free(struct rubric *r);

/* "visible", "hidden", "after_due_date", "after_published": Gradescope's words. */
const char *visibility_name(enum visibility v);

/* "kvm", "root", ... for one enum need bit. */
const char *need_name(enum need bit);

/* Variables visible to a check: its lets, then SCRATCH, GRADE_TREE and UNPRIVILEGED_UID. */
struct var;
size_t check_vars(const struct check *c, const char *scratch, const char *tree,
		  struct var *vars, size_t max_vars);
#define CHECK_MAX_VARS 64

#endif

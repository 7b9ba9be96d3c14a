/* One grading session: prepare a tree (in place, copied and built, or a submission on a fresh
 * copy of its handout), grade it, report, write the results files. */
#ifndef GRADER_SESSION_H
#define GRADER_SESSION_H

#include <stdbool.h>

#include "grade.h"
#include "rubric.h"
#include "submission.h"
#include "tree.h"

struct session_options {
	const char *source;    /* --tree DIR or --submission DIR: copy and build; NULL: grade in_place as it is */
	const struct handout *handout; /* non-NULL: source is a submission of this (pristine) handout */
	const char *in_place;
	const char *json_path;      /* NULL: no results.json (Gradescope) */
	const char *summary_path;   /* NULL: no Markdown job summary (GitHub Actions) */
	const char *classroom_path; /* NULL: no result for GitHub Classroom's reporter */
	const char *skip_note;      /* said when a check SKIPped for what this machine lacks, or NULL */
	bool keep;             /* keep the scratch copy */
	struct grade_config grade;
	struct tree_options tree;
};

/*
 * Grade one tree and fill sheet (free it with score_sheet_free). Returns the
 * exit status: 0 no check failed, 1 some did (or the tree could not be set
 * up), 2 a submission that is not one of the handout (refused: its results
 * files say why), 128+N when signal N interrupted it. *refused, when not
 * NULL, gets the refusal (free it) or NULL.
 */
int grade_session(const struct rubric *r, const struct session_options *o, struct score_sheet *sheet,
		  char **refused);

#endif

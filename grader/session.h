/* One grading session: prepare a tree (in place, or copied and built), grade it, report. */
#ifndef GRADER_SESSION_H
#define GRADER_SESSION_H

#include <stdbool.h>

#include "grade.h"
#include "rubric.h"
#include "tree.h"

struct session_options {
	const char *source;    /* --tree DIR: copy and build it; NULL: grade in_place as it is */
	const char *in_place;
	const char *json_path; /* NULL: no results.json */
	bool keep;             /* keep the scratch copy */
	struct grade_config grade;
	struct tree_options tree;
};

/*
 * Grade one tree and fill sheet (free it with score_sheet_free). Returns the
 * exit status: 0 no check failed, 1 some did (or the tree could not be set
 * up), 128+N when signal N interrupted it.
 */
int grade_session(const struct rubric *r, const struct session_options *o, struct score_sheet *sheet);

#endif

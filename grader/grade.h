/* Grading one tree: decide each selected check's needs, run it, judge it, add up the score. */
#ifndef GRADER_GRADE_H
#define GRADER_GRADE_H

#include <stdbool.h>
#include <stdio.h>

#include "needs.h"
#include "rubric.h"
#include "score.h"
#include "tree.h"

struct grade_config {
	const char *only;         /* comma-separated glob patterns of check IDs or parts; NULL: all */
	bool verbose;
	bool color;
	FILE *out;                /* the report */
	struct machine *machine;  /* needs probed once per run, and --with; NULL: probed here */
};

/*
 * results has r->nchecks entries; free them with free_results(). A check whose
 * needs are not met is SKIPped with the reason and never run. One that needs
 * an unprivileged user, graded by root in a tree that uid 65534 cannot reach,
 * runs in a copy of the tree (without its build folders) that it can reach.
 */
void grade_checks(const struct rubric *r, const struct grade_config *cfg, const struct graded_tree *tree,
		  struct check_result *results);

#endif

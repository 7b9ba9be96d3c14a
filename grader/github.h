/*
 * Autograding on GitHub Actions (GitHub Classroom): the job summary, in Markdown
 * (--summary; a workflow appends it to $GITHUB_STEP_SUMMARY), and the result
 * GitHub Classroom's reporter (classroom-resources/autograding-grading-reporter)
 * reads from a step's output, base64-encoded (--classroom):
 *
 *   {"version": 1, "status": "pass"|"fail"|"error", "max_score": N,
 *    "tests": [{"name", "status": "pass"|"fail", "score", "message", "test_code",
 *               "filename", "line_no", "duration"}]}
 *
 * Skipped checks are not tests (they count neither for nor against, as in
 * results.json); the summary lists them with the reason.
 */
#ifndef GRADER_GITHUB_H
#define GRADER_GITHUB_H

#include "buf.h"
#include "rubric.h"
#include "score.h"

#define SUMMARY_DETAILS_MAX 4000 /* bytes of one check's explanation in the summary */

/* notes: the tree's notes (build failed, submission notes, the skip note), or NULL. */
void github_summary(struct buf *out, const struct rubric *r, const struct check_result *results,
		    const struct score_sheet *sheet, const char *notes);
/* build_failed: the tree did not build (status "error"). */
void github_classroom(struct buf *out, const struct rubric *r, const struct check_result *results,
		      const struct score_sheet *sheet, bool build_failed);

/* A submission that was not graded: why, in both forms; max_score: the points of the checks selected. */
void github_summary_refused(struct buf *out, const char *why);
void github_classroom_refused(struct buf *out, const char *why, int max_score);

#endif

/* Gradescope autograder results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/). */
#ifndef GRADER_JSON_H
#define GRADER_JSON_H

#include <stddef.h>

#include "buf.h"
#include "score.h"
#include "rubric.h"

/* Append a JSON string literal: escaped, and always valid UTF-8 (other bytes become U+FFFD). */
void json_append_string(struct buf *out, const char *data, size_t len);

/*
 * The results document: top-level score, execution_time and output (the score
 * line, skipped checks and notes), and one test per check that ran and was not
 * skipped: name, score, max_score, status ("passed"/"failed"), output, visibility
 * (the check's `visibility`). Skipped checks are left out of `tests` (so they count
 * neither for nor against) and listed in the top-level output instead, those with
 * the same reason on one line (checks not `visible` are not listed there).
 */
void json_gradescope(struct buf *out, const struct rubric *r, const struct check_result *results,
		     const struct score_sheet *sheet, double seconds, const char *notes);

/* The results of a submission that was not graded (not one of the handout): score 0, and why. */
void json_gradescope_refused(struct buf *out, const char *why);

/* Write it to path. 0, or -errno. */
int json_write_file(const char *path, const struct buf *json);

#endif

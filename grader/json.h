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
 * skipped: name, score, max_score, status ("passed"/"failed"), output, visibility.
 * Skipped checks are left out of `tests` (so they count neither for nor against)
 * and listed in the top-level output instead.
 */
void json_gradescope(struct buf *out, const struct rubric *r, const struct check_result *results,
		     const struct score_sheet *sheet, double seconds, const char *notes);

/* Write it to path. 0, or -errno. */
int json_write_file(const char *path, const struct buf *json);

#endif

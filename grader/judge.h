/* The matcher: turns a check's run into OK, FAIL or SKIP, and explains a FAIL. */
#ifndef GRADER_JUDGE_H
#define GRADER_JUDGE_H

#include <stddef.h>

#include "buf.h"
#include "lines.h"
#include "rubric.h"
#include "runner.h"
#include "vars.h"

#define CONTEXT_LINES 10

enum verdict { VERDICT_OK, VERDICT_FAIL, VERDICT_SKIP };

struct judgement {
	enum verdict verdict;
	/* FAIL: what was expected (a missing line with the output line closest to it),
	 * then the output lines around the first other problem.
	 * SKIP: why (an unmet need, or the program's last line). OK: empty. */
	struct buf details;
};

/*
 * Judge a finished run. A program that says it cannot run here (status 77, or a
 * cmocka group whose every test was skipped) FAILs: the grader has already
 * checked the check's needs (needs_found says what it found; NULL: the check
 * names none). Only a check that needs the network, which the grader cannot
 * probe for it, takes such a claim as SKIP.
 */
void judge_run(const struct check *c, const struct run_result *res, const struct var *vars,
	       size_t nvars, const char *needs_found, struct judgement *out);

/* Index of the "[  PASSED  ] 0 test(s)." line of a cmocka group whose every test
 * was skipped (none failed anywhere), or lines->count. */
size_t find_all_skipped_group(const struct lines *lines);

/* Index of the first line that shows a sanitizer report, or lines->count. */
size_t find_sanitizer_line(const struct lines *lines);

const char *verdict_name(enum verdict v);

#endif

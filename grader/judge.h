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
	/* FAIL: what was expected, then the output lines around the first problem.
	 * SKIP: the program's reason (the last line of its output). OK: empty. */
	struct buf details;
};

void judge_run(const struct check *c, const struct run_result *res, const struct var *vars,
	       size_t nvars, struct judgement *out);

/* Index of the first line that shows a sanitizer report, or lines->count. */
size_t find_sanitizer_line(const struct lines *lines);

const char *verdict_name(enum verdict v);

#endif

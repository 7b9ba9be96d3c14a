/* The human-readable report, in the style of MIT 6.828's `make grade`. */
#ifndef GRADER_REPORT_H
#define GRADER_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "score.h"
#include "rubric.h"

#define REPORT_MAX_WIDTH 76 /* longer titles are cut in this line (--list shows them whole) */

struct report_style {
	bool color;
	bool verbose;
	int width; /* of the "ID: title" column, dots included */
};

/* "ID: title", or "ID" for a check without a title of its own. */
void check_label(struct buf *out, const struct check *c);
int report_width(const struct rubric *r, const char *only);
/* "ID: title ........ " (flushed, so the line shows while the check runs). */
void report_check_begin(FILE *out, const struct report_style *st, const struct check *c);
/* "OK (0.4s)", then the details (and the output with --verbose), indented. */
void report_check_end(FILE *out, const struct report_style *st, const struct check_result *res);
void report_part(FILE *out, const struct report_style *st, const char *part, const struct score_sheet *s,
		 size_t part_index);
void report_score(FILE *out, const struct report_style *st, const struct score_sheet *s);
/* "Score: N/M" in a buffer (also used for the JSON output). */
void format_score(struct buf *out, const struct score_sheet *s);

#endif

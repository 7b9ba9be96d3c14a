#include "judge.h"

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lines.h"

/* Which output lines to show under the explanation of a FAIL. */
struct context {
	bool chosen;
	size_t first, last; /* [first, last) */
	size_t mark;        /* the offending line, or SIZE_MAX */
};

struct verdict_work {
	const struct check *check;
	const struct run_result *res;
	struct lines lines;
	struct buf problems;
	struct context context;
	const struct var *vars;
	size_t nvars;
};

static const char *const sanitizer_markers[] = {
	"AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:",
};

const char *verdict_name(enum verdict v)
{
	return v == VERDICT_OK ? "OK" : v == VERDICT_SKIP ? "SKIP" : "FAIL";
}

size_t find_sanitizer_line(const struct lines *lines)
{
	for (size_t i = 0; i < lines->count; i++) {
		const char *text = lines->text + lines->at[i].offset;

		for (size_t m = 0; m < sizeof(sanitizer_markers) / sizeof(sanitizer_markers[0]); m++)
			if (memmem(text, lines->at[i].length, sanitizer_markers[m], strlen(sanitizer_markers[m])))
				return i;
	}
	return lines->count;
}

static void choose_context(struct verdict_work *w, size_t first, size_t last, size_t mark)
{
	if (w->context.chosen)
		return;
	if (last > w->lines.count)
		last = w->lines.count;
	w->context = (struct context){ true, first < last ? first : last, last, mark };
}

static void choose_tail(struct verdict_work *w)
{
	size_t n = w->lines.count;

	choose_context(w, n > CONTEXT_LINES ? n - CONTEXT_LINES : 0, n, SIZE_MAX);
}

static void choose_around(struct verdict_work *w, size_t line, size_t before, size_t after)
{
	choose_context(w, line > before ? line - before : 0, line + after + 1, line);
}

static bool line_matches(const regex_t *re, const struct lines *lines, size_t i)
{
	regmatch_t range[1] = { { .rm_so = 0, .rm_eo = (regoff_t)lines->at[i].length } };

	/* REG_STARTEND: the line is not NUL-terminated and may contain NUL bytes. */
	return regexec(re, lines->text + lines->at[i].offset, 1, range, REG_STARTEND) == 0;
}

static size_t first_matching_line(const regex_t *re, const struct lines *lines)
{
	for (size_t i = 0; i < lines->count; i++)
		if (line_matches(re, lines, i))
			return i;
	return lines->count;
}

static void judge_status(struct verdict_work *w)
{
	const struct run_result *res = w->res;
	int expected = w->check->status;
	char want[64] = "it to exit";

	if (expected != RUBRIC_STATUS_ANY)
		snprintf(want, sizeof(want), "exit status %d", expected);
	if (!res->exited) {
		buf_printf(&w->problems, "expected %s, but it was killed by signal %d (%s)\n", want,
			   res->term_signal, strsignal(res->term_signal));
		choose_tail(w);
	} else if (expected != RUBRIC_STATUS_ANY && res->exit_status != expected) {
		buf_printf(&w->problems, "expected %s, got %d\n", want, res->exit_status);
		choose_tail(w);
	}
}

/* After the last line an earlier expectation matched is where a missing one should be. */
static void judge_patterns(struct verdict_work *w)
{
	size_t anchor = SIZE_MAX;

	for (size_t i = 0; i < w->check->npatterns; i++) {
		const struct pattern *pat = &w->check->patterns[i];
		struct buf text = { 0 };
		regex_t re;

		subst_vars(&text, pat->text, w->vars, w->nvars, SUBST_REGEX, NULL, 0);
		if (regcomp(&re, buf_str(&text), REG_EXTENDED | REG_NOSUB) != 0) {
			buf_printf(&w->problems, "a valid regular expression: %s\n", buf_str(&text));
			buf_free(&text);
			continue;
		}
		size_t hit = first_matching_line(&re, &w->lines);
		if (pat->kind == PATTERN_EXPECT && hit < w->lines.count) {
			anchor = (anchor == SIZE_MAX || hit > anchor) ? hit : anchor;
		} else if (pat->kind == PATTERN_EXPECT) {
			buf_printf(&w->problems, "expected a line matching: %s\n", buf_str(&text));
			if (anchor == SIZE_MAX)
				choose_context(w, 0, CONTEXT_LINES, SIZE_MAX);
			else
				choose_context(w, anchor, anchor + CONTEXT_LINES, SIZE_MAX);
		} else if (hit < w->lines.count) {
			buf_printf(&w->problems, "expected no line matching: %s (line %zu matches)\n",
				   buf_str(&text), hit + 1);
			choose_around(w, hit, 3, 3);
		}
		regfree(&re);
		buf_free(&text);
	}
}

static void explain_failure(struct verdict_work *w, struct buf *details)
{
	const struct run_result *res = w->res;

	buf_append(details, w->problems.data, w->problems.len);
	if (!w->context.chosen)
		choose_tail(w);
	if (w->lines.count == 0) {
		buf_puts(details, "output: (none)\n");
	} else {
		buf_printf(details, "output, lines %zu-%zu of %zu%s:\n", w->context.first + 1, w->context.last,
			   w->lines.count, res->dropped ? " kept" : "");
		append_line_rows(details, &w->lines, w->context.first, w->context.last, w->context.mark, "");
	}
	if (res->dropped)
		buf_printf(details, "(output truncated: the first %zu bytes were kept, %zu more dropped)\n",
			   res->output.len, res->dropped);
}

static void explain_skip(const struct lines *lines, struct buf *details)
{
	const struct line *reason = last_nonblank_line(lines);

	if (reason)
		append_printable(details, lines->text + reason->offset, reason->length, LINE_SHOW_MAX);
	else
		buf_puts(details, "(the program gave no reason)");
	buf_putc(details, '\n');
}

/* Status 77 means "cannot run here" unless the check expects exactly 77. */
static bool is_skip(const struct check *c, const struct run_result *res)
{
	return res->exited && res->exit_status == SKIP_STATUS && c->status != SKIP_STATUS;
}

static void judge_problems(struct verdict_work *w)
{
	const struct run_result *res = w->res;
	size_t sanitizer = find_sanitizer_line(&w->lines);

	if (res->spawn_error) {
		buf_printf(&w->problems, "could not start the command: %s\n",
			   strerror(res->spawn_error));
		return;
	}
	if (res->interrupted)
		buf_puts(&w->problems, "the grader was interrupted while this check ran\n");
	else if (res->timed_out)
		buf_printf(&w->problems, "expected it to finish, but it timed out after %gs "
			   "(it and everything it started were killed)\n", w->check->timeout);
	if (sanitizer < w->lines.count) {
		buf_printf(&w->problems, "no sanitizer report, but line %zu is one\n", sanitizer + 1);
		choose_around(w, sanitizer, 2, CONTEXT_LINES);
	}
	if (res->timed_out || res->interrupted) {
		choose_tail(w);
		return;
	}
	judge_status(w);
	judge_patterns(w);
}

void judge_run(const struct check *c, const struct run_result *res, const struct var *vars,
	       size_t nvars, struct judgement *out)
{
	struct verdict_work w = { .check = c, .res = res, .vars = vars, .nvars = nvars };

	*out = (struct judgement){ .verdict = VERDICT_OK };
	lines_split(&w.lines, res->output.data ? res->output.data : "", res->output.len);
	if (!res->spawn_error && !res->timed_out && !res->interrupted && is_skip(c, res) &&
	    find_sanitizer_line(&w.lines) == w.lines.count) {
		out->verdict = VERDICT_SKIP;
		explain_skip(&w.lines, &out->details);
	} else {
		judge_problems(&w);
		if (w.problems.len) {
			out->verdict = VERDICT_FAIL;
			explain_failure(&w, &out->details);
		}
	}
	buf_free(&w.problems);
	lines_free(&w.lines);
}

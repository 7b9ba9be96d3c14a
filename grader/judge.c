#include "judge.h"

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "closest.h"
#include "lines.h"

#define CLOSEST_SHOWN 5 /* missing expectations explained with their closest line */

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
	size_t closest_shown; /* missing expectations shown with their closest line */
	size_t unexplained;   /* missing expectations no line resembles */
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

/* A missing expectation: the output line closest to it, with one line either side. */
static void show_closest(struct verdict_work *w, const char *regex)
{
	struct buf literals = { 0 };
	size_t line;

	if (w->closest_shown >= CLOSEST_SHOWN || w->lines.count == 0) {
		w->unexplained++;
		return;
	}
	regex_literals(&literals, regex);
	line = closest_line(&w->lines, buf_str(&literals), NULL);
	buf_free(&literals);
	if (line >= w->lines.count) {
		buf_puts(&w->problems, "  (no output line resembles it)\n");
		w->unexplained++;
		return;
	}
	w->closest_shown++;
	buf_printf(&w->problems, "  closest, line %zu of %zu:\n", line + 1, w->lines.count);
	append_line_rows(&w->problems, &w->lines, line > 0 ? line - 1 : 0, line + 2, line, "  ");
}

static void judge_patterns(struct verdict_work *w)
{
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
		if (pat->kind == PATTERN_EXPECT && hit == w->lines.count) {
			buf_printf(&w->problems, "expected a line matching: %s\n", buf_str(&text));
			show_closest(w, buf_str(&text));
		} else if (pat->kind == PATTERN_FORBID && hit < w->lines.count) {
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
	/* When every problem is a missing line shown with its closest one, that is the context. */
	bool closest_enough = !w->context.chosen && w->closest_shown > 0 && w->unexplained == 0;

	buf_append(details, w->problems.data, w->problems.len);
	if (!w->context.chosen)
		choose_tail(w);
	if (closest_enough) {
		/* shown above */
	} else if (w->lines.count == 0) {
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

static void append_reason(struct buf *out, const struct lines *lines)
{
	const struct line *reason = last_nonblank_line(lines);

	if (reason)
		append_printable(out, lines->text + reason->offset, reason->length, LINE_SHOW_MAX);
	else
		buf_puts(out, "(the program gave no reason)");
}

/* "[  PASSED  ] 12 test(s)." with the given prefix: the count. */
static bool is_cmocka_line(const struct lines *lines, size_t i, const char *prefix, long *count)
{
	const char *text = lines->text + lines->at[i].offset;
	size_t len = lines->at[i].length, at = strlen(prefix);
	long n = 0;

	if (len <= at || memcmp(text, prefix, at) != 0 || text[at] < '0' || text[at] > '9')
		return false;
	while (at < len && text[at] >= '0' && text[at] <= '9' && n < 100000000)
		n = n * 10 + (text[at++] - '0');
	if (len - at < 5 || memcmp(text + at, " test", 5) != 0)
		return false;
	*count = n;
	return true;
}

size_t find_all_skipped_group(const struct lines *lines)
{
	size_t found = lines->count;
	long n;

	for (size_t i = 0; i < lines->count; i++) {
		if (is_cmocka_line(lines, i, "[  FAILED  ] ", &n) && n > 0)
			return lines->count; /* a failure is judged as one, never as a skip */
		if (found < lines->count || !is_cmocka_line(lines, i, "[  PASSED  ] ", &n) || n != 0)
			continue;
		/* The group's summary goes on with its SKIPPED count, before the next group starts. */
		for (size_t j = i + 1; j < lines->count; j++) {
			long skipped;

			if (is_cmocka_line(lines, j, "[  SKIPPED ] ", &skipped) && skipped > 0) {
				found = i;
				break;
			}
			if (memmem(lines->text + lines->at[j].offset, lines->at[j].length, "[==========]", 12))
				break;
		}
	}
	return found;
}

/* Did the program say it cannot run here: status 77, or a cmocka group whose every test skipped? */
static bool skip_claimed(struct verdict_work *w, size_t *cmocka_line)
{
	const struct run_result *res = w->res;

	*cmocka_line = w->lines.count;
	if (w->check->status == SKIP_STATUS || res->spawn_error || res->timed_out || res->interrupted ||
	    !res->exited || find_sanitizer_line(&w->lines) < w->lines.count)
		return false;
	if (res->exit_status == SKIP_STATUS)
		return true;
	*cmocka_line = find_all_skipped_group(&w->lines);
	return *cmocka_line < w->lines.count;
}

/*
 * The grader, not the program, decides what cannot run here: a claim is a FAIL,
 * unless the check needs the network (which the grader cannot probe for it).
 */
static void judge_claim(struct verdict_work *w, size_t cmocka_line, const char *needs_found)
{
	struct buf *p = &w->problems;

	if (cmocka_line < w->lines.count)
		buf_printf(p, "every test of a cmocka group was skipped (line %zu), so it tested nothing", cmocka_line + 1);
	else
		buf_puts(p, "the program says it cannot run here (exit status 77)");
	if (needs_found)
		buf_printf(p, ", but the grader found what this check needs: %s\n", needs_found);
	else
		buf_puts(p, ", but this check needs nothing of the machine (no 'needs' line): it must run anywhere\n");
	buf_puts(p, "its reason: ");
	append_reason(p, &w->lines);
	buf_putc(p, '\n');
	if (cmocka_line < w->lines.count)
		choose_around(w, cmocka_line, 3, 3);
	else
		choose_tail(w);
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
	       size_t nvars, const char *needs_found, struct judgement *out)
{
	struct verdict_work w = { .check = c, .res = res, .vars = vars, .nvars = nvars };
	size_t cmocka_line;
	bool claimed;

	*out = (struct judgement){ .verdict = VERDICT_OK };
	lines_split(&w.lines, res->output.data ? res->output.data : "", res->output.len);
	claimed = skip_claimed(&w, &cmocka_line);
	if (claimed && (c->needs & NEED_NETWORK)) {
		out->verdict = VERDICT_SKIP;
		append_reason(&out->details, &w.lines);
		buf_putc(&out->details, '\n');
	} else {
		if (claimed)
			judge_claim(&w, cmocka_line, needs_found);
		else
			judge_problems(&w);
		if (w.problems.len) {
			out->verdict = VERDICT_FAIL;
			explain_failure(&w, &out->details);
		}
	}
	buf_free(&w.problems);
	lines_free(&w.lines);
}

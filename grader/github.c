#include "github.h"

#include <string.h>

#include "json.h"
#include "lines.h"
#include "report.h"

/* Text in a Markdown table cell or line: printable, Markdown's punctuation escaped, one line. */
static void append_markdown(struct buf *out, const char *text, size_t max)
{
	struct buf safe = { 0 };

	append_printable(&safe, text, strlen(text), max);
	for (const char *c = buf_str(&safe); *c; c++) {
		if (strchr("\\`*_[]<>|~&#", *c))
			buf_putc(out, '\\');
		buf_putc(out, *c == '\n' ? ' ' : *c);
	}
	buf_free(&safe);
}

/* A fenced block that no run of backticks in the text can close early. */
static void append_fenced(struct buf *out, const char *text, size_t len)
{
	struct lines lines;
	size_t longest = 0, run = 0, fence;

	for (size_t i = 0; i < len; i++) {
		run = text[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	fence = longest >= 3 ? longest + 1 : 3;
	for (size_t i = 0; i < fence; i++)
		buf_putc(out, '`');
	buf_puts(out, "text\n");
	lines_split(&lines, text, len);
	for (size_t i = 0; i < lines.count; i++) {
		append_printable(out, lines.text + lines.at[i].offset, lines.at[i].length, LINE_SHOW_MAX);
		buf_putc(out, '\n');
	}
	lines_free(&lines);
	for (size_t i = 0; i < fence; i++)
		buf_putc(out, '`');
	buf_puts(out, "\n");
}

static void table_row(struct buf *out, const struct check *c, const struct check_result *res)
{
	buf_printf(out, "| %s | `%s` ", verdict_name(res->verdict), c->id);
	append_markdown(out, strcmp(c->title, c->id) ? c->title : "", LINE_SHOW_MAX);
	if (res->verdict == VERDICT_SKIP)
		buf_printf(out, " | not scored (%d) |\n", c->points);
	else
		buf_printf(out, " | %d/%d |\n", res->verdict == VERDICT_OK ? c->points : 0, c->points);
}

/* A FAIL or SKIP, folded: the same explanation as the terminal report. */
static void explanation(struct buf *out, const struct check *c, const struct check_result *res)
{
	size_t len = res->details.len < SUMMARY_DETAILS_MAX ? res->details.len : SUMMARY_DETAILS_MAX;

	buf_printf(out, "<details><summary>%s: <code>%s</code></summary>\n\n", verdict_name(res->verdict), c->id);
	append_fenced(out, buf_str(&res->details), len);
	if (len < res->details.len)
		buf_printf(out, "\n(%zu more bytes: see the job's log)\n", res->details.len - len);
	buf_puts(out, "\n</details>\n\n");
}

void github_summary(struct buf *out, const struct rubric *r, const struct check_result *results,
		    const struct score_sheet *sheet, const char *notes)
{
	struct buf score = { 0 };

	format_score(&score, sheet);
	buf_printf(out, "## Autograding: %d/%d points\n\n%s\n\n", sheet->score, sheet->max, buf_str(&score));
	buf_puts(out, "| Result | Check | Points |\n|---|---|---:|\n");
	for (size_t i = 0; i < r->nchecks; i++)
		if (results[i].ran)
			table_row(out, &r->checks[i], &results[i]);
	buf_puts(out, "\n");
	for (size_t i = 0; i < r->nchecks; i++)
		if (results[i].ran && results[i].verdict != VERDICT_OK && results[i].details.len)
			explanation(out, &r->checks[i], &results[i]);
	if (notes && *notes) {
		buf_puts(out, "Notes:\n\n");
		append_fenced(out, notes, strlen(notes));
	}
	buf_free(&score);
}

static const char *rubric_file_name(const char *file)
{
	const char *slash = strrchr(file, '/');

	return slash ? slash + 1 : file;
}

static void classroom_test(struct buf *out, const struct check *c, const struct check_result *res)
{
	struct buf name = { 0 }, message = { 0 };
	bool ok = res->verdict == VERDICT_OK;
	const char *file = rubric_file_name(c->file);

	check_label(&name, c);
	buf_printf(&message, "%s (%.1fs)\n", verdict_name(res->verdict), res->seconds);
	buf_append(&message, res->details.data, res->details.len);
	buf_puts(out, "{\"name\": ");
	json_append_string(out, name.data, name.len);
	buf_printf(out, ", \"status\": \"%s\", \"score\": %d, \"message\": ", ok ? "pass" : "fail", ok ? c->points : 0);
	json_append_string(out, message.data, message.len);
	buf_puts(out, ", \"test_code\": ");
	json_append_string(out, c->run, strlen(c->run));
	buf_puts(out, ", \"filename\": ");
	json_append_string(out, file, strlen(file));
	buf_printf(out, ", \"line_no\": %d, \"duration\": %ld}", c->line, (long)(res->seconds * 1000 + 0.5));
	buf_free(&name);
	buf_free(&message);
}

void github_classroom(struct buf *out, const struct rubric *r, const struct check_result *results,
		      const struct score_sheet *sheet, bool build_failed)
{
	const char *status = build_failed ? "error" : sheet->failed ? "fail" : "pass";
	bool first = true;

	buf_printf(out, "{\"version\": 1, \"status\": \"%s\", \"max_score\": %d, \"tests\": [", status, sheet->max);
	for (size_t i = 0; i < r->nchecks; i++) {
		if (!results[i].ran || results[i].verdict == VERDICT_SKIP)
			continue;
		buf_puts(out, first ? "\n  " : ",\n  ");
		classroom_test(out, &r->checks[i], &results[i]);
		first = false;
	}
	buf_puts(out, first ? "]}\n" : "\n]}\n");
}

void github_summary_refused(struct buf *out, const char *why)
{
	buf_puts(out, "## Autograding: not graded\n\n");
	append_markdown(out, why, 4 * LINE_SHOW_MAX);
	buf_puts(out, "\n");
}

void github_classroom_refused(struct buf *out, const char *why, int max_score)
{
	buf_printf(out, "{\"version\": 1, \"status\": \"error\", \"max_score\": %d, \"tests\": [\n  "
		   "{\"name\": \"submission\", \"status\": \"error\", \"score\": 0, \"message\": ", max_score);
	json_append_string(out, why, strlen(why));
	buf_puts(out, ", \"test_code\": \"\", \"filename\": \".handout\", \"line_no\": 0, \"duration\": 0}\n]}\n");
}

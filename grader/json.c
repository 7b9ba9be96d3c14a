#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "report.h"

void json_append_string(struct buf *out, const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;

	buf_putc(out, '"');
	while (i < len) {
		size_t n = utf8_sequence_length(p + i, len - i);

		if (n == 0) {
			buf_puts(out, "\\ufffd"); /* not UTF-8: the replacement character */
			n = 1;
		} else if (p[i] == '"' || p[i] == '\\') {
			buf_putc(out, '\\');
			buf_putc(out, (char)p[i]);
		} else if (p[i] == '\n') {
			buf_puts(out, "\\n");
		} else if (p[i] == '\t') {
			buf_puts(out, "\\t");
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			buf_printf(out, "\\u%04x", p[i]);
		} else {
			buf_append(out, p + i, n);
		}
		i += n;
	}
	buf_putc(out, '"');
}

static void append_key(struct buf *out, const char *key)
{
	json_append_string(out, key, strlen(key));
	buf_puts(out, ": ");
}

static void append_test(struct buf *out, const struct check *c, const struct check_result *res)
{
	struct buf name = { 0 }, text = { 0 };
	bool ok = res->verdict == VERDICT_OK;

	check_label(&name, c);
	buf_printf(&text, "%s (%.1fs)\n", verdict_name(res->verdict), res->seconds);
	buf_append(&text, res->details.data, res->details.len);
	buf_puts(out, "    {");
	append_key(out, "name");
	json_append_string(out, name.data, name.len);
	buf_printf(out, ", \"score\": %d, \"max_score\": %d, ", ok ? c->points : 0, c->points);
	append_key(out, "status");
	json_append_string(out, ok ? "passed" : "failed", 6);
	buf_puts(out, ", ");
	append_key(out, "output");
	json_append_string(out, text.data, text.len);
	buf_printf(out, ", \"visibility\": \"%s\"}", visibility_name(c->visibility));
	buf_free(&name);
	buf_free(&text);
}

static bool shown_skip(const struct rubric *r, const struct check_result *results, size_t i)
{
	return results[i].ran && results[i].verdict == VERDICT_SKIP && r->checks[i].visibility == VISIBILITY_VISIBLE;
}

/* Skipped checks with the same reason on one line: "SKIP (not scored) a, b: reason". Checks the
 * student may not see yet (visibility other than visible) are left out. */
static void skip_lines(struct buf *text, const struct rubric *r, const struct check_result *results)
{
	bool *done = xcalloc(r->nchecks ? r->nchecks : 1, sizeof(bool));

	for (size_t i = 0; i < r->nchecks; i++) {
		if (done[i] || !shown_skip(r, results, i))
			continue;
		const char *why = buf_str(&results[i].details);
		buf_printf(text, "SKIP (not scored) %s", r->checks[i].id);
		for (size_t j = i + 1; j < r->nchecks; j++)
			if (!done[j] && shown_skip(r, results, j) && strcmp(buf_str(&results[j].details), why) == 0) {
				buf_printf(text, ", %s", r->checks[j].id);
				done[j] = true;
			}
		buf_printf(text, ": %s", why);
	}
	free(done);
}

static void summary_text(struct buf *text, const struct rubric *r, const struct check_result *results,
			 const struct score_sheet *sheet, const char *notes)
{
	format_score(text, sheet);
	buf_putc(text, '\n');
	skip_lines(text, r, results);
	if (notes && *notes)
		buf_puts(text, notes);
}

void json_gradescope(struct buf *out, const struct rubric *r, const struct check_result *results,
		     const struct score_sheet *sheet, double seconds, const char *notes)
{
	struct buf text = { 0 };
	bool first = true;

	summary_text(&text, r, results, sheet, notes);
	buf_printf(out, "{\n  \"score\": %d,\n  \"execution_time\": %ld,\n  ", sheet->score, (long)(seconds + 0.5));
	append_key(out, "output");
	json_append_string(out, text.data, text.len);
	buf_puts(out, ",\n  \"tests\": [");
	for (size_t i = 0; i < r->nchecks; i++) {
		if (!results[i].ran || results[i].verdict == VERDICT_SKIP)
			continue;
		buf_puts(out, first ? "\n" : ",\n");
		append_test(out, &r->checks[i], &results[i]);
		first = false;
	}
	buf_puts(out, first ? "]\n}\n" : "\n  ]\n}\n");
	buf_free(&text);
}

void json_gradescope_refused(struct buf *out, const char *why)
{
	struct buf text = { 0 };

	buf_printf(&text, "Not graded: %s\n", why);
	buf_puts(out, "{\n  \"score\": 0,\n  ");
	append_key(out, "output");
	json_append_string(out, text.data, text.len);
	buf_puts(out, ",\n  \"tests\": []\n}\n");
	buf_free(&text);
}

int json_write_file(const char *path, const struct buf *json)
{
	FILE *f = fopen(path, "w");
	int rc = 0;

	if (!f)
		return -errno;
	if (fwrite(buf_str(json), 1, json->len, f) != json->len)
		rc = -errno;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

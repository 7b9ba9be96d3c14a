#include "report.h"

#include <stdint.h>
#include <string.h>

#include "lines.h"
#include "style.h"

/* "ID: title", or just "ID" when the title is the ID (no `title` line). */
static bool has_own_title(const struct check *c)
{
	return strcmp(c->id, c->title) != 0;
}

static int label_length(const struct check *c)
{
	return (int)(strlen(c->id) + (has_own_title(c) ? 2 + strlen(c->title) : 0));
}

void check_label(struct buf *out, const struct check *c)
{
	if (has_own_title(c))
		buf_printf(out, "%s: %s", c->id, c->title);
	else
		buf_puts(out, c->id);
}

int report_width(const struct rubric *r, const char *only)
{
	int width = 0;

	for (size_t i = 0; i < r->nchecks; i++)
		if (check_selected(&r->checks[i], only) && label_length(&r->checks[i]) > width)
			width = label_length(&r->checks[i]);
	width += 4; /* at least " .. " before the verdict */
	return width > REPORT_MAX_WIDTH ? REPORT_MAX_WIDTH : width;
}

/* Cut a label that would push the verdict out of its column, on a UTF-8 boundary. */
static void fit_label(struct buf *label, int room)
{
	size_t keep;

	if ((int)label->len <= room)
		return;
	keep = room > 3 ? (size_t)room - 3 : 0;
	while (keep > 0 && ((unsigned char)label->data[keep] & 0xc0) == 0x80)
		keep--;
	label->len = keep;
	buf_puts(label, "...");
}

void report_check_begin(FILE *out, const struct report_style *st, const struct check *c)
{
	struct buf label = { 0 };
	int dots;

	check_label(&label, c);
	fit_label(&label, st->width - 4); /* room for " .. " */
	dots = st->width - (int)label.len - 2;
	fprintf(out, "%s ", label.data);
	for (int i = 0; i < (dots < 2 ? 2 : dots); i++)
		fputc('.', out);
	fputc(' ', out);
	fflush(out);
	buf_free(&label);
}

static void print_whole_output(FILE *out, const struct buf *output)
{
	struct lines lines;
	struct buf rows = { 0 };

	lines_split(&lines, buf_str(output), output->len);
	fprintf(out, "    output (%zu lines):\n", lines.count);
	append_line_rows(&rows, &lines, 0, lines.count, SIZE_MAX, "    ");
	fputs(buf_str(&rows), out);
	buf_free(&rows);
	lines_free(&lines);
}

void report_check_end(FILE *out, const struct report_style *st, const struct check_result *res)
{
	print_verdict(out, st->color, res->verdict);
	fprintf(out, " (%.1fs)\n", res->seconds);
	if (res->unbuilt) /* the build log's tail is above, once */
		fputs("    the tree did not build (see the build log above)\n", out);
	else
		print_indented(out, buf_str(&res->details), "    ");
	if (st->verbose && res->ran)
		print_whole_output(out, &res->output);
	fflush(out);
}

static void append_skipped(struct buf *out, int points)
{
	if (points)
		buf_printf(out, " (%d point%s skipped)", points, points == 1 ? "" : "s");
}

void report_part(FILE *out, const struct report_style *st, const char *part, const struct score_sheet *s,
		 size_t part_index)
{
	struct buf line = { 0 };

	buf_printf(&line, "  Part %s: %d/%d", part, s->part_score[part_index], s->part_max[part_index]);
	append_skipped(&line, s->part_skipped[part_index]);
	fprintf(out, "%s%s%s\n", st->color ? STYLE_BOLD : "", buf_str(&line), st->color ? STYLE_RESET : "");
	buf_free(&line);
}

void format_score(struct buf *out, const struct score_sheet *s)
{
	buf_printf(out, "Score: %d/%d", s->score, s->max);
	append_skipped(out, s->skipped_points);
}

void report_score(FILE *out, const struct report_style *st, const struct score_sheet *s)
{
	struct buf line = { 0 };

	format_score(&line, s);
	fprintf(out, "%s%s%s\n", st->color ? STYLE_BOLD : "", buf_str(&line), st->color ? STYLE_RESET : "");
	if (s->skipped && !s->passed && !s->failed)
		fprintf(out, "Every check was skipped: this machine cannot run them (see the reasons above).\n");
	buf_free(&line);
	fflush(out);
}

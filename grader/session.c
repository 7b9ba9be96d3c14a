#include "session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "github.h"
#include "json.h"
#include "report.h"
#include "runner.h"
#include "util/util.h"

/* 0 ready, 1 refused (a submission of another handout, or none), -1 failed. */
static int prepare(const struct session_options *o, struct graded_tree *tree)
{
	int rc;

	if (o->source && o->handout)
		return submission_prepare(tree, o->handout, o->source, &o->tree, o->grade.out);
	if (o->source)
		return tree_prepare(tree, o->source, &o->tree, o->grade.out);
	rc = tree_in_place(tree, o->in_place);
	if (rc < 0) {
		kit_warn("cannot grade %s: %s", o->in_place, strerror(-rc));
		return -1;
	}
	fprintf(o->grade.out, "Grading %s\n", tree->path);
	return 0;
}

static void write_file(const char *path, struct buf *text, const char *what)
{
	int rc = json_write_file(path, text);

	if (rc < 0)
		kit_warn("cannot write the %s %s: %s", what, path, strerror(-rc));
	buf_free(text);
}

/* A check SKIPped because this machine lacks what it needs (not an opt-in left out). */
static bool skipped_for_the_machine(const struct rubric *r, const struct check_result *results)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (results[i].ran && results[i].verdict == VERDICT_SKIP && results[i].unmet)
			return true;
	return false;
}

/* What every results file says besides the checks: a failed build, the tree's notes, the skip note. */
static void session_notes(struct buf *notes, const struct rubric *r, const struct session_options *o,
			  const struct check_result *results, const struct graded_tree *tree)
{
	if (tree->build_failed)
		buf_puts(notes, "The submission did not build; every check failed.\n");
	buf_append(notes, tree->notes.data, tree->notes.len);
	if (o->skip_note && *o->skip_note && skipped_for_the_machine(r, results))
		buf_printf(notes, "%s\n", o->skip_note);
}

static void write_results(const struct rubric *r, const struct session_options *o,
			  const struct check_result *results, const struct score_sheet *sheet,
			  const struct graded_tree *tree, double seconds)
{
	struct buf notes = { 0 }, text = { 0 };

	session_notes(&notes, r, o, results, tree);
	if (o->json_path) {
		json_gradescope(&text, r, results, sheet, seconds, buf_str(&notes));
		write_file(o->json_path, &text, "results");
	}
	if (o->summary_path) {
		github_summary(&text, r, results, sheet, buf_str(&notes));
		write_file(o->summary_path, &text, "summary");
	}
	if (o->classroom_path) {
		github_classroom(&text, r, results, sheet, tree->build_failed);
		write_file(o->classroom_path, &text, "GitHub Classroom result");
	}
	buf_free(&notes);
}

/* Not a submission of this handout: one line (on stderr, or in a batch's report), and results
 * files that say so, so a platform shows the student why instead of a missing file. */
static int refuse(const struct rubric *r, const struct session_options *o, const char *why)
{
	struct buf text = { 0 };
	int points = 0;

	if (o->grade.out == stdout)
		kit_warn("%s", why);
	else
		fprintf(o->grade.out, "Not graded: %s\n", why);
	for (size_t i = 0; i < r->nchecks; i++)
		if (check_selected(&r->checks[i], o->grade.only))
			points += r->checks[i].points;
	if (o->json_path) {
		json_gradescope_refused(&text, why);
		write_file(o->json_path, &text, "results");
	}
	if (o->summary_path) {
		github_summary_refused(&text, why);
		write_file(o->summary_path, &text, "summary");
	}
	if (o->classroom_path) {
		github_classroom_refused(&text, why, points);
		write_file(o->classroom_path, &text, "GitHub Classroom result");
	}
	return EXIT_USAGE;
}

int grade_session(const struct rubric *r, const struct session_options *o, struct score_sheet *sheet,
		  char **refused)
{
	struct report_style style = { .color = o->grade.color };
	struct check_result *results = xcalloc(r->nchecks, sizeof(*results));
	double start = now_seconds();
	struct graded_tree tree;
	int status, rc;

	*sheet = (struct score_sheet){ 0 };
	if (refused)
		*refused = NULL;
	rc = prepare(o, &tree);
	if (rc != 0) {
		status = rc > 0 ? refuse(r, o, tree.refused) : EXIT_FAIL;
		if (rc > 0 && refused)
			*refused = xstrdup(tree.refused);
		tree_release(&tree, o->keep, o->grade.out);
		free(results);
		return status;
	}
	double checks_start = now_seconds();
	grade_checks(r, &o->grade, &tree, results);
	score_sheet_compute(r, results, sheet);
	report_score(o->grade.out, &style, sheet);
	if (o->skip_note && *o->skip_note && skipped_for_the_machine(r, results))
		fprintf(o->grade.out, "note: %s\n", o->skip_note);
	if (o->source)
		fprintf(o->grade.out, "Time: %.1f s (copy and build %.1f s, checks %.1f s)\n", now_seconds() - start,
			checks_start - start, now_seconds() - checks_start);
	write_results(r, o, results, sheet, &tree, now_seconds() - start);
	tree_release(&tree, o->keep, o->grade.out);
	status = score_exit_status(sheet);
	if (grade_stop_signal) {
		fprintf(o->grade.out, "Interrupted by signal %d: the score is incomplete.\n", (int)grade_stop_signal);
		status = 128 + grade_stop_signal;
	}
	free_results(results, r->nchecks);
	free(results);
	return status;
}

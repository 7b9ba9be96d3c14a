#include "session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "report.h"
#include "runner.h"
#include "util/util.h"

static int prepare(const struct session_options *o, struct graded_tree *tree)
{
	int rc;

	if (o->source)
		return tree_prepare(tree, o->source, &o->tree, o->grade.out);
	rc = tree_in_place(tree, o->in_place);
	if (rc < 0) {
		warnx("cannot grade %s: %s", o->in_place, strerror(-rc));
		return -1;
	}
	fprintf(o->grade.out, "Grading %s\n", tree->path);
	return 0;
}

static void write_json(const struct rubric *r, const struct session_options *o,
		       const struct check_result *results, const struct score_sheet *sheet,
		       const struct graded_tree *tree, double seconds)
{
	struct buf json = { 0 }, notes = { 0 };
	int rc;

	if (tree->build_failed)
		buf_puts(&notes, "The submission did not build; every check failed.\n");
	buf_append(&notes, tree->notes.data, tree->notes.len);
	json_gradescope(&json, r, results, sheet, seconds, buf_str(&notes));
	rc = json_write_file(o->json_path, &json);
	if (rc < 0)
		warnx("cannot write %s: %s", o->json_path, strerror(-rc));
	buf_free(&json);
	buf_free(&notes);
}

int grade_session(const struct rubric *r, const struct session_options *o, struct score_sheet *sheet)
{
	struct report_style style = { .color = o->grade.color };
	struct check_result *results = xcalloc(r->nchecks, sizeof(*results));
	double start = now_seconds();
	struct graded_tree tree;
	int status;

	*sheet = (struct score_sheet){ 0 };
	if (prepare(o, &tree) < 0) {
		tree_release(&tree, o->keep, o->grade.out);
		free(results);
		return EXIT_FAIL;
	}
	double checks_start = now_seconds();
	grade_checks(r, &o->grade, &tree, results);
	score_sheet_compute(r, results, sheet);
	report_score(o->grade.out, &style, sheet);
	if (o->source)
		fprintf(o->grade.out, "Time: %.1f s (copy and build %.1f s, checks %.1f s)\n", now_seconds() - start,
			checks_start - start, now_seconds() - checks_start);
	if (o->json_path)
		write_json(r, o, results, sheet, &tree, now_seconds() - start);
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

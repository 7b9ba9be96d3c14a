#include "grade.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "runner.h"
#include "tree.h"
#include "util/util.h"
#include "vars.h"

bool check_selected(const struct check *c, const char *only)
{
	bool selected = false;

	if (!only)
		return true;
	char *patterns = xstrdup(only);
	char *save = NULL;
	for (char *pat = strtok_r(patterns, ",", &save); pat && !selected; pat = strtok_r(NULL, ",", &save))
		selected = fnmatch(pat, c->id, 0) == 0 || fnmatch(pat, c->part, 0) == 0;
	free(patterns);
	return selected;
}

size_t count_selected(const struct rubric *r, const char *only)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nchecks; i++)
		n += check_selected(&r->checks[i], only);
	return n;
}

static void fail_unbuilt(const struct graded_tree *tree, struct check_result *res)
{
	res->verdict = VERDICT_FAIL;
	res->unbuilt = true;
	buf_puts(&res->details, "the tree to grade did not build, so this check could not run\n");
	buf_append(&res->details, tree->build_details.data, tree->build_details.len);
}

static void fail_internal(struct check_result *res, const char *what)
{
	res->verdict = VERDICT_FAIL;
	buf_printf(&res->details, "the grader could not run this check: %s: %s\n", what, strerror(errno));
}

/* Run one check in a fresh $SCRATCH and judge it. */
static void run_check(const struct check *c, const struct graded_tree *tree, struct check_result *out)
{
	char *scratch = make_temp_dir("grade-scratch");
	struct var vars[CHECK_MAX_VARS];
	struct buf command = { 0 };
	struct run_result res;
	struct judgement verdict;

	if (!scratch) {
		fail_internal(out, "cannot create $SCRATCH");
		return;
	}
	size_t nvars = check_vars(c, scratch, tree->path, vars, CHECK_MAX_VARS);
	subst_vars(&command, c->run, vars, nvars, SUBST_RAW, NULL, 0);
	char *assign_scratch = xasprintf("SCRATCH=%s", scratch);
	char *assign_tree = xasprintf("GRADE_TREE=%s", tree->path);
	const char *assignments[] = { assign_scratch, assign_tree, NULL };
	char **env = env_with(assignments);
	char *const argv[] = { "/bin/sh", "-c", command.data, NULL };
	struct run_spec spec = { .argv = argv, .cwd = tree->path, .env = env, .timeout = c->timeout };

	run_command(&spec, &res);
	judge_run(c, &res, vars, nvars, &verdict);
	out->verdict = verdict.verdict;
	out->details = verdict.details;
	out->seconds = res.seconds;
	out->output = res.output; /* handed over: not freed with res */
	if (remove_scratch_tree(scratch) < 0)
		warnx("could not remove %s", scratch);
	free_env(env);
	free(assign_scratch);
	free(assign_tree);
	buf_free(&command);
	free(scratch);
}

static bool last_of_part(const struct rubric *r, const char *only, size_t i)
{
	for (size_t j = i + 1; j < r->nchecks; j++)
		if (check_selected(&r->checks[j], only))
			return r->checks[j].part_index != r->checks[i].part_index;
	return true;
}

void grade_checks(const struct rubric *r, const struct grade_config *cfg, const struct graded_tree *tree,
		  struct check_result *results)
{
	struct report_style style = { cfg->color, cfg->verbose, report_width(r, cfg->only) };
	struct score_sheet sheet;

	for (size_t i = 0; i < r->nchecks; i++) {
		const struct check *c = &r->checks[i];
		struct check_result *res = &results[i];

		*res = (struct check_result){ .selected = check_selected(c, cfg->only) };
		if (!res->selected || grade_stop_signal)
			continue;
		report_check_begin(cfg->out, &style, c);
		if (tree->build_failed)
			fail_unbuilt(tree, res);
		else
			run_check(c, tree, res);
		res->ran = true;
		report_check_end(cfg->out, &style, res);
		if (last_of_part(r, cfg->only, i)) {
			score_sheet_compute(r, results, &sheet);
			report_part(cfg->out, &style, c->part, &sheet, c->part_index);
			score_sheet_free(&sheet);
		}
	}
}

void free_results(struct check_result *results, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		buf_free(&results[i].details);
		buf_free(&results[i].output);
	}
}

void score_sheet_compute(const struct rubric *r, const struct check_result *results, struct score_sheet *s)
{
	*s = (struct score_sheet){ .nparts = r->nparts };
	s->part_score = xcalloc(r->nparts, sizeof(int));
	s->part_max = xcalloc(r->nparts, sizeof(int));
	s->part_skipped = xcalloc(r->nparts, sizeof(int));
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct check_result *res = &results[i];
		size_t part = r->checks[i].part_index;
		int points = r->checks[i].points;

		if (!res->selected || !res->ran)
			continue;
		if (res->verdict == VERDICT_SKIP) {
			s->skipped++;
			s->skipped_points += points;
			s->part_skipped[part] += points;
			continue;
		}
		s->max += points;
		s->part_max[part] += points;
		if (res->verdict == VERDICT_OK) {
			s->passed++;
			s->score += points;
			s->part_score[part] += points;
		} else {
			s->failed++;
		}
	}
}

void score_sheet_free(struct score_sheet *s)
{
	free(s->part_score);
	free(s->part_max);
	free(s->part_skipped);
	*s = (struct score_sheet){ 0 };
}

int score_exit_status(const struct score_sheet *s)
{
	return s->failed ? EXIT_FAIL : EXIT_OK;
}

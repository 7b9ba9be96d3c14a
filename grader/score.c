#include "score.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

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

/* The results of the checks of one tree, which --only selects, and the score they add up to. */
#ifndef GRADER_SCORE_H
#define GRADER_SCORE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "judge.h"
#include "rubric.h"

struct check_result {
	bool selected;  /* chosen by --only (all when there is none) */
	bool ran;       /* judged (not reached when the grader was interrupted) */
	bool unbuilt;   /* failed because the tree did not build (the report says so once) */
	enum verdict verdict;
	unsigned unmet; /* SKIP: the probed needs (enum need bits) this machine lacks; 0 for an opt-in */
	double seconds;
	struct buf details; /* see struct judgement */
	struct buf output;  /* the whole captured output, kept for --verbose */
};

struct score_sheet {
	size_t nparts;
	int *part_score, *part_max, *part_skipped; /* indexed like rubric.parts */
	int score, max;     /* max counts checks that ran and were not skipped */
	int skipped_points;
	size_t passed, failed, skipped;
};

/* Does --only (comma-separated glob patterns of check IDs or parts; NULL: all) select this check? */
bool check_selected(const struct check *c, const char *only);
/* How many checks --only selects. */
size_t count_selected(const struct rubric *r, const char *only);

void free_results(struct check_result *results, size_t count);

void score_sheet_compute(const struct rubric *r, const struct check_result *results, struct score_sheet *s);
void score_sheet_free(struct score_sheet *s);
/* 0 when no check failed, 1 otherwise. */
int score_exit_status(const struct score_sheet *s);

#endif

/* --batch: grade every submission folder of a directory, in parallel, into one CSV. */
#ifndef GRADER_BATCH_H
#define GRADER_BATCH_H

#include "rubric.h"
#include "session.h"

struct batch_options {
	const char *dir;       /* one submission per immediate subfolder */
	const char *csv_path;
	const char *out_dir;   /* NAME.txt (the report) and NAME.json per submission */
	int jobs;
	struct session_options session; /* source, json_path and grade.out are set per submission */
};

/* Returns the exit status: 0 when no submission lost points, 1 when one did or
 * could not be graded, 2 for an unusable directory or output file. */
int batch_main(struct rubric *r, const struct batch_options *o);

#endif

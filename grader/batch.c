#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "runner.h"
#include "util/util.h"

/* What a grading child reports back through its pipe, one line per part then the total:
 * "part\tINDEX\tSCORE\tMAX\n" ... "total\tSCORE\tMAX\n"; or "refused\tWHY\n". */
struct submission {
	char *name;
	pid_t pid;
	int fd;              /* the child's pipe, -1 when closed */
	struct buf summary;
	double start, seconds;
	int status;          /* the child's exit status, -1 if it died */
	bool done;
	int *part_score;     /* NULL until a total line arrived */
	int score, max;
	char *refused;       /* not a submission of the handout: why */
};

struct batch {
	struct rubric *rubric;
	const struct batch_options *opts;
	struct submission *subs;
	size_t count, started, finished, running;
};

static int is_submission(const struct dirent *entry)
{
	return entry->d_name[0] != '.';
}

/* Immediate subfolders (not symlinks), in name order. */
static int list_submissions(struct batch *b)
{
	struct dirent **entries;
	int n = scandir(b->opts->dir, &entries, is_submission, alphasort);

	if (n < 0) {
		kit_warn("cannot read %s: %s", b->opts->dir, strerror(errno));
		return -1;
	}
	b->subs = xcalloc((size_t)n, sizeof(*b->subs));
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", b->opts->dir, entries[i]->d_name);
		struct stat st;

		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			b->subs[b->count++] = (struct submission){ .name = xstrdup(entries[i]->d_name), .fd = -1 };
		free(path);
		free(entries[i]);
	}
	free(entries);
	return 0;
}

static void write_summary(int fd, const struct score_sheet *s)
{
	struct buf text = { 0 };

	for (size_t i = 0; i < s->nparts; i++)
		buf_printf(&text, "part\t%zu\t%d\t%d\n", i, s->part_score[i], s->part_max[i]);
	buf_printf(&text, "total\t%d\t%d\n", s->score, s->max);
	write_all(fd, text.data, text.len);
	buf_free(&text);
}

/* In the child: grade one submission with its report going to OUT/NAME.txt. */
static void grade_child(struct batch *b, const struct submission *sub, int fd)
{
	const struct batch_options *o = b->opts;
	char *report_path = xasprintf("%s/%s.txt", o->out_dir, sub->name);
	char *json_path = xasprintf("%s/%s.json", o->out_dir, sub->name);
	char *source = xasprintf("%s/%s", o->dir, sub->name);
	struct session_options so = o->session;
	struct score_sheet sheet;
	FILE *report = fopen(report_path, "w");
	char *refused = NULL;
	int status;

	if (!report) {
		kit_warn("cannot write %s: %s", report_path, strerror(errno));
		_exit(EXIT_FAIL);
	}
	rubric_roll_lets(b->rubric); /* fresh random values for every submission */
	so.source = source;
	so.json_path = json_path;
	so.grade.out = report;
	so.grade.color = false;
	status = grade_session(b->rubric, &so, &sheet, &refused);
	if (refused) {
		char *line = xasprintf("refused\t%s\n", refused);

		write_all(fd, line, strlen(line));
		free(line);
	} else if (status < 128) {
		write_summary(fd, &sheet);
	}
	fclose(report);
	_exit(status);
}

static int start_one(struct batch *b)
{
	struct submission *sub = &b->subs[b->started];
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0) {
		kit_warn("pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL); /* nothing buffered may be written twice */
	sub->start = now_seconds();
	sub->pid = fork();
	if (sub->pid < 0) {
		kit_warn("fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (sub->pid == 0) {
		close(fds[0]);
		grade_child(b, sub, fds[1]);
	}
	close(fds[1]);
	sub->fd = fds[0];
	b->started++;
	b->running++;
	return 0;
}

static void parse_summary(struct batch *b, struct submission *sub)
{
	const char *p = buf_str(&sub->summary);
	size_t nparts = b->rubric->nparts;
	int *parts = xcalloc(nparts, sizeof(int));
	bool total = false;

	while (*p) {
		size_t index;
		int score, max;

		if (strncmp(p, "refused\t", 8) == 0 && !sub->refused)
			sub->refused = xstrndup(p + 8, strcspn(p + 8, "\n"));
		else if (sscanf(p, "part\t%zu\t%d\t%d", &index, &score, &max) == 3 && index < nparts)
			parts[index] = score;
		else if (sscanf(p, "total\t%d\t%d", &score, &max) == 2) {
			sub->score = score;
			sub->max = max;
			total = true;
		}
		p += strcspn(p, "\n");
		p += *p == '\n';
	}
	if (total)
		sub->part_score = parts;
	else
		free(parts);
}

static void print_progress(struct batch *b, const struct submission *sub)
{
	const char *out_dir = b->opts->out_dir;

	printf("[%zu/%zu] %s: ", b->finished, b->count, sub->name);
	if (sub->part_score)
		printf("%d/%d", sub->score, sub->max);
	else if (sub->refused)
		printf("not graded: %s", sub->refused);
	else
		printf("not graded (status %d)", sub->status);
	printf(" (%.1fs) -> %s/%s.txt\n", sub->seconds, out_dir, sub->name);
	fflush(stdout);
}

static void finish_one(struct batch *b, struct submission *sub)
{
	int wstatus = 0;

	close(sub->fd);
	sub->fd = -1;
	while (waitpid(sub->pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	sub->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	sub->seconds = now_seconds() - sub->start;
	sub->done = true;
	parse_summary(b, sub);
	b->running--;
	b->finished++;
	print_progress(b, sub);
}

static void read_child(struct batch *b, struct submission *sub)
{
	char chunk[4096];
	ssize_t n = read(sub->fd, chunk, sizeof(chunk));

	if (n > 0)
		buf_append(&sub->summary, chunk, (size_t)n);
	else if (n == 0 || errno != EINTR)
		finish_one(b, sub);
}

static void forward_stop_signal(struct batch *b)
{
	for (size_t i = 0; i < b->started; i++)
		if (!b->subs[i].done)
			kill(b->subs[i].pid, SIGTERM);
}

/* Wait for any running child to report, then handle what arrived. */
static void wait_for_children(struct batch *b)
{
	struct pollfd *pfds = xcalloc(b->running, sizeof(*pfds));
	struct submission **owners = xcalloc(b->running, sizeof(*owners));
	size_t n = 0;

	for (size_t i = 0; i < b->started; i++)
		if (b->subs[i].fd >= 0) {
			pfds[n] = (struct pollfd){ .fd = b->subs[i].fd, .events = POLLIN };
			owners[n++] = &b->subs[i];
		}
	if (poll(pfds, n, -1) > 0)
		for (size_t i = 0; i < n; i++)
			if (pfds[i].revents)
				read_child(b, owners[i]);
	free(pfds);
	free(owners);
}

static void run_all(struct batch *b)
{
	bool forwarded = false;

	while (b->finished < b->count) {
		while (!grade_stop_signal && b->started < b->count && b->running < (size_t)b->opts->jobs)
			if (start_one(b) < 0)
				return;
		if (b->running == 0)
			return;
		if (grade_stop_signal && !forwarded) {
			forward_stop_signal(b);
			forwarded = true;
		}
		wait_for_children(b);
	}
}

static void csv_field(FILE *csv, const char *text)
{
	if (!strpbrk(text, ",\"\n\r")) {
		fputs(text, csv);
		return;
	}
	fputc('"', csv);
	for (const char *c = text; *c; c++) {
		if (*c == '"')
			fputc('"', csv);
		fputc(*c, csv);
	}
	fputc('"', csv);
}

static bool part_selected(const struct rubric *r, size_t part, const char *only)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (r->checks[i].part_index == part && check_selected(&r->checks[i], only))
			return true;
	return false;
}

static void write_csv(struct batch *b, FILE *csv)
{
	const struct rubric *r = b->rubric;
	const char *only = b->opts->session.grade.only;

	fputs("submission", csv);
	for (size_t p = 0; p < r->nparts; p++)
		if (part_selected(r, p, only)) {
			fputc(',', csv);
			csv_field(csv, r->parts[p]);
		}
	fputs(",total,max,seconds\n", csv);
	for (size_t i = 0; i < b->count; i++) {
		const struct submission *sub = &b->subs[i];

		csv_field(csv, sub->name);
		for (size_t p = 0; p < r->nparts; p++)
			if (part_selected(r, p, only)) {
				if (sub->part_score)
					fprintf(csv, ",%d", sub->part_score[p]);
				else
					fputc(',', csv);
			}
		if (sub->part_score)
			fprintf(csv, ",%d,%d", sub->score, sub->max);
		else
			fputs(",,", csv);
		fprintf(csv, ",%.1f\n", sub->seconds);
	}
}

/* The grading-time budget: wall time per submission (what a batch of N costs) and each one's own. */
static void print_timing(const struct batch *b, double wall)
{
	double sum = 0;

	if (b->finished == 0)
		return;
	for (size_t i = 0; i < b->count; i++)
		if (b->subs[i].done)
			sum += b->subs[i].seconds;
	printf("Time: %.1f s for %zu submissions, %d at a time: %.1f s per submission "
	       "(each took %.1f s on average)\n", wall, b->finished, b->opts->jobs, wall / (double)b->finished,
	       sum / (double)b->finished);
}

static int batch_status(const struct batch *b)
{
	int status = EXIT_OK;

	if (grade_stop_signal)
		return 128 + grade_stop_signal;
	for (size_t i = 0; i < b->count; i++)
		if (!b->subs[i].part_score || b->subs[i].status != 0)
			status = EXIT_FAIL;
	return status;
}

static void free_batch(struct batch *b)
{
	for (size_t i = 0; i < b->count; i++) {
		free(b->subs[i].name);
		free(b->subs[i].part_score);
		free(b->subs[i].refused);
		buf_free(&b->subs[i].summary);
	}
	free(b->subs);
}

static FILE *open_outputs(const struct batch_options *o, char **csv_part)
{
	FILE *csv;

	if (mkdir(o->out_dir, 0755) < 0 && errno != EEXIST) {
		kit_warn("cannot create %s: %s", o->out_dir, strerror(errno));
		return NULL;
	}
	/* Written next to the CSV and renamed at the end: a partial batch leaves no CSV. */
	*csv_part = xasprintf("%s.part", o->csv_path);
	csv = fopen(*csv_part, "w");
	if (!csv)
		kit_warn("cannot write %s: %s", *csv_part, strerror(errno));
	return csv;
}

int batch_main(struct rubric *r, const struct batch_options *o)
{
	struct batch b = { .rubric = r, .opts = o };
	char *csv_part = NULL;
	FILE *csv;
	int status;

	if (list_submissions(&b) < 0)
		return EXIT_USAGE;
	if (b.count == 0) {
		kit_warn("%s has no submission folders", o->dir);
		free_batch(&b);
		return EXIT_USAGE;
	}
	csv = open_outputs(o, &csv_part);
	if (!csv) {
		free(csv_part);
		free_batch(&b);
		return EXIT_USAGE;
	}
	printf("Grading %zu submissions of %s, %d at a time; reports in %s/\n", b.count, o->dir, o->jobs,
	       o->out_dir);
	if (o->session.handout)
		printf("Each one's 'edit' files on a fresh copy of the handout %s (%zu files, its .handout)\n",
		       o->session.handout->top, o->session.handout->nedits);
	double start = now_seconds();
	run_all(&b);
	print_timing(&b, now_seconds() - start);
	status = batch_status(&b);
	write_csv(&b, csv);
	if (fclose(csv) != 0 || (status < 128 && rename(csv_part, o->csv_path) < 0)) {
		kit_warn("cannot write %s: %s", o->csv_path, strerror(errno));
		status = EXIT_FAIL;
	}
	if (status >= 128)
		unlink(csv_part);
	else
		printf("Wrote %s\n", o->csv_path);
	free(csv_part);
	free_batch(&b);
	return status;
}

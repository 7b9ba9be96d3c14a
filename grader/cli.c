#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "buf.h"
#include "needs.h"
#include "util/opts.h"
#include "rubric.h"
#include "runner.h"
#include "session.h"
#include "submission.h"
#include "util/util.h"

static const char usage_text[] =
	"Usage: grade [OPTION]...\n"
	"Grade the lab kit against its rubric, in the style of MIT 6.828's `make grade`.\n"
	"\n"
	"By default it grades the kit it belongs to (the folder above grader/), in place and\n"
	"without building (`make grade` builds first), with the rubric in grader/rubric/.\n"
	"\n"
	"What to grade:\n"
	"      --tree DIR        grade another checkout, e.g. a student's: copy DIR to a scratch\n"
	"                        folder, build it there (make -B all), grade the copy, remove it;\n"
	"                        DIR itself is never modified. The rubric is this kit's own.\n"
	"      --submission DIR  grade a student's submission of a handout (made by make handout):\n"
	"                        only the files its .handout lists as 'edit' are taken from DIR,\n"
	"                        onto a fresh copy of the pristine handout, which is built and\n"
	"                        graded with the handout's rubric; a DIR that is not a submission\n"
	"                        of this handout is refused (exit status 2)\n"
	"      --handout DIR     the pristine handout for --submission and --batch (default: the\n"
	"                        tree this grader belongs to, when it is a handout)\n"
	"      --batch DIR       grade every subfolder of DIR as one submission: like --submission\n"
	"                        when there is a handout (see --handout), else like --tree\n"
	"      --rubric PATH     a rubric file, or a folder of *.rubric files read in name order\n"
	"                        (default: grader/rubric/ of this kit, or of --handout)\n"
	"      --rubric-extra PATH  more checks, read after the rubric (e.g. an instructor's\n"
	"                        private checks, which students do not see); repeatable\n"
	"      --only PATTERNS   only checks whose ID or part matches one of these comma-separated\n"
	"                        glob patterns, e.g. --only lab-a or --only 'lab-b.print*'\n"
	"      --with NAMES      also run the opt-in checks named NAME (comma-separated; see the\n"
	"                        NEEDS column of --list), e.g. --with lab-d-vm: they cost time,\n"
	"                        downloads or disk, and SKIP unless asked for\n"
	"\n"
	"Output:\n"
	"  -v, --verbose         show the whole output of every check\n"
	"      --json FILE       also write the results in Gradescope's results.json format\n"
	"      --summary FILE    also write a Markdown summary (a GitHub Actions job summary)\n"
	"      --classroom FILE  also write the result GitHub Classroom's reporter reads (JSON;\n"
	"                        base64 it into the step's output: grader/ci-grade.sh does)\n"
	"      --skip-note TEXT  add TEXT to the results when a check SKIPs for what this machine\n"
	"                        lacks (e.g. what the grading platform cannot run)\n"
	"      --list            list the checks and exit\n"
	"      --regions         list each check's points and solution regions, and exit\n"
	"\n"
	"With --tree, --submission or --batch:\n"
	"      --build-timeout SECONDS  hard limit for building a tree (default 600)\n"
	"      --keep            keep the scratch copies and print where they are\n"
	"With --batch:\n"
	"      --jobs N          grade N submissions at once (default 1)\n"
	"      --csv FILE        scores, one row per submission (default grades.csv)\n"
	"      --out DIR         per submission: the report NAME.txt and NAME.json (default grades)\n"
	"\n"
	"  -h, --help            show this help\n"
	"\n"
	"A check SKIPs when the machine lacks what it needs (KVM, root, user namespaces, an\n"
	"unprivileged user), which the grader finds out itself; a program that exits 77 or whose\n"
	"tests all skip FAILs (except in checks that need the network).\n"
	"\n"
	"Exit status: 0 when no check failed (a SKIP loses no points), 1 when one failed,\n"
	"2 for a usage error (bad option, unreadable rubric, rubric syntax error),\n"
	"128+N when signal N interrupted the grading.\n";

#define CLI_MAX_WITH 32
#define CLI_MAX_EXTRA 8

struct cli {
	const char *tree, *batch, *rubric, *only, *json, *csv, *out;
	const char *submission, *handout, *summary, *classroom, *skip_note;
	const char *extra[CLI_MAX_EXTRA];
	size_t nextra;
	char *with[CLI_MAX_WITH + 1]; /* --with names, NULL-terminated */
	size_t nwith;
	bool verbose, list, keep, regions;
	bool jobs_given, build_timeout_given;
	long jobs;
	double build_timeout;
};

enum option_id {
	OPT_TREE = 256, OPT_BATCH, OPT_RUBRIC, OPT_ONLY, OPT_JSON, OPT_LIST, OPT_REGIONS, OPT_BUILD_TIMEOUT,
	OPT_KEEP, OPT_JOBS, OPT_CSV, OPT_OUT, OPT_WITH, OPT_SUBMISSION, OPT_HANDOUT, OPT_SUMMARY,
	OPT_CLASSROOM, OPT_SKIP_NOTE, OPT_RUBRIC_EXTRA,
};

static const struct option long_options[] = {
	{ "tree", required_argument, NULL, OPT_TREE },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "rubric", required_argument, NULL, OPT_RUBRIC },
	{ "only", required_argument, NULL, OPT_ONLY },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "regions", no_argument, NULL, OPT_REGIONS },
	{ "build-timeout", required_argument, NULL, OPT_BUILD_TIMEOUT },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "with", required_argument, NULL, OPT_WITH },
	{ "submission", required_argument, NULL, OPT_SUBMISSION },
	{ "handout", required_argument, NULL, OPT_HANDOUT },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "classroom", required_argument, NULL, OPT_CLASSROOM },
	{ "skip-note", required_argument, NULL, OPT_SKIP_NOTE },
	{ "rubric-extra", required_argument, NULL, OPT_RUBRIC_EXTRA },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void need_folder(const char *option, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		die_usage("%s %s: %s", option, path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die_usage("%s %s: not a folder", option, path);
}

static void add_with(struct cli *cli, const char *value)
{
	char *names = xstrdup(value), *save = NULL;

	for (char *name = strtok_r(names, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
		if (cli->nwith == CLI_MAX_WITH)
			die_usage("--with: at most %d names", CLI_MAX_WITH);
		cli->with[cli->nwith++] = xstrdup(name);
	}
	free(names);
}

static void apply_option(struct cli *cli, int id, const char *value)
{
	switch (id) {
	case OPT_TREE: cli->tree = value; break;
	case OPT_BATCH: cli->batch = value; break;
	case OPT_RUBRIC: cli->rubric = value; break;
	case OPT_ONLY: cli->only = value; break;
	case OPT_JSON: cli->json = value; break;
	case OPT_LIST: cli->list = true; break;
	case OPT_REGIONS: cli->regions = true; break;
	case OPT_KEEP: cli->keep = true; break;
	case OPT_CSV: cli->csv = value; break;
	case OPT_OUT: cli->out = value; break;
	case OPT_WITH: add_with(cli, value); break;
	case OPT_SUBMISSION: cli->submission = value; break;
	case OPT_HANDOUT: cli->handout = value; break;
	case OPT_SUMMARY: cli->summary = value; break;
	case OPT_CLASSROOM: cli->classroom = value; break;
	case OPT_SKIP_NOTE: cli->skip_note = value; break;
	case OPT_RUBRIC_EXTRA:
		if (cli->nextra == CLI_MAX_EXTRA)
			die_usage("--rubric-extra: at most %d", CLI_MAX_EXTRA);
		cli->extra[cli->nextra++] = value;
		break;
	case 'v': cli->verbose = true; break;
	case OPT_BUILD_TIMEOUT:
		if (parse_seconds(value, &cli->build_timeout) < 0)
			die_usage("--build-timeout: bad value '%s' (seconds, more than 0)", value);
		cli->build_timeout_given = true;
		break;
	case OPT_JOBS:
		if (parse_long_in(value, 1, 256, &cli->jobs) < 0)
			die_usage("--jobs: bad value '%s' (a whole number from 1 to 256)", value);
		cli->jobs_given = true;
		break;
	case 'h':
		fputs(usage_text, stdout);
		exit(EXIT_OK);
	default:
		die_usage("unknown option");
	}
}

static void check_combinations(const struct cli *cli)
{
	if (!!cli->tree + !!cli->batch + !!cli->submission > 1)
		die_usage("--tree, --submission and --batch exclude each other");
	if (!cli->batch && (cli->jobs_given || cli->csv || cli->out))
		die_usage("--jobs, --csv and --out only apply to --batch");
	if (!cli->batch && !cli->tree && !cli->submission && (cli->keep || cli->build_timeout_given))
		die_usage("--keep and --build-timeout only apply to --tree, --submission and --batch");
	if (cli->batch && (cli->json || cli->summary || cli->classroom))
		die_usage("--json, --summary and --classroom do not apply to --batch (each submission gets "
			  "NAME.json in --out)");
	if (cli->handout && !cli->submission && !cli->batch)
		die_usage("--handout only applies to --submission and --batch");
	if (cli->tree)
		need_folder("--tree", cli->tree);
	if (cli->batch)
		need_folder("--batch", cli->batch);
	if (cli->submission)
		need_folder("--submission", cli->submission);
	if (cli->handout)
		need_folder("--handout", cli->handout);
}

static void parse_args(struct cli *cli, int argc, char **argv)
{
	int id;

	*cli = (struct cli){ .jobs = 1, .build_timeout = BUILD_TIMEOUT_DEFAULT };
	optind = 0; /* glibc: start afresh (tests call grade_main more than once) */
	opterr = 0;
	while ((id = getopt_long(argc, argv, "vh", long_options, NULL)) != -1) {
		if (id == '?' && optopt > 0 && optopt < 128) /* a short option */
			die_usage("option '-%c' is unknown or needs a value", optopt);
		if (id == '?')
			die_usage("option '%s' is unknown or needs a value", argv[optind - 1]);
		apply_option(cli, id, optarg);
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	check_combinations(cli);
}

static bool has_rubric_folder(const char *top)
{
	char *path = xasprintf("%s/grader/rubric", top);
	struct stat st;
	bool found = stat(path, &st) == 0 && S_ISDIR(st.st_mode);

	free(path);
	return found;
}

/* The kit this grader belongs to: the nearest folder above the binary with grader/rubric/
 * (build-san/grader/grade belongs to the kit too), else the binary's folder's parent. */
static char *find_kit_top(void)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *top, *first_parent = NULL;

	if (len < 0)
		die("cannot find the grader's own path: %s", strerror(errno));
	exe[len] = '\0';
	top = xstrdup(dirname(exe));
	for (int up = 0; up < 4 && strcmp(top, "/") != 0; up++) {
		char *parent = xstrdup(dirname(top));

		free(top);
		top = parent;
		if (!first_parent)
			first_parent = xstrdup(top);
		if (has_rubric_folder(top)) {
			free(first_parent);
			return top;
		}
	}
	free(top);
	return first_parent ? first_parent : xstrdup("/");
}

/* "kvm,userns,optin:lab-d-vm", or "-" for a check that needs nothing. */
static void needs_text(struct buf *out, const struct check *c)
{
	for (unsigned bit = 1; bit <= NEED_NETWORK; bit <<= 1)
		if (c->needs & bit)
			buf_printf(out, "%s%s", out->len ? "," : "", need_name((enum need)bit));
	for (size_t i = 0; i < c->noptins; i++)
		buf_printf(out, "%soptin:%s", out->len ? "," : "", c->optins[i]);
	if (!out->len)
		buf_putc(out, '-');
}

static void list_checks(const struct rubric *r, const char *only)
{
	int points = 0;
	size_t count = 0;

	printf("%-28s %-10s %6s %8s  %-24s %s\n", "CHECK", "PART", "POINTS", "TIMEOUT", "NEEDS", "TITLE");
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct check *c = &r->checks[i];

		if (!check_selected(c, only))
			continue;
		struct buf needs = { 0 };

		needs_text(&needs, c);
		printf("%-28s %-10s %6d %7gs  %-24s %s\n", c->id, c->part, c->points, c->timeout, needs.data, c->title);
		buf_free(&needs);
		points += c->points;
		count++;
	}
	printf("%zu checks, %d points\n", count, points);
}

/* One line per check: "ID POINTS REGION..." ("-" for a check no region answers). */
static void list_regions(const struct rubric *r, const char *only)
{
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct check *c = &r->checks[i];

		if (check_selected(c, only))
			printf("%s %d %s\n", c->id, c->points, c->regions ? c->regions : "-");
	}
}

static bool use_color(void)
{
	const char *term = getenv("TERM");

	return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !(term && strcmp(term, "dumb") == 0);
}

static int make_jobs(int concurrent)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long jobs = cpus > 0 ? cpus / concurrent : 1;

	return jobs > 0 ? (int)jobs : 1;
}

static void print_rubric_line(const struct rubric *r, const struct cli *cli, const char *rubric_path)
{
	size_t count = 0;
	int points = 0;

	for (size_t i = 0; i < r->nchecks; i++)
		if (check_selected(&r->checks[i], cli->only)) {
			count++;
			points += r->checks[i].points;
		}
	printf("Rubric: %s", rubric_path);
	for (size_t i = 0; i < cli->nextra; i++)
		printf(" + %s", cli->extra[i]);
	printf(" (%zu checks, %d points)\n", count, points);
}

/* Every need of the selected checks, probed now, once for the whole run (and every submission). */
static void probe_machine(struct machine *m, const struct rubric *r, const struct cli *cli)
{
	unsigned needs = 0;

	*m = (struct machine){ .optins = (const char *const *)cli->with };
	for (size_t i = 0; i < r->nchecks; i++)
		if (check_selected(&r->checks[i], cli->only))
			needs |= r->checks[i].needs;
	machine_probe(m, needs);
}

static int run_grading(struct rubric *r, const struct cli *cli, const char *top, const struct handout *handout,
		       const char *rubric_path)
{
	struct machine machine;

	struct session_options so = {
		.source = cli->submission ? cli->submission : cli->tree,
		.handout = handout,
		.in_place = top,
		.json_path = cli->json,
		.summary_path = cli->summary,
		.classroom_path = cli->classroom,
		.skip_note = cli->skip_note,
		.keep = cli->keep,
		.grade = { .only = cli->only, .verbose = cli->verbose, .color = use_color(), .out = stdout,
			   .machine = &machine },
		.tree = { .build_timeout = cli->build_timeout, .make_jobs = make_jobs((int)cli->jobs),
			  .color = use_color() },
	};
	struct score_sheet sheet;
	int status;

	probe_machine(&machine, r, cli);
	if (cli->batch) {
		struct batch_options bo = {
			.dir = cli->batch,
			.csv_path = cli->csv ? cli->csv : "grades.csv",
			.out_dir = cli->out ? cli->out : "grades",
			.jobs = (int)cli->jobs,
			.session = so,
		};
		return batch_main(r, &bo);
	}
	print_rubric_line(r, cli, rubric_path);
	status = grade_session(r, &so, &sheet, NULL);
	score_sheet_free(&sheet);
	return status;
}

static bool has_optin(const struct rubric *r, const char *name)
{
	for (size_t i = 0; i < r->nchecks; i++)
		for (size_t j = 0; j < r->checks[i].noptins; j++)
			if (strcmp(r->checks[i].optins[j], name) == 0)
				return true;
	return false;
}

/* The rubric, then the --rubric-extra paths, into one. */
static void load_rubric(struct rubric *rubric, const struct cli *cli, const char *path)
{
	const char *paths[CLI_MAX_EXTRA + 1] = { path };
	struct rubric_error err;
	int rc;

	for (size_t i = 0; i < cli->nextra; i++)
		paths[i + 1] = cli->extra[i];
	rc = rubric_load_all(rubric, paths, cli->nextra + 1, &err);
	if (rc < 0)
		die_with(EXIT_USAGE, "%s", err.text);
	if (cli->only && count_selected(rubric, cli->only) == 0)
		die_usage("--only '%s' matches no check ID or part (see --list)", cli->only);
	for (size_t i = 0; i < cli->nwith; i++)
		if (!has_optin(rubric, cli->with[i]))
			die_usage("--with %s: no check is opt-in as %s (see the NEEDS column of --list)",
				  cli->with[i], cli->with[i]);
}

/*
 * The pristine handout submissions are graded against: --handout DIR, or the tree this
 * grader belongs to when it is one. Needed by --submission; --batch uses it when there is one.
 */
static bool find_handout(struct handout *h, const struct cli *cli, const char *top)
{
	struct buf err = { 0 };

	if (!cli->handout && !(cli->submission || cli->batch))
		return false;
	if (!cli->handout && !handout_present(top)) {
		if (cli->submission)
			die_usage("--submission: %s is not a handout (it has no %s): name the pristine handout, "
				  "made by make handout, with --handout DIR", top, HANDOUT_FILE);
		return false;
	}
	if (handout_load(h, cli->handout ? cli->handout : top, &err) < 0)
		die_with(EXIT_USAGE, "--handout: %s", buf_str(&err));
	buf_free(&err);
	return true;
}

int grade_main(int argc, char **argv)
{
	struct rubric rubric = { 0 };
	struct handout handout = { 0 };
	struct cli cli;
	char *top, *rubric_path;
	bool have_handout;
	int status;

	kit_set_progname("grade");
	parse_args(&cli, argc, argv);
	top = find_kit_top();
	have_handout = find_handout(&handout, &cli, top);
	/* A handout named with --handout is graded with its own rubric, not this kit's. */
	rubric_path = cli.rubric ? xstrdup(cli.rubric)
				 : xasprintf("%s/grader/rubric", cli.handout && have_handout ? handout.top : top);
	load_rubric(&rubric, &cli, rubric_path);
	if (cli.regions) {
		list_regions(&rubric, cli.only);
		status = EXIT_OK;
	} else if (cli.list) {
		list_checks(&rubric, cli.only);
		status = EXIT_OK;
	} else {
		install_stop_handlers();
		status = run_grading(&rubric, &cli, top, have_handout ? &handout : NULL, rubric_path);
	}
	rubric_free(&rubric);
	handout_free(&handout);
	free(rubric_path);
	for (size_t i = 0; i < cli.nwith; i++)
		free(cli.with[i]);
	free(top);
	return status;
}

/* Unit tests of the grader: rubric parsing, variables, the runner, the matcher,
 * the report, JSON, the score, and the command line (tree and batch modes). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "cli.h"
#include "closest.h"
#include "github.h"
#include "grade.h"
#include "json.h"
#include "judge.h"
#include "lines.h"
#include "needs.h"
#include "report.h"
#include "rubric.h"
#include "runner.h"
#include "submission.h"
#include "tree.h"
#include "vars.h"

#define assert_contains(haystack, needle)                                                     \
	do {                                                                                  \
		const char *h_ = (haystack), *n_ = (needle);                                   \
		if (!h_ || !strstr(h_, n_))                                                    \
			fail_msg("expected to find \"%s\" in:\n%s", n_, h_ ? h_ : "(null)");   \
	} while (0)

#define assert_not_contains(haystack, needle)                                                 \
	do {                                                                                  \
		const char *h_ = (haystack), *n_ = (needle);                                   \
		if (h_ && strstr(h_, n_))                                                      \
			fail_msg("did not expect \"%s\" in:\n%s", n_, h_);                      \
	} while (0)

/* ---------------------------------------------------------------- helpers */

static int parse_text(struct rubric *r, const char *text, struct rubric_error *err)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(in);
	rc = rubric_parse_stream(r, in, "t.rubric", err);
	fclose(in);
	if (rc == 0)
		rc = rubric_finish(r, "t.rubric", err);
	return rc;
}

static void parse_ok(struct rubric *r, const char *text)
{
	struct rubric_error err;

	*r = (struct rubric){ 0 };
	if (parse_text(r, text, &err) < 0)
		fail_msg("rubric did not parse: %s", err.text);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *path)
{
	struct buf b = { 0 };
	char chunk[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_take(&b);
}

static bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool folder_is_empty(const char *path)
{
	char *cmd = xasprintf("test -z \"$(ls -A '%s')\"", path);
	int rc = system(cmd);

	free(cmd);
	return rc == 0;
}

/* A rubric graded in place, in a fresh temporary folder. */
struct graded {
	struct rubric rubric;
	struct check_result *results;
	char *report;
	char *tree;
};

/* Grade in a fresh tree (holding one file, "marker", with "in the tree") with these needs met or not. */
static void grade_text_on(struct graded *g, const char *text, struct machine *machine)
{
	struct graded_tree tree;
	size_t len = 0;
	FILE *out = open_memstream(&g->report, &len);
	struct grade_config cfg = { .out = out, .machine = machine };

	parse_ok(&g->rubric, text);
	g->tree = make_temp_dir("grade-test-tree.x");
	assert_non_null(g->tree);
	char *marker = xasprintf("%s/marker", g->tree);
	write_file(marker, "in the tree\n");
	free(marker);
	assert_int_equal(tree_in_place(&tree, g->tree), 0);
	g->results = xcalloc(g->rubric.nchecks, sizeof(*g->results));
	grade_checks(&g->rubric, &cfg, &tree, g->results);
	fclose(out);
	tree_release(&tree, false, stderr);
}

/* Every probed need met, as on a machine with KVM, root and user namespaces. */
static struct machine able_machine(void)
{
	struct machine m = { 0 };
	struct need_probe *all[] = { &m.kvm, &m.root, &m.userns, &m.unprivileged };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		*all[i] = (struct need_probe){ .probed = true, .met = true, .text = "found it" };
	snprintf(m.kvm.text, sizeof(m.kvm.text), "/dev/kvm opens and makes a VM");
	return m;
}

static void grade_text(struct graded *g, const char *text)
{
	struct machine m = able_machine();

	grade_text_on(g, text, &m);
}

static void graded_free(struct graded *g)
{
	free_results(g->results, g->rubric.nchecks);
	free(g->results);
	rubric_free(&g->rubric);
	free(g->report);
	remove_scratch_tree(g->tree);
	free(g->tree);
}

static const char *details(const struct graded *g, size_t i)
{
	return buf_str(&g->results[i].details);
}

static struct run_result run_shell(const char *command, double timeout, size_t cap)
{
	char *const argv[] = { "/bin/sh", "-c", (char *)command, NULL };
	struct run_spec spec = { .argv = argv, .timeout = timeout, .output_cap = cap };
	struct run_result res;

	run_command(&spec, &res);
	return res;
}

/* Is the process gone (or a zombie about to be reaped by init)? Waits up to 2 s. */
static bool process_gone(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		char path[64], *stat_text;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		stat_text = read_file(path);
		if (!stat_text)
			return true;
		char *state = strrchr(stat_text, ')');
		bool zombie = state && state[1] == ' ' && state[2] == 'Z';
		free(stat_text);
		if (zombie)
			return true;
		usleep(10000);
	}
	return false;
}

/* Run grade_main in a child with stdout and stderr in one file; TMPDIR as given. */
static int run_cli(char **output, const char *tmpdir, ...)
{
	char *argv[32] = { "grade" };
	int argc = 1, status;
	char out_path[] = "/tmp/grade-test-out.XXXXXX";
	int fd = mkstemp(out_path);
	va_list ap;
	pid_t pid;

	assert_true(fd >= 0);
	va_start(ap, tmpdir);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (tmpdir)
			setenv("TMPDIR", tmpdir, 1);
		exit(grade_main(argc, argv));
	}
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	*output = read_file(out_path);
	unlink(out_path);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Is this process's user named in the group's member list (or is it in the group now)? */
static bool listed_in(const struct group *gr)
{
	struct passwd *pw = getpwuid(geteuid());

	for (char **m = gr->gr_mem; pw && m && *m; m++)
		if (strcmp(*m, pw->pw_name) == 0)
			return true;
	return getegid() == gr->gr_gid;
}

/* ---------------------------------------------------------------- rubric parsing */

static void test_parse_defaults(void **state)
{
	struct rubric r;

	(void)state;
	parse_ok(&r, "# a comment\n\ncheck lab-x.hello\n  run ./lab-x\n");
	assert_int_equal(r.nchecks, 1);
	assert_string_equal(r.checks[0].id, "lab-x.hello");
	assert_string_equal(r.checks[0].part, "lab-x");
	assert_string_equal(r.checks[0].title, "lab-x.hello");
	assert_string_equal(r.checks[0].run, "./lab-x");
	assert_int_equal(r.checks[0].points, 1);
	assert_true(r.checks[0].timeout == 30.0);
	assert_int_equal(r.checks[0].status, 0);
	assert_int_equal(r.checks[0].npatterns, 0);
	assert_int_equal(r.checks[0].line, 3);
	rubric_free(&r);
}

static void test_parse_all_keys(void **state)
{
	struct rubric r;

	(void)state;
	parse_ok(&r, "check a.one\n"
		     "\tpart    custom\n"
		     "  points  7\n"
		     "  title   the first check  \r\n"
		     "  run     echo ${MSG} | tr a b\n"
		     "  timeout 2.5\n"
		     "  status  any\n"
		     "  let     MSG word 20\n"
		     "  let     KEY hex\n"
		     "  expect  ^${MSG}$\n"
		     "  forbid  error|panic\n"
		     "  expect  #not a comment\n");
	const struct check *c = &r.checks[0];
	assert_string_equal(c->part, "custom");
	assert_int_equal(c->points, 7);
	assert_string_equal(c->title, "the first check");
	assert_string_equal(c->run, "echo ${MSG} | tr a b");
	assert_true(c->timeout == 2.5);
	assert_int_equal(c->status, RUBRIC_STATUS_ANY);
	assert_int_equal(c->nlets, 2);
	assert_int_equal(strlen(c->lets[0].value), 20);
	assert_int_equal(strlen(c->lets[1].value), RUBRIC_DEFAULT_LET_LEN);
	assert_int_equal(c->npatterns, 3);
	assert_int_equal(c->patterns[0].kind, PATTERN_EXPECT);
	assert_int_equal(c->patterns[1].kind, PATTERN_FORBID);
	assert_int_equal(c->patterns[1].line, 11);
	assert_string_equal(c->patterns[2].text, "#not a comment");
	rubric_free(&r);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "check a\n  points x\n  run true\n", "t.rubric:2: bad points 'x'" },
		{ "check a\n  points 1001\n  run true\n", "t.rubric:2: bad points '1001'" },
		{ "check a\n  points -1\n  run true\n", "t.rubric:2: bad points" },
		{ "check a\n  run true\n  expects x\n", "t.rubric:3: unknown key 'expects'" },
		{ "check a\n  title t\n\ncheck b\n  run true\n", "t.rubric:1: check 'a' has no 'run' line" },
		{ "check a\n  run true\n", NULL },
		{ "check a\n  run true\ncheck a\n  run true\n",
		  "t.rubric:3: duplicate check ID 'a' (first defined at t.rubric:1)" },
		{ "check a\n  run true\n  expect (unclosed\n", "t.rubric:3: bad regular expression in 'expect': (unclosed" },
		{ "check a\n  run true\n  forbid a{1\n", "t.rubric:3: bad regular expression in 'forbid'" },
		{ "points 3\n", "t.rubric:1: 'points' outside a check" },
		{ "check a\n  run true\n  run false\n", "t.rubric:3: 'run' given twice in check 'a'" },
		{ "check a\n  run true\n  let X blob\n", "t.rubric:3: bad 'let' kind 'blob'" },
		{ "check a\n  run true\n  let 9X word\n", "t.rubric:3: bad variable name '9X'" },
		{ "check a\n  run true\n  let X word 0\n", "t.rubric:3: bad 'let' length '0'" },
		{ "check a\n  run true\n  let X word 8 9\n", "t.rubric:3: 'let' takes NAME KIND [LEN]" },
		{ "check a\n  run true\n  let SCRATCH word\n", "t.rubric:3: 'SCRATCH' is set by the grader" },
		{ "check a\n  run true\n  let X word\n  let X hex\n", "t.rubric:4: variable 'X' defined twice" },
		{ "check a\n  run true\n  expect ${NOPE}\n", "t.rubric:3: unknown variable ${NOPE} in 'expect'" },
		{ "check a\n  run true\n  timeout -1\n", "t.rubric:3: bad timeout '-1'" },
		{ "check a\n  run true\n  timeout 0\n", "t.rubric:3: bad timeout '0'" },
		{ "check a\n  run true\n  status 256\n", "t.rubric:3: bad status '256'" },
		{ "check a\n  run true\n  status ok\n", "t.rubric:3: bad status 'ok'" },
		{ "check a b\n  run true\n", "t.rubric:1: bad check ID 'a b'" },
		{ "check a\n  run\n", "t.rubric:2: 'run' needs a value" },
		{ "check a\n  run true\n  part x/y\n", "t.rubric:3: bad part name 'x/y'" },
		{ "# only a comment\n", "t.rubric: no checks in the rubric" },
		{ "", "t.rubric: no checks in the rubric" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rubric r = { 0 };
		struct rubric_error err = { "" };
		int rc = parse_text(&r, cases[i].text, &err);

		if (!cases[i].error) {
			assert_int_equal(rc, 0);
		} else {
			if (rc != -1)
				fail_msg("case %zu parsed, expected: %s", i, cases[i].error);
			if (strncmp(err.text, cases[i].error, strlen(cases[i].error)) != 0)
				fail_msg("case %zu: got \"%s\", expected \"%s...\"", i, err.text, cases[i].error);
		}
		rubric_free(&r);
	}
}

static void test_parse_nul_byte(void **state)
{
	static const char text[] = "check a\n  run tr\0ue\n";
	struct rubric r = { 0 };
	struct rubric_error err;
	FILE *in = fmemopen((void *)text, sizeof(text) - 1, "r");

	(void)state;
	assert_int_equal(rubric_parse_stream(&r, in, "t.rubric", &err), -1);
	assert_contains(err.text, "t.rubric:2: NUL byte");
	fclose(in);
	rubric_free(&r);
}

static void test_group_by_part(void **state)
{
	struct rubric r;

	(void)state;
	parse_ok(&r, "check a.1\n run true\ncheck b.1\n run true\ncheck a.2\n run true\n"
		     "check c\n run true\n part b\n");
	assert_int_equal(r.nparts, 2);
	assert_string_equal(r.parts[0], "a");
	assert_string_equal(r.parts[1], "b");
	assert_string_equal(r.checks[0].id, "a.1");
	assert_string_equal(r.checks[1].id, "a.2");
	assert_string_equal(r.checks[2].id, "b.1");
	assert_string_equal(r.checks[3].id, "c");
	assert_int_equal(r.checks[3].part_index, 1);
	rubric_free(&r);
}

static void test_load_folder(void **state)
{
	char *dir = make_temp_dir("grade-test-rubric");
	char *a = xasprintf("%s/10-a.rubric", dir), *b = xasprintf("%s/20-b.rubric", dir);
	char *other = xasprintf("%s/notes.txt", dir), *hidden = xasprintf("%s/.x.rubric", dir);
	struct rubric r = { 0 };
	struct rubric_error err;

	(void)state;
	write_file(b, "check b.1\n  run true\n");
	write_file(a, "check a.1\n  run true\n");
	write_file(other, "not a rubric\n");
	write_file(hidden, "broken\n");
	assert_int_equal(rubric_load(&r, dir, &err), 0);
	assert_int_equal(r.nchecks, 2);
	assert_string_equal(r.checks[0].id, "a.1");
	assert_string_equal(r.checks[1].file, b);
	rubric_free(&r);

	/* A duplicate across files names both places; errors name the file. */
	write_file(b, "# b\ncheck a.1\n  run true\n");
	assert_int_equal(rubric_load(&r, dir, &err), -1);
	char *want = xasprintf("%s:2: duplicate check ID 'a.1' (first defined at %s:1)", b, a);
	assert_string_equal(err.text, want);
	rubric_free(&r);
	free(want);

	unlink(a);
	unlink(b);
	assert_int_equal(rubric_load(&r, dir, &err), -1);
	assert_contains(err.text, "no *.rubric files");
	rubric_free(&r);
	assert_int_equal(rubric_load(&r, "/nonexistent/x.rubric", &err), -1);
	assert_string_equal(err.text, "/nonexistent/x.rubric: cannot read the rubric: No such file or directory");
	rubric_free(&r);
	remove_scratch_tree(dir);
	free(dir);
	free(a);
	free(b);
	free(other);
	free(hidden);
}

/* ---------------------------------------------------------------- variables */

static void test_subst_vars(void **state)
{
	struct var vars[] = { { "W", "abc" }, { "GRADE_TREE", "/tmp/a.b" } };
	struct buf out = { 0 };
	char unknown[32] = "";

	(void)state;
	assert_int_equal(subst_vars(&out, "x${W}y ${GRADE_TREE} $W ${HOME} ${", vars, 2, SUBST_RAW, unknown,
				    sizeof(unknown)), 1);
	assert_string_equal(buf_str(&out), "xabcy /tmp/a.b $W ${HOME} ${");
	assert_string_equal(unknown, "HOME");
	buf_reset(&out);
	assert_int_equal(subst_vars(&out, "^${GRADE_TREE}$", vars, 2, SUBST_REGEX, NULL, 0), 0);
	assert_string_equal(buf_str(&out), "^/tmp/a\\.b$");
	buf_reset(&out);
	assert_int_equal(subst_vars(&out, "", vars, 2, SUBST_RAW, NULL, 0), 0);
	assert_string_equal(buf_str(&out), "");
	buf_free(&out);
}

static void test_random_values(void **state)
{
	char a[65], b[65], h[33];

	(void)state;
	random_word(a, 64);
	random_word(b, 64);
	random_hex(h, 32);
	assert_int_equal(strlen(a), 64);
	assert_true(a[0] >= 'a' && a[0] <= 'z');
	assert_int_equal(strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789"), 64);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(h), 32);
	assert_int_equal(strspn(h, "0123456789abcdef"), 32);
}

static void test_roll_lets(void **state)
{
	struct rubric r;

	(void)state;
	parse_ok(&r, "check a\n  let W word 24\n  run echo ${W}\n");
	char *first = xstrdup(r.checks[0].lets[0].value);
	rubric_roll_lets(&r);
	assert_int_equal(strlen(r.checks[0].lets[0].value), 24);
	assert_string_not_equal(first, r.checks[0].lets[0].value);
	free(first);
	rubric_free(&r);
}

static void test_let_round_trip(void **state)
{
	struct graded g = { 0 };

	(void)state;
	grade_text(&g, "check v.word\n"
		       "  let W word 16\n"
		       "  let H hex 8\n"
		       "  run printf '%s-%s\\n' ${W} ${H}\n"
		       "  expect ^${W}-${H}$\n"
		       "check v.tree\n"
		       "  run pwd; echo \"$GRADE_TREE\"\n"
		       "  expect ^${GRADE_TREE}$\n"
		       "check v.scratch\n"
		       "  run test -d \"$SCRATCH\" && test -z \"$(ls -A \"$SCRATCH\")\" && test \"$SCRATCH\" = ${SCRATCH} && touch \"$SCRATCH/f\" && echo fine\n"
		       "  expect ^fine$\n"
		       "check v.other\n"
		       "  let W word 16\n"
		       "  run echo ${W}\n"
		       "  forbid ^0000000000000000$\n");
	for (size_t i = 0; i < g.rubric.nchecks; i++)
		if (g.results[i].verdict != VERDICT_OK)
			fail_msg("check %s: %s\n%s", g.rubric.checks[i].id, verdict_name(g.results[i].verdict),
				 details(&g, i));
	/* The word printed is the one the rubric holds; the tree path contains '.', escaped. */
	assert_contains(buf_str(&g.results[0].output), g.rubric.checks[0].lets[0].value);
	assert_contains(g.tree, ".x");
	graded_free(&g);
}

/* ---------------------------------------------------------------- the matcher */

static void test_expect_and_forbid(void **state)
{
	struct graded g = { 0 };

	(void)state;
	grade_text(&g, "check m.ok\n"
		       "  run printf 'alpha\\nbeta\\ngamma\\n'\n"
		       "  expect ^beta$\n"
		       "  expect a$\n"
		       "  forbid ^delta\n"
		       "check m.missing\n"
		       "  run seq 1 30\n"
		       "  expect ^5$\n"
		       "  expect ^zzz$\n"
		       "check m.forbidden\n"
		       "  run seq 1 30\n"
		       "  forbid ^17$\n"
		       "check m.partial-line\n"
		       "  run echo 'Hello, world!!'\n"
		       "  expect ^Hello, world!$\n");
	assert_int_equal(g.results[0].verdict, VERDICT_OK);
	assert_int_equal(g.results[0].details.len, 0);

	assert_int_equal(g.results[1].verdict, VERDICT_FAIL);
	assert_contains(details(&g, 1), "expected a line matching: ^zzz$\n");
	/* No line resembles "zzz": the last lines are shown. */
	assert_contains(details(&g, 1), "  (no output line resembles it)\n");
	assert_contains(details(&g, 1), "output, lines 21-30 of 30:\n");
	assert_not_contains(details(&g, 1), "| 15\n");

	assert_int_equal(g.results[2].verdict, VERDICT_FAIL);
	assert_contains(details(&g, 2), "expected no line matching: ^17$ (line 17 matches)\n");
	assert_contains(details(&g, 2), "> 17 | 17\n");
	assert_contains(details(&g, 2), "  14 | 14\n");
	assert_contains(details(&g, 2), "  20 | 20\n");
	assert_not_contains(details(&g, 2), "| 21\n");

	assert_int_equal(g.results[3].verdict, VERDICT_FAIL);
	graded_free(&g);
}

static void test_exit_status(void **state)
{
	struct graded g = { 0 };

	(void)state;
	grade_text(&g, "check s.three\n  run echo before; exit 3\n"
		       "check s.any\n  run exit 5\n  status any\n"
		       "check s.want-two\n  run exit 2\n  status 2\n"
		       "check s.want-two-got-zero\n  run true\n  status 2\n"
		       "check s.signal\n  run echo dying; kill -SEGV $$\n  status any\n");
	assert_int_equal(g.results[0].verdict, VERDICT_FAIL);
	assert_contains(details(&g, 0), "expected exit status 0, got 3\n");
	assert_contains(details(&g, 0), "1 | before\n");
	assert_int_equal(g.results[1].verdict, VERDICT_OK);
	assert_int_equal(g.results[2].verdict, VERDICT_OK);
	assert_int_equal(g.results[3].verdict, VERDICT_FAIL);
	assert_contains(details(&g, 3), "expected exit status 2, got 0\n");
	assert_contains(details(&g, 3), "output: (none)\n");
	assert_int_equal(g.results[4].verdict, VERDICT_FAIL);
	assert_contains(details(&g, 4), "expected it to exit, but it was killed by signal 11");
	graded_free(&g);
}

static void test_skip(void **state)
{
	struct graded g = { 0 };

	(void)state;
	/* Only a check that needs the network takes the program's 77 as SKIP, with its reason. */
	grade_text(&g, "check k.skip\n  needs network\n"
		       "  run echo starting; echo 'lab-d: the mirror is not reachable'; echo; exit 77\n"
		       "  expect ^never$\n"
		       "check k.silent\n  needs network\n  run exit 77\n"
		       "check k.wanted\n  run exit 77\n  status 77\n"
		       "check k.asan\n  needs network\n  run echo '==1==ERROR: LeakSanitizer: detected memory leaks'; exit 77\n");
	assert_int_equal(g.results[0].verdict, VERDICT_SKIP);
	assert_string_equal(details(&g, 0), "lab-d: the mirror is not reachable\n");
	assert_int_equal(g.results[1].verdict, VERDICT_SKIP);
	assert_string_equal(details(&g, 1), "(the program gave no reason)\n");
	assert_int_equal(g.results[2].verdict, VERDICT_OK);
	assert_int_equal(g.results[3].verdict, VERDICT_FAIL);
	assert_contains(g.report, "k.skip ");
	assert_contains(g.report, "SKIP (");
	assert_contains(g.report, "    lab-d: the mirror is not reachable\n");
	graded_free(&g);
}

/* A program cannot turn a FAIL into a SKIP: the grader decides what cannot run here. */
static void test_exit_77_is_a_claim_the_grader_checks(void **state)
{
	struct graded g = { 0 };

	(void)state;
	grade_text(&g, "check c.kvm\n  needs kvm\n  run echo 'lab-a: cannot open /dev/kvm'; exit 77\n"
		       "check c.nothing\n  run echo 'I cannot run here'; exit 77\n"
		       "check c.wanted\n  needs kvm\n  run exit 77\n  status 77\n");
	assert_int_equal(g.results[0].verdict, VERDICT_FAIL);
	assert_contains(details(&g, 0), "the program says it cannot run here (exit status 77), but the grader "
			"found what this check needs: kvm (/dev/kvm opens and makes a VM)\n");
	assert_contains(details(&g, 0), "its reason: lab-a: cannot open /dev/kvm\n");
	assert_int_equal(g.results[1].verdict, VERDICT_FAIL);
	assert_contains(details(&g, 1), "this check needs nothing of the machine (no 'needs' line)");
	assert_int_equal(g.results[2].verdict, VERDICT_OK);
	graded_free(&g);
}

static void test_needs_unmet_skip_before_running(void **state)
{
	struct machine m = able_machine();
	struct graded g = { 0 };

	(void)state;
	m.kvm = (struct need_probe){ .probed = true, .met = false, .text = "/dev/kvm is crw------- root:root" };
	m.root = (struct need_probe){ .probed = true, .met = false, .text = "the grader runs as alice" };
	grade_text_on(&g, "check n.kvm\n  needs kvm\n  run touch \"$GRADE_TREE/ran\"\n"
			  "check n.both\n  needs kvm userns\n  needs root\n  run touch \"$GRADE_TREE/ran\"\n"
			  "check n.userns\n  needs userns\n  run echo ran\n  expect ^ran$\n", &m);
	assert_int_equal(g.results[0].verdict, VERDICT_SKIP);
	assert_string_equal(details(&g, 0), "needs kvm: /dev/kvm is crw------- root:root\n");
	assert_int_equal(g.results[1].verdict, VERDICT_SKIP);
	assert_string_equal(details(&g, 1), "needs kvm: /dev/kvm is crw------- root:root\n"
					    "needs root: the grader runs as alice\n");
	assert_int_equal(g.results[2].verdict, VERDICT_OK);
	char *ran = xasprintf("%s/ran", g.tree);
	assert_false(path_exists(ran)); /* never run */
	free(ran);
	graded_free(&g);
}

static void test_needs_parse(void **state)
{
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "check a\n  run true\n  needs kvm gpu\n", "t.rubric:3: unknown need 'gpu'" },
		{ "check a\n  run true\n  needs optin:a/b\n", "t.rubric:3: bad opt-in name 'a/b'" },
		{ "check a\n  run true\n  cost x\n  cost y\n", "t.rubric:4: 'cost' given twice" },
	};
	struct rubric r;

	(void)state;
	parse_ok(&r, "check a\n  run true\n  needs kvm, userns\n  needs optin:lab-d-vm network\n  cost 1 GB\n");
	assert_int_equal(r.checks[0].needs, NEED_KVM | NEED_USERNS | NEED_NETWORK);
	assert_int_equal(r.checks[0].noptins, 1);
	assert_string_equal(r.checks[0].optins[0], "lab-d-vm");
	assert_string_equal(r.checks[0].cost, "1 GB");
	rubric_free(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rubric_error err = { "" };

		r = (struct rubric){ 0 };
		assert_int_equal(parse_text(&r, bad[i].text, &err), -1);
		if (strncmp(err.text, bad[i].error, strlen(bad[i].error)) != 0)
			fail_msg("case %zu: got \"%s\", expected \"%s...\"", i, err.text, bad[i].error);
		rubric_free(&r);
	}
}

static void test_optin(void **state)
{
	static const char text[] = "check o.big\n  needs optin:big\n  cost downloads 1 GB\n  run echo ran\n"
				   "check o.small\n  run true\n";
	const char *const with[] = { "big", NULL };
	struct machine m = able_machine();
	struct graded g = { 0 };

	(void)state;
	grade_text_on(&g, text, &m);
	assert_int_equal(g.results[0].verdict, VERDICT_SKIP);
	assert_contains(details(&g, 0), "not asked for: this check is opt-in (downloads 1 GB); run it with "
			"'make grade GRADE_WITH=big' (or grader/grade --with big)");
	assert_not_contains(g.report, "Opted in");
	graded_free(&g);

	m.optins = with;
	grade_text_on(&g, text, &m);
	assert_int_equal(g.results[0].verdict, VERDICT_OK);
	assert_contains(g.report, "Opted in: o.big: downloads 1 GB\n");
	graded_free(&g);
}

static void test_cmocka_all_skipped_scores_nothing(void **state)
{
	struct graded g = { 0 };

	(void)state;
	grade_text(&g, "check t.all-skipped\n  needs kvm\n"
		       "  run printf '[==========] 2 test(s) run.\\n[  PASSED  ] 0 test(s).\\n[  SKIPPED ] 2 test(s), "
		       "listed below:\\n[  SKIPPED ] test_a\\n'\n"
		       "  expect ^\\[  PASSED  \\] [0-9]+ test\\(s\\)\\.$\n"
		       "check t.some-skipped\n"
		       "  run printf '[  PASSED  ] 3 test(s).\\n[  SKIPPED ] 1 test(s), listed below:\\n'\n"
		       "  expect ^\\[  PASSED  \\] [0-9]+ test\\(s\\)\\.$\n"
		       "check t.network\n  needs network\n"
		       "  run printf '[  PASSED  ] 0 test(s).\\n[  SKIPPED ] 4 test(s), listed below:\\nno mirror\\n'\n");
	assert_int_equal(g.results[0].verdict, VERDICT_FAIL);
	assert_contains(details(&g, 0), "every test of a cmocka group was skipped (line 2), so it tested nothing, "
			"but the grader found what this check needs: kvm");
	assert_int_equal(g.results[1].verdict, VERDICT_OK);
	assert_int_equal(g.results[2].verdict, VERDICT_SKIP);
	graded_free(&g);
}

static void test_closest_line(void **state)
{
	struct graded g = { 0 };
	struct buf lit = { 0 };

	(void)state;
	regex_literals(&lit, "^a\\.6 exits: [0-9]+ \\(x\\)s?$");
	assert_string_equal(buf_str(&lit), "a.6 exits: \n (x)");
	buf_reset(&lit);
	regex_literals(&lit, "^(PASSED  |SKIPPED )\\] 9 tests{0,1}x*");
	assert_string_equal(buf_str(&lit), "PASSED  \nSKIPPED \n] 9 test");
	buf_free(&lit);

	/* The decisive line is the 18th of 25, not among the first ten. */
	grade_text(&g, "check b.exits\n"
		       "  run for i in $(seq 1 17); do echo \"guest line $i\"; done; "
		       "echo 'lab-b: the guest finished after 1048 exits (1047 of them port I/O)'; seq 19 25\n"
		       "  expect ^guest line 1$\n"
		       "  expect ^lab-b: the guest finished after 1047 exits \\(1046 of them port I/O\\)$\n");
	assert_int_equal(g.results[0].verdict, VERDICT_FAIL);
	assert_contains(details(&g, 0), "  closest, line 18 of 25:\n");
	assert_contains(details(&g, 0), "  > 18 | lab-b: the guest finished after 1048 exits (1047 of them port I/O)\n");
	assert_contains(details(&g, 0), "    17 | guest line 17\n");
	assert_contains(details(&g, 0), "    19 | 19\n");
	assert_not_contains(details(&g, 0), "| guest line 1\n");
	assert_not_contains(details(&g, 0), "output, lines");
	graded_free(&g);
}

static void test_kvm_access_advice(void **state)
{
	struct stat st = { .st_mode = S_IFCHR | 0600, .st_uid = 0, .st_gid = 0 };
	struct buf text = { 0 };
	struct group *disk = getgrnam("disk");
	bool use_disk = disk && !listed_in(disk);
	gid_t disk_gid = disk ? disk->gr_gid : 0; /* getgr* reuse one buffer: keep what is needed */

	(void)state;
	kvm_access_advice(&text, "/dev/kvm", EACCES, &st);
	assert_contains(buf_str(&text), "/dev/kvm is crw------- root:root and ");
	assert_contains(buf_str(&text), "run as root (sudo), or have the admin give you access: "
			"sudo setfacl -m u:");
	assert_not_contains(buf_str(&text), "usermod"); /* no group has access: joining one would not help */
	buf_reset(&text);
	kvm_access_advice(&text, "/dev/kvm", ENOENT, NULL);
	assert_contains(buf_str(&text), "/dev/kvm does not exist: there is no KVM here");
	buf_reset(&text);
	if (use_disk) {
		st.st_mode = S_IFCHR | 0660;
		st.st_gid = disk_gid;
		kvm_access_advice(&text, "/dev/kvm", EACCES, &st);
		assert_contains(buf_str(&text), "crw-rw---- root:disk");
		assert_contains(buf_str(&text), "join its group disk (sudo usermod -aG disk ");
	}
	buf_free(&text);
}

static void test_kvm_probe_opens_the_kits_device(void **state)
{
	struct machine m = { 0 };
	const struct need_probe *p;

	(void)state;
	setenv("KIT_KVM_DEVICE", "/nonexistent/kvm", 1);
	p = machine_need(&m, NEED_KVM);
	assert_false(p->met);
	assert_contains(p->text, "/nonexistent/kvm does not exist");
	m = (struct machine){ 0 };
	setenv("KIT_KVM_DEVICE", "/dev/null", 1);
	p = machine_need(&m, NEED_KVM);
	assert_false(p->met);
	assert_contains(p->text, "/dev/null opens, but is not KVM");
	unsetenv("KIT_KVM_DEVICE");
	m = (struct machine){ 0 };
	p = machine_need(&m, NEED_ROOT);
	assert_int_equal(p->met, geteuid() == 0);
}

/* Root grading a tree in a folder only root may enter: the rootless check runs in a copy uid 65534 can reach. */
static void test_unprivileged_user_reaches_the_tree(void **state)
{
	struct machine m = { 0 };
	struct graded g = { 0 };

	(void)state;
	if (geteuid() != 0 || !machine_need(&m, NEED_UNPRIVILEGED_USER)->met)
		skip();
	grade_text_on(&g, "check u.reach\n  needs unprivileged-user\n"
			  "  run $UNPRIVILEGED sh -c 'id -u; cat \"$GRADE_TREE/marker\"'\n"
			  "  expect ^${UNPRIVILEGED_UID}$\n  expect ^in the tree$\n", &m);
	if (g.results[0].verdict != VERDICT_OK)
		fail_msg("%s\n%s", details(&g, 0), buf_str(&g.results[0].output));
	assert_contains(details(&g, 0), "note: uid 65534 cannot reach ");
	assert_contains(details(&g, 0), "is drwx------ root:root): ran in a copy it can reach, ");
	assert_contains(buf_str(&g.results[0].output), "65534\n");
	graded_free(&g);
}

/* Run a shell command from the kit's top folder; its output (stdout and stderr) and exit status. */
static int shell_output(const char *command, char **output)
{
	char *full = xasprintf("(%s) 2>&1", command);
	FILE *p = popen(full, "r");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	int status;

	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&b, chunk, n);
	status = pclose(p);
	free(full);
	*output = buf_take(&b);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool in_kit_top(void)
{
	return path_exists("labs/lab-d/prereqs.sh") && path_exists("mk/deps.sh");
}

/* make diagrams installs graphviz first (as root), or names it: with fake dpkg-query and apt-get. */
static void test_diagrams_install_or_name_graphviz(void **state)
{
	char *dir = make_temp_dir("grade-test-deps");
	char *out, *cmd;

	(void)state;
	if (!in_kit_top())
		skip();
	cmd = xasprintf("printf '#!/bin/sh\\necho \"deinstall ok config-files\"\\n' > %s/dpkg-query && "
			"printf '#!/bin/sh\\necho \"apt-get $*\" >> %s/log\\n' > %s/apt-get && "
			"chmod +x %s/dpkg-query %s/apt-get && PATH=%s:$PATH mk/deps.sh graphviz; echo status=$?; "
			"cat %s/log 2>/dev/null", dir, dir, dir, dir, dir, dir, dir);
	shell_output(cmd, &out);
	if (geteuid() == 0) {
		assert_contains(out, "deps: installing graphviz\n");
		assert_contains(out, "apt-get install -y -qq --no-install-recommends graphviz\n");
		assert_contains(out, "status=0");
	} else {
		assert_contains(out, "deps: install them with: sudo apt-get update && sudo apt-get install -y graphviz\n");
		assert_contains(out, "status=1");
	}
	free(out);
	free(cmd);
	/* ... and make diagrams asks for it before the first dot. */
	shell_output("make -n -B --no-print-directory diagrams", &out); /* -B: even when up to date */
	assert_non_null(strstr(out, "mk/deps.sh graphviz\n"));
	assert_true(strstr(out, "mk/deps.sh graphviz\n") < strstr(out, "dot -T"));
	free(out);
	remove_scratch_tree(dir);
	free(dir);
}

/* Offline, with nothing fetched yet, lab-d-vm's prerequisites SKIP in one line. */
static void test_lab_d_offline_is_one_skip_line(void **state)
{
	char *dir = make_temp_dir("grade-test-offline");
	char *out, *cmd;
	int status;

	(void)state;
	if (!in_kit_top())
		skip();
	/* An apt-get whose mirror is a closed local port (9, discard); the rest is the machine's. */
	cmd = xasprintf("mkdir %s/debs && printf '#!/bin/sh\\ncase \" $* \" in *\" --print-uris \"*) "
			"echo \"'\"'\"'http://127.0.0.1:9/debian/pool/x.deb'\"'\"' x.deb 1 SHA256:0\";; esac\\n' > %s/apt-get && "
			"chmod +x %s/apt-get && PATH=%s:$PATH LAB_D_DEBS=%s/debs labs/lab-d/prereqs.sh",
			dir, dir, dir, dir, dir);
	status = shell_output(cmd, &out);
	assert_int_equal(status, 77);
	if (!strstr(out, "SKIP: needs ") && !strstr(out, "apt knows no")) { /* the tools are here */
		assert_contains(out, "lab-d-vm: SKIP: Debian's package mirror (127.0.0.1:9) cannot be reached");
		assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out)); /* one line */
	}
	free(out);
	free(cmd);
	remove_scratch_tree(dir);
	free(dir);
}

/* kbuild splits paths at blanks: a kit cloned into one builds its modules elsewhere. */
static void test_lab_d_kbuild_path_has_no_blank(void **state)
{
	char *out;

	(void)state;
	if (!in_kit_top())
		skip();
	assert_int_equal(shell_output("bash -c 'LAB_D_BUILD=\"/tmp/my labs/kit/build/lab-d\"; "
				      "source labs/lab-d/lib.sh; kbuild_dir'", &out), 0);
	assert_contains(out, "/tmp/lab-d-kbuild-");
	assert_contains(out, "/usr/src\n");
	assert_null(strchr(out, ' '));
	free(out);
	assert_int_equal(shell_output("bash -c 'LAB_D_BUILD=/tmp/kit/build/lab-d; "
				      "source labs/lab-d/lib.sh; kbuild_dir'", &out), 0);
	assert_string_equal(out, "/tmp/kit/build/lab-d/root/usr/src\n");
	free(out);
}

/* ./lab-d that cannot show the hypercalls here says so once, with no contradicting register dump. */
static void test_lab_d_skip_is_one_message(void **state)
{
	char *out;
	int status;

	(void)state;
	if (!path_exists("lab-d"))
		skip();
	status = shell_output("./lab-d", &out);
	if (status == 77) {
		assert_contains(out, "lab-d: SKIP: ");
		assert_not_contains(out, "raise it with --timeout");
		assert_not_contains(out, "vCPU 0 stopped");
	}
	free(out);
}

/* The grader's files depend on each other in layers: no include cycle among them. */
static void test_includes_form_a_dag(void **state)
{
	char *names[64], *edges[64][16];
	size_t count = 0, nedges[64] = { 0 };
	int color[64] = { 0 };
	FILE *list = popen("ls grader/*.c grader/*.h 2>/dev/null", "r");
	char path[256];

	(void)state;
	if (!list)
		skip();
	while (fgets(path, sizeof(path), list) && count < 64) {
		path[strcspn(path, "\n")] = '\0';
		char *base = strrchr(path, '/') + 1;
		size_t n = strcspn(base, ".");
		size_t at = 0;
		while (at < count && (strlen(names[at]) != n || strncmp(names[at], base, n) != 0))
			at++;
		if (at == count)
			names[count++] = xstrndup(base, n);
		char *text = read_file(path);
		for (char *inc = text ? strstr(text, "#include \"") : NULL; inc; inc = strstr(inc + 1, "#include \"")) {
			char *name = inc + 10;
			size_t len = strcspn(name, ".\"");
			if (nedges[at] < 16 && !(strlen(names[at]) == len && strncmp(names[at], name, len) == 0))
				edges[at][nedges[at]++] = xstrndup(name, len);
		}
		free(text);
	}
	pclose(list);
	if (count < 5)
		skip(); /* not run from the kit's top folder */
	/* Depth-first search: meeting a module still on the stack is a cycle. */
	size_t stack[64], edge_at[64], depth = 0;
	for (size_t start = 0; start < count; start++) {
		if (color[start])
			continue;
		stack[depth] = start, edge_at[depth++] = 0, color[start] = 1;
		while (depth) {
			size_t v = stack[depth - 1];
			if (edge_at[depth - 1] == nedges[v]) {
				color[v] = 2, depth--;
				continue;
			}
			char *to = edges[v][edge_at[depth - 1]++];
			for (size_t w = 0; w < count; w++) {
				if (strcmp(names[w], to) != 0)
					continue;
				if (color[w] == 1)
					fail_msg("include cycle through grader/%s and grader/%s", names[v], names[w]);
				if (color[w] == 0)
					stack[depth] = w, edge_at[depth++] = 0, color[w] = 1;
			}
		}
	}
	for (size_t i = 0; i < count; i++) {
		for (size_t j = 0; j < nedges[i]; j++)
			free(edges[i][j]);
		free(names[i]);
	}
}

static void test_sanitizer_lines(void **state)
{
	static const char *const reports[] = {
		"==42==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1",
		"lab.c:10:5: runtime error: signed integer overflow",
		"==42==ERROR: LeakSanitizer: detected memory leaks",
		"SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior lab.c:3",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		char *text = xasprintf("ok\nfine\n%s\nmore\n", reports[i]);
		struct lines lines;

		lines_split(&lines, text, strlen(text));
		assert_int_equal(find_sanitizer_line(&lines), 2);
		lines_free(&lines);
		free(text);
	}

	struct graded g = { 0 };
	grade_text(&g, "check z.asan\n"
		       "  run echo hello; echo '==9==ERROR: AddressSanitizer: SEGV on unknown address'; echo '#0 0x1 in main'\n"
		       "  expect ^hello$\n");
	assert_int_equal(g.results[0].verdict, VERDICT_FAIL);
	assert_contains(details(&g, 0), "no sanitizer report, but line 2 is one\n");
	assert_contains(details(&g, 0), "> 2 | ==9==ERROR: AddressSanitizer");
	assert_contains(details(&g, 0), "  3 | #0 0x1 in main\n");
	graded_free(&g);
}

/* ---------------------------------------------------------------- the runner */

static void test_timeout_kills_process_group(void **state)
{
	char *dir = make_temp_dir("grade-test-pid");
	char *pidfile = xasprintf("%s/pid", dir);
	char *command = xasprintf("sleep 30 & echo $! > %s; echo partial output; sleep 30; echo never", pidfile);
	struct run_result res = run_shell(command, 0.3, 0);

	(void)state;
	assert_true(res.timed_out);
	assert_false(res.interrupted);
	assert_true(res.seconds >= 0.3 && res.seconds < 2.5);
	assert_string_equal(buf_str(&res.output), "partial output\n");
	char *pid_text = read_file(pidfile);
	assert_non_null(pid_text);
	assert_true(process_gone((pid_t)atoi(pid_text)));

	/* The matcher shows the timeout and the partial output. */
	struct rubric r;
	struct judgement j;
	parse_ok(&r, "check t\n  run x\n  timeout 0.3\n  expect never\n");
	judge_run(&r.checks[0], &res, NULL, 0, NULL, &j);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_contains(buf_str(&j.details), "timed out after 0.3s");
	assert_contains(buf_str(&j.details), "1 | partial output\n");
	buf_free(&j.details);
	rubric_free(&r);
	free(pid_text);
	run_result_free(&res);
	remove_scratch_tree(dir);
	free(dir);
	free(pidfile);
	free(command);
}

static void test_timeout_sends_term_to_the_group(void **state)
{
	/* A child in the group gets SIGTERM too, so it can clean up before the SIGKILL. */
	struct run_result res = run_shell("(trap 'echo child got TERM; exit 0' TERM; sleep 30 & wait) & "
					  "echo started; sleep 30", 0.3, 0);

	(void)state;
	assert_true(res.timed_out);
	assert_contains(buf_str(&res.output), "started\n");
	assert_contains(buf_str(&res.output), "child got TERM\n");
	run_result_free(&res);
}

static void test_timeout_sigkill_when_term_ignored(void **state)
{
	struct run_result res = run_shell("trap '' TERM; echo stubborn; sleep 30", 0.2, 0);

	(void)state;
	assert_true(res.timed_out);
	assert_true(res.seconds >= 0.2 + RUN_KILL_GRACE - 0.05 && res.seconds < 4.0);
	assert_false(res.exited);
	assert_int_equal(res.term_signal, SIGKILL);
	assert_string_equal(buf_str(&res.output), "stubborn\n");
	run_result_free(&res);
}

static void test_leftover_process_does_not_hold_the_check(void **state)
{
	char *dir = make_temp_dir("grade-test-pid");
	char *command = xasprintf("sleep 30 & echo $! > %s/pid; echo done", dir);
	char *pidfile = xasprintf("%s/pid", dir);
	struct run_result res = run_shell(command, 10, 0);

	(void)state;
	assert_false(res.timed_out);
	assert_true(res.exited);
	assert_int_equal(res.exit_status, 0);
	assert_true(res.seconds < 2.0);
	assert_string_equal(buf_str(&res.output), "done\n");
	/* What it left running in its process group is killed with it. */
	char *pid_text = read_file(pidfile);
	assert_non_null(pid_text);
	assert_true(process_gone((pid_t)atoi(pid_text)));
	free(pid_text);
	run_result_free(&res);
	remove_scratch_tree(dir);
	free(dir);
	free(command);
	free(pidfile);
}

static void test_output_closed_before_exit(void **state)
{
	struct run_result res = run_shell("echo bye; exec >&- 2>&-; sleep 0.2; exit 4", 10, 0);

	(void)state;
	assert_true(res.exited);
	assert_int_equal(res.exit_status, 4);
	assert_true(res.seconds >= 0.2);
	assert_string_equal(buf_str(&res.output), "bye\n");
	run_result_free(&res);
}

static void test_output_order_and_cap(void **state)
{
	struct run_result res = run_shell("echo out1; echo err1 >&2; echo out2", 10, 0);

	(void)state;
	assert_string_equal(buf_str(&res.output), "out1\nerr1\nout2\n");
	run_result_free(&res);

	res = run_shell("head -c 5000 /dev/zero", 10, 1000);
	assert_int_equal(res.output.len, 1000);
	assert_int_equal(res.dropped, 4000);
	assert_true(res.exited);
	run_result_free(&res);
}

static void test_spawn_failure(void **state)
{
	char *const argv[] = { "/bin/sh", "-c", "true", NULL };
	struct run_spec spec = { .argv = argv, .cwd = "/nonexistent/folder", .timeout = 5 };
	struct run_result res;
	struct rubric r;
	struct judgement j;

	(void)state;
	assert_int_equal(run_command(&spec, &res), -ENOENT);
	assert_int_equal(res.spawn_error, ENOENT);
	parse_ok(&r, "check t\n  run x\n");
	judge_run(&r.checks[0], &res, NULL, 0, NULL, &j);
	assert_int_equal(j.verdict, VERDICT_FAIL);
	assert_contains(buf_str(&j.details), "could not start the command: No such file or directory");
	buf_free(&j.details);
	rubric_free(&r);
	run_result_free(&res);
}

static void test_any_output_is_safe(void **state)
{
	struct graded g = { 0 };

	(void)state;
	grade_text(&g, "check b.binary\n"
		       "  run head -c 100000 /dev/urandom; printf '\\000\\001\\377 end'\n"
		       "  expect end$\n"
		       "check b.no-newline\n"
		       "  run printf 'abc'\n"
		       "  expect ^abc$\n"
		       "check b.huge-line\n"
		       "  run head -c 3000000 /dev/zero | tr '\\000' a; exit 1\n"
		       "check b.nul-in-line\n"
		       "  run printf 'key\\000value\\n'\n"
		       "  expect ^key\n"
		       "  expect value$\n");
	assert_int_equal(g.results[0].verdict, VERDICT_OK);
	assert_int_equal(g.results[1].verdict, VERDICT_OK);
	assert_int_equal(g.results[2].verdict, VERDICT_FAIL);
	assert_int_equal(g.results[2].output.len, RUN_OUTPUT_CAP);
	assert_contains(details(&g, 2), "(output truncated: the first 1048576 bytes were kept, 1951424 more dropped)");
	assert_contains(details(&g, 2), "[... 1048376 more bytes]");
	assert_int_equal(g.results[3].verdict, VERDICT_OK);

	/* Shown lines are printable: control bytes escaped, no raw NUL. */
	struct lines lines;
	struct buf shown = { 0 };
	static const char raw[] = "a\x01\x7f\xff\xc3\xa9\tz";
	lines_split(&lines, raw, sizeof(raw) - 1);
	append_line_rows(&shown, &lines, 0, lines.count, SIZE_MAX, "");
	assert_string_equal(buf_str(&shown), "  1 | a\\x01\\x7f\\xff\xc3\xa9\tz\n");
	buf_free(&shown);
	lines_free(&lines);
	graded_free(&g);
}

/* ---------------------------------------------------------------- report and score */

static void test_report_format(void **state)
{
	struct graded g = { 0 };

	(void)state;
	grade_text(&g, "check p.one\n  title a short title\n  points 2\n  run true\n"
		       "check p.two-with-long-id\n  title a considerably longer title here\n  run false\n"
		       "check q.three\n  run exit 77\n  needs network\n  points 4\n");
	/* One line per check, the verdicts aligned in one column, then the part subtotal. */
	char *ok = strstr(g.report, "p.one: a short title ");
	char *fail = strstr(g.report, "p.two-with-long-id: a considerably longer title here ");
	char *skip = strstr(g.report, "q.three ");
	assert_non_null(ok);
	assert_non_null(fail);
	assert_non_null(skip);
	assert_int_equal(strstr(ok, " OK (") - ok, strstr(fail, " FAIL (") - fail);
	assert_int_equal(strstr(ok, " OK (") - ok, strstr(skip, " SKIP (") - skip);
	assert_contains(g.report, "    expected exit status 0, got 1\n");
	assert_contains(g.report, "  Part p: 2/3\n");
	assert_contains(g.report, "  Part q: 0/0 (4 points skipped)\n");
	assert_true(strstr(g.report, "Part p:") < skip);
	graded_free(&g);

	/* A title too long for the line is cut, and its verdict stays in the column. */
	grade_text(&g, "check p.short\n  run true\n"
		       "check p.long\n  run true\n  title a title far too long for one line of the report, which "
		       "the grader cuts so that every verdict stays in its column\n");
	char *short_line = strstr(g.report, "p.short ");
	char *long_line = strstr(g.report, "p.long: a title far too long");
	assert_non_null(short_line);
	assert_non_null(long_line);
	assert_int_equal(strstr(short_line, " OK (") - short_line, REPORT_MAX_WIDTH - 1);
	assert_int_equal(strstr(long_line, " OK (") - long_line, REPORT_MAX_WIDTH - 1);
	assert_contains(long_line, "... .. OK (");
	graded_free(&g);
}

static void test_score_arithmetic(void **state)
{
	struct rubric r;
	struct score_sheet s;

	(void)state;
	parse_ok(&r, "check a.1\n points 2\n run x\ncheck a.2\n points 3\n run x\n"
		     "check b.1\n points 5\n run x\ncheck b.2\n points 7\n run x\ncheck b.3\n points 11\n run x\n");
	struct check_result res[5] = {
		{ .selected = true, .ran = true, .verdict = VERDICT_OK },
		{ .selected = true, .ran = true, .verdict = VERDICT_FAIL },
		{ .selected = true, .ran = true, .verdict = VERDICT_SKIP },
		{ .selected = true, .ran = true, .verdict = VERDICT_OK },
		{ .selected = false },
	};
	score_sheet_compute(&r, res, &s);
	assert_int_equal(s.score, 2 + 7);
	assert_int_equal(s.max, 2 + 3 + 7);
	assert_int_equal(s.skipped_points, 5);
	assert_int_equal(s.part_score[0], 2);
	assert_int_equal(s.part_max[0], 5);
	assert_int_equal(s.part_score[1], 7);
	assert_int_equal(s.part_max[1], 7);
	assert_int_equal(s.part_skipped[1], 5);
	assert_int_equal(s.passed, 2);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.skipped, 1);
	assert_int_equal(score_exit_status(&s), 1);
	score_sheet_free(&s);

	res[1].verdict = VERDICT_OK;
	score_sheet_compute(&r, res, &s);
	assert_int_equal(s.score, s.max);
	assert_int_equal(score_exit_status(&s), 0);
	score_sheet_free(&s);
	rubric_free(&r);
}

static void test_only_patterns(void **state)
{
	struct rubric r;

	(void)state;
	parse_ok(&r, "check lab-a.hello\n run x\ncheck lab-b.print\n run x\ncheck lab-b.exits\n run x\n");
	assert_true(check_selected(&r.checks[0], NULL));
	assert_true(check_selected(&r.checks[0], "lab-a"));
	assert_false(check_selected(&r.checks[1], "lab-a"));
	assert_true(check_selected(&r.checks[1], "lab-b.pr*"));
	assert_false(check_selected(&r.checks[2], "lab-b.pr*"));
	assert_true(check_selected(&r.checks[2], "nothing,lab-b.exits"));
	assert_int_equal(count_selected(&r, "lab-*"), 3);
	assert_int_equal(count_selected(&r, "lab-c"), 0);
	rubric_free(&r);
}

/* ---------------------------------------------------------------- JSON */

/* A strict little JSON reader: enough to prove the output is well formed. */
struct json_reader {
	const char *p, *end;
};

static bool json_value(struct json_reader *j);

static void json_space(struct json_reader *j)
{
	while (j->p < j->end && strchr(" \t\r\n", *j->p))
		j->p++;
}

static bool json_literal(struct json_reader *j, const char *word)
{
	size_t len = strlen(word);

	if ((size_t)(j->end - j->p) < len || memcmp(j->p, word, len) != 0)
		return false;
	j->p += len;
	return true;
}

static bool json_string(struct json_reader *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;

		if (c < 0x20)
			return false;
		if (c == '\\') {
			j->p++;
			if (j->p >= j->end)
				return false;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (j->p + i >= j->end || !strchr("0123456789abcdefABCDEF", j->p[i]))
						return false;
				j->p += 5;
			} else if (strchr("\"\\/bfnrt", *j->p)) {
				j->p++;
			} else {
				return false;
			}
			continue;
		}
		size_t n = utf8_sequence_length((const unsigned char *)j->p, (size_t)(j->end - j->p));
		if (n == 0)
			return false;
		j->p += n;
	}
	if (j->p >= j->end)
		return false;
	j->p++;
	return true;
}

static bool json_number(struct json_reader *j)
{
	const char *start = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	while (j->p < j->end && strchr("0123456789.eE+-", *j->p))
		j->p++;
	return j->p > start;
}

static bool json_members(struct json_reader *j, char close, bool keyed)
{
	j->p++;
	json_space(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		json_space(j);
		if (keyed) {
			if (!json_string(j))
				return false;
			json_space(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!json_value(j))
			return false;
		json_space(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return true;
		}
		return false;
	}
}

static bool json_value(struct json_reader *j)
{
	json_space(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{': return json_members(j, '}', true);
	case '[': return json_members(j, ']', false);
	case '"': return json_string(j);
	case 't': return json_literal(j, "true");
	case 'f': return json_literal(j, "false");
	case 'n': return json_literal(j, "null");
	default: return json_number(j);
	}
}

static bool json_valid(const char *text, size_t len)
{
	struct json_reader j = { text, text + len };

	if (!json_value(&j))
		return false;
	json_space(&j);
	return j.p == j.end;
}

static void test_json_string_escaping(void **state)
{
	static const char raw[] = "q\"b\\n\nt\tc\x01\x7f" "\xc3\xa9" "\xff" "\xe2\x82" "x\0y";
	struct buf out = { 0 };

	(void)state;
	json_append_string(&out, raw, sizeof(raw) - 1);
	assert_string_equal(buf_str(&out),
			    "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u007f\xc3\xa9\\ufffd\\ufffd\\ufffdx\\u0000y\"");
	assert_true(json_valid(out.data, out.len));
	buf_free(&out);
	assert_false(json_valid("{\"a\": 1,}", 9));
	assert_false(json_valid("\"\xff\"", 3));
}

static void test_json_gradescope_format(void **state)
{
	struct graded g = { 0 };
	struct score_sheet s;
	struct buf json = { 0 };

	(void)state;
	grade_text(&g, "check j.ok\n  title passes\n  points 3\n  run true\n"
		       "check j.fail\n  title fails \"quoted\"\n  points 2\n  run head -c 2000 /dev/urandom; exit 1\n"
		       "check j.skip\n  points 5\n  needs network\n  run echo 'no kvm'; exit 77\n");
	score_sheet_compute(&g.rubric, g.results, &s);
	json_gradescope(&json, &g.rubric, g.results, &s, 12.6, "a note\n");
	if (!json_valid(json.data, json.len))
		fail_msg("not valid JSON:\n%s", buf_str(&json));
	assert_contains(buf_str(&json), "\"score\": 3,\n");
	assert_contains(buf_str(&json), "\"execution_time\": 13,\n");
	assert_contains(buf_str(&json), "\"output\": \"Score: 3/5 (5 points skipped)\\nSKIP (not scored) j.skip: no kvm\\na note\\n\"");
	assert_contains(buf_str(&json), "{\"name\": \"j.ok: passes\", \"score\": 3, \"max_score\": 3, \"status\": \"passed\", \"output\": \"OK (");
	assert_contains(buf_str(&json), "{\"name\": \"j.fail: fails \\\"quoted\\\"\", \"score\": 0, \"max_score\": 2, \"status\": \"failed\", \"output\": \"FAIL (");
	assert_contains(buf_str(&json), "expected exit status 0, got 1");
	assert_contains(buf_str(&json), "\"visibility\": \"visible\"}");
	/* A skipped check is not a test: it counts neither for nor against. */
	assert_not_contains(buf_str(&json), "\"name\": \"j.skip");
	buf_free(&json);
	score_sheet_free(&s);
	graded_free(&g);
}

/* ---------------------------------------------------------------- the command line */

struct cli_fixture {
	char *dir;    /* everything of one test lives here */
	char *tmp;    /* TMPDIR of the grader: must be empty again afterwards */
	char *rubric;
};

static struct cli_fixture cli_setup(const char *rubric_text)
{
	struct cli_fixture f = { .dir = make_temp_dir("grade-test-cli") };

	assert_non_null(f.dir);
	f.tmp = xasprintf("%s/tmp", f.dir);
	f.rubric = xasprintf("%s/test.rubric", f.dir);
	assert_int_equal(mkdir(f.tmp, 0755), 0);
	write_file(f.rubric, rubric_text);
	return f;
}

static void cli_teardown(struct cli_fixture *f)
{
	remove_scratch_tree(f->dir);
	free(f->dir);
	free(f->tmp);
	free(f->rubric);
}

/* A tiny "checkout": make builds ./hello, which greets with the given text. */
static char *make_checkout(const struct cli_fixture *f, const char *name, const char *greeting)
{
	char *tree = xasprintf("%s/%s", f->dir, name);
	char *makefile = xasprintf("%s/Makefile", tree), *script = xasprintf("%s/hello.in", tree);
	char *text = xasprintf("echo '%s'\n", greeting);

	mkdir(tree, 0755);
	write_file(makefile, "all: hello\nhello: hello.in\n\t(echo '#!/bin/sh'; cat hello.in) > hello\n\tchmod +x hello\n");
	write_file(script, text);
	free(makefile);
	free(script);
	free(text);
	return tree;
}

static const char tree_rubric[] =
	"check hello.greets\n  points 3\n  title greets the world\n  run ./hello\n  expect ^Hello, world!$\n"
	"check hello.built-here\n  run test -x ./hello && test \"$(pwd)\" = \"$GRADE_TREE\"\n";

static void test_cli_usage_errors(void **state)
{
	struct cli_fixture f = cli_setup("check a\n  run true\n");
	char *out;

	(void)state;
	assert_int_equal(run_cli(&out, f.tmp, "--bogus", NULL), 2);
	assert_contains(out, "grade: option '--bogus' is unknown or needs a value\nTry 'grade --help'.\n");
	free(out);
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--jobs", "2", NULL), 2);
	assert_contains(out, "--jobs, --csv and --out only apply to --batch");
	free(out);
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--batch", f.dir, "--jobs", "0", NULL), 2);
	assert_contains(out, "--jobs: bad value '0'");
	free(out);
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--tree", "/nonexistent", NULL), 2);
	assert_contains(out, "--tree /nonexistent: No such file or directory");
	free(out);
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", "/nonexistent.rubric", NULL), 2);
	assert_contains(out, "grade: /nonexistent.rubric: cannot read the rubric");
	free(out);
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--only", "zzz", NULL), 2);
	assert_contains(out, "--only 'zzz' matches no check");
	free(out);
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "extra", NULL), 2);
	assert_contains(out, "unexpected argument 'extra'");
	free(out);
	write_file(f.rubric, "check a\n  run true\n  points lots\n");
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, NULL), 2);
	char *want = xasprintf("grade: %s:3: bad points 'lots' (a whole number from 0 to 1000)\n", f.rubric);
	assert_string_equal(out, want);
	free(want);
	free(out);
	assert_int_equal(run_cli(&out, f.tmp, "--help", NULL), 0);
	assert_contains(out, "Usage: grade [OPTION]...");
	free(out);
	cli_teardown(&f);
}

static void test_cli_list_and_in_place(void **state)
{
	struct cli_fixture f = cli_setup("check a.one\n  title first\n  points 2\n  run echo hi\n  expect ^hi$\n"
					 "check a.two\n  needs network\n  run exit 77\n");
	char *out, *json = NULL;

	(void)state;
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--list", NULL), 0);
	assert_contains(out, "a.one");
	assert_contains(out, "first");
	assert_contains(out, "2 checks, 3 points\n");
	free(out);

	char *json_path = xasprintf("%s/results.json", f.dir);
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--json", json_path, NULL), 0);
	assert_contains(out, "a.one: first ");
	assert_contains(out, "Score: 2/2 (1 point skipped)\n");
	json = read_file(json_path);
	assert_non_null(json);
	assert_true(json_valid(json, strlen(json)));
	assert_true(folder_is_empty(f.tmp));
	free(json);
	free(out);

	write_file(f.rubric, "check a.one\n  run false\n");
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, NULL), 1);
	assert_contains(out, "Score: 0/1\n");
	free(out);
	free(json_path);
	cli_teardown(&f);
}

static void test_cli_tree_grades_a_copy(void **state)
{
	struct cli_fixture f = cli_setup(tree_rubric);
	char *tree = make_checkout(&f, "student", "Hello, world!");
	char *built = xasprintf("%s/hello", tree);
	char *build_dir = xasprintf("%s/build", tree), *stale = xasprintf("%s/build/stale", tree);
	char *out;

	(void)state;
	/* Build output in the tree is not copied: the copy is built from source. */
	mkdir(build_dir, 0755);
	write_file(stale, "a binary the student built\n");
	FILE *rubric = fopen(f.rubric, "a");
	fputs("check hello.fresh\n  run test ! -e build/stale && echo fresh\n  expect ^fresh$\n", rubric);
	fclose(rubric);
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--tree", tree, NULL), 0);
	assert_contains(out, "Build: make -B");
	assert_contains(out, "Score: 5/5\n");
	assert_true(path_exists(stale));
	assert_false(path_exists(built)); /* built in the copy, never in the tree itself */
	assert_true(folder_is_empty(f.tmp));
	free(out);

	/* --keep leaves the copy and says where. */
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--tree", tree, "--keep", NULL), 0);
	assert_contains(out, "Kept the scratch copy: ");
	assert_false(folder_is_empty(f.tmp));
	free(out);
	free(built);
	free(build_dir);
	free(stale);
	free(tree);
	cli_teardown(&f);
}

static void test_cli_stops_cleanly_when_the_reader_goes_away(void **state)
{
	struct cli_fixture f = cli_setup("check a.1\n  run seq 1 100000\n  status 1\n"
					 "check a.2\n  run sleep 30\n");
	char *tree = make_checkout(&f, "student", "Hello, world!");
	int fds[2], status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "grade", "--verbose", "--rubric", f.rubric, "--tree", tree, NULL };

		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		setenv("TMPDIR", f.tmp, 1);
		exit(grade_main(6, argv));
	}
	close(fds[1]);
	close(fds[0]); /* like `grade | head` once head has had enough */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 128 + SIGPIPE);
	assert_true(folder_is_empty(f.tmp)); /* the scratch copy is gone all the same */
	free(tree);
	cli_teardown(&f);
}

static void test_cli_tree_build_failure(void **state)
{
	struct cli_fixture f = cli_setup(tree_rubric);
	char *tree = make_checkout(&f, "broken", "Hello, world!");
	char *makefile = xasprintf("%s/Makefile", tree);
	char *json_path = xasprintf("%s/r.json", f.dir);
	char *out, *json;

	(void)state;
	write_file(makefile, "all:\n\t@echo compiling lab.c\n\t@echo 'lab.c:3: error: expected ;'\n\t@exit 1\n");
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--tree", tree, "--json", json_path, NULL), 1);
	assert_contains(out, "FAIL");
	assert_contains(out, "the build failed: make exited with status 2\n");
	assert_contains(out, "| lab.c:3: error: expected ;\n");
	assert_contains(out, "hello.greets: greets the world ");
	assert_contains(out, "    the tree did not build (see the build log above)\n");
	assert_contains(out, "Score: 0/4\n");
	json = read_file(json_path);
	assert_true(json_valid(json, strlen(json)));
	assert_contains(json, "lab.c:3: error: expected ;"); /* every test shows the log's tail */
	assert_true(folder_is_empty(f.tmp));
	free(json);
	free(out);
	free(json_path);
	free(makefile);
	free(tree);
	cli_teardown(&f);
}

static void test_cli_tree_never_writes_outside(void **state)
{
	struct cli_fixture f = cli_setup(tree_rubric);
	char *tree = make_checkout(&f, "sneaky", "Hello, world!");
	char *outside = xasprintf("%s/outside", f.dir);
	char *link = xasprintf("%s/out", tree), *self_link = xasprintf("%s/self", tree);
	char *makefile = xasprintf("%s/Makefile", tree);
	char *planted = xasprintf("%s/planted", outside), *planted_in_tree = xasprintf("%s/planted", tree);
	char *out;

	(void)state;
	mkdir(outside, 0755);
	assert_int_equal(symlink(outside, link), 0);   /* absolute, out of the tree */
	assert_int_equal(symlink(tree, self_link), 0); /* absolute, back into the original */
	write_file(makefile, "all:\n\tmkdir -p out self\n\ttouch out/planted self/planted\n"
			     "\t(echo '#!/bin/sh'; cat hello.in) > hello; chmod +x hello\n");
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--tree", tree, NULL), 0);
	assert_contains(out, "note: removed symlink out -> ");
	assert_contains(out, "note: removed symlink self -> ");
	assert_false(path_exists(planted));
	assert_false(path_exists(planted_in_tree));
	free(out);
	free(outside);
	free(link);
	free(self_link);
	free(makefile);
	free(planted);
	free(planted_in_tree);
	free(tree);
	cli_teardown(&f);
}

static void test_cli_batch(void **state)
{
	struct cli_fixture f = cli_setup(tree_rubric);
	char *subs = xasprintf("%s/subs", f.dir);
	char *csv = xasprintf("%s/grades.csv", f.dir), *reports = xasprintf("%s/reports", f.dir);
	char *out, *text;

	(void)state;
	mkdir(subs, 0755);
	struct cli_fixture in_subs = { .dir = subs };
	free(make_checkout(&in_subs, "alice", "Hello, world!"));
	free(make_checkout(&in_subs, "bob", "Hello, wrld!"));
	free(make_checkout(&in_subs, "carol,jr", "Hello, world!"));
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--batch", subs, "--jobs", "3", "--csv", csv,
				 "--out", reports, NULL), 1);
	assert_contains(out, "] bob: 1/4 (");
	text = read_file(csv);
	/* Each row ends with the seconds that submission took. */
	assert_true(strncmp(text, "submission,hello,total,max,seconds\n", 35) == 0);
	assert_contains(text, "\nalice,4,4,4,");
	assert_contains(text, "\nbob,1,1,4,");
	assert_contains(text, "\n\"carol,jr\",4,4,4,");
	assert_contains(out, "s per submission (each took ");
	free(text);
	char *bob_report = xasprintf("%s/bob.txt", reports), *bob_json = xasprintf("%s/bob.json", reports);
	text = read_file(bob_report);
	assert_contains(text, "expected a line matching: ^Hello, world!$");
	free(text);
	text = read_file(bob_json);
	assert_true(json_valid(text, strlen(text)));
	free(text);
	assert_true(folder_is_empty(f.tmp));
	free(bob_report);
	free(bob_json);
	free(out);
	free(subs);
	free(csv);
	free(reports);
	cli_teardown(&f);
}

/* ---------------------------------------------------------------- the submission contract */

#define HELLO_RUBRIC "10-hello.rubric" /* in the handout's rubric folder */

/* A tiny handout: make builds ./hello from hello.in; the rubric (in grader/rubric/) checks its
 * greeting; .handout lets students edit hello.in and src/extra.in. The stub greets wrongly. */
static char *make_handout(const struct cli_fixture *f, const char *name)
{
	char *top = make_checkout(f, name, "not written yet");
	char *path;

	path = xasprintf("%s/grader", top);
	mkdir(path, 0755);
	free(path);
	path = xasprintf("%s/grader/rubric", top);
	mkdir(path, 0755);
	free(path);
	path = xasprintf("%s/grader/rubric/" HELLO_RUBRIC, top);
	write_file(path, tree_rubric);
	free(path);
	path = xasprintf("%s/src", top);
	mkdir(path, 0755);
	free(path);
	path = xasprintf("%s/src/extra.in", top);
	write_file(path, "extra stub\n");
	free(path);
	path = xasprintf("%s/.handout", top);
	write_file(path, "# made by a test\nhandout test-1 2024-01-01\n\nedit hello.in\nedit src/extra.in\n");
	free(path);
	return top;
}

/* A student's copy of it: hello.in greets with the given text. */
static char *make_submission(const struct cli_fixture *f, const char *handout, const char *name, const char *greeting)
{
	char *sub = xasprintf("%s/%s", f->dir, name);
	char *cmd = xasprintf("cp -a '%s' '%s'", handout, sub);
	char *hello = xasprintf("%s/hello.in", sub), *text = xasprintf("echo '%s'\n", greeting);

	assert_int_equal(system(cmd), 0);
	write_file(hello, text);
	free(cmd);
	free(hello);
	free(text);
	return sub;
}

static void write_in(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);

	unlink(path);
	write_file(path, text);
	free(path);
}

static void test_handout_file_errors(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "handout v1\nedit hello.in\n", NULL },
		{ "edit hello.in\n", "no 'handout IDENTITY' line" },
		{ "handout v1\n", "no 'edit PATH' line" },
		{ "handout v1\nhandout v2\nedit hello.in\n", ":2: 'handout IDENTITY' must be given once" },
		{ "handout v1\n\nedit ../hello.in\n", ":3: edit ../hello.in: not a plain relative path" },
		{ "handout v1\nedit /etc/passwd\n", ":2: edit /etc/passwd: not a plain relative path" },
		{ "handout v1\nedit ./hello.in\n", "not a plain relative path" },
		{ "handout v1\nedit src//extra.in\n", "not a plain relative path" },
		{ "handout v1\nedit nothere.c\n", ":2: edit nothere.c: not a regular file of the handout" },
		{ "handout v1\nedit src\n", "edit src: not a regular file of the handout" },
		{ "handout v1\nedit link.in\n", "edit link.in: not a regular file of the handout" },
	};
	struct cli_fixture f = cli_setup("check a\n  run true\n");
	char *top = make_handout(&f, "handout");
	char *file = xasprintf("%s/.handout", top), *link = xasprintf("%s/link.in", top);

	(void)state;
	assert_int_equal(symlink("hello.in", link), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct handout h;
		struct buf err = { 0 };

		write_file(file, cases[i].text);
		int rc = handout_load(&h, top, &err);
		if (!cases[i].error) {
			assert_int_equal(rc, 0);
			assert_string_equal(h.identity, "v1");
			assert_int_equal(h.nedits, 1);
		} else {
			if (rc != -1)
				fail_msg("case %zu loaded, expected: %s", i, cases[i].error);
			assert_contains(buf_str(&err), cases[i].error);
		}
		handout_free(&h);
		buf_free(&err);
	}
	unlink(file);
	struct handout h;
	struct buf err = { 0 };
	assert_int_equal(handout_load(&h, top, &err), -1);
	assert_contains(buf_str(&err), "no such file");
	handout_free(&h);
	buf_free(&err);
	free(file);
	free(link);
	free(top);
	cli_teardown(&f);
}

/* Only the edit files count: a student's Makefile and rubric do not change the grade. */
static void test_submission_takes_only_edit_files(void **state)
{
	struct cli_fixture f = cli_setup("check unused\n  run true\n");
	char *handout = make_handout(&f, "handout");
	char *sub = make_submission(&f, handout, "alice", "Hello, world!");
	char *json_path = xasprintf("%s/r.json", f.dir);
	char *out, *json;

	(void)state;
	/* The student's own rubric and Makefile would give full marks to anything. */
	write_in(sub, "grader/rubric/" HELLO_RUBRIC, "check hello.greets\n  points 100\n  run true\n");
	write_in(sub, "Makefile", "all:\n\t@echo the student's Makefile ran\n");
	write_in(sub, "src/extra.in", "extra by alice\n");
	assert_int_equal(run_cli(&out, f.tmp, "--handout", handout, "--submission", sub, "--json", json_path, NULL), 0);
	assert_contains(out, "Grading the submission ");
	assert_contains(out, "Score: 4/4\n"); /* the handout's rubric: 3 + 1 points, not 100 */
	assert_not_contains(out, "the student's Makefile ran");
	assert_contains(out, "note: took 2 of the 2 files .handout lists as 'edit'");
	assert_contains(out, "note: ignored: the submission changes 2 file(s) outside the contract");
	assert_contains(out, "Makefile");
	assert_contains(out, "grader/rubric/" HELLO_RUBRIC);
	json = read_file(json_path);
	assert_true(json_valid(json, strlen(json)));
	assert_contains(json, "\"score\": 4,");
	assert_contains(json, "ignored: the submission changes 2 file(s)");
	assert_true(folder_is_empty(f.tmp));
	free(json);
	free(out);

	/* A handout graded as it is (no edit made) scores its baseline: the stub fails. */
	assert_int_equal(run_cli(&out, f.tmp, "--handout", handout, "--submission", handout, NULL), 1);
	assert_contains(out, "Score: 1/4\n");
	free(out);
	free(json_path);
	free(sub);
	free(handout);
	cli_teardown(&f);
}

/* Missing, symlinked, oversized or special edit files: the handout's version is graded, with a note. */
static void test_submission_hostile_edit_files(void **state)
{
	struct cli_fixture f = cli_setup("check unused\n  run true\n");
	char *handout = make_handout(&f, "handout");
	char *sub = make_submission(&f, handout, "mallory", "Hello, world!");
	char *hello = xasprintf("%s/hello.in", sub), *src = xasprintf("%s/src", sub);
	char *elsewhere = xasprintf("%s/elsewhere", f.dir), *secret = xasprintf("%s/elsewhere/extra.in", f.dir);
	char *out;

	(void)state;
	/* hello.in a symlink to a file with the right answer; src/ a symlink to a folder outside. */
	mkdir(elsewhere, 0755);
	write_file(secret, "echo 'Hello, world!'\n");
	unlink(hello);
	assert_int_equal(symlink(secret, hello), 0);
	assert_int_equal(remove_scratch_tree(src), 0);
	assert_int_equal(symlink(elsewhere, src), 0);
	assert_int_equal(run_cli(&out, f.tmp, "--handout", handout, "--submission", sub, NULL), 1);
	assert_contains(out, "note: not taken: hello.in: it is a symlink; graded with the handout's version\n");
	assert_contains(out, "note: not taken: src/extra.in: its folder src is a symlink;");
	assert_contains(out, "note: took 0 of the 2 files");
	assert_contains(out, "Score: 1/4\n");
	free(out);

	/* Oversized, a FIFO (must not hang), and missing. */
	unlink(hello);
	unlink(src);
	mkdir(src, 0755);
	char *fifo = xasprintf("%s/extra.in", src);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	free(fifo);
	FILE *big = fopen(hello, "w");
	for (int i = 0; i < SUBMISSION_MAX_FILE / 16 + 1; i++)
		fputs("# padding.......\n", big);
	fclose(big);
	assert_int_equal(run_cli(&out, f.tmp, "--handout", handout, "--submission", sub, NULL), 1);
	assert_contains(out, "not taken: hello.in: it is larger than 1024 KiB");
	assert_contains(out, "not taken: src/extra.in: it is not a regular file");
	free(out);
	/* A hard link: its other name could be any file of the machine. */
	unlink(hello);
	assert_int_equal(link(secret, hello), 0);
	assert_int_equal(run_cli(&out, f.tmp, "--handout", handout, "--submission", sub, NULL), 1);
	assert_contains(out, "not taken: hello.in: it has 2 hard links");
	free(out);
	unlink(hello);
	assert_int_equal(run_cli(&out, f.tmp, "--handout", handout, "--submission", sub, NULL), 1);
	assert_contains(out, "note: not in the submission, graded as the handout has them (the stubs): hello.in\n");
	assert_true(folder_is_empty(f.tmp));
	free(out);
	free(hello);
	free(src);
	free(elsewhere);
	free(secret);
	free(sub);
	free(handout);
	cli_teardown(&f);
}

/* A folder that is not a submission of this handout is refused in one line naming the contract,
 * and the results files say so (a platform shows it to the student). */
static void test_submission_refused(void **state)
{
	struct cli_fixture f = cli_setup("check unused\n  run true\n");
	char *handout = make_handout(&f, "handout");
	char *plain = make_checkout(&f, "plain", "Hello, world!");
	char *other = make_submission(&f, handout, "other", "Hello, world!");
	char *json_path = xasprintf("%s/r.json", f.dir), *summary = xasprintf("%s/s.md", f.dir);
	char *classroom = xasprintf("%s/c.json", f.dir);
	char *out, *text;

	(void)state;
	assert_int_equal(run_cli(&out, f.tmp, "--handout", handout, "--submission", plain, "--json", json_path,
				 "--summary", summary, "--classroom", classroom, NULL), 2);
	char *line = xasprintf("grade: %s is not a submission of this handout: it has no .handout at its top "
			       "(the contract: a submission is a copy of the handout", plain);
	assert_contains(out, line);
	assert_int_equal(strchr(strstr(out, "grade: "), '\n')[1], '\0'); /* one line, the last */
	free(line);
	text = read_file(json_path);
	assert_true(json_valid(text, strlen(text)));
	assert_contains(text, "\"score\": 0,");
	assert_contains(text, "Not graded: ");
	free(text);
	text = read_file(classroom);
	assert_true(json_valid(text, strlen(text)));
	assert_contains(text, "\"status\": \"error\", \"max_score\": 4,");
	free(text);
	text = read_file(summary);
	assert_contains(text, "## Autograding: not graded\n");
	free(text);
	free(out);

	write_in(other, ".handout", "handout test-2 2024-02-02\nedit hello.in\nedit Makefile\n");
	assert_int_equal(run_cli(&out, f.tmp, "--handout", handout, "--submission", other, NULL), 2);
	assert_contains(out, "its .handout says 'handout test-2 2024-02-02', this handout is 'handout test-1 2024-01-01'");
	free(out);

	/* The grader inside a handout finds it itself; elsewhere --submission needs --handout. */
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--submission", other, NULL), 2);
	assert_contains(out, "is not a handout (it has no .handout): name the pristine handout");
	free(out);
	assert_int_equal(run_cli(&out, f.tmp, "--handout", handout, NULL), 2);
	assert_contains(out, "--handout only applies to --submission and --batch");
	free(out);
	assert_true(folder_is_empty(f.tmp));
	free(json_path);
	free(summary);
	free(classroom);
	free(plain);
	free(other);
	free(handout);
	cli_teardown(&f);
}

/* A zip that unpacks into one folder is graded from that folder. */
static void test_submission_in_one_folder(void **state)
{
	struct cli_fixture f = cli_setup("check unused\n  run true\n");
	char *handout = make_handout(&f, "handout");
	char *outer = xasprintf("%s/upload", f.dir);
	char *out;

	(void)state;
	mkdir(outer, 0755);
	free(make_submission(&f, handout, "upload/kit-main", "Hello, world!"));
	char *macosx = xasprintf("%s/__MACOSX", outer);
	assert_int_equal(mkdir(macosx, 0755), 0);
	free(macosx);
	assert_int_equal(run_cli(&out, f.tmp, "--handout", handout, "--submission", outer, NULL), 0);
	assert_contains(out, "note: the submission's files are in kit-main/: graded from there\n");
	assert_contains(out, "Score: 4/4\n");
	free(out);
	free(outer);
	free(handout);
	cli_teardown(&f);
}

/* --batch with a handout: every subfolder is a submission; one that is not is reported, not graded. */
static void test_batch_of_submissions(void **state)
{
	struct cli_fixture f = cli_setup("check unused\n  run true\n");
	char *handout = make_handout(&f, "handout");
	char *subs = xasprintf("%s/subs", f.dir), *csv = xasprintf("%s/g.csv", f.dir);
	char *reports = xasprintf("%s/reports", f.dir);
	char *out, *text;

	(void)state;
	mkdir(subs, 0755);
	free(make_submission(&f, handout, "subs/alice", "Hello, world!"));
	free(make_submission(&f, handout, "subs/bob", "Hello!"));
	free(make_checkout(&(struct cli_fixture){ .dir = subs }, "carol", "Hello, world!"));
	assert_int_equal(run_cli(&out, f.tmp, "--handout", handout, "--batch", subs, "--jobs", "2", "--csv", csv,
				 "--out", reports, NULL), 1);
	assert_contains(out, "Each one's 'edit' files on a fresh copy of the handout ");
	assert_contains(out, "] alice: 4/4 (");
	assert_contains(out, "] bob: 1/4 (");
	assert_contains(out, "] carol: not graded: ");
	assert_contains(out, "is not a submission of this handout: it has no .handout");
	text = read_file(csv);
	assert_contains(text, "\nalice,4,4,4,");
	assert_contains(text, "\ncarol,,,,");
	free(text);
	char *carol = xasprintf("%s/carol.json", reports);
	text = read_file(carol);
	assert_contains(text, "Not graded: ");
	free(text);
	free(carol);
	assert_true(folder_is_empty(f.tmp));
	free(out);
	free(subs);
	free(csv);
	free(reports);
	free(handout);
	cli_teardown(&f);
}

/* ---------------------------------------------------------------- private checks, visibility, platforms */

static void test_visibility_key(void **state)
{
	struct graded g = { 0 };
	struct score_sheet s;
	struct buf json = { 0 };
	struct rubric r = { 0 };
	struct rubric_error err;

	(void)state;
	grade_text(&g, "check v.seen\n  run true\n"
		       "check v.hidden\n  run false\n  visibility hidden\n"
		       "check v.later\n  run true\n  visibility after_due_date\n"
		       "check v.published\n  run true\n  visibility after_published\n"
		       "check v.hidden-skip\n  needs network\n  run echo offline; exit 77\n  visibility hidden\n");
	score_sheet_compute(&g.rubric, g.results, &s);
	json_gradescope(&json, &g.rubric, g.results, &s, 1, NULL);
	assert_true(json_valid(json.data, json.len));
	assert_contains(buf_str(&json), "\"name\": \"v.seen\", \"score\": 1, \"max_score\": 1, \"status\": \"passed\", \"output\": \"OK (");
	assert_contains(buf_str(&json), "\"visibility\": \"hidden\"}");
	assert_contains(buf_str(&json), "\"visibility\": \"after_due_date\"}");
	assert_contains(buf_str(&json), "\"visibility\": \"after_published\"}");
	/* A hidden check's skip is not named in the output every student sees. */
	assert_not_contains(buf_str(&json), "v.hidden-skip");
	buf_free(&json);
	score_sheet_free(&s);
	graded_free(&g);
	assert_int_equal(parse_text(&r, "check a\n  run true\n  visibility secret\n", &err), -1);
	assert_contains(err.text, "t.rubric:3: bad visibility 'secret' (visible, hidden, after_due_date or after_published)");
	rubric_free(&r);
}

/* Instructors' checks from another folder, merged at grading time; RUBRIC_DIR finds their files. */
static void test_rubric_extra(void **state)
{
	struct cli_fixture f = cli_setup("check pub.one\n  run true\n");
	char *private_dir = xasprintf("%s/private", f.dir);
	char *out;

	(void)state;
	mkdir(private_dir, 0755);
	write_in(private_dir, "input.txt", "secret input\n");
	write_in(private_dir, "90-private.rubric", "check priv.input\n  points 5\n  visibility hidden\n"
						    "  run cat \"$RUBRIC_DIR/input.txt\"\n  expect ^secret input$\n");
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--rubric-extra", private_dir, NULL), 0);
	assert_contains(out, " + ");
	assert_contains(out, "(2 checks, 6 points)");
	assert_contains(out, "priv.input ");
	assert_contains(out, "Score: 6/6\n");
	free(out);
	write_in(private_dir, "90-private.rubric", "check pub.one\n  run true\n");
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--rubric-extra", private_dir, NULL), 2);
	assert_contains(out, "duplicate check ID 'pub.one' (first defined at ");
	free(out);
	free(private_dir);
	cli_teardown(&f);
}

static void test_github_summary_and_classroom(void **state)
{
	struct graded g = { 0 };
	struct score_sheet s;
	struct buf md = { 0 }, cl = { 0 };

	(void)state;
	grade_text(&g, "check g.ok\n  title pipes | and *stars*\n  points 3\n  run true\n"
		       "check g.fail\n  points 2\n  run echo 'has ``` fences'; exit 1\n"
		       "check g.skip\n  points 5\n  needs network\n  run echo offline; exit 77\n");
	score_sheet_compute(&g.rubric, g.results, &s);
	github_summary(&md, &g.rubric, g.results, &s, "a note\n");
	assert_contains(buf_str(&md), "## Autograding: 3/5 points\n\nScore: 3/5 (5 points skipped)\n");
	assert_contains(buf_str(&md), "| OK | `g.ok` pipes \\| and \\*stars\\* | 3/3 |\n");
	assert_contains(buf_str(&md), "| FAIL | `g.fail`  | 0/2 |\n");
	assert_contains(buf_str(&md), "| SKIP | `g.skip`  | not scored (5) |\n");
	assert_contains(buf_str(&md), "<details><summary>FAIL: <code>g.fail</code></summary>\n\n````text\n");
	assert_contains(buf_str(&md), "<details><summary>SKIP: <code>g.skip</code></summary>");
	assert_contains(buf_str(&md), "Notes:\n\n```text\na note\n```\n");
	github_classroom(&cl, &g.rubric, g.results, &s, false);
	if (!json_valid(cl.data, cl.len))
		fail_msg("not valid JSON:\n%s", buf_str(&cl));
	assert_contains(buf_str(&cl), "{\"version\": 1, \"status\": \"fail\", \"max_score\": 5, \"tests\": [");
	assert_contains(buf_str(&cl), "{\"name\": \"g.ok: pipes | and *stars*\", \"status\": \"pass\", \"score\": 3, \"message\": \"OK (");
	assert_contains(buf_str(&cl), "\"status\": \"fail\", \"score\": 0,");
	assert_contains(buf_str(&cl), "\"test_code\": \"true\", \"filename\": \"t.rubric\", \"line_no\": 1, \"duration\": ");
	assert_not_contains(buf_str(&cl), "g.skip");
	buf_reset(&cl);
	github_classroom(&cl, &g.rubric, g.results, &s, true);
	assert_contains(buf_str(&cl), "\"status\": \"error\"");
	buf_free(&md);
	buf_free(&cl);
	score_sheet_free(&s);
	graded_free(&g);
}

/* Checks skipped for the same reason share one line; the skip note comes only when the machine lacks a need. */
static void test_skip_note_and_grouped_skips(void **state)
{
	struct cli_fixture f = cli_setup("check k.one\n  needs kvm\n  run true\ncheck k.two\n  needs kvm\n  run true\n"
					 "check k.opt\n  needs optin:slow\n  run true\ncheck k.plain\n  run true\n");
	char *json_path = xasprintf("%s/r.json", f.dir);
	char *out, *json;

	(void)state;
	setenv("KIT_KVM_DEVICE", "/nonexistent/kvm", 1);
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--json", json_path, "--skip-note",
				 "This platform has no KVM.", NULL), 0);
	unsetenv("KIT_KVM_DEVICE");
	assert_contains(out, "note: This platform has no KVM.\n");
	json = read_file(json_path);
	assert_true(json_valid(json, strlen(json)));
	assert_contains(json, "SKIP (not scored) k.one, k.two: needs kvm: /nonexistent/kvm does not exist");
	assert_contains(json, "This platform has no KVM.\\n");
	free(json);
	free(out);
	/* Only an opt-in left out: the machine lacks nothing, no note. */
	assert_int_equal(run_cli(&out, f.tmp, "--rubric", f.rubric, "--only", "k.opt,k.plain", "--json", json_path,
				 "--skip-note", "This platform has no KVM.", NULL), 0);
	assert_not_contains(out, "This platform");
	json = read_file(json_path);
	assert_not_contains(json, "This platform");
	free(json);
	free(out);
	free(json_path);
	cli_teardown(&f);
}

/* Root in a container without CAP_SYS_ADMIN and CAP_NET_ADMIN (Docker's default) cannot make the
 * namespaces the root checks make: `needs root` is not met there, so they SKIP instead of FAILing. */
static void test_root_without_capabilities_is_not_enough(void **state)
{
	int fds[2], status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct data[2];
		struct machine m = { 0 };

		close(fds[0]);
		if (syscall(SYS_capget, &hdr, data) < 0)
			_exit(3);
		data[0].effective &= ~((1u << CAP_SYS_ADMIN) | (1u << CAP_NET_ADMIN));
		if (syscall(SYS_capset, &hdr, data) < 0)
			_exit(4);
		const struct need_probe *p = machine_need(&m, NEED_ROOT);
		dprintf(fds[1], "%d %s", p->met, p->text);
		_exit(0);
	}
	close(fds[1]);
	char text[1024] = "";
	ssize_t n = read(fds[0], text, sizeof(text) - 1);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(n > 0);
	text[n] = '\0';
	assert_contains(text, "0 the grader runs as root, but root here cannot make a network namespace "
			      "(unshare(CLONE_NEWNET): Operation not permitted), lacks CAP_SYS_ADMIN and CAP_NET_ADMIN");

	/* With them (as here), root is root. */
	struct machine m = { 0 };
	const struct need_probe *p = machine_need(&m, NEED_ROOT);
	assert_true(p->met);
	assert_contains(p->text, "root can make network namespaces");
}

/* The reader goes away before the build (`grade ... | head -3`): the build stops, and the
 * scratch copy, holding what the build made, is removed all the same (its rm is not cut
 * short by the stop). */
static void test_stop_before_the_build_removes_the_copy(void **state)
{
	struct cli_fixture f = cli_setup("check unused\n  run true\n");
	char *handout = make_handout(&f, "handout");
	int fds[2], status;
	pid_t pid;

	(void)state;
	/* Many files, so that removing the copy takes longer than the runner's 100 ms look at the stop. */
	char *fill = xasprintf("mkdir '%s/data' && cd '%s/data' && seq 40000 | xargs touch", handout, handout);
	assert_int_equal(system(fill), 0);
	free(fill);
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "grade", "--handout", handout, "--submission", handout, NULL };

		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		setenv("TMPDIR", f.tmp, 1);
		exit(grade_main(5, argv));
	}
	close(fds[1]);
	/* Read the notes before the build, then go away like head(1). */
	FILE *in = fdopen(fds[0], "r");
	char line[4096];
	while (fgets(line, sizeof(line), in) && !strstr(line, "note: took "))
		;
	fclose(in);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 128 + SIGPIPE);
	assert_true(folder_is_empty(f.tmp));
	free(handout);
	cli_teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_all_keys),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_nul_byte),
		cmocka_unit_test(test_group_by_part),
		cmocka_unit_test(test_load_folder),
		cmocka_unit_test(test_subst_vars),
		cmocka_unit_test(test_random_values),
		cmocka_unit_test(test_roll_lets),
		cmocka_unit_test(test_let_round_trip),
		cmocka_unit_test(test_expect_and_forbid),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_exit_77_is_a_claim_the_grader_checks),
		cmocka_unit_test(test_needs_unmet_skip_before_running),
		cmocka_unit_test(test_needs_parse),
		cmocka_unit_test(test_optin),
		cmocka_unit_test(test_cmocka_all_skipped_scores_nothing),
		cmocka_unit_test(test_closest_line),
		cmocka_unit_test(test_kvm_access_advice),
		cmocka_unit_test(test_kvm_probe_opens_the_kits_device),
		cmocka_unit_test(test_unprivileged_user_reaches_the_tree),
		cmocka_unit_test(test_includes_form_a_dag),
		cmocka_unit_test(test_diagrams_install_or_name_graphviz),
		cmocka_unit_test(test_lab_d_offline_is_one_skip_line),
		cmocka_unit_test(test_lab_d_kbuild_path_has_no_blank),
		cmocka_unit_test(test_lab_d_skip_is_one_message),
		cmocka_unit_test(test_sanitizer_lines),
		cmocka_unit_test(test_timeout_kills_process_group),
		cmocka_unit_test(test_timeout_sends_term_to_the_group),
		cmocka_unit_test(test_timeout_sigkill_when_term_ignored),
		cmocka_unit_test(test_leftover_process_does_not_hold_the_check),
		cmocka_unit_test(test_output_closed_before_exit),
		cmocka_unit_test(test_output_order_and_cap),
		cmocka_unit_test(test_spawn_failure),
		cmocka_unit_test(test_any_output_is_safe),
		cmocka_unit_test(test_report_format),
		cmocka_unit_test(test_score_arithmetic),
		cmocka_unit_test(test_only_patterns),
		cmocka_unit_test(test_json_string_escaping),
		cmocka_unit_test(test_json_gradescope_format),
		cmocka_unit_test(test_cli_usage_errors),
		cmocka_unit_test(test_cli_list_and_in_place),
		cmocka_unit_test(test_cli_tree_grades_a_copy),
		cmocka_unit_test(test_cli_stops_cleanly_when_the_reader_goes_away),
		cmocka_unit_test(test_cli_tree_build_failure),
		cmocka_unit_test(test_cli_tree_never_writes_outside),
		cmocka_unit_test(test_cli_batch),
		cmocka_unit_test(test_handout_file_errors),
		cmocka_unit_test(test_submission_takes_only_edit_files),
		cmocka_unit_test(test_submission_hostile_edit_files),
		cmocka_unit_test(test_submission_refused),
		cmocka_unit_test(test_submission_in_one_folder),
		cmocka_unit_test(test_batch_of_submissions),
		cmocka_unit_test(test_visibility_key),
		cmocka_unit_test(test_rubric_extra),
		cmocka_unit_test(test_github_summary_and_classroom),
		cmocka_unit_test(test_skip_note_and_grouped_skips),
		cmocka_unit_test(test_root_without_capabilities_is_not_enough),
		cmocka_unit_test(test_stop_before_the_build_removes_the_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

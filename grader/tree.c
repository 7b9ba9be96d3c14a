#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lines.h"
#include "style.h"
#include "runner.h"
#include "util/util.h"

#define COPY_TIMEOUT 600.0
#define REMOVE_TIMEOUT 300.0

char *make_temp_dir(const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	char *path = xasprintf("%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);

	if (!mkdtemp(path)) {
		int saved = errno;

		free(path);
		errno = saved;
		return NULL;
	}
	return path;
}

static int run_tool_env(char *const *argv, double timeout, const char *const *assignments,
			struct run_result *res)
{
	struct run_spec spec = { .argv = argv, .timeout = timeout };
	char **env = env_with(assignments);
	int rc;

	spec.env = env;
	rc = run_command(&spec, res);
	free_env(env);
	return rc;
}

static int run_tool(char *const *argv, double timeout, struct run_result *res)
{
	return run_tool_env(argv, timeout, NULL, res);
}

static bool tool_succeeded(const struct run_result *res)
{
	return !res->spawn_error && !res->timed_out && !res->interrupted && res->exited &&
	       res->exit_status == 0;
}

/* Cleanup runs to its end even after a stop signal (Ctrl-C, `grade | head`): only its timeout cuts it. */
static void run_cleanup(char *const *argv)
{
	struct run_spec spec = { .argv = argv, .timeout = REMOVE_TIMEOUT, .ignore_stop = true };
	struct run_result res;

	run_command(&spec, &res);
	run_result_free(&res);
}

int remove_scratch_tree(const char *path)
{
	char *const rm_argv[] = { "rm", "-rf", "--one-file-system", "--", (char *)path, NULL };
	char *const chmod_argv[] = { "chmod", "-R", "u+rwX", "--", (char *)path, NULL };
	struct stat st;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (attempt == 1) /* a folder without write permission stops rm: open it up */
			run_cleanup(chmod_argv);
		run_cleanup(rm_argv);
		if (lstat(path, &st) < 0 && errno == ENOENT)
			return 0;
	}
	return -1;
}

int tree_in_place(struct graded_tree *t, const char *path)
{
	char *real = realpath(path, NULL);

	*t = (struct graded_tree){ 0 };
	if (!real)
		return -errno;
	t->source = xstrdup(path);
	t->path = real;
	return 0;
}

/* --- symlinks that leave the copy */

static struct {
	const char *root; /* the copy's real path */
	size_t root_len;
	struct buf *notes;
	int failures;
} link_scan;

static bool inside_root(const char *real)
{
	return strncmp(real, link_scan.root, link_scan.root_len) == 0 &&
	       (real[link_scan.root_len] == '/' || real[link_scan.root_len] == '\0');
}

/* For a link that does not resolve: does its text, taken literally, stay inside? */
static bool lexically_inside(const char *link_path, const char *target)
{
	int depth = 0;
	const char *p = link_path + link_scan.root_len;

	if (target[0] == '/')
		return false;
	for (; *p; p++) /* the link's folder depth below the root */
		depth += (*p == '/');
	depth -= 1;
	for (const char *part = target; *part;) {
		size_t len = strcspn(part, "/");

		if (len == 2 && part[0] == '.' && part[1] == '.')
			depth--;
		else if (len > 0 && !(len == 1 && part[0] == '.'))
			depth++;
		if (depth < 0)
			return false;
		part += len + (part[len] == '/');
	}
	return true;
}

static int check_link(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char target[PATH_MAX];
	ssize_t len;
	char *real;
	bool keep;

	(void)st;
	(void)ftw;
	if (type != FTW_SL && type != FTW_SLN)
		return 0;
	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return 0;
	target[len] = '\0';
	real = realpath(path, NULL);
	keep = target[0] != '/' && (real ? inside_root(real) : lexically_inside(path, target));
	free(real);
	if (keep)
		return 0;
	if (unlink(path) < 0)
		link_scan.failures++;
	buf_printf(link_scan.notes, "removed symlink %s -> %s (it points outside the tree)\n",
		   path + link_scan.root_len + 1, target);
	return 0;
}

static int remove_escaping_links(const char *root, struct buf *notes)
{
	link_scan.root = root;
	link_scan.root_len = strlen(root);
	link_scan.notes = notes;
	link_scan.failures = 0;
	if (nftw(root, check_link, 32, FTW_PHYS | FTW_MOUNT) < 0)
		return -1;
	return link_scan.failures ? -1 : 0;
}

/* --- copy and build */

/* Build output of the kit's Makefile: never copied, since everything is rebuilt
 * from source (and a submission's own binaries or images must not be graded). */
static const char *const build_outputs[] = { "build", "build-san" };
static bool copy_skips_git; /* set for the one scandir() of tree_copy_pristine() */

static int is_copied(const struct dirent *entry)
{
	const char *name = entry->d_name;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	if (copy_skips_git && strcmp(name, ".git") == 0)
		return 0;
	for (size_t i = 0; i < sizeof(build_outputs) / sizeof(build_outputs[0]); i++)
		if (strcmp(name, build_outputs[i]) == 0)
			return 0;
	return 1;
}

int tree_open_to_all(const char *path)
{
	char *const argv[] = { "chmod", "-R", "a+rX", "--", (char *)path, NULL };
	struct run_result res;
	int rc;

	run_tool(argv, COPY_TIMEOUT, &res);
	rc = tool_succeeded(&res) ? 0 : -1;
	run_result_free(&res);
	return rc;
}

/* cp -a of every top-level entry but the build output (and .git): symlinks are copied as symlinks. */
static int copy_top_entries(const char *source, const char *dest, bool skip_git)
{
	struct dirent **entries;
	int count;
	char **argv;
	struct run_result res;
	int rc = 0, n = 0;

	copy_skips_git = skip_git;
	count = scandir(source, &entries, is_copied, alphasort);
	copy_skips_git = false;
	if (count < 0 || mkdir(dest, 0755) < 0) {
		kit_warn("cannot copy %s to %s: %s", source, dest, strerror(errno));
		if (count >= 0) {
			for (int i = 0; i < count; i++)
				free(entries[i]);
			free(entries);
		}
		return -1;
	}
	argv = xcalloc((size_t)count + 6, sizeof(*argv));
	argv[n++] = xstrdup("cp");
	argv[n++] = xstrdup("-a");
	argv[n++] = xstrdup("--");
	for (int i = 0; i < count; i++) {
		argv[n++] = xasprintf("%s/%s", source, entries[i]->d_name);
		free(entries[i]);
	}
	free(entries);
	argv[n++] = xstrdup(dest);
	if (count > 0) {
		run_tool(argv, COPY_TIMEOUT, &res);
		if (!tool_succeeded(&res)) {
			kit_warn("cannot copy %s to %s:\n%s", source, dest, buf_str(&res.output));
			rc = -1;
		}
		run_result_free(&res);
	}
	for (int i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	return rc;
}

int tree_copy_sources(const char *source, const char *dest)
{
	return copy_top_entries(source, dest, false);
}

int tree_copy_pristine(const char *source, const char *dest)
{
	return copy_top_entries(source, dest, true);
}

static void save_build_log(const struct graded_tree *t, const struct run_result *res)
{
	char *path = xasprintf("%s/build.log", t->scratch_root);
	FILE *log = fopen(path, "w");

	if (log) {
		fwrite(buf_str(&res->output), 1, res->output.len, log);
		fclose(log);
	}
	free(path);
}

static void explain_build_failure(struct graded_tree *t, const struct run_result *res, double timeout)
{
	struct lines lines;
	size_t first;

	if (res->spawn_error)
		buf_printf(&t->build_details, "could not start make: %s\n", strerror(res->spawn_error));
	else if (res->timed_out)
		buf_printf(&t->build_details, "the build timed out after %gs\n", timeout);
	else if (res->interrupted)
		buf_puts(&t->build_details, "the build was interrupted\n");
	else if (res->exited)
		buf_printf(&t->build_details, "the build failed: make exited with status %d\n", res->exit_status);
	else
		buf_printf(&t->build_details, "the build failed: make was killed by signal %d\n", res->term_signal);
	lines_split(&lines, buf_str(&res->output), res->output.len);
	first = lines.count > BUILD_LOG_TAIL ? lines.count - BUILD_LOG_TAIL : 0;
	buf_printf(&t->build_details, "build log, lines %zu-%zu of %zu:\n", first + 1, lines.count, lines.count);
	append_line_rows(&t->build_details, &lines, first, lines.count, SIZE_MAX, "");
	lines_free(&lines);
}

/*
 * The compiler a build uses: behind ccache when it is installed (GRADE_CCACHE=0
 * turns that off), so a source file that many submissions share unchanged is
 * compiled once; the cache is keyed on its preprocessed content and flags.
 * (ccache compiles every file holding .incbin itself: the guest images it
 * embeds are not part of that key.)
 */
static char *compiler_assignment(void)
{
	const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	const char *use = getenv("GRADE_CCACHE");
	struct run_result res;
	char *const probe[] = { "ccache", "--version", NULL };
	bool have;

	if (use && strcmp(use, "0") == 0)
		return NULL;
	run_tool(probe, 10, &res);
	have = tool_succeeded(&res);
	run_result_free(&res);
	return have ? xasprintf("CC=ccache %s", cc) : NULL;
}

void tree_build(struct graded_tree *t, const struct tree_options *opts, FILE *report)
{
	char jobs[32];
	snprintf(jobs, sizeof(jobs), "-j%d", opts->make_jobs > 0 ? opts->make_jobs : 1);
	char *cc = compiler_assignment();
	/* -B: everything is rebuilt from source, so no binary shipped in the tree is graded. */
	char *const argv[] = { "make", "--no-print-directory", "-B", jobs, "-C", t->path, "all", cc, NULL };
	/* The copy's folder is not part of the cache key (-g would put it there). */
	const char *const cache_env[] = { "CCACHE_NOHASHDIR=1", NULL };
	struct run_result res;

	fprintf(report, "Build: make -B %s -C %s all%s%s ... ", jobs, t->path, cc ? " " : "", cc ? cc : "");
	fflush(report);
	run_tool_env(argv, opts->build_timeout, cache_env, &res);
	t->build_seconds = res.seconds;
	save_build_log(t, &res);
	t->build_failed = !tool_succeeded(&res);
	if (t->build_failed)
		explain_build_failure(t, &res, opts->build_timeout);
	print_verdict(report, opts->color, t->build_failed ? VERDICT_FAIL : VERDICT_OK);
	fprintf(report, " (%.1fs)\n", t->build_seconds);
	print_indented(report, buf_str(&t->build_details), "    ");
	run_result_free(&res);
	t->compiler = cc;
}

int tree_make_scratch(struct graded_tree *t)
{
	char *scratch = make_temp_dir("grade");

	/* Its real path, so symlinks inside the copy can be compared with it. */
	t->scratch_root = scratch ? realpath(scratch, NULL) : NULL;
	free(scratch);
	if (!t->scratch_root) {
		kit_warn("cannot create a scratch folder: %s", strerror(errno));
		return -1;
	}
	t->path = xasprintf("%s/tree", t->scratch_root);
	return 0;
}

int tree_prepare(struct graded_tree *t, const char *source, const struct tree_options *opts, FILE *report)
{
	char *real_source = realpath(source, NULL);

	*t = (struct graded_tree){ .source = xstrdup(source) };
	if (!real_source) {
		kit_warn("cannot grade %s: %s", source, strerror(errno));
		return -1;
	}
	if (tree_make_scratch(t) < 0) {
		free(real_source);
		return -1;
	}
	fprintf(report, "Grading %s (a scratch copy in %s)\n", real_source, t->path);
	int rc = tree_copy_sources(real_source, t->path);
	free(real_source);
	if (rc == 0 && remove_escaping_links(t->path, &t->notes) < 0) {
		kit_warn("cannot check the symlinks of the copy in %s", t->path);
		rc = -1;
	}
	print_indented(report, buf_str(&t->notes), "note: ");
	if (rc == 0)
		tree_build(t, opts, report);
	return rc;
}

void tree_release(struct graded_tree *t, bool keep, FILE *report)
{
	if (t->scratch_root && keep)
		fprintf(report, "Kept the scratch copy: %s (build log: %s/build.log)\n", t->path, t->scratch_root);
	else if (t->scratch_root && remove_scratch_tree(t->scratch_root) < 0)
		kit_warn("could not remove the scratch folder %s", t->scratch_root);
	free(t->source);
	free(t->path);
	free(t->scratch_root);
	free(t->compiler);
	free(t->refused);
	buf_free(&t->build_details);
	buf_free(&t->notes);
	*t = (struct graded_tree){ 0 };
}

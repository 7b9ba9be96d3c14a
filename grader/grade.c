#include "grade.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "runner.h"
#include "tree.h"
#include "util/util.h"
#include "vars.h"

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

/* One grade_checks() call: the machine's needs and, if needed, a reachable copy of the tree. */
struct grading {
	const struct grade_config *cfg;
	const struct graded_tree *tree;
	struct machine *machine;
	struct machine own_machine; /* when cfg gives none */
	bool reach_probed, reach_ok;
	char *reach_path;  /* where unprivileged-user checks run: the tree, or a copy uid 65534 can reach */
	char *reach_root;  /* the copy's scratch folder (removed at the end), or NULL */
	struct buf reach_note;
};

static void describe_path(struct buf *out, const char *path)
{
	struct stat st;

	buf_puts(out, path);
	if (stat(path, &st) == 0) {
		buf_puts(out, " is ");
		describe_mode(out, &st);
	}
}

/* A scratch copy of the tree, opened to everyone: for a tree in a folder only its owner can enter. */
static int make_reachable_copy(struct grading *g, const char *blocked)
{
	bool failed;
	char *root = make_temp_dir("grade-reach");
	char *copy = root ? xasprintf("%s/tree", root) : NULL;
	char *root_blocked = NULL;

	g->reach_root = root;
	buf_printf(&g->reach_note, "uid 65534 cannot reach %s (", g->tree->path);
	describe_path(&g->reach_note, blocked);
	buf_puts(&g->reach_note, ")");
	if (root && chmod(root, 0755) == 0)
		root_blocked = unreachable_folder(root, UNPRIVILEGED_UID, UNPRIVILEGED_GID, &failed);
	if (!root || root_blocked || failed || tree_copy_sources(g->tree->path, copy) < 0 ||
	    tree_open_to_all(copy) < 0) {
		buf_printf(&g->reach_note, ", and the grader could not make a copy it can reach in %s: clone "
			   "the kit under a folder others may enter, or set TMPDIR to one", root ? root : "$TMPDIR");
		free(root_blocked);
		free(copy);
		return -1;
	}
	buf_printf(&g->reach_note, ": ran in a copy it can reach, %s", copy);
	g->reach_path = copy;
	return 0;
}

static void prepare_reachable(struct grading *g)
{
	bool failed;
	char *blocked;

	g->reach_probed = true;
	blocked = unreachable_folder(g->tree->path, UNPRIVILEGED_UID, UNPRIVILEGED_GID, &failed);
	if (failed) {
		buf_printf(&g->reach_note, "the grader could not check whether uid 65534 can reach %s",
			   g->tree->path);
	} else if (!blocked) {
		g->reach_path = xstrdup(g->tree->path);
		g->reach_ok = true;
	} else {
		g->reach_ok = make_reachable_copy(g, blocked) == 0;
	}
	free(blocked);
}

static void release_reachable(struct grading *g)
{
	if (g->reach_root && remove_scratch_tree(g->reach_root) < 0)
		kit_warn("could not remove %s", g->reach_root);
	free(g->reach_root);
	free(g->reach_path);
	buf_free(&g->reach_note);
}

static bool runs_unprivileged(const struct check *c)
{
	return (c->needs & NEED_UNPRIVILEGED_USER) && geteuid() == 0;
}

static void check_optins(struct grading *g, const struct check *c, struct buf *unmet)
{
	for (size_t i = 0; i < c->noptins; i++) {
		const char *name = c->optins[i];

		if (machine_opted_in(g->machine, name))
			continue;
		buf_printf(unmet, "not asked for: this check is opt-in%s%s%s; run it with 'make grade GRADE_WITH=%s' "
			   "(or grader/grade --with %s)\n", c->cost ? " (" : "", c->cost ? c->cost : "",
			   c->cost ? ")" : "", name, name);
	}
}

/* The reasons a check cannot run here, one a line (empty: it can), and what was found of its needs;
 * the needs not met in *unmet_bits. */
static void check_needs(struct grading *g, const struct check *c, struct buf *unmet, struct buf *found,
			unsigned *unmet_bits)
{
	check_optins(g, c, unmet);
	for (unsigned bit = 1; bit <= NEEDS_PROBED; bit <<= 1) {
		if (!(c->needs & bit & NEEDS_PROBED))
			continue;
		const struct need_probe *p = machine_need(g->machine, (enum need)bit);

		if (!p->met) {
			buf_printf(unmet, "needs %s: %s\n", need_name((enum need)bit), p->text);
			*unmet_bits |= bit;
		} else
			buf_printf(found, "%s%s (%s)", found->len ? "; " : "", need_name((enum need)bit), p->text);
	}
	if (unmet->len == 0 && runs_unprivileged(c)) {
		if (!g->reach_probed)
			prepare_reachable(g);
		if (!g->reach_ok) {
			buf_printf(unmet, "needs unprivileged-user: %s\n", buf_str(&g->reach_note));
			*unmet_bits |= NEED_UNPRIVILEGED_USER;
		}
	}
}

static void skip_unmet(struct check_result *res, struct buf *unmet)
{
	res->verdict = VERDICT_SKIP;
	res->details = *unmet; /* handed over */
	*unmet = (struct buf){ 0 };
}

/* RUBRIC_DIR=the folder of the check's rubric file (absolute): where a check finds files of its
 * own, such as the inputs of an instructor's private checks. */
static char *rubric_dir_assignment(const struct check *c)
{
	char *file = realpath(c->file, NULL);
	char *slash = file ? strrchr(file, '/') : NULL;
	char *text;

	if (slash)
		*slash = '\0';
	text = xasprintf("RUBRIC_DIR=%s", slash ? (slash == file ? "/" : file) : ".");
	free(file);
	return text;
}

/* Run one check in a fresh $SCRATCH and judge it. */
static void run_check(struct grading *g, const struct check *c, const char *needs_found, struct check_result *out)
{
	const char *where = runs_unprivileged(c) ? g->reach_path : g->tree->path;
	char *scratch = make_temp_dir("grade-scratch");
	struct var vars[CHECK_MAX_VARS];
	struct buf command = { 0 };
	struct run_result res;
	struct judgement verdict;

	if (!scratch) {
		fail_internal(out, "cannot create $SCRATCH");
		return;
	}
	size_t nvars = check_vars(c, scratch, where, vars, CHECK_MAX_VARS);
	subst_vars(&command, c->run, vars, nvars, SUBST_RAW, NULL, 0);
	char *assign_scratch = xasprintf("SCRATCH=%s", scratch);
	char *assign_tree = xasprintf("GRADE_TREE=%s", where);
	char *assign_uid = xasprintf("UNPRIVILEGED_UID=%d", geteuid() == 0 ? UNPRIVILEGED_UID : (int)geteuid());
	char *assign_rubric = rubric_dir_assignment(c);
	const char *assignments[] = {
		assign_scratch, assign_tree, assign_uid, assign_rubric,
		geteuid() == 0 ? "UNPRIVILEGED=" UNPRIVILEGED_PREFIX : "UNPRIVILEGED=",
		/* A check that builds (make build/tests/...) compiles as the tree's build did. */
		"CCACHE_NOHASHDIR=1", g->tree->compiler /* NULL: none */, NULL,
	};
	char **env = env_with(assignments);
	char *const argv[] = { "/bin/sh", "-c", command.data, NULL };
	struct run_spec spec = { .argv = argv, .cwd = where, .env = env, .timeout = c->timeout };

	run_command(&spec, &res);
	judge_run(c, &res, vars, nvars, c->needs & NEEDS_PROBED ? needs_found : NULL, &verdict);
	out->verdict = verdict.verdict;
	out->details = verdict.details;
	out->seconds = res.seconds;
	out->output = res.output; /* handed over: not freed with res */
	if (where != g->tree->path && strcmp(where, g->tree->path) != 0)
		buf_printf(&out->details, "note: %s\n", buf_str(&g->reach_note));
	if (remove_scratch_tree(scratch) < 0)
		kit_warn("could not remove %s", scratch);
	free_env(env);
	free(assign_scratch);
	free(assign_tree);
	free(assign_uid);
	free(assign_rubric);
	buf_free(&command);
	free(scratch);
}

static void grade_one(struct grading *g, const struct check *c, struct check_result *res)
{
	struct buf unmet = { 0 }, found = { 0 };

	if (g->tree->build_failed) {
		fail_unbuilt(g->tree, res);
		return;
	}
	check_needs(g, c, &unmet, &found, &res->unmet);
	if (unmet.len)
		skip_unmet(res, &unmet);
	else
		run_check(g, c, buf_str(&found), res);
	buf_free(&unmet);
	buf_free(&found);
}

/* Opt-in checks that will run cost something: say what, before they start. */
static void announce_optins(struct grading *g, const struct rubric *r)
{
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct check *c = &r->checks[i];
		bool all_in = c->noptins > 0;

		for (size_t j = 0; j < c->noptins; j++)
			all_in = all_in && machine_opted_in(g->machine, c->optins[j]);
		if (all_in && check_selected(c, g->cfg->only))
			fprintf(g->cfg->out, "Opted in: %s%s%s\n", c->id, c->cost ? ": " : "", c->cost ? c->cost : "");
	}
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
	struct grading g = { .cfg = cfg, .tree = tree };
	struct score_sheet sheet;

	g.machine = cfg->machine ? cfg->machine : &g.own_machine;
	announce_optins(&g, r);
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct check *c = &r->checks[i];
		struct check_result *res = &results[i];

		*res = (struct check_result){ .selected = check_selected(c, cfg->only) };
		if (!res->selected || grade_stop_signal)
			continue;
		report_check_begin(cfg->out, &style, c);
		grade_one(&g, c, res);
		res->ran = true;
		report_check_end(cfg->out, &style, res);
		if (last_of_part(r, cfg->only, i)) {
			score_sheet_compute(r, results, &sheet);
			report_part(cfg->out, &style, c->part, &sheet, c->part_index);
			score_sheet_free(&sheet);
		}
	}
	release_reachable(&g);
}

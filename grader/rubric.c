#include "rubric.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "util/opts.h"
#include "vars.h"

/* Keys that may appear once per check. */
enum once_key {
	ONCE_PART = 1 << 0,
	ONCE_POINTS = 1 << 1,
	ONCE_TITLE = 1 << 2,
	ONCE_RUN = 1 << 3,
	ONCE_TIMEOUT = 1 << 4,
	ONCE_STATUS = 1 << 5,
	ONCE_COST = 1 << 6,
	ONCE_REGIONS = 1 << 7,
	ONCE_VISIBILITY = 1 << 8,
};

struct parser {
	struct rubric *rubric;
	const char *file;
	int line;
	struct check *check; /* the open check block, NULL before the first */
	struct rubric_error *err;
};

static int fail_at(struct rubric_error *err, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct rubric_error *err, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n = line > 0 ? snprintf(err->text, sizeof(err->text), "%s:%d: ", file, line)
			 : snprintf(err->text, sizeof(err->text), "%s: ", file);

	va_start(ap, fmt);
	vsnprintf(err->text + n, sizeof(err->text) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

#define FAIL(p, ...) fail_at((p)->err, (p)->file, (p)->line, __VA_ARGS__)

static bool valid_id(const char *text)
{
	if (!*text)
		return false;
	for (const char *c = text; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9') &&
		    !strchr("._-", *c))
			return false;
	return true;
}

static const struct check *find_check(const struct rubric *r, const char *id)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (strcmp(r->checks[i].id, id) == 0)
			return &r->checks[i];
	return NULL;
}

/* Whom a rootless check runs as: uid 65534 when the grader is root, else the grader's own user. */
static const char *unprivileged_uid(void)
{
	static char text[16];

	snprintf(text, sizeof(text), "%d", geteuid() == 0 ? 65534 : (int)geteuid());
	return text;
}

size_t check_vars(const struct check *c, const char *scratch, const char *tree,
		  struct var *vars, size_t max_vars)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nlets && n < max_vars; i++)
		vars[n++] = (struct var){ c->lets[i].name, c->lets[i].value ? c->lets[i].value : "" };
	if (n < max_vars)
		vars[n++] = (struct var){ "SCRATCH", scratch };
	if (n < max_vars)
		vars[n++] = (struct var){ "GRADE_TREE", tree };
	if (n < max_vars)
		vars[n++] = (struct var){ "UNPRIVILEGED_UID", unprivileged_uid() };
	return n;
}

static void roll_lets(struct check *c)
{
	for (size_t i = 0; i < c->nlets; i++) {
		struct let *let = &c->lets[i];

		free(let->value);
		let->value = xmalloc((size_t)let->length + 1);
		if (let->kind == LET_HEX)
			random_hex(let->value, (size_t)let->length);
		else
			random_word(let->value, (size_t)let->length);
	}
}

void rubric_roll_lets(struct rubric *r)
{
	for (size_t i = 0; i < r->nchecks; i++)
		roll_lets(&r->checks[i]);
}

/* Every ${NAME} must be known and the result must compile, with stand-in paths. */
static int validate_pattern(struct parser *p, const struct check *c, const struct pattern *pat)
{
	const char *key = pat->kind == PATTERN_EXPECT ? "expect" : "forbid";
	struct var vars[CHECK_MAX_VARS];
	size_t nvars = check_vars(c, "/tmp/scratch", "/tmp/tree", vars, CHECK_MAX_VARS);
	struct buf text = { 0 };
	char unknown[128] = "";
	regex_t re;
	int rc;

	if (subst_vars(&text, pat->text, vars, nvars, SUBST_REGEX, unknown, sizeof(unknown))) {
		buf_free(&text);
		return fail_at(p->err, p->file, pat->line,
			       "unknown variable ${%s} in '%s' (define it in this check with 'let %s word')",
			       unknown, key, unknown);
	}
	rc = regcomp(&re, buf_str(&text), REG_EXTENDED | REG_NOSUB);
	buf_free(&text);
	if (rc != 0) {
		char why[256];

		regerror(rc, &re, why, sizeof(why));
		return fail_at(p->err, p->file, pat->line, "bad regular expression in '%s': %s: %s",
			       key, pat->text, why);
	}
	regfree(&re);
	return 0;
}

/* The end of a check block: it must be complete and its patterns valid. */
static int close_check(struct parser *p)
{
	struct check *c = p->check;

	if (!c)
		return 0;
	p->check = NULL;
	if (!c->run)
		return fail_at(p->err, p->file, c->line, "check '%s' has no 'run' line (the command to run)",
			       c->id);
	roll_lets(c);
	for (size_t i = 0; i < c->npatterns; i++)
		if (validate_pattern(p, c, &c->patterns[i]) < 0)
			return -1;
	return 0;
}

static int open_check(struct parser *p, char *value)
{
	const struct check *other;
	struct check *c;

	if (close_check(p) < 0)
		return -1;
	if (!valid_id(value))
		return FAIL(p, "bad check ID '%s' (use letters, digits, '.', '-' and '_')", value);
	other = find_check(p->rubric, value);
	if (other)
		return FAIL(p, "duplicate check ID '%s' (first defined at %s:%d)", value, other->file,
			    other->line);
	c = ARRAY_PUSH(p->rubric->checks, p->rubric->nchecks, p->rubric->checks_cap);
	c->id = xstrdup(value);
	c->points = RUBRIC_DEFAULT_POINTS;
	c->timeout = RUBRIC_DEFAULT_TIMEOUT;
	c->status = 0;
	c->file = p->file;
	c->line = p->line;
	p->check = c;
	return 0;
}

static int set_part(struct parser *p, char *value)
{
	if (!valid_id(value))
		return FAIL(p, "bad part name '%s' (use letters, digits, '.', '-' and '_')", value);
	p->check->part = xstrdup(value);
	return 0;
}

static int set_points(struct parser *p, char *value)
{
	long points;

	if (parse_long_in(value, 0, RUBRIC_MAX_POINTS, &points) < 0)
		return FAIL(p, "bad points '%s' (a whole number from 0 to %d)", value, RUBRIC_MAX_POINTS);
	p->check->points = (int)points;
	return 0;
}

static int set_title(struct parser *p, char *value)
{
	p->check->title = xstrdup(value);
	return 0;
}

static int set_run(struct parser *p, char *value)
{
	p->check->run = xstrdup(value);
	return 0;
}

static int set_timeout(struct parser *p, char *value)
{
	if (parse_seconds(value, &p->check->timeout) < 0)
		return FAIL(p, "bad timeout '%s' (seconds, more than 0: e.g. 30 or 0.5)", value);
	return 0;
}

static int set_status(struct parser *p, char *value)
{
	long status;

	if (strcmp(value, "any") == 0) {
		p->check->status = RUBRIC_STATUS_ANY;
	} else if (parse_long_in(value, 0, 255, &status) == 0) {
		p->check->status = (int)status;
	} else {
		return FAIL(p, "bad status '%s' (an exit status from 0 to 255, or 'any')", value);
	}
	p->check->status_given = true;
	return 0;
}

static int add_pattern(struct parser *p, char *value, enum pattern_kind kind)
{
	struct check *c = p->check;
	struct pattern *pat = ARRAY_PUSH(c->patterns, c->npatterns, c->patterns_cap);

	pat->kind = kind;
	pat->text = xstrdup(value);
	pat->line = p->line;
	return 0;
}

static int add_expect(struct parser *p, char *value)
{
	return add_pattern(p, value, PATTERN_EXPECT);
}

static int add_forbid(struct parser *p, char *value)
{
	return add_pattern(p, value, PATTERN_FORBID);
}

static const struct {
	const char *name;
	enum need bit;
} need_names[] = {
	{ "kvm", NEED_KVM },
	{ "root", NEED_ROOT },
	{ "userns", NEED_USERNS },
	{ "unprivileged-user", NEED_UNPRIVILEGED_USER },
	{ "network", NEED_NETWORK },
};

const char *need_name(enum need bit)
{
	for (size_t i = 0; i < sizeof(need_names) / sizeof(need_names[0]); i++)
		if (need_names[i].bit == bit)
			return need_names[i].name;
	return "?";
}

static int add_optin(struct parser *p, const char *name)
{
	struct check *c = p->check;

	if (!valid_id(name))
		return FAIL(p, "bad opt-in name '%s' (use letters, digits, '.', '-' and '_')", name);
	for (size_t i = 0; i < c->noptins; i++)
		if (strcmp(c->optins[i], name) == 0)
			return 0;
	*(char **)ARRAY_PUSH(c->optins, c->noptins, c->optins_cap) = xstrdup(name);
	return 0;
}

/* `needs kvm userns optin:lab-d-vm`: any number of words, on any number of lines. */
static int add_needs(struct parser *p, char *value)
{
	char *save = NULL;

	for (char *word = strtok_r(value, " \t,", &save); word; word = strtok_r(NULL, " \t,", &save)) {
		size_t i = 0;

		if (strncmp(word, "optin:", 6) == 0) {
			if (add_optin(p, word + 6) < 0)
				return -1;
			continue;
		}
		while (i < sizeof(need_names) / sizeof(need_names[0]) && strcmp(need_names[i].name, word) != 0)
			i++;
		if (i == sizeof(need_names) / sizeof(need_names[0]))
			return FAIL(p, "unknown need '%s' (needs: kvm root userns unprivileged-user network "
				    "optin:NAME)", word);
		p->check->needs |= need_names[i].bit;
	}
	return 0;
}

static int set_cost(struct parser *p, char *value)
{
	p->check->cost = xstrdup(value);
	return 0;
}

/* `regions ID...`: the solution regions whose stub must make this check fail. */
static int set_regions(struct parser *p, char *value)
{
	for (const char *c = value; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != ' ' && *c != '\t')
			return FAIL(p, "bad 'regions' value '%s' (region IDs: letters, digits, '_')", value);
	p->check->regions = xstrdup(value);
	return 0;
}

static const char *const visibility_names[] = {
	[VISIBILITY_VISIBLE] = "visible",
	[VISIBILITY_HIDDEN] = "hidden",
	[VISIBILITY_AFTER_DUE_DATE] = "after_due_date",
	[VISIBILITY_AFTER_PUBLISHED] = "after_published",
};

const char *visibility_name(enum visibility v)
{
	return (size_t)v < sizeof(visibility_names) / sizeof(visibility_names[0]) ? visibility_names[v] : "visible";
}

/* `visibility hidden`: when Gradescope shows this check's result to the student. */
static int set_visibility(struct parser *p, char *value)
{
	for (size_t i = 0; i < sizeof(visibility_names) / sizeof(visibility_names[0]); i++)
		if (strcmp(value, visibility_names[i]) == 0) {
			p->check->visibility = (enum visibility)i;
			return 0;
		}
	return FAIL(p, "bad visibility '%s' (visible, hidden, after_due_date or after_published)", value);
}

static int parse_let_kind(const char *word, enum let_kind *kind)
{
	if (strcmp(word, "word") == 0)
		*kind = LET_WORD;
	else if (strcmp(word, "hex") == 0)
		*kind = LET_HEX;
	else
		return -1;
	return 0;
}

static int add_let(struct parser *p, char *value)
{
	struct check *c = p->check;
	char *save = NULL;
	char *name = strtok_r(value, " \t", &save);
	char *kind_word = strtok_r(NULL, " \t", &save);
	char *len_word = strtok_r(NULL, " \t", &save);
	enum let_kind kind;
	long len = RUBRIC_DEFAULT_LET_LEN;

	if (!name || !kind_word || strtok_r(NULL, " \t", &save))
		return FAIL(p, "'let' takes NAME KIND [LEN], e.g. 'let MSG word 16'");
	if (!valid_var_name(name, strlen(name)))
		return FAIL(p, "bad variable name '%s' (a letter or '_', then letters, digits, '_')", name);
	if (strcmp(name, "SCRATCH") == 0 || strcmp(name, "GRADE_TREE") == 0 || strcmp(name, "UNPRIVILEGED_UID") == 0)
		return FAIL(p, "'%s' is set by the grader; choose another name", name);
	for (size_t i = 0; i < c->nlets; i++)
		if (strcmp(c->lets[i].name, name) == 0)
			return FAIL(p, "variable '%s' defined twice in check '%s'", name, c->id);
	if (c->nlets + 3 >= CHECK_MAX_VARS)
		return FAIL(p, "too many 'let' lines in check '%s' (at most %d)", c->id, CHECK_MAX_VARS - 3);
	if (parse_let_kind(kind_word, &kind) < 0)
		return FAIL(p, "bad 'let' kind '%s' (word or hex)", kind_word);
	if (len_word && parse_long_in(len_word, 1, RUBRIC_MAX_LET_LEN, &len) < 0)
		return FAIL(p, "bad 'let' length '%s' (1 to %d)", len_word, RUBRIC_MAX_LET_LEN);

	struct let *let = ARRAY_PUSH(c->lets, c->nlets, c->lets_cap);
	let->name = xstrdup(name);
	let->kind = kind;
	let->length = (int)len;
	return 0;
}

static const struct key {
	const char *name;
	unsigned once;
	int (*apply)(struct parser *p, char *value);
} keys[] = {
	{ "part", ONCE_PART, set_part },
	{ "points", ONCE_POINTS, set_points },
	{ "title", ONCE_TITLE, set_title },
	{ "run", ONCE_RUN, set_run },
	{ "timeout", ONCE_TIMEOUT, set_timeout },
	{ "status", ONCE_STATUS, set_status },
	{ "expect", 0, add_expect },
	{ "forbid", 0, add_forbid },
	{ "let", 0, add_let },
	{ "needs", 0, add_needs },
	{ "cost", ONCE_COST, set_cost },
	{ "regions", ONCE_REGIONS, set_regions },
	{ "visibility", ONCE_VISIBILITY, set_visibility },
};

static int apply_key(struct parser *p, const char *name, char *value)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *key = &keys[i];

		if (strcmp(key->name, name) != 0)
			continue;
		if (!p->check)
			return FAIL(p, "'%s' outside a check (a check starts with 'check ID')", name);
		if (key->once & p->check->keys_seen)
			return FAIL(p, "'%s' given twice in check '%s'", name, p->check->id);
		p->check->keys_seen |= key->once;
		return key->apply(p, value);
	}
	return FAIL(p, "unknown key '%s' (keys: check part points title run timeout status "
		    "expect forbid let needs cost regions visibility)", name);
}

static char *trim(char *text)
{
	size_t len;

	while (*text == ' ' || *text == '\t')
		text++;
	len = strlen(text);
	while (len > 0 && strchr(" \t\r\n\f\v", text[len - 1]))
		text[--len] = '\0';
	return text;
}

static int parse_line(struct parser *p, char *line)
{
	char *text = trim(line);
	char *value;
	size_t key_len;

	if (*text == '\0' || *text == '#')
		return 0;
	key_len = strcspn(text, " \t");
	value = trim(text + key_len);
	text[key_len] = '\0';
	if (*value == '\0')
		return FAIL(p, "'%s' needs a value", text);
	if (strcmp(text, "check") == 0)
		return open_check(p, value);
	return apply_key(p, text, value);
}

static const char *keep_filename(struct rubric *r, const char *filename)
{
	char **slot = ARRAY_PUSH(r->files, r->nfiles, r->files_cap);

	*slot = xstrdup(filename);
	return *slot;
}

int rubric_parse_stream(struct rubric *r, FILE *in, const char *filename, struct rubric_error *err)
{
	struct parser p = { .rubric = r, .file = keep_filename(r, filename), .err = err };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while (rc == 0 && (n = getline(&line, &cap, in)) >= 0) {
		p.line++;
		if (strlen(line) != (size_t)n)
			rc = FAIL(&p, "NUL byte in the line (is this a text file?)");
		else
			rc = parse_line(&p, line);
	}
	free(line);
	if (rc == 0 && ferror(in))
		rc = fail_at(err, p.file, 0, "read error: %s", strerror(errno));
	if (rc == 0)
		rc = close_check(&p);
	return rc;
}

static size_t part_index(struct rubric *r, const char *part)
{
	for (size_t i = 0; i < r->nparts; i++)
		if (strcmp(r->parts[i], part) == 0)
			return i;
	*(char **)ARRAY_PUSH(r->parts, r->nparts, r->parts_cap) = xstrdup(part);
	return r->nparts - 1;
}

static void fill_defaults(struct check *c)
{
	if (!c->part)
		c->part = xstrndup(c->id, strcspn(c->id, "."));
	if (!c->title)
		c->title = xstrdup(c->id);
}

/* Stable grouping by part, so each part's subtotal follows its checks. */
static void group_by_part(struct rubric *r)
{
	struct check *sorted = xcalloc(r->checks_cap, sizeof(*sorted));
	size_t n = 0;

	for (size_t part = 0; part < r->nparts; part++)
		for (size_t i = 0; i < r->nchecks; i++)
			if (r->checks[i].part_index == part)
				sorted[n++] = r->checks[i];
	free(r->checks);
	r->checks = sorted;
}

int rubric_finish(struct rubric *r, const char *origin, struct rubric_error *err)
{
	if (r->nchecks == 0)
		return fail_at(err, origin, 0, "no checks in the rubric (a check starts with 'check ID')");
	for (size_t i = 0; i < r->nparts; i++)
		free(r->parts[i]);
	r->nparts = 0;
	for (size_t i = 0; i < r->nchecks; i++) {
		fill_defaults(&r->checks[i]);
		r->checks[i].part_index = part_index(r, r->checks[i].part);
	}
	group_by_part(r);
	return 0;
}

static int load_file(struct rubric *r, const char *path, struct rubric_error *err)
{
	FILE *in = fopen(path, "r");
	int rc;

	if (!in)
		return fail_at(err, path, 0, "cannot read the rubric: %s", strerror(errno));
	rc = rubric_parse_stream(r, in, path, err);
	fclose(in);
	return rc;
}

static int is_rubric_name(const struct dirent *entry)
{
	return entry->d_name[0] != '.' && fnmatch("*.rubric", entry->d_name, 0) == 0;
}

static int load_folder(struct rubric *r, const char *path, struct rubric_error *err)
{
	struct dirent **entries;
	int count = scandir(path, &entries, is_rubric_name, alphasort);
	int rc = 0;

	if (count < 0)
		return fail_at(err, path, 0, "cannot read the rubric folder: %s", strerror(errno));
	if (count == 0)
		rc = fail_at(err, path, 0, "no *.rubric files in the rubric folder");
	for (int i = 0; i < count; i++) {
		if (rc == 0) {
			char *file = xasprintf("%s/%s", path, entries[i]->d_name);

			rc = load_file(r, file, err);
			free(file);
		}
		free(entries[i]);
	}
	free(entries);
	return rc;
}

static int load_path(struct rubric *r, const char *path, struct rubric_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return fail_at(err, path, 0, "cannot read the rubric: %s", strerror(errno));
	return S_ISDIR(st.st_mode) ? load_folder(r, path, err) : load_file(r, path, err);
}

int rubric_load_all(struct rubric *r, const char *const *paths, size_t npaths, struct rubric_error *err)
{
	int rc = 0;

	for (size_t i = 0; i < npaths && rc == 0; i++)
		rc = load_path(r, paths[i], err);
	if (rc == 0)
		rc = rubric_finish(r, npaths ? paths[0] : "(no rubric)", err);
	return rc;
}

int rubric_load(struct rubric *r, const char *path, struct rubric_error *err)
{
	return rubric_load_all(r, &path, 1, err);
}

static void free_check(struct check *c)
{
	free(c->id);
	free(c->part);
	free(c->title);
	free(c->run);
	for (size_t i = 0; i < c->npatterns; i++)
		free(c->patterns[i].text);
	free(c->patterns);
	for (size_t i = 0; i < c->nlets; i++) {
		free(c->lets[i].name);
		free(c->lets[i].value);
	}
	free(c->lets);
	for (size_t i = 0; i < c->noptins; i++)
		free(c->optins[i]);
	free(c->optins);
	free(c->cost);
	free(c->regions);
}

void rubric_free(struct rubric *r)
{
	for (size_t i = 0; i < r->nchecks; i++)
		free_check(&r->checks[i]);
	free(r->checks);
	for (size_t i = 0; i < r->nparts; i++)
		free(r->parts[i]);
	free(r->parts);
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i]);
	free(r->files);
	*r = (struct rubric){ 0 };
}

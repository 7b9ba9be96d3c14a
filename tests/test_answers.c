/*
 * The answers cannot drift from the code: every figure about the kit in
 * answers/ (the .md files) stands in a "live" block,
 *
 *     <!-- live: ./some-program --option -->
 *     ```text
 *     some-program: 2 MiB of something (0x200000 bytes)
 *     some-program: mapped at <addr>-<addr>
 *     ```
 *
 * and this test runs each block's command (from the top folder) and checks
 * that every line of the block is a whole line of the live output. In a
 * block, <addr> stands for any hex address (host addresses change from run
 * to run), <n> for any decimal number and <...> for any text.
 */
#include <dirent.h>
#include <regex.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define ANSWERS_DIR "answers"
#define MAX_OUTPUT (4 << 20)

struct block {
	char file[512];
	int line;            /* where the block starts, for messages */
	char command[512];
	char *lines[256];
	int count;
};

/* Turn a block line into an anchored regular expression. */
static void to_regex(const char *line, char *re, size_t size)
{
	size_t n = 0;

	re[n++] = '^';
	while (*line && n + 16 < size) {
		if (strncmp(line, "<addr>", 6) == 0) {
			n += (size_t)snprintf(re + n, size - n, "0x[0-9a-f]+");
			line += 6;
		} else if (strncmp(line, "<n>", 3) == 0) {
			n += (size_t)snprintf(re + n, size - n, "[0-9]+");
			line += 3;
		} else if (strncmp(line, "<...>", 5) == 0) {
			n += (size_t)snprintf(re + n, size - n, ".*");
			line += 5;
		} else {
			if (strchr(".[]()*+?{}|^$\\", *line))
				re[n++] = '\\';
			re[n++] = *line++;
		}
	}
	re[n++] = '$';
	re[n] = '\0';
}

static char *run_command(const char *command)
{
	char *out = calloc(1, MAX_OUTPUT + 1);
	char full[600];
	size_t len = 0, got;
	FILE *p;

	snprintf(full, sizeof(full), "%s 2>&1", command);
	p = popen(full, "r");
	assert_non_null(p);
	while ((got = fread(out + len, 1, MAX_OUTPUT - len, p)) > 0)
		len += got;
	pclose(p);
	return out;
}

static bool output_has_line(const char *output, const char *expected)
{
	char re_text[1024];
	regex_t re;
	bool found = false;
	char *copy = strdup(output), *save = NULL;

	to_regex(expected, re_text, sizeof(re_text));
	assert_int_equal(regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB), 0);
	for (char *l = strtok_r(copy, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save))
		found = regexec(&re, l, 0, NULL, 0) == 0;
	regfree(&re);
	free(copy);
	return found;
}

static int check_block(const struct block *b)
{
	char *output = run_command(b->command);
	int missing = 0;

	for (int i = 0; i < b->count; i++) {
		if (output_has_line(output, b->lines[i]))
			continue;
		fprintf(stderr, "%s:%d: `%s` no longer prints:\n    %s\n", b->file, b->line,
			b->command, b->lines[i]);
		missing++;
	}
	free(output);
	return missing;
}

/* "<!-- live: COMMAND -->": true, with COMMAND trimmed, for a marker line. */
static bool parse_marker(const char *line, char *command, size_t size)
{
	static const char open[] = "<!-- live:";
	const char *start, *end;

	if (strncmp(line, open, sizeof(open) - 1) != 0)
		return false;
	start = line + sizeof(open) - 1;
	end = strstr(start, "-->");
	if (!end)
		return false;
	while (*start == ' ')
		start++;
	while (end > start && end[-1] == ' ')
		end--;
	snprintf(command, size, "%.*s", (int)(end - start), start);
	return *command != '\0';
}

/* Walk one Markdown file, checking every live block in it. */
static int check_file(const char *path, int *blocks)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	struct block b;
	int lineno = 0, failures = 0;
	enum { PROSE, AFTER_MARKER, IN_BLOCK } state = PROSE;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (state == PROSE && parse_marker(line, b.command, sizeof(b.command))) {
			snprintf(b.file, sizeof(b.file), "%s", path);
			b.line = lineno;
			b.count = 0;
			state = AFTER_MARKER;
		} else if (state == AFTER_MARKER && strncmp(line, "```", 3) == 0) {
			state = IN_BLOCK;
		} else if (state == IN_BLOCK && strncmp(line, "```", 3) == 0) {
			failures += check_block(&b);
			(*blocks)++;
			for (int i = 0; i < b.count; i++)
				free(b.lines[i]);
			state = PROSE;
		} else if (state == IN_BLOCK && line[0] && b.count < 256) {
			b.lines[b.count++] = strdup(line);
		}
	}
	fclose(f);
	return failures;
}

static void test_every_live_block_matches(void **state)
{
	DIR *d = opendir(ANSWERS_DIR);
	struct dirent *e;
	int failures = 0, blocks = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[300];
		size_t n = strlen(e->d_name);

		if (n < 4 || strcmp(e->d_name + n - 3, ".md") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", ANSWERS_DIR, e->d_name);
		failures += check_file(path, &blocks);
	}
	closedir(d);
	printf("checked %d live blocks in %s/\n", blocks, ANSWERS_DIR);
	assert_true(blocks > 0);
	assert_int_equal(failures, 0);
}

static void test_pattern_translation(void **state)
{
	(void)state;
	assert_true(output_has_line("x\na.1 host-virtual: 0x7f12-0x7f34\n",
				    "a.1 host-virtual: <addr>-<addr>"));
	assert_false(output_has_line("a.1 host-virtual: 0x7f12-0x7f34 extra\n",
				     "a.1 host-virtual: <addr>-<addr>"));
	assert_true(output_has_line("took 14 exits (x)\n", "took <n> exits (x)"));
	assert_false(output_has_line("took 14 exits\n", "took 15 exits"));
	assert_true(output_has_line("a [b] c\n", "a <...> c"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pattern_translation),
		cmocka_unit_test(test_every_live_block_matches),
	};

	return cmocka_run_group_tests_name("answers", tests, NULL, NULL);
}

#include "closest.h"

#include <stdlib.h>
#include <string.h>

static void drop_last_char(struct buf *out)
{
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		out->data[--out->len] = '\0';
}

static void end_stretch(struct buf *out)
{
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		buf_putc(out, '\n');
}

/* Past a bracket expression starting at p ('['): "[]a]" and "[^]a]" hold a literal ']'. */
static const char *skip_bracket(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			const char *close = strstr(p + 2, (char[]){ p[1], ']', '\0' });

			p = close ? close + 2 : p + 1;
			continue;
		}
		p++;
	}
	return *p ? p + 1 : p;
}

void regex_literals(struct buf *out, const char *regex)
{
	buf_append(out, "", 0);
	for (const char *p = regex; *p;) {
		switch (*p) {
		case '\\':
			if (p[1]) {
				buf_putc(out, p[1]);
				p += 2;
			} else {
				p++;
			}
			break;
		case '[':
			end_stretch(out);
			p = skip_bracket(p);
			break;
		case '?':
		case '*':
			drop_last_char(out);
			end_stretch(out);
			p++;
			break;
		case '{': {
			const char *close = strchr(p, '}');

			if (p[1] == '0')
				drop_last_char(out);
			end_stretch(out);
			p = close ? close + 1 : p + 1;
			break;
		}
		case '+': case '.': case '^': case '$': case '(': case ')': case '|':
			end_stretch(out);
			p++;
			break;
		default:
			buf_putc(out, *p++);
		}
	}
	while (out->len > 0 && out->data[out->len - 1] == '\n')
		out->data[--out->len] = '\0';
}

/* Length of the longest common substring of a[0..n) and b[0..m), with one row of memory. */
static size_t longest_common_run(const char *a, size_t n, const char *b, size_t m, size_t *row)
{
	size_t best = 0;

	memset(row, 0, (m + 1) * sizeof(*row));
	for (size_t i = 0; i < n; i++) {
		size_t diagonal = 0; /* row[j] of the previous i, before it is overwritten */

		for (size_t j = 1; j <= m; j++) {
			size_t above = row[j];

			row[j] = a[i] == b[j - 1] ? diagonal + 1 : 0;
			if (row[j] > best)
				best = row[j];
			diagonal = above;
		}
	}
	return best;
}

static size_t line_score(const char *line, size_t len, const char *literals, size_t *row)
{
	size_t score = 0;

	if (len > CLOSEST_LINE_BYTES)
		len = CLOSEST_LINE_BYTES;
	for (const char *s = literals; *s;) {
		size_t m = strcspn(s, "\n");

		score += longest_common_run(line, len, s, m, row);
		s += m + (s[m] == '\n');
	}
	return score;
}

size_t closest_line(const struct lines *lines, const char *literals, size_t *score)
{
	size_t *row = xcalloc(strlen(literals) + 1, sizeof(*row));
	size_t best = lines->count, best_score = 0;

	for (size_t i = 0; i < lines->count; i++) {
		size_t s = line_score(lines->text + lines->at[i].offset, lines->at[i].length, literals, row);

		if (s > best_score) {
			best_score = s;
			best = i;
		}
	}
	free(row);
	if (best_score < CLOSEST_MIN_SCORE)
		best = lines->count;
	if (score)
		*score = best_score;
	return best;
}

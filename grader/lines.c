#include "lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void lines_split(struct lines *lines, const char *text, size_t len)
{
	size_t cap = 0, start = 0;

	*lines = (struct lines){ .text = text };
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct line *line = ARRAY_PUSH(lines->at, lines->count, cap);

		line->offset = start;
		line->length = end - start;
		start = end + 1;
	}
}

void lines_free(struct lines *lines)
{
	free(lines->at);
	lines->at = NULL;
	lines->count = 0;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one. */
size_t utf8_sequence_length(const unsigned char *p, size_t avail)
{
	size_t need;
	unsigned min;
	unsigned code;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		need = 2, min = 0x80, code = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		need = 3, min = 0x800, code = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		need = 4, min = 0x10000, code = p[0] & 0x07;
	else
		return 0;
	if (need > avail)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		code = (code << 6) | (p[i] & 0x3f);
	}
	if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
		return 0;
	return need;
}

void append_printable(struct buf *out, const char *data, size_t len, size_t max_bytes)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;

	while (i < len && i < max_bytes) {
		size_t n = utf8_sequence_length(p + i, len - i);

		if (n == 1 && (p[i] >= 0x20 || p[i] == '\t') && p[i] != 0x7f)
			buf_putc(out, (char)p[i]);
		else if (n > 1)
			buf_append(out, p + i, n);
		else
			buf_printf(out, "\\x%02x", p[i]);
		i += n ? n : 1;
	}
	if (i < len)
		buf_printf(out, " [... %zu more bytes]", len - i);
}

void append_line_rows(struct buf *out, const struct lines *lines, size_t first, size_t last,
		      size_t mark, const char *indent)
{
	char number[32];
	int width = snprintf(number, sizeof(number), "%zu", last);

	for (size_t i = first; i < last && i < lines->count; i++) {
		const struct line *line = &lines->at[i];

		buf_printf(out, "%s%c %*zu | ", indent, i == mark ? '>' : ' ', width, i + 1);
		append_printable(out, lines->text + line->offset, line->length, LINE_SHOW_MAX);
		buf_putc(out, '\n');
	}
}

const struct line *last_nonblank_line(const struct lines *lines)
{
	for (size_t i = lines->count; i-- > 0;) {
		const struct line *line = &lines->at[i];

		for (size_t j = 0; j < line->length; j++)
			if (!strchr(" \t\r", lines->text[line->offset + j]))
				return line;
	}
	return NULL;
}

/* Captured output as lines, and printing them safely (any bytes, any length). */
#ifndef GRADER_LINES_H
#define GRADER_LINES_H

#include <stddef.h>

#include "buf.h"

#define LINE_SHOW_MAX 200 /* bytes of one line shown in a report */

struct line {
	size_t offset, length; /* without the '\n' */
};

struct lines {
	const char *text;
	struct line *at;
	size_t count;
};

/* Split text[0..len) at '\n'; a last line without '\n' counts; "" has no lines. */
void lines_split(struct lines *lines, const char *text, size_t len);
void lines_free(struct lines *lines);

/* Append bytes as readable text: valid UTF-8 and tabs kept, other bytes as \xNN,
 * cut after max_bytes with a note of how much was left out. */
void append_printable(struct buf *out, const char *data, size_t len, size_t max_bytes);

/* Append lines [first, last) as "   NN | text" rows; the row of line `mark`
 * (or none when mark >= count) gets a '>' in front. Each row starts with indent. */
void append_line_rows(struct buf *out, const struct lines *lines, size_t first, size_t last,
		      size_t mark, const char *indent);

/* Length of the valid UTF-8 sequence at p (1..4 bytes), or 0 when the bytes are not one. */
size_t utf8_sequence_length(const unsigned char *p, size_t avail);

/* The last line that is not blank, or NULL. */
const struct line *last_nonblank_line(const struct lines *lines);

#endif

/* The output line closest to a regular expression that matched no line: what a report shows. */
#ifndef GRADER_CLOSEST_H
#define GRADER_CLOSEST_H

#include <stddef.h>

#include "buf.h"
#include "lines.h"

#define CLOSEST_MIN_SCORE 3      /* fewer shared characters: no line resembles it */
#define CLOSEST_LINE_BYTES 4096  /* bytes of a line compared (longer lines are cut) */

/*
 * The literal stretches of a POSIX extended regex, separated by '\n': escapes
 * become their character, and anything that is not one fixed character
 * (., [...], anchors, groups, |) ends a stretch; an atom made optional by ?, *
 * or {0,...} is dropped. "^a\.6 exits: [0-9]+ \(x\)$" gives "a.6 exits: \n (x)".
 */
void regex_literals(struct buf *out, const char *regex);

/*
 * The line sharing the most with the stretches (for each stretch, the longest
 * run of it found in the line, summed); the first such line on a tie. Returns
 * lines->count when no line shares at least CLOSEST_MIN_SCORE characters.
 */
size_t closest_line(const struct lines *lines, const char *literals, size_t *score);

#endif

/* Rubric variables: random `let` values and ${NAME} substitution. */
#ifndef GRADER_VARS_H
#define GRADER_VARS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct var {
	const char *name;
	const char *value;
};

enum subst_mode {
	SUBST_RAW,   /* insert values as they are (for `run`) */
	SUBST_REGEX, /* escape regex metacharacters in values (for `expect`/`forbid`) */
};

/*
 * Append text to out with every ${NAME} of a known variable replaced.
 * A reference to an unknown name is copied verbatim (the shell may know it);
 * the first such name is stored in unknown (if not NULL). Returns the
 * number of unknown references.
 */
size_t subst_vars(struct buf *out, const char *text, const struct var *vars, size_t nvars,
		  enum subst_mode mode, char *unknown, size_t unknown_size);

/* Fill out[0..len) with fresh random characters of the given alphabet, then '\0'.
 * "word": a-z and 0-9, starting with a letter; "hex": 0-9a-f. */
void random_word(char *out, size_t len);
void random_hex(char *out, size_t len);

/* A variable name: a letter or '_' followed by letters, digits, '_'. */
bool valid_var_name(const char *name, size_t len);

#endif

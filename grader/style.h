/* Plain-text building blocks of every report: verdict words (coloured on a terminal), indented text. */
#ifndef GRADER_STYLE_H
#define GRADER_STYLE_H

#include <stdbool.h>
#include <stdio.h>

#include "judge.h"

#define STYLE_GREEN "\033[32m"
#define STYLE_RED "\033[31m"
#define STYLE_YELLOW "\033[33m"
#define STYLE_BOLD "\033[1m"
#define STYLE_RESET "\033[0m"

/* A verdict word, coloured when asked. */
void print_verdict(FILE *out, bool color, enum verdict v);
/* Print text with every line prefixed by indent. */
void print_indented(FILE *out, const char *text, const char *indent);

#endif

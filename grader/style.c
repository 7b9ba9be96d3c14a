#include "style.h"

#include <string.h>

void print_verdict(FILE *out, bool color, enum verdict v)
{
	const char *colour = v == VERDICT_OK ? STYLE_GREEN : v == VERDICT_SKIP ? STYLE_YELLOW : STYLE_RED;

	if (color)
		fprintf(out, "%s%s%s", colour, verdict_name(v), STYLE_RESET);
	else
		fputs(verdict_name(v), out);
}

void print_indented(FILE *out, const char *text, const char *indent)
{
	while (*text) {
		size_t len = strcspn(text, "\n");

		fprintf(out, "%s%.*s\n", indent, (int)len, text);
		text += len + (text[len] == '\n');
	}
}

#include "dot.h"
#include "util/util.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

void dot_open(struct dot *d, const char *path, const char *name)
{
	d->path = path;
	d->fields = 0;
	d->f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (!d->f)
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(d->f, "digraph %s {\n  rankdir=LR;\n"
		"  node [shape=record, fontname=\"monospace\", fontsize=10];\n"
		"  edge [fontname=\"monospace\", fontsize=9];\n", name);
}

void dot_close(struct dot *d)
{
	fprintf(d->f, "}\n");
	if (d->f == stdout ? fflush(d->f) != 0 : fclose(d->f) != 0)
		die("cannot write %s: %s", d->path, strerror(errno));
	d->f = NULL;
}

void dot_record(struct dot *d, const char *node_fmt, ...)
{
	va_list ap;

	fprintf(d->f, "  ");
	va_start(ap, node_fmt);
	vfprintf(d->f, node_fmt, ap);
	va_end(ap);
	fprintf(d->f, " [label=\"");
	d->fields = 0;
}

void dot_field(struct dot *d, const char *fmt, ...)
{
	va_list ap;

	if (d->fields++)
		fputc('|', d->f);
	va_start(ap, fmt);
	vfprintf(d->f, fmt, ap);
	va_end(ap);
}

void dot_record_end(struct dot *d)
{
	fprintf(d->f, "\"];\n");
}

void dot_edge(struct dot *d, const char *label, const char *fmt, ...)
{
	va_list ap;

	fprintf(d->f, "  ");
	va_start(ap, fmt);
	vfprintf(d->f, fmt, ap);
	va_end(ap);
	if (label)
		fprintf(d->f, " [label=\"%s\"]", label);
	fprintf(d->f, ";\n");
}

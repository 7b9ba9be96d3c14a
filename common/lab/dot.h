/*
 * A tiny graphviz writer for the labs' --dot options (lab-a's memory and
 * walk, lab-e's slices): one digraph, laid out left to right, of record
 * nodes (a row of fields; "<port> text" names a field so that edges can
 * end on it) and labelled edges, in the kit's one style. It writes only
 * what the caller gives it, so a diagram of addresses that do not change
 * between runs is the same file every time (`make diagrams`).
 */
#ifndef KIT_DOT_H
#define KIT_DOT_H

#include <stdio.h>

struct dot {
	FILE *f;           /* write anything else (clusters, attributes) here directly */
	const char *path;
	int fields;        /* fields of the record being written */
};

/* Open path for writing ("-" is stdout) and start "digraph NAME {"; on failure one line and exit. */
void dot_open(struct dot *d, const char *path, const char *name);
/* Close the digraph and the file; a failed write is one line and exit. */
void dot_close(struct dot *d);

/* Start a record node (its name printf-style), add its fields, end it. */
void dot_record(struct dot *d, const char *node_fmt, ...) __attribute__((format(printf, 2, 3)));
void dot_field(struct dot *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dot_record_end(struct dot *d);

/* An edge "FROM -> TO" (printf-style; ends may name fields, "node:port"), labelled unless NULL. */
void dot_edge(struct dot *d, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif

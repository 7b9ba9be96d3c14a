/* A growable byte buffer (always NUL-terminated) and allocation helpers that die on OOM. */
#ifndef GRADER_BUF_H
#define GRADER_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append; data[len] is always '\0' after one */
	size_t len;
	size_t cap;
};

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *text);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text, "" when empty (never NULL). */
const char *buf_str(const struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Hand over the text to the caller (who frees it); the buffer becomes empty. */
char *buf_take(struct buf *b);

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *text);
char *xstrndup(const char *text, size_t len);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Make room for one more element in *array (count used, *cap allocated). */
void *array_grow(void *array, size_t count, size_t *cap, size_t elem_size);
#define ARRAY_PUSH(array, count, cap) \
	((array) = array_grow((array), (count), &(cap), sizeof(*(array))), &(array)[(count)++])

#endif

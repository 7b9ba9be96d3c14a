/* The few string functions guests need (gcc may also emit calls to mem*). */
#ifndef GUEST_STRING_H
#define GUEST_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
char *strcpy(char *dst, const char *src);

#include <stdint.h>

/* The decimal number at the start of s (argv's numbers); stops at the first non-digit; 0 for NULL. */
uint32_t parse_u32(const char *s);

#endif

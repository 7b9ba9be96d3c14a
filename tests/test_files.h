/*
 * Files on the host for the lab-c tests (tests/test_fs.c, tests/test_queue.c):
 * making them, reading them back, comparing copies. Failures are cmocka
 * assertions.
 */
#ifndef KIT_TEST_FILES_H
#define KIT_TEST_FILES_H

#include <stddef.h>
#include <stdint.h>

/* A fixed xorshift sequence: the same files every run; seed_random restarts it. */
uint64_t next_random(void);
void seed_random(uint64_t seed);
/* DIR/NAME, malloc'ed. */
char *join(const char *dir, const char *name);
void put_file(const char *dir, const char *name, const void *data, size_t len);
void put_random_file(const char *dir, const char *name, size_t len);
void put_link(const char *dir, const char *name, const char *target);
/* -1 when missing (lstat). */
long long file_size(const char *dir, const char *name);
/* FNV-1a over the whole file. */
uint64_t file_checksum(const char *dir, const char *name);
size_t file_read(const char *dir, const char *name, void *buf, size_t max);
/* Entries of DIR but . and .. */
int entries_in(const char *dir);

#endif

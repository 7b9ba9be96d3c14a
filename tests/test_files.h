/*
 * Files on the host for the lab-c tests (tests/test_fs.c, tests/test_queue.c):
 * making them, reading them back, comparing copies; and running a guest
 * with what it prints captured. Failures are cmocka assertions.
 */
#ifndef KIT_TEST_FILES_H
#define KIT_TEST_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lab/boot.h"

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

/*
 * A fresh folder per test, /tmp/PROGRAM.XXXXXX (BASE):
 *   BASE/root/                the sandbox root, empty
 *   BASE/outside/secret.txt   what no guest may reach
 */
struct tree {
	char base[64];
	char *root, *outside;
};
void make_tree(struct tree *t);
void free_tree(struct tree *t);
/* cmocka fixture whose state is a struct tree. */
int tree_setup(void **state);
int tree_teardown(void **state);

/*
 * FN(ARG) in a child process, for what must not touch the test itself
 * (setuid, rlimits): the child's exit status (FN's return value).
 */
int status_in_child(int (*fn)(void *arg), void *arg);

/*
 * A VM of MEM bytes whose one vCPU is booted into IMG with argv, as
 * instance 0, with the guest ports every lab has. false when there is no
 * KVM here (the caller skips).
 */
bool boot_test_guest(struct vm *vm, struct vcpu *v, struct guest_image *img, uint64_t mem,
		     double timeout, int argc, char **argv, struct instance_layout *layout);

/*
 * What a guest prints while it runs: stderr, and stdout unless OUT_FD >= 0
 * takes it, go to a temporary file. capture_stop puts them back and copies
 * the start of the file into BUF (NUL-terminated); the file stays open,
 * rewound, until capture_close.
 */
struct capture {
	FILE *file;
	int saved_out, saved_err;
};
void capture_start(struct capture *c, int out_fd);
void capture_stop(struct capture *c, char *buf, size_t size);
void capture_close(struct capture *c);

#endif

/* Small helpers every program of the kit uses: exit codes, error reporting. */
#ifndef KIT_UTIL_H
#define KIT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes shared by every program of the kit (the grader relies on them). */
enum kit_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,   /* the program ran and something failed */
	EXIT_USAGE = 2,  /* bad option, bad value, unusable input file */
	EXIT_SKIP = 77,  /* cannot run here: no /dev/kvm, no user namespaces */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The program name used as the prefix of every message ("lab-a: ..."). */
extern const char *kit_progname;
void kit_set_progname(const char *argv0);

/* Print "prog: message" to stderr and exit with the given code. */
void die_with(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
/* Same, exit code EXIT_FAIL. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Print "prog: message" to stderr and continue. */
void kit_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: "prog: message" then "Try 'prog --help'.", exit EXIT_USAGE. */
void die_usage(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/*
 * What a stub of the student handout says, once per stub, on stderr:
 * "PROG: not written yet: WHAT: write it in WHERE (its README says what it must do)".
 */
void kit_not_written(const char *what, const char *where);

/* Remove path and everything below it, not following symbolic links. 0 or -errno. */
int remove_tree(const char *path);

/* Write all of buf to fd, retrying on EINTR and short writes. 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

#endif

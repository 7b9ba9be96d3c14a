#include "util.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *kit_progname = "kit";

void kit_set_progname(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (argv0 && *argv0)
		kit_progname = slash ? slash + 1 : argv0;
}

static void vmessage(const char *fmt, va_list ap)
{
	fflush(stdout); /* keep our message after whatever the program printed */
	fprintf(stderr, "%s: ", kit_progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die_with(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	exit(code);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	exit(EXIT_FAIL);
}

void kit_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
}

void die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", kit_progname);
	exit(EXIT_USAGE);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path) < 0 ? -errno : 0;
}

int remove_tree(const char *path)
{
	int ret = nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	return ret < 0 ? -errno : ret;
}

void kit_not_written(const char *what, const char *where)
{
	static const char *said[32];
	unsigned i;

	for (i = 0; i < 32 && said[i]; i++)
		if (said[i] == what)
			return;
	if (i < 32)
		said[i] = what;
	fflush(stdout);
	fprintf(stderr, "%s: not written yet: %s: write it in %s (its README says what it must do)\n",
		kit_progname, what, where);
}

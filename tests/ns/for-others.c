#include "for-others.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char folder[64];

int for_others_begin(void)
{
	snprintf(folder, sizeof(folder), "/tmp/ns-kit-copy.XXXXXX");
	if (!mkdtemp(folder)) {
		folder[0] = '\0';
		return -errno;
	}
	return chmod(folder, 0755) < 0 ? -errno : 0; /* mkdtemp makes it 0700 */
}

int for_others_folder(char *buf, size_t len)
{
	if (!folder[0] || (size_t)snprintf(buf, len, "%s", folder) >= len)
		return -ENOENT;
	return 0;
}

static int copy_bytes(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_all(out, buf, (size_t)n) < 0)
			return -EIO;
	return n < 0 ? -errno : 0;
}

int for_others_copy(const char *src, char *dst, size_t len)
{
	const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
	struct stat st;
	int in, out, ret;

	if (!folder[0] || (size_t)snprintf(dst, len, "%s/%s", folder, base) >= len)
		return -ENAMETOOLONG;
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0) {
		ret = -errno;
		if (in >= 0)
			close(in);
		return ret;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0755);
	ret = out < 0 ? -errno : copy_bytes(in, out);
	close(in);
	if (out >= 0 && close(out) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && chmod(dst, st.st_mode & 0755) < 0)
		ret = -errno;
	return ret;
}

void for_others_end(void)
{
	if (folder[0])
		remove_tree(folder);
	folder[0] = '\0';
}

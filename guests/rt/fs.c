#include "fs.h"

#include "hc.h"

int open(const char *path)
{
	return hc_open(path);
}

int read(void *buf, int len)
{
	return hc_read(HC_FD_CURRENT, buf, len);
}

int write(void *buf, int len)
{
	return hc_write(HC_FD_CURRENT, buf, len);
}

void close(void)
{
	(void)hc_close(HC_FD_CURRENT);
}

int fd_open(const char *path, uint32_t flags, uint32_t mode)
{
	return hc_openat(path, flags, mode);
}

int fd_read(int fd, void *buf, int len)
{
	return hc_read(fd, buf, len);
}

int fd_write(int fd, const void *buf, int len)
{
	return hc_write(fd, buf, len);
}

int fd_close(int fd)
{
	return hc_close(fd);
}

int fd_write_all(int fd, const void *buf, int len)
{
	const char *p = buf;
	int done = 0;

	while (done < len) {
		int n = hc_write(fd, p + done, len - done);

		if (n < 0)
			return done ? done : n;
		if (n == 0)
			return done ? done : -HC_EIO;
		done += n;
	}
	return done;
}

const char *fs_errname(int err)
{
	static const struct { int err; const char *name; } names[] = {
		{ HC_ENOENT, "ENOENT" }, { HC_EIO, "EIO" }, { HC_E2BIG, "E2BIG" },
		{ HC_EBADF, "EBADF" }, { HC_EACCES, "EACCES" }, { HC_EFAULT, "EFAULT" },
		{ HC_EEXIST, "EEXIST" }, { HC_EXDEV, "EXDEV" }, { HC_ENOTDIR, "ENOTDIR" },
		{ HC_EISDIR, "EISDIR" }, { HC_EINVAL, "EINVAL" }, { HC_EMFILE, "EMFILE" },
		{ HC_EFBIG, "EFBIG" }, { HC_ENOSPC, "ENOSPC" }, { HC_EROFS, "EROFS" },
		{ HC_ENAMETOOLONG, "ENAMETOOLONG" }, { HC_ELOOP, "ELOOP" },
	};

	if (err < 0)
		err = -err;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return "E?";
}

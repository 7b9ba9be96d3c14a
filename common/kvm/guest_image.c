#include "guest_image.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_exactly(int fd, uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = read(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* the file shrank under us */
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int guest_image_load_raw(const char *path, size_t max_size, struct guest_image *img,
			 const char **why)
{
	struct stat st;
	uint8_t *buf;
	int fd, err;

	memset(img, 0, sizeof(*img));
	*why = "cannot be opened";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*why = "is not a regular file";
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	*why = "is empty: a guest image needs at least one instruction";
	if (st.st_size == 0) {
		close(fd);
		return -EINVAL;
	}
	*why = "is too large for the guest memory set aside for code";
	if ((uint64_t)st.st_size > max_size) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size);
	*why = "cannot be read";
	err = buf ? read_exactly(fd, buf, (size_t)st.st_size) : -ENOMEM;
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*img = (struct guest_image){ .data = buf, .size = (size_t)st.st_size, .name = path,
				     .owned = buf };
	*why = NULL;
	return 0;
}

void guest_image_load(const char *path, size_t max_size, struct guest_image *img)
{
	const char *why;
	int err = guest_image_load_raw(path, max_size, img, &why);

	if (err == -EFBIG)
		die_with(EXIT_USAGE, "guest image %s %s (%zu bytes at most)", path, why, max_size);
	if (err == -EINVAL)
		die_with(EXIT_USAGE, "guest image %s %s", path, why);
	if (err)
		die_with(EXIT_USAGE, "guest image %s %s: %s", path, why, strerror(-err));
}

void guest_image_free(struct guest_image *img)
{
	free(img->owned);
	memset(img, 0, sizeof(*img));
}

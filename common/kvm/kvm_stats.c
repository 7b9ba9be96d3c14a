/* KVM's binary statistics (KVM_GET_STATS_FD): open, look up by name, read. */
#include "kvm_stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Far above anything KVM uses (48-byte names, a few dozen counters). */
#define STATS_NAME_MAX 256
#define STATS_DESC_MAX 4096

/* Read exactly len bytes at off: 0, -EPROTO for a short read, or -errno. */
static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t got;

	do
		got = pread(fd, buf, len, (off_t)off);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -errno;
	return (size_t)got == len ? 0 : -EPROTO;
}

static const struct kvm_stats_desc *desc_at(const struct kvm_stats *s, uint32_t i)
{
	return (const struct kvm_stats_desc *)(s->descs + (size_t)i * s->desc_size);
}

int kvm_stats_from_fd_raw(struct kvm_stats *s, int stats_fd)
{
	struct kvm_stats_header *h = &s->header;
	size_t all;
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = stats_fd;
	err = read_at(stats_fd, h, sizeof(*h), 0);
	if (!err && (h->name_size == 0 || h->name_size > STATS_NAME_MAX ||
		     h->num_desc > STATS_DESC_MAX))
		err = -EPROTO;
	if (!err)
		err = read_at(stats_fd, s->id, h->name_size < sizeof(s->id) ? h->name_size
					 : sizeof(s->id) - 1, h->id_offset);
	if (err)
		goto fail;
	s->id[sizeof(s->id) - 1] = '\0';
	s->desc_size = (uint32_t)sizeof(struct kvm_stats_desc) + h->name_size;
	all = (size_t)h->num_desc * s->desc_size;
	s->descs = malloc(all ? all : 1);
	err = s->descs ? read_at(stats_fd, s->descs, all, h->desc_offset) : -ENOMEM;
	if (err)
		goto fail;
	for (uint32_t i = 0; i < h->num_desc; i++) {
		/* A name must end inside its field; past that we never look. */
		if (strnlen(desc_at(s, i)->name, h->name_size) == h->name_size) {
			err = -EPROTO;
			goto fail;
		}
	}
	return 0;
fail:
	free(s->descs);
	s->descs = NULL;
	s->fd = -1;
	return err;
}

int kvm_stats_open_raw(struct kvm_stats *s, int kvm_object_fd)
{
	int fd = ioctl(kvm_object_fd, KVM_GET_STATS_FD, 0);
	int err;

	if (fd < 0) {
		memset(s, 0, sizeof(*s));
		s->fd = -1;
		return -errno;
	}
	err = kvm_stats_from_fd_raw(s, fd);
	if (err)
		close(fd);
	return err;
}

static const struct kvm_stats_desc *find(const struct kvm_stats *s, const char *name)
{
	if (s->fd < 0 || !s->descs)
		return NULL;
	for (uint32_t i = 0; i < s->header.num_desc; i++)
		if (strcmp(desc_at(s, i)->name, name) == 0)
			return desc_at(s, i);
	return NULL;
}

int kvm_stats_get(const struct kvm_stats *s, const char *name, uint64_t *value)
{
	const struct kvm_stats_desc *d;

	if (s->fd < 0)
		return -EBADF;
	d = find(s, name);
	if (!d || d->size == 0)
		return -ENOENT;
	return read_at(s->fd, value, sizeof(*value), (uint64_t)s->header.data_offset + d->offset);
}

bool kvm_stats_has(const struct kvm_stats *s, const char *name)
{
	return find(s, name) != NULL;
}

const char *kvm_stats_unavailable_why(int err)
{
	switch (err) {
	case -ENOTTY:
	case -EINVAL:
		return "this kernel has no KVM_GET_STATS_FD (it came in Linux 5.14); on older "
		       "kernels such as 5.4 the same counters are in debugfs, "
		       "/sys/kernel/debug/kvm/PID-FD/ (root only)";
	case -EPROTO:
		return "KVM's stats file is not in the format this program knows";
	case -EMFILE:
	case -ENFILE:
		return "no file descriptor left for KVM's stats file";
	default:
		return "KVM refused to hand out its stats file";
	}
}

void kvm_stats_close(struct kvm_stats *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->descs);
	s->descs = NULL;
	s->fd = -1;
}

/*
 * KVM's own statistics of a VM or a vCPU, read by name.
 *
 * Since Linux 5.14 every VM and vCPU fd answers KVM_GET_STATS_FD with a
 * read-only file: a header, one descriptor per counter (its name, its type,
 * how many u64 values it has) and a data block that KVM keeps current. The
 * vCPU counters include "exits" (every VM exit, handled in the kernel or
 * not), "io_exits", "mmio_exits", "halt_exits", "signal_exits",
 * "irq_exits", "insn_emulation", ... Older kernels (5.4, the course's) have
 * no such file; the same counters are in debugfs there
 * (/sys/kernel/debug/kvm/PID-FD/NAME, root only, summed over the vCPUs).
 *
 * kvm_stats_open_raw() reads the descriptors once; kvm_stats_get() then
 * reads one counter's current value with one pread. Nothing here keeps a
 * pointer into the file: every offset KVM hands us is checked against the
 * file's size before use.
 */
#ifndef KIT_KVM_STATS_H
#define KIT_KVM_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/kvm.h>

#ifndef KVM_GET_STATS_FD
/* Headers older than 5.14: the ABI is stable, so the kit names it itself. */
#define KVM_CAP_BINARY_STATS_FD 203
#define KVM_GET_STATS_FD _IO(KVMIO, 0xce)
struct kvm_stats_header {
	__u32 flags;
	__u32 name_size;
	__u32 num_desc;
	__u32 id_offset;
	__u32 desc_offset;
	__u32 data_offset;
};
struct kvm_stats_desc {
	__u32 flags;
	__s16 exponent;
	__u16 size;
	__u32 offset;
	__u32 bucket_size;
	char name[];
};
#endif

struct kvm_stats {
	int fd;                        /* the stats file, -1 when closed */
	struct kvm_stats_header header;
	uint8_t *descs;                /* header.num_desc descriptors of desc_size bytes */
	uint32_t desc_size;            /* sizeof(struct kvm_stats_desc) + header.name_size */
	char id[64];                   /* "kvm-PID/vcpu-N", as KVM names the file */
};

/*
 * Ask KVM for the stats file of a VM or vCPU fd and read its descriptors.
 * 0, or -errno: -ENOTTY/-EINVAL when this kernel has no binary stats
 * (see kvm_stats_unavailable_why), -EPROTO when the file is malformed.
 */
int kvm_stats_open_raw(struct kvm_stats *s, int kvm_object_fd);

/* The same on an already open stats file (tests feed it hand-made ones). */
int kvm_stats_from_fd_raw(struct kvm_stats *s, int stats_fd);

/*
 * The first value of the counter called name, as of now. 0, -ENOENT when
 * this kernel has no such counter, -EBADF when s is not open, or -errno of
 * the read.
 */
int kvm_stats_get(const struct kvm_stats *s, const char *name, uint64_t *value);

/* true when s is open and has a counter called name. */
bool kvm_stats_has(const struct kvm_stats *s, const char *name);

/* A sentence for why kvm_stats_open_raw failed with err, for the user. */
const char *kvm_stats_unavailable_why(int err);

void kvm_stats_close(struct kvm_stats *s);

#endif

/*
 * Guest side of the kit's hypercalls (the ABI is common/hypercall.h).
 * Each function is one port-I/O instruction: one exit.
 */
#ifndef GUEST_HC_H
#define GUEST_HC_H

#include <stdint.h>

#include "hypercall.h"

/*
 * An OUT hypercall: the argument goes out in EAX; the hypervisor puts the
 * result in RAX before we resume, so RAX is both input and output here.
 */
static inline int64_t hypercall_out(uint16_t port, uint32_t arg)
{
	uint64_t rax = arg;

	asm volatile("outl %k0, %w1" : "+a"(rax) : "Nd"(port) : "memory");
	return (int64_t)rax;
}

/* An IN hypercall: the hypervisor's 32-bit answer arrives in EAX. */
static inline uint32_t hypercall_in(uint16_t port)
{
	uint32_t eax;

	asm volatile("inl %w1, %0" : "=a"(eax) : "Nd"(port) : "memory");
	return eax;
}

/* Addresses handed to the hypervisor are 32-bit: the kit's guests live below 4 GiB. */
static inline uint32_t gva32(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* (b.1) print a string with one exit. hc_print returns bytes written or -errno. */
static inline int64_t hc_print(const char *str)
{
	return hypercall_out(HC_PORT_PRINT, gva32(str));
}

static inline void print(const char *str)
{
	(void)hc_print(str);
}

/* (b.2) exits taken by this vCPU so far, this call's own exit included. */
static inline int exits(void)
{
	return (int)hypercall_in(HC_PORT_EXITS);
}

/* (c) the filesystem; see fs.h for the assignment-style wrappers. */
static inline int hc_open(const char *path)
{
	return (int)hypercall_out(HC_PORT_OPEN, gva32(path));
}

static inline int hc_openat(const char *path, uint32_t flags, uint32_t mode)
{
	struct hc_open args = { .path = (uintptr_t)path, .flags = flags, .mode = mode };

	return (int)hypercall_out(HC_PORT_OPENAT, gva32(&args));
}

static inline int hc_read(int fd, void *buf, int len)
{
	struct hc_io args = { .buf = (uintptr_t)buf, .fd = fd, .len = len };

	return (int)hypercall_out(HC_PORT_READ, gva32(&args));
}

static inline int hc_write(int fd, const void *buf, int len)
{
	struct hc_io args = { .buf = (uintptr_t)buf, .fd = fd, .len = len };

	return (int)hypercall_out(HC_PORT_WRITE, gva32(&args));
}

static inline int hc_close(int fd)
{
	return (int)hypercall_out(HC_PORT_CLOSE, (uint32_t)fd);
}

#endif

/*
 * The lab-e guest: one instance per vCPU, all running this same image at
 * the same time, each in its own slice of guest-physical memory through
 * its own page table, in user mode (the host sets all that up; the guest
 * cannot tell, except that privileged instructions fault).
 *
 * argv: lab-e INSTANCE SLICE_BYTES WORK [fault | attack NAME]
 *   - leaves 42 at its own guest-virtual 0x400 (the host checks every
 *     slice's physical copy);
 *   - makes WORK round trips to the host (VM exits), printing progress
 *     as it goes;
 *   - writes its own file lab-e-INSTANCE.txt through the filesystem
 *     hypercalls and reads it back (each instance has its own descriptor
 *     table on the host);
 *   - with "fault", touches guest-virtual SLICE_BYTES + 0x400: in a flat
 *     memory view that is the next instance's answer, but this instance's
 *     page table does not map it, so the access faults and only this vCPU
 *     stops;
 *   - with "attack NAME", it is a hostile instance instead (guest_attack.c).
 */
#include "lab-c/guest_files.h"
#include "abi/hypercall.h"
#include "guest_attack.h"
#include "lab-b/guest_hypercalls.h"
#include "rt/io.h"
#include "rt/format.h"
#include "rt/print.h"
#include "rt/string.h"

#define PROGRESS_STEPS 4

/*
 * The work is WORK VM exits, made with a bare IN on the exits() port rather
 * than through exits(): how long both vCPUs run side by side must not
 * depend on whether part (b)'s exits() really asks the host.
 */
static void do_work(int id, uint32_t work)
{
	uint32_t step = work / PROGRESS_STEPS ? work / PROGRESS_STEPS : 1;

	for (uint32_t i = 1; i <= work; i++) {
		(void)inl(HC_PORT_EXITS);
		if (i % step == 0)
			printf("instance %d: progress %u/%u hypercalls, exits() = %d\n", id, i, work,
			       exits());
	}
}

/*
 * Write a line to this instance's own file, read it back, compare. The file
 * calls are part (c)'s: when they fail, the instance says so and goes on,
 * so part (e)'s own checks do not depend on them (lab-e.files does).
 */
static void use_files(int id)
{
	char name[32], line[64], back[64];
	int fd, len, got;

	format(name, sizeof(name), "lab-e-%d.txt", id);
	len = format(line, sizeof(line), "written by instance %d\n", id);
	fd = fd_open(name, HC_O_RDWR | HC_O_CREAT | HC_O_TRUNC, 0644);
	if (fd < 0) {
		printf("instance %d: open %s failed: %s\n", id, name, fs_errname(fd));
		return;
	}
	fd_write_all(fd, line, len);
	fd_close(fd);
	fd = fd_open(name, HC_O_RDONLY, 0);
	got = fd < 0 ? fd : fd_read(fd, back, sizeof(back));
	fd_close(fd);
	if (got != len || memcmp(back, line, (size_t)len) != 0) {
		printf("instance %d: %s did not read back what was written (%d)\n", id, name, got);
		return;
	}
	printf("instance %d: wrote and read back %s (%d bytes) through the file hypercalls\n",
	       id, name, got);
}

static void touch_outside(int id, uint32_t slice)
{
	volatile uint64_t *other = guest_addr(slice + HC_ANSWER_SLOT);

	printf("instance %d: reading guest-virtual 0x%x, outside my page table...\n", id,
	       slice + HC_ANSWER_SLOT);
	printf("instance %d: read %lu: isolation is BROKEN\n", id, (unsigned long)*other);
}

int main(int argc, char **argv)
{
	int id = argc > 1 ? (int)parse_u32(argv[1]) : 0;
	uint32_t slice = argc > 2 ? parse_u32(argv[2]) : 0;
	uint32_t work = argc > 3 ? parse_u32(argv[3]) : 0;

	printf_sink = print; /* one exit per line: the instances print a lot */

	if (argc > 5 && strcmp(argv[4], "attack") == 0)
		return attack(argv[5], id, slice);
	answer_slot = 42;
	printf("instance %d: started; 42 stored at my guest-virtual 0x%x\n", id, HC_ANSWER_SLOT);
	do_work(id, work);
	use_files(id);
	if (argc > 4 && strcmp(argv[4], "fault") == 0)
		touch_outside(id, slice);
	printf("instance %d: done, %d exits in all\n", id, exits());
	return 0;
}

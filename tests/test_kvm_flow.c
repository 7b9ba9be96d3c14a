/*
 * kvm-flow's demos against a real /dev/kvm (each skips without one), and the
 * stats reader against hand-made stats files, well formed and not.
 *
 * The demos' facts asserted here hold on any KVM: what reaches user space
 * and with what details. KVM's own counters are only asserted to exist.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvm-flow/flow.h"
#include "kvm/kvm_stats.h"
#include "kvm/paging.h"

/* --- the stats reader, on files made here ----------------------------------- */

#define NAME_SIZE 48
#define DESC_SIZE (sizeof(struct kvm_stats_desc) + NAME_SIZE)
#define ID_AT sizeof(struct kvm_stats_header)
#define DESC_AT (ID_AT + NAME_SIZE)
#define DATA_AT (DESC_AT + 2 * DESC_SIZE)
#define FAKE_SIZE (DATA_AT + 3 * 8)

/* A stats file laid out as KVM lays one out: header, id, 2 descriptors, data. */
struct fake_stats {
	uint8_t bytes[FAKE_SIZE];
};

static struct kvm_stats_header *fake_header(struct fake_stats *s)
{
	return (struct kvm_stats_header *)s->bytes;
}

static struct kvm_stats_desc *fake_desc(struct fake_stats *s, int i)
{
	return (struct kvm_stats_desc *)(s->bytes + DESC_AT + (size_t)i * DESC_SIZE);
}

static void fake_init(struct fake_stats *s)
{
	uint64_t data[3] = { 7, 0, 123456 };

	memset(s, 0, sizeof(*s));
	*fake_header(s) = (struct kvm_stats_header){
		.name_size = NAME_SIZE, .num_desc = 2,
		.id_offset = ID_AT, .desc_offset = DESC_AT, .data_offset = DATA_AT,
	};
	strcpy((char *)s->bytes + ID_AT, "kvm-1/vcpu-0");
	strcpy(fake_desc(s, 0)->name, "halt_exits");
	fake_desc(s, 0)->size = 1;
	fake_desc(s, 0)->offset = 0;
	strcpy(fake_desc(s, 1)->name, "exits");
	fake_desc(s, 1)->size = 1;
	fake_desc(s, 1)->offset = 16;
	memcpy(s->bytes + DATA_AT, data, sizeof(data));
}

/* A file holding the first len bytes of s (a memfd: stats files are read with pread). */
static int fake_fd(const struct fake_stats *s, size_t len)
{
	int fd = memfd_create("stats", 0);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s->bytes, len), (ssize_t)len);
	return fd;
}

static void test_stats_reads_counters_by_name(void **state)
{
	struct fake_stats f;
	struct kvm_stats s;
	uint64_t v = 0;

	(void)state;
	fake_init(&f);
	assert_int_equal(kvm_stats_from_fd_raw(&s, fake_fd(&f, sizeof(f))), 0);
	assert_string_equal(s.id, "kvm-1/vcpu-0");
	assert_int_equal(kvm_stats_get(&s, "exits", &v), 0);
	assert_int_equal(v, 123456);
	assert_int_equal(kvm_stats_get(&s, "halt_exits", &v), 0);
	assert_int_equal(v, 7);
	assert_true(kvm_stats_has(&s, "exits"));
	assert_false(kvm_stats_has(&s, "exit"));
	assert_int_equal(kvm_stats_get(&s, "no_such_counter", &v), -ENOENT);
	kvm_stats_close(&s);
	assert_int_equal(kvm_stats_get(&s, "exits", &v), -EBADF);
}

static void expect_malformed(struct fake_stats *f, size_t len)
{
	struct kvm_stats s;
	int fd = fake_fd(f, len);

	assert_int_equal(kvm_stats_from_fd_raw(&s, fd), -EPROTO);
	assert_int_equal(s.fd, -1);
	close(fd);
}

static void test_stats_rejects_malformed_files(void **state)
{
	struct fake_stats f;

	(void)state;
	fake_init(&f);
	expect_malformed(&f, sizeof(struct kvm_stats_header) - 1);  /* a short header */
	expect_malformed(&f, DESC_AT + DESC_SIZE);       /* the second descriptor cut off */
	fake_header(&f)->name_size = 0;
	expect_malformed(&f, sizeof(f));
	fake_init(&f);
	fake_header(&f)->num_desc = 1u << 30;            /* would be gigabytes of descriptors */
	expect_malformed(&f, sizeof(f));
	fake_init(&f);
	memset(fake_desc(&f, 1)->name, 'x', NAME_SIZE);  /* a name that never ends */
	expect_malformed(&f, sizeof(f));
	fake_init(&f);
	fake_header(&f)->desc_offset = 1u << 20;         /* descriptors past the end */
	expect_malformed(&f, sizeof(f));
}

static void test_stats_value_past_the_end_is_an_error(void **state)
{
	struct fake_stats f;
	struct kvm_stats s;
	uint64_t v;

	(void)state;
	fake_init(&f);
	fake_desc(&f, 1)->offset = 1u << 20;
	assert_int_equal(kvm_stats_from_fd_raw(&s, fake_fd(&f, sizeof(f))), 0);
	assert_int_equal(kvm_stats_get(&s, "exits", &v), -EPROTO);
	kvm_stats_close(&s);
}

/* --- the demos, on the real KVM --------------------------------------------- */

static struct flow *boot(const char *demo, const char *arg)
{
	struct flow *f = calloc(1, sizeof(*f));
	const char *why;
	int err = flow_boot_raw(f, demo, arg, 10, &why);

	if (err && why && strcmp(why, "open") == 0) {
		free(f);
		return NULL;
	}
	if (err)
		fail_msg("cannot %s: %s", why, strerror(-err));
	return f;
}

#define BOOT_OR_SKIP(f, demo, arg)            \
	do {                                  \
		f = boot(demo, arg);          \
		if (!f)                       \
			skip();               \
	} while (0)

static void shut(struct flow *f)
{
	flow_free(f);
	free(f);
}

static void test_stats_of_a_real_vcpu(void **state)
{
	struct flow *f;

	(void)state;
	BOOT_OR_SKIP(f, "exits", "1");
	if (f->stats_err) {
		/* Before Linux 5.14: said plainly, never a failure. */
		assert_true(f->stats_err == -ENOTTY || f->stats_err == -EINVAL);
		assert_non_null(strstr(kvm_stats_unavailable_why(f->stats_err), "5.14"));
	} else {
		assert_true(f->have[FC_EXITS]);
		assert_true(kvm_stats_has(&f->stats, "exits"));
	}
	shut(f);
}

static void test_exits_handled_in_kvm_never_reach_user_space(void **state)
{
	struct flow_exits_result r;
	struct flow *f;

	(void)state;
	BOOT_OR_SKIP(f, "exits", "50");
	assert_int_equal(flow_demo_exits(f, 50, &r), 0);
	assert_int_equal(r.phase[0].returns, 1);   /* 50 CPUID: only the report returns */
	assert_int_equal(r.phase[1].returns, 1);   /* 50 RDMSR */
	assert_int_equal(r.phase[3].returns, 51);  /* 50 OUT to user space, and the report */
	assert_int_equal(r.phase[4].returns, 1);   /* HLT */
	assert_int_equal(r.user_outs, 50);
	if (f->kick_fd >= 0) {
		assert_int_equal(r.phase[2].returns, 1);
		assert_int_equal(r.kicks_signalled, 50);
		assert_int_equal(r.kicks_here, 0);
	}
	if (f->have[FC_EXITS]) /* KVM saw at least the exits that reached us */
		assert_true(r.phase[3].kvm[FC_EXITS] >= r.phase[3].returns);
	shut(f);
}

static void test_signal_ends_kvm_run_with_eintr(void **state)
{
	struct flow_signal_result r;
	struct flow *f;

	(void)state;
	BOOT_OR_SKIP(f, "signal", NULL);
	assert_int_equal(flow_demo_signal(f, 3, &r), 0);
	assert_int_equal(r.signals, 3);
	assert_int_equal(r.eintr, 3);
	assert_int_equal(r.during.returns, 3);
	assert_true(r.immediate_eintr);
	assert_false(r.immediate_ran);             /* immediate_exit: not even one instruction */
	assert_int_equal(r.immediate.returns, 1);
	if (f->have[FC_SIGNAL_EXITS])
		assert_int_equal(r.immediate.kvm[FC_SIGNAL_EXITS], 0);
	shut(f);
}

static void assert_access(const struct flow_mmio *m, bool is_write, uint64_t value)
{
	assert_int_equal(m->gpa, FLOW_MMIO_GPA);
	assert_int_equal(m->len, 4);
	assert_int_equal(m->is_write, is_write);
	assert_int_equal(m->value, value);
}

static void test_mmio_exit_carries_the_decoded_access(void **state)
{
	struct flow_mmio_result r;
	struct flow *f;

	(void)state;
	BOOT_OR_SKIP(f, "mmio", NULL);
	assert_int_equal(flow_demo_mmio(f, &r), 0);
	assert_int_equal(r.accesses, 5);
	assert_access(&r.access[0], true, 0x600df00d);   /* movl $0x600df00d, (reg) */
	assert_access(&r.access[1], false, 0x600df00d);  /* mov (reg), %eax: we supply it */
	assert_access(&r.access[2], false, 0x600df00d);  /* addl $5, (reg): read ... */
	assert_access(&r.access[3], true, 0x600df012);   /* ... add, write back */
	assert_access(&r.access[4], false, 0x600df012);
	/* A write exits after KVM moved RIP on; a read before: the add's two halves. */
	assert_true(r.access[3].rip > r.access[2].rip);
	assert_int_equal(r.checks, 2);
	for (unsigned i = 0; i < r.checks; i++)
		assert_int_equal(r.check[i].value, r.check[i].aux);
	shut(f);
}

static void test_kvm_injects_gp_and_de(void **state)
{
	struct flow_fault_result r;
	struct flow *f;

	(void)state;
	BOOT_OR_SKIP(f, "fault", NULL);
	assert_int_equal(flow_demo_fault(f, &r), 0);
	assert_int_equal(r.probes, 2);
	assert_int_equal(r.probe[0].report.what, FLOW_FAULT_CAUGHT);
	assert_int_equal(r.probe[0].report.vector, FLOW_VEC_GP);
	assert_int_equal(r.probe[0].report.error_code, 0);
	assert_int_equal(r.probe[0].during.returns, 1);  /* only the guest's report */
	assert_int_equal(r.probe[1].report.what, FLOW_FAULT_CAUGHT);
	assert_int_equal(r.probe[1].report.vector, FLOW_VEC_DE);
	assert_int_equal(r.probe[1].mmio_reads, 1);      /* the divisor, then the injected #DE */
	assert_int_equal(r.probe[1].during.returns, 2);
	shut(f);
}

/* Point the guest's MMIO page at a guest-physical page next to the window. */
static void move_mmio_page(struct flow *f, uint64_t gpa)
{
	struct pt_walk w;
	uint64_t *pte;

	assert_int_equal(pt_walk(&f->vm.mem, f->layout.cr3, FLOW_MMIO_GVA, &w), PT_OK);
	pte = (uint64_t *)phys_ptr(&f->vm.mem, w.step[w.steps - 1].table +
				   8ull * w.step[w.steps - 1].index, 8);
	assert_non_null(pte);
	*pte = (*pte & ~PTE_ADDR_MASK) | gpa;
}

static void test_mmio_outside_the_window_stops_cleanly(void **state)
{
	struct flow_mmio_result r;
	struct flow *f;

	(void)state;
	BOOT_OR_SKIP(f, "mmio", NULL);
	move_mmio_page(f, FLOW_MMIO_GPA + 0x1000);
	assert_int_equal(flow_demo_mmio(f, &r), -1);
	assert_non_null(strstr(f->why, "outside the MMIO window"));
	assert_non_null(strstr(f->why, "0xc0001000"));
	shut(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_reads_counters_by_name),
		cmocka_unit_test(test_stats_rejects_malformed_files),
		cmocka_unit_test(test_stats_value_past_the_end_is_an_error),
		cmocka_unit_test(test_stats_of_a_real_vcpu),
		cmocka_unit_test(test_exits_handled_in_kvm_never_reach_user_space),
		cmocka_unit_test(test_signal_ends_kvm_run_with_eintr),
		cmocka_unit_test(test_mmio_exit_carries_the_decoded_access),
		cmocka_unit_test(test_kvm_injects_gp_and_de),
		cmocka_unit_test(test_mmio_outside_the_window_stops_cleanly),
	};

	return cmocka_run_group_tests_name("kvm-flow", tests, NULL, NULL);
}

/*
 * The KVM helper layer against a real /dev/kvm: the run loop, port dispatch
 * and its refusals, the hypercall return register, the timeout, fatal exits,
 * and the translation of guest pointers through a live vCPU's page tables.
 * Every test skips when KVM is not available.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kvm/guest_access.h"
#include "kvm/guest_image.h"
#include "kvm/kvm.h"
#include "lab/layout.h"

GUEST_IMAGE(hello)

#define PORT 0x10

struct machine {
	struct vm vm;
	struct vcpu vcpu;
	struct instance_layout layout;
	uint64_t calls;
	uint32_t last_value;
	char text[64];
};

/* A VM with the kit's standard layout running the given code at 0. */
static struct machine *boot(const void *code, size_t len)
{
	struct machine *m = calloc(1, sizeof(*m));
	const char *why;

	if (vm_create_raw(&m->vm, &why) < 0) {
		free(m);
		return NULL;
	}
	m->vm.timeout = 5;
	assert_int_equal(vm_add_memory_raw(&m->vm, 2 << 20), 0);
	assert_int_equal(layout_instance(&m->vm.mem, 0, 2 << 20, &m->layout), 0);
	memcpy(m->vm.mem.host, code, len);
	assert_int_equal(vcpu_create_raw(&m->vm, &m->vcpu, 0), 0);
	assert_int_equal(vcpu_enter_long_mode_raw(&m->vcpu, m->layout.cr3, 0,
						  m->layout.stack_top), 0);
	return m;
}

#define BOOT_OR_SKIP(m, code)                  \
	do {                                   \
		m = boot(code, sizeof(code));  \
		if (!m)                        \
			skip();                \
	} while (0)

static void shut(struct machine *m)
{
	vcpu_destroy(&m->vcpu);
	vm_destroy(&m->vm);
	free(m);
}

static enum pio_result count_out(struct vcpu *v, struct pio *io, void *opaque)
{
	struct machine *m = opaque;

	(void)v;
	m->calls++;
	m->last_value = io->value;
	return PIO_DONE;
}

/* Return value + 1000 in RAX, the way the kit's hypercalls answer. */
static enum pio_result answer_in_rax(struct vcpu *v, struct pio *io, void *opaque)
{
	struct machine *m = opaque;

	m->calls++;
	vcpu_set_rax(v, (uint64_t)io->value + 1000);
	return PIO_DONE;
}

static enum pio_result give_value(struct vcpu *v, struct pio *io, void *opaque)
{
	(void)v;
	(void)opaque;
	memcpy(io->data, &(uint32_t){ 0xC0FFEE }, 4);
	return PIO_DONE;
}

static enum pio_result read_string(struct vcpu *v, struct pio *io, void *opaque)
{
	struct machine *m = opaque;
	struct guest_view g = guest_view_of(v);
	int err = guest_string_copy(&g, io->value, m->text, sizeof(m->text));

	vcpu_set_rax(v, (uint64_t)(int64_t)err);
	return PIO_DONE;
}

static void on_port(struct machine *m, uint8_t dirs, uint8_t size, pio_fn fn)
{
	struct port_spec spec = { .port = PORT, .dirs = dirs, .size = size, .name = "test",
				  .fn = fn, .opaque = m };

	assert_int_equal(vm_on_port_raw(&m->vm, &spec), 0);
}

static void test_hello_guest_runs(void **state)
{
	struct guest_image img = guest_image_hello();
	struct machine *m = boot(img.data, img.size);
	struct port_spec console = { .port = 0xE9, .dirs = PIO_DIR_OUT, .size = 1,
				     .name = "console", .fn = count_out };

	(void)state;
	if (!m)
		skip();
	console.opaque = m;
	assert_int_equal(vm_on_port_raw(&m->vm, &console), 0);
	assert_int_equal(vcpu_run(&m->vcpu), VCPU_HALTED);
	assert_int_equal(m->calls, 14);           /* "Hello, world!\n" */
	assert_int_equal(m->last_value, '\n');
	assert_int_equal(m->vcpu.exits, 15);      /* 14 OUT + 1 HLT */
	assert_int_equal(m->vcpu.io_exits, 14);
	assert_int_equal(vcpu_regs(&m->vcpu)->rax, 42);
	assert_int_equal(*(uint64_t *)(m->vm.mem.host + 0x400), 42);
	shut(m);
}

static void test_result_returns_in_rax(void **state)
{
	/* mov eax, 5; out 0x10, eax; mov ebx, eax; hlt */
	static const uint8_t code[] = { 0xb8, 5, 0, 0, 0, 0xe7, PORT, 0x89, 0xc3, 0xf4 };
	struct machine *m;

	(void)state;
	BOOT_OR_SKIP(m, code);
	on_port(m, PIO_DIR_OUT, 4, answer_in_rax);
	assert_int_equal(vcpu_run(&m->vcpu), VCPU_HALTED);
	assert_int_equal(m->calls, 1);
	assert_int_equal(vcpu_regs(&m->vcpu)->rbx, 1005);
	shut(m);
}

static void test_in_gets_value(void **state)
{
	/* in eax, 0x10; hlt */
	static const uint8_t code[] = { 0xe5, PORT, 0xf4 };
	struct machine *m;

	(void)state;
	BOOT_OR_SKIP(m, code);
	on_port(m, PIO_DIR_IN, 4, give_value);
	assert_int_equal(vcpu_run(&m->vcpu), VCPU_HALTED);
	assert_int_equal(vcpu_regs(&m->vcpu)->rax, 0xC0FFEE);
	shut(m);
}

static void test_unknown_port_stops(void **state)
{
	static const uint8_t code[] = { 0xe7, 0x77, 0xf4 }; /* out 0x77, eax */
	struct machine *m;

	(void)state;
	BOOT_OR_SKIP(m, code);
	on_port(m, PIO_DIR_OUT, 4, count_out);
	assert_int_equal(vcpu_run(&m->vcpu), VCPU_FAILED);
	assert_non_null(strstr(m->vcpu.why, "port 0x0077, which has no handler"));
	shut(m);
}

static void test_wrong_direction_stops(void **state)
{
	static const uint8_t code[] = { 0xe5, PORT, 0xf4 }; /* in eax, 0x10 */
	struct machine *m;

	(void)state;
	BOOT_OR_SKIP(m, code);
	on_port(m, PIO_DIR_OUT, 4, count_out);
	assert_int_equal(vcpu_run(&m->vcpu), VCPU_FAILED);
	assert_non_null(strstr(m->vcpu.why, "only accepts OUT"));
	assert_int_equal(m->calls, 0);
	shut(m);
}

static void test_wrong_size_stops(void **state)
{
	static const uint8_t code[] = { 0x66, 0xe7, PORT, 0xf4 }; /* out 0x10, ax */
	struct machine *m;

	(void)state;
	BOOT_OR_SKIP(m, code);
	on_port(m, PIO_DIR_OUT, 4, count_out);
	assert_int_equal(vcpu_run(&m->vcpu), VCPU_FAILED);
	assert_non_null(strstr(m->vcpu.why, "2-byte access"));
	assert_int_equal(m->calls, 0);
	shut(m);
}

static void test_string_io_refused(void **state)
{
	/* mov ecx, 3; xor esi, esi; mov dx, 0x10; rep outsb; hlt */
	static const uint8_t code[] = { 0xb9, 3, 0, 0, 0, 0x31, 0xf6, 0x66, 0xba, PORT, 0,
					0xf3, 0x6e, 0xf4 };
	struct machine *m;

	(void)state;
	BOOT_OR_SKIP(m, code);
	on_port(m, PIO_DIR_OUT, 0, count_out);
	/*
	 * KVM may hand REP OUTSB over in one exit with count 3 (refused: the port
	 * takes one value) or as three exits of one byte each (PVM does): both
	 * are correct, and nothing else is.
	 */
	if (vcpu_run(&m->vcpu) == VCPU_FAILED) {
		assert_non_null(strstr(m->vcpu.why, "string I/O (count 3)"));
		assert_int_equal(m->calls, 0);
	} else {
		assert_int_equal(m->calls, 3);
		assert_int_equal(m->vcpu.io_exits, 3);
	}
	shut(m);
}

static void test_timeout_stops_runaway(void **state)
{
	static const uint8_t code[] = { 0xeb, 0xfe }; /* jmp . */
	struct machine *m;

	(void)state;
	BOOT_OR_SKIP(m, code);
	m->vm.timeout = 0.3;
	assert_int_equal(vcpu_run(&m->vcpu), VCPU_TIMED_OUT);
	assert_non_null(strstr(m->vcpu.why, "more than 0.3 s"));
	shut(m);
}

static void test_triple_fault_reported(void **state)
{
	static const uint8_t code[] = { 0x0f, 0x0b }; /* ud2 with no IDT */
	struct machine *m;

	(void)state;
	BOOT_OR_SKIP(m, code);
	assert_int_equal(vcpu_run(&m->vcpu), VCPU_FAILED);
	assert_non_null(strstr(m->vcpu.why, "triple fault"));
	shut(m);
}

static void test_string_through_vcpu_tables(void **state)
{
	/* mov eax, 0x100; out 0x10, eax; mov ebx, eax; mov eax, 0x1ff000; out 0x10, eax; hlt */
	static const uint8_t code[] = { 0xb8, 0x00, 0x01, 0, 0, 0xe7, PORT, 0x89, 0xc3,
					0xb8, 0x00, 0xf0, 0x1f, 0, 0xe7, PORT, 0xf4 };
	struct machine *m;

	(void)state;
	BOOT_OR_SKIP(m, code);
	memcpy(m->vm.mem.host + 0x100, "from the guest", 15);
	on_port(m, PIO_DIR_OUT, 4, read_string);
	assert_int_equal(vcpu_run(&m->vcpu), VCPU_HALTED);
	assert_string_equal(m->text, "from the guest");
	assert_int_equal(vcpu_regs(&m->vcpu)->rbx, 0);
	/* 0x1ff000 is in the page-table area: not mapped for the guest. */
	assert_int_equal((int64_t)vcpu_regs(&m->vcpu)->rax, -EFAULT);
	shut(m);
}

static void test_missing_device(void **state)
{
	struct vm vm;
	const char *why;

	(void)state;
	setenv(KVM_DEVICE_ENV, "/nonexistent/kvm", 1);
	assert_int_equal(vm_create_raw(&vm, &why), -ENOENT);
	assert_string_equal(why, "open");
	unsetenv(KVM_DEVICE_ENV);
}

static void test_port_registration_rules(void **state)
{
	struct machine *m;
	static const uint8_t code[] = { 0xf4 };
	struct port_spec spec = { .port = 1, .dirs = PIO_DIR_OUT, .fn = count_out };

	(void)state;
	BOOT_OR_SKIP(m, code);
	assert_int_equal(vm_on_port_raw(&m->vm, &spec), 0);
	assert_int_equal(vm_on_port_raw(&m->vm, &spec), -EEXIST);
	spec.port = 2;
	spec.size = 3;
	assert_int_equal(vm_on_port_raw(&m->vm, &spec), -EINVAL);
	spec.size = 0;
	spec.fn = NULL;
	assert_int_equal(vm_on_port_raw(&m->vm, &spec), -EINVAL);
	spec.fn = count_out;
	for (int p = 2; p < 2 + VM_MAX_PORTS - 1; p++) {
		spec.port = (uint16_t)p;
		assert_int_equal(vm_on_port_raw(&m->vm, &spec), 0);
	}
	spec.port = 999;
	assert_int_equal(vm_on_port_raw(&m->vm, &spec), -ENOSPC);
	assert_int_equal(vm_add_memory_raw(&m->vm, 2 << 20), -EEXIST);
	shut(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_guest_runs),
		cmocka_unit_test(test_result_returns_in_rax),
		cmocka_unit_test(test_in_gets_value),
		cmocka_unit_test(test_unknown_port_stops),
		cmocka_unit_test(test_wrong_direction_stops),
		cmocka_unit_test(test_wrong_size_stops),
		cmocka_unit_test(test_string_io_refused),
		cmocka_unit_test(test_timeout_stops_runaway),
		cmocka_unit_test(test_triple_fault_reported),
		cmocka_unit_test(test_string_through_vcpu_tables),
		cmocka_unit_test(test_missing_device),
		cmocka_unit_test(test_port_registration_rules),
	};

	return cmocka_run_group_tests_name("kvm", tests, NULL, NULL);
}

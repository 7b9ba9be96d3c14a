/*
 * The hostile-guest test: the guest in guests/hostile.c fires thousands of
 * hypercalls with random and pathological arguments at every port of the
 * ABI, filesystem included (in a throwaway sandbox root). The host must
 * answer each with a result or a clean error, never crash, and never touch
 * memory outside the guest (guard pages around guest RAM fault on any
 * overrun; `make check` also runs this under ASan+UBSan).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab/boot.h"
#include "lab-b/hypercalls.h"
#include "lab/lab.h"
#include "lab-c/files.h"
#include "util/util.h"

GUEST_IMAGE(hostile)

#define CALLS "10000"

struct outcome {
	enum vcpu_end end;
	int64_t status;
	uint64_t exits;
};

/* On failure, show the guest's own diagnosis lines among the random bytes it printed. */
static void show_diagnosis(FILE *out)
{
	char line[512];

	rewind(out);
	while (fgets(line, sizeof(line), out))
		if (strncmp(line, "hostile: ", 9) == 0)
			fputs(line, stderr);
}

/* Run the hostile guest with its output (random guest bytes) sent to a scratch file;
 * with fs, also at the filesystem ports, sandboxed in a fresh temporary root. */
static struct outcome run_hostile(const char *seed, uint64_t mem, bool fs)
{
	struct vm vm;
	struct vcpu v;
	struct instance_layout layout;
	struct guest_image img = guest_image_hostile();
	char *argv[] = { "hostile", (char *)seed, CALLS, fs ? "fs" : NULL, NULL };
	char root[] = "/tmp/kit-hostile-XXXXXX";
	struct hc_files *files = NULL;
	struct outcome o = { 0 };
	const char *why;
	FILE *out = tmpfile();
	int saved;

	if (vm_create_raw(&vm, &why) < 0)
		skip();
	vm.timeout = 60;
	assert_int_equal(vm_add_memory_raw(&vm, mem), 0);
	assert_int_equal(vcpu_create_raw(&vm, &v, 0), 0);
	assert_int_equal(boot_instance_raw(&v, 0, mem, &img, fs ? 4 : 3, argv, &layout, &why), 0);
	lab_register_guest_ports(&vm);
	hc_register_print_exits(&vm);
	if (fs) {
		assert_non_null(mkdtemp(root));
		assert_int_equal(hc_files_create_raw(root, &files, &why), 0);
		hc_files_attach(&v, files);
		hc_register_fs(&vm);
	}

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_non_null(out);
	dup2(fileno(out), STDOUT_FILENO);
	o.end = vcpu_run(&v);
	dup2(saved, STDOUT_FILENO);
	close(saved);

	o.status = v.guest_status;
	if (o.end != VCPU_HALTED || o.status != 0)
		show_diagnosis(out);
	fclose(out);
	o.exits = v.exits;
	if (fs) {
		hc_files_destroy(files);
		/* The guest may have created any files in its root: remove them all. */
		assert_int_equal(remove_tree(root), 0);
	}
	vcpu_destroy(&v);
	vm_destroy(&vm);
	return o;
}

static void check_seed(const char *seed, uint64_t mem, bool fs)
{
	struct outcome o = run_hostile(seed, mem, fs);

	assert_int_equal(o.end, VCPU_HALTED);
	assert_int_equal(o.status, 0);            /* no broken answers */
	assert_true(o.exits > 10000);              /* every call was one exit, and was made */
}

static void test_seed_1(void **state)
{
	(void)state;
	check_seed("1", 2 << 20, false);
}

static void test_seed_2_with_files(void **state)
{
	(void)state;
	check_seed("2", 2 << 20, true);
}

static void test_seed_3_small_memory(void **state)
{
	(void)state;
	check_seed("3", 256 << 10, true);
}

static void test_seed_4_odd_memory(void **state)
{
	(void)state;
	check_seed("4", (3 << 20) + 0x5000, true);
}

/* argv[1], if given, runs only the tests whose names match it (cmocka's filter, '*' allowed). */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_1),
		cmocka_unit_test(test_seed_2_with_files),
		cmocka_unit_test(test_seed_3_small_memory),
		cmocka_unit_test(test_seed_4_odd_memory),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}

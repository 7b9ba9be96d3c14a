/* Option values: sizes, seconds, bounded integers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/opts.h"

static void test_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(parse_size("2M", &v), 0);
	assert_int_equal(v, 2 << 20);
	assert_int_equal(parse_size("2MiB", &v), 0);
	assert_int_equal(v, 2 << 20);
	assert_int_equal(parse_size("1g", &v), 0);
	assert_int_equal(v, 1 << 30);
	assert_int_equal(parse_size("0x1000", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("-1", &v), -EINVAL);
	assert_int_equal(parse_size(" 1", &v), -EINVAL);
	assert_int_equal(parse_size("12Q", &v), -EINVAL);
	assert_int_equal(parse_size("1M ", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999", &v), -EINVAL);
	assert_int_equal(parse_size("17179869184G", &v), -EINVAL); /* 2^34 GiB overflows */
	assert_int_equal(parse_size(NULL, &v), -EINVAL);
}

static void test_seconds(void **state)
{
	double v;

	(void)state;
	assert_int_equal(parse_seconds("10", &v), 0);
	assert_true(v == 10.0);
	assert_int_equal(parse_seconds("0.25", &v), 0);
	assert_true(v == 0.25);
	assert_int_equal(parse_seconds("0", &v), -EINVAL);
	assert_int_equal(parse_seconds("-3", &v), -EINVAL);
	assert_int_equal(parse_seconds("nan", &v), -EINVAL);
	assert_int_equal(parse_seconds("inf", &v), -EINVAL);
	assert_int_equal(parse_seconds("1e9", &v), -EINVAL);
	assert_int_equal(parse_seconds("5s", &v), -EINVAL);
	assert_int_equal(parse_seconds("", &v), -EINVAL);
}

static void test_long_in(void **state)
{
	long v;

	(void)state;
	assert_int_equal(parse_long_in("2", 1, 4, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(parse_long_in("5", 1, 4, &v), -ERANGE);
	assert_int_equal(parse_long_in("0", 1, 4, &v), -ERANGE);
	assert_int_equal(parse_long_in("2x", 1, 4, &v), -EINVAL);
	assert_int_equal(parse_long_in("", 1, 4, &v), -EINVAL);
	assert_int_equal(parse_long_in("99999999999999999999999", 1, 4, &v), -ERANGE);
}

static void test_format_size(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(format_size(2 << 20, buf, sizeof(buf)), "2 MiB");
	assert_string_equal(format_size(12288, buf, sizeof(buf)), "12 KiB");
	assert_string_equal(format_size(66, buf, sizeof(buf)), "66 bytes");
	assert_string_equal(format_size(0, buf, sizeof(buf)), "0 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_long_in),
		cmocka_unit_test(test_format_size),
	};

	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}

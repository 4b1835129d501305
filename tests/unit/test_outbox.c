/* test_outbox.c — unit tests of the outbox retry schedule (pure): doubling from the base,
 * capped at one hour, no overflow for absurd attempt numbers. */
#include <check.h>
#include <stdlib.h>

#include "civitas/outbox.h"

START_TEST(doubles_from_base)
{
	ck_assert_uint_eq(lc_outbox_backoff_ms(0, 1000), 0);
	ck_assert_uint_eq(lc_outbox_backoff_ms(1, 1000), 1000);
	ck_assert_uint_eq(lc_outbox_backoff_ms(2, 1000), 2000);
	ck_assert_uint_eq(lc_outbox_backoff_ms(3, 1000), 4000);
	ck_assert_uint_eq(lc_outbox_backoff_ms(4, 1000), 8000);
	ck_assert_uint_eq(lc_outbox_backoff_ms(1, 200), 200);
	ck_assert_uint_eq(lc_outbox_backoff_ms(5, 200), 3200);
}
END_TEST

START_TEST(capped_at_one_hour)
{
	ck_assert_uint_eq(lc_outbox_backoff_ms(12, 1000), 2048000);
	ck_assert_uint_eq(lc_outbox_backoff_ms(13, 1000), 3600000);
	ck_assert_uint_eq(lc_outbox_backoff_ms(40, 1000), 3600000);
	ck_assert_uint_eq(lc_outbox_backoff_ms(41, 1000), 3600000);
	ck_assert_uint_eq(lc_outbox_backoff_ms(4000000000u, 1000), 3600000);
	ck_assert_uint_eq(lc_outbox_backoff_ms(30, 3600000), 3600000);
}
END_TEST

START_TEST(monotonic)
{
	for (unsigned base = 10; base <= 10000; base *= 10)
		for (unsigned a = 1; a < 60; a++)
			ck_assert_uint_le(lc_outbox_backoff_ms(a, base), lc_outbox_backoff_ms(a + 1, base));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outbox");
	TCase *tc = tcase_create("backoff");
	tcase_add_test(tc, doubles_from_base);
	tcase_add_test(tc, capped_at_one_hour);
	tcase_add_test(tc, monotonic);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

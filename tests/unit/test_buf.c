/* test_buf.c — libcommon's byte buffer: CSV cells as every export writes them (RFC 4180
 * quoting, formula-like cells defused against CSV injection). */
#include <check.h>
#include <stdlib.h>

#include "civitas/buf.h"

START_TEST(csv_cells)
{
	struct lc_buf b;
	lc_buf_init(&b, 0);
	lc_buf_csv_cell(&b, "plain", false);
	lc_buf_csv_cell(&b, "a,b", false);
	lc_buf_csv_cell(&b, "say \"hi\"", false);
	lc_buf_csv_cell(&b, "two\nlines", false);
	lc_buf_csv_cell(&b, "=HYPERLINK(\"x\")", false);
	lc_buf_csv_cell(&b, "-1", false);
	lc_buf_csv_cell(&b, "", true);
	ck_assert_str_eq(
	    lc_buf_cstr(&b),
	    "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"'=HYPERLINK(\"\"x\"\")\",\"'-1\",\r\n");
	lc_buf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("csv");
	tcase_add_test(tc, csv_cells);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

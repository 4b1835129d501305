/* test_buf.c — libcommon's byte buffer: CSV cells as every export writes them (RFC 4180
 * quoting, formula-like cells defused against CSV injection). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* lc_file_read: the whole file with a NUL after it; a file past the cap or a missing one is
 * NULL with errno, never a truncated copy. */
START_TEST(file_read)
{
	char path[] = "/tmp/civitas-test-buf-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "abc\0def", 7), 7);
	close(fd);
	size_t len = 0;
	char *data = lc_file_read(path, 7, &len);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(len, 7);
	ck_assert(memcmp(data, "abc\0def", 7) == 0);
	ck_assert_int_eq(data[7], '\0');
	free(data);
	errno = 0;
	ck_assert_ptr_null(lc_file_read(path, 6, &len));
	ck_assert_int_eq(errno, EFBIG);
	unlink(path);
	errno = 0;
	ck_assert_ptr_null(lc_file_read(path, 6, &len));
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("csv");
	tcase_add_test(tc, csv_cells);
	tcase_add_test(tc, file_read);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

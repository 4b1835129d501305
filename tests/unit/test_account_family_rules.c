/* test_account_family_rules.c — the pure rules of the family side of civitas-account: member
 * checks, ages (leap days included), vault quotas, file names and download headers. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "family_rules.h"

START_TEST(ages)
{
	ck_assert_int_eq(fam_age_on("2018-03-10", "2025-03-09"), 6);
	ck_assert_int_eq(fam_age_on("2018-03-10", "2025-03-10"), 7);
	ck_assert_int_eq(fam_age_on("2018-03-10", "2025-12-31"), 7);
	ck_assert_int_eq(fam_age_on("2025-06-01", "2025-06-01"), 0);
	/* Born on 29 February: one more year on 1 March of a common year, on 29 February of a leap one. */
	ck_assert_int_eq(fam_age_on("2016-02-29", "2025-02-28"), 8);
	ck_assert_int_eq(fam_age_on("2016-02-29", "2025-03-01"), 9);
	ck_assert_int_eq(fam_age_on("2016-02-29", "2024-02-29"), 8);
	/* Not dates, or born after the day asked. */
	ck_assert_int_eq(fam_age_on("2025-06-02", "2025-06-01"), -1);
	ck_assert_int_eq(fam_age_on("2025-02-30", "2025-06-01"), -1);
	ck_assert_int_eq(fam_age_on("yesterday", "2025-06-01"), -1);
	ck_assert_int_eq(fam_age_on(NULL, "2025-06-01"), -1);
}
END_TEST

START_TEST(members)
{
	const char *code = NULL, *msg = NULL, *today = "2025-09-15";
	ck_assert_ptr_null(fam_member_check("child", "2018-04-02", "ce1", false, today, &code, &msg));
	ck_assert_ptr_null(fam_member_check("adult", "1985-09-03", NULL, false, today, &code, &msg));
	ck_assert_ptr_null(fam_member_check("other", "1940-01-01", NULL, false, today, &code, &msg));
	/* An adult with an account may not have given a birth date yet; others must. */
	ck_assert_ptr_null(fam_member_check("adult", NULL, NULL, true, today, &code, &msg));
	ck_assert_str_eq(fam_member_check("child", NULL, NULL, false, today, &code, &msg), "birth_date");
	ck_assert_str_eq(code, "required");
	ck_assert_str_eq(fam_member_check("cousin", "2018-04-02", NULL, false, today, &code, &msg),
	                 "relation");
	ck_assert_str_eq(code, "not_allowed");
	/* Future birth, older than 120 years. */
	ck_assert_str_eq(fam_member_check("child", "2025-09-16", NULL, false, today, &code, &msg),
	                 "birth_date");
	ck_assert_str_eq(code, "out_of_range");
	ck_assert_str_eq(fam_member_check("other", "1900-01-01", NULL, false, today, &code, &msg),
	                 "birth_date");
	/* Adults are 18 or more (the day of their 18th birthday counts); children 25 at most. */
	ck_assert_str_eq(fam_member_check("adult", "2007-09-16", NULL, false, today, &code, &msg),
	                 "birth_date");
	ck_assert_ptr_null(fam_member_check("adult", "2007-09-15", NULL, false, today, &code, &msg));
	ck_assert_ptr_null(fam_member_check("child", "2000-09-15", NULL, false, today, &code, &msg));
	ck_assert_str_eq(fam_member_check("child", "1999-09-15", NULL, false, today, &code, &msg),
	                 "birth_date");
	/* School classes: known ones, for children only. */
	ck_assert_str_eq(fam_member_check("child", "2018-04-02", "CE1", false, today, &code, &msg),
	                 "school_class");
	ck_assert_str_eq(fam_member_check("child", "2018-04-02", "ce7", false, today, &code, &msg),
	                 "school_class");
	ck_assert_str_eq(fam_member_check("adult", "1985-01-01", "cp", false, today, &code, &msg),
	                 "school_class");
	ck_assert_ptr_null(fam_member_check("child", "2021-05-01", "ms", false, today, &code, &msg));
}
END_TEST

START_TEST(quotas)
{
	ck_assert_int_eq(fam_quota_check(0, 1), 0);
	ck_assert_int_eq(fam_quota_check(0, FAM_FILE_MAX), 0);
	ck_assert_int_eq(fam_quota_check(0, FAM_FILE_MAX + 1), 1);
	ck_assert_int_eq(fam_quota_check(FAM_HOUSEHOLD_MAX - FAM_FILE_MAX, FAM_FILE_MAX), 0);
	ck_assert_int_eq(fam_quota_check(FAM_HOUSEHOLD_MAX - FAM_FILE_MAX + 1, FAM_FILE_MAX), 2);
	ck_assert_int_eq(fam_quota_check(FAM_HOUSEHOLD_MAX, 1), 2);
	/* Already over (limit lowered later): still refused, no wrap-around. */
	ck_assert_int_eq(fam_quota_check(FAM_HOUSEHOLD_MAX + 5, 1), 2);
	ck_assert_int_eq(fam_quota_check(UINT64_MAX, 1), 2);
}
END_TEST

START_TEST(percent_decoding)
{
	char out[64];
	ck_assert(fam_percent_decode("Carte%20d%27identit%C3%A9.pdf", out, sizeof(out)));
	ck_assert_str_eq(out, "Carte d'identité.pdf");
	ck_assert(fam_percent_decode("plain.pdf", out, sizeof(out)));
	ck_assert_str_eq(out, "plain.pdf");
	ck_assert(!fam_percent_decode("bad%2", out, sizeof(out)));
	ck_assert(!fam_percent_decode("bad%zz", out, sizeof(out)));
	ck_assert(!fam_percent_decode("%C3%28", out, sizeof(out)));    /* invalid UTF-8 */
	ck_assert(!fam_percent_decode("%ED%A0%80", out, sizeof(out))); /* surrogate */
	ck_assert(!fam_percent_decode("0123456789", out, 5));          /* does not fit */
}
END_TEST

START_TEST(filenames)
{
	char out[FAM_FILENAME_MAX + 1];
	fam_sanitize_filename("scan.pdf", "application/pdf", out, sizeof(out));
	ck_assert_str_eq(out, "scan.pdf");
	fam_sanitize_filename("../../etc/passwd", "application/pdf", out, sizeof(out));
	ck_assert_str_eq(out, "passwd.pdf");
	fam_sanitize_filename("C:\\Users\\moi\\livret de famille.PDF", "application/pdf", out, sizeof(out));
	ck_assert_str_eq(out, "livret de famille.PDF");
	fam_sanitize_filename("photo.jpeg", "image/jpeg", out, sizeof(out));
	ck_assert_str_eq(out, "photo.jpeg");
	/* An extension that lies about the type is kept as part of the name, the real one added. */
	fam_sanitize_filename("invoice.exe", "image/png", out, sizeof(out));
	ck_assert_str_eq(out, "invoice.exe.png");
	fam_sanitize_filename(".htaccess", "application/pdf", out, sizeof(out));
	ck_assert_str_eq(out, "htaccess.pdf");
	fam_sanitize_filename("a\r\nContent-Type: text\"<x>.pdf", "application/pdf", out, sizeof(out));
	ck_assert_ptr_null(strpbrk(out, "\r\n\"<>:"));
	ck_assert_str_eq(out, "a Content-Type text x.pdf");
	fam_sanitize_filename(NULL, "image/png", out, sizeof(out));
	ck_assert_str_eq(out, "document.png");
	fam_sanitize_filename("   ...   ", "application/pdf", out, sizeof(out));
	ck_assert_str_eq(out, "document.pdf");
	fam_sanitize_filename("Pièce d'identité.pdf", "application/pdf", out, sizeof(out));
	ck_assert_str_eq(out, "Pièce d'identité.pdf");
	/* Long names are cut on a character boundary and keep their extension. */
	char longname[404];
	for (int i = 0; i < 199; i++)
		memcpy(longname + 2 * i, "\xc3\xa9", 2); /* é */
	strcpy(longname + 398, ".p");                    /* not an extension of a PDF */
	fam_sanitize_filename(longname, "application/pdf", out, sizeof(out));
	ck_assert_uint_le(strlen(out), FAM_FILENAME_MAX);
	ck_assert_str_eq(out + strlen(out) - 4, ".pdf");
	char round[FAM_FILENAME_MAX + 1];
	ck_assert(fam_percent_decode(out, round, sizeof(round))); /* checks UTF-8 validity */
	/* A small output buffer is respected too. */
	char small[12];
	fam_sanitize_filename("certificat-de-scolarite.pdf", "application/pdf", small, sizeof(small));
	ck_assert_str_eq(small, "certifi.pdf");
}
END_TEST

START_TEST(disposition)
{
	char out[512];
	ck_assert(fam_content_disposition("scan.pdf", out, sizeof(out)));
	ck_assert_str_eq(out, "attachment; filename=\"scan.pdf\"; filename*=UTF-8''scan.pdf");
	ck_assert(fam_content_disposition("Pièce d'identité.pdf", out, sizeof(out)));
	ck_assert_str_eq(out, "attachment; filename=\"Pi_ce d'identit_.pdf\"; "
	                      "filename*=UTF-8''Pi%C3%A8ce%20d%27identit%C3%A9.pdf");
	ck_assert(!fam_content_disposition("scan.pdf", out, 20));
	ck_assert_str_eq(fam_mime_ext("image/jpeg"), "jpg");
	ck_assert_ptr_null(fam_mime_ext("text/html"));
	ck_assert(fam_in(fam_document_kinds, "qf_certificate"));
	ck_assert(!fam_in(fam_document_kinds, "passport"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("account_family_rules");
	TCase *tc = tcase_create("rules");
	tcase_add_test(tc, ages);
	tcase_add_test(tc, members);
	tcase_add_test(tc, quotas);
	tcase_add_test(tc, percent_decoding);
	tcase_add_test(tc, filenames);
	tcase_add_test(tc, disposition);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test_problem.c — unit tests of the RFC 9457 problem object every error reply carries:
 * its members, its types, the stable code catalogue and the titles behind it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/reply.h"

START_TEST(shape)
{
	json_t *p = lc_problem_new(422, "validation_failed", "Two fields are wrong.", "req-1");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(json_string_value(json_object_get(p, "type")),
	                 "https://civitas.example/problems/validation_failed");
	ck_assert_str_eq(json_string_value(json_object_get(p, "title")), "Validation failed");
	ck_assert(json_is_integer(json_object_get(p, "status")));
	ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), 422);
	ck_assert_str_eq(json_string_value(json_object_get(p, "detail")), "Two fields are wrong.");
	ck_assert_str_eq(json_string_value(json_object_get(p, "code")), "validation_failed");
	ck_assert_str_eq(json_string_value(json_object_get(p, "request_id")), "req-1");
	ck_assert_uint_eq(json_object_size(p), 6);
	json_decref(p);
}
END_TEST

START_TEST(no_request_id_no_member)
{
	json_t *p = lc_problem_new(404, "not_found", NULL, NULL);
	ck_assert_ptr_null(json_object_get(p, "request_id"));
	ck_assert_str_eq(json_string_value(json_object_get(p, "detail")), "");
	json_decref(p);
}
END_TEST

START_TEST(every_code_has_a_title)
{
	const char *codes[] = {
	    "validation_failed",   "malformed_json",        "not_found",         "method_not_allowed",
	    "uri_too_long",        "unauthorized",          "forbidden",         "conflict",
	    "precondition_failed", "precondition_required", "payload_too_large", "unsupported_media_type",
	    "rate_limited",        "unavailable",           "internal"};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		ck_assert_msg(strcmp(lc_problem_title(codes[i]), "Error") != 0, "code %s has no title",
		              codes[i]);
	ck_assert_str_eq(lc_problem_title("no_such_code"), "Error");
}
END_TEST

/* The codes civitas-account answers with when signing in or following a link are in the
 * catalogue too: before, their title read "Error". */
START_TEST(account_codes_have_titles)
{
	const char *codes[] = {
	    "invalid_credentials", "totp_required",    "invalid_totp", "totp_enrolment_required",
	    "email_not_verified",  "account_disabled", "invalid_token"};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		ck_assert_msg(strcmp(lc_problem_title(codes[i]), "Error") != 0, "code %s has no title",
		              codes[i]);
}
END_TEST

/* Every entry of the catalogue is a snake_case code with a title of its own, listed once. */
START_TEST(catalogue_is_well_formed)
{
	size_t n = 0;
	for (const char *c; (c = lc_problem_code_at(n)) != NULL; n++) {
		ck_assert_msg(strspn(c, "abcdefghijklmnopqrstuvwxyz_") == strlen(c), "code %s", c);
		ck_assert_str_ne(lc_problem_title(c), "Error");
		for (size_t j = 0; j < n; j++)
			ck_assert_str_ne(lc_problem_code_at(j), c);
	}
	ck_assert_uint_ge(n, 23);
}
END_TEST

START_TEST(detail_is_escaped_json)
{
	json_t *p = lc_problem_new(400, "malformed_json", "quote \" and \n newline", NULL);
	char *text = json_dumps(p, JSON_COMPACT);
	json_t *back = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(json_string_value(json_object_get(back, "detail")), "quote \" and \n newline");
	free(text);
	json_decref(back);
	json_decref(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("problem");
	TCase *tc = tcase_create("problem");
	tcase_add_test(tc, shape);
	tcase_add_test(tc, no_request_id_no_member);
	tcase_add_test(tc, every_code_has_a_title);
	tcase_add_test(tc, account_codes_have_titles);
	tcase_add_test(tc, catalogue_is_well_formed);
	tcase_add_test(tc, detail_is_escaped_json);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

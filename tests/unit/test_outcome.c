/* test_outcome.c — unit tests of the shared idioms a handler is written with: the outcome a
 * transaction leaves (lc_outcome_*), the field-spec constructors (LC_F_*) checked by
 * lc_json_check, and the QR code renderer (lc_qr_svg). The replies made from an outcome are
 * exercised through the content and account integration tests. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/json.h"
#include "civitas/outcome.h"
#include "civitas/qr.h"

START_TEST(fail_sets_a_problem_and_rolls_back)
{
	struct lc_outcome o = {0};
	ck_assert_int_eq(lc_outcome_fail(&o, 409, "conflict", "Already there."), LC_TX_ROLLBACK);
	ck_assert(lc_outcome_is_problem(&o));
	ck_assert_uint_eq(o.status, 409);
	ck_assert_str_eq(o.code, "conflict");
	ck_assert_str_eq(o.detail, "Already there.");
	ck_assert_ptr_null(o.errors);
	lc_outcome_reset(&o);
}
END_TEST

START_TEST(field_makes_one_error)
{
	struct lc_outcome o = {0};
	ck_assert_int_eq(lc_outcome_field(&o, "slug", "taken", "This slug is taken."), LC_TX_ROLLBACK);
	ck_assert_uint_eq(o.status, 422);
	ck_assert_str_eq(o.code, "validation_failed");
	ck_assert_uint_eq(json_array_size(o.errors), 1);
	json_t *e = json_array_get(o.errors, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "field")), "slug");
	ck_assert_str_eq(json_string_value(json_object_get(e, "code")), "taken");
	ck_assert_str_eq(json_string_value(json_object_get(e, "message")), "This slug is taken.");
	/* A second decision replaces the first (a re-run transaction decides again). */
	lc_outcome_field(&o, "title", "required", "A title is needed.");
	ck_assert_uint_eq(json_array_size(o.errors), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(o.errors, 0), "field")), "title");
	lc_outcome_reset(&o);
	ck_assert_uint_eq(o.status, 0);
	ck_assert_ptr_null(o.errors);
}
END_TEST

START_TEST(ok_commits_and_reset_forgets)
{
	struct lc_outcome o = {0};
	ck_assert_int_eq(lc_outcome_ok(&o, 201, json_pack("{s:s}", "id", "x")), LC_TX_COMMIT);
	lc_outcome_set_etag(&o, "\"r3\"");
	ck_assert(!lc_outcome_is_problem(&o));
	ck_assert_uint_eq(o.status, 201);
	ck_assert_str_eq(json_string_value(json_object_get(o.body, "id")), "x");
	ck_assert_str_eq(o.etag, "\"r3\"");
	/* Replacing the body frees the old one (ASan would see a leak otherwise). */
	lc_outcome_ok(&o, 200, json_object());
	lc_outcome_reset(&o);
	ck_assert_ptr_null(o.body);
	ck_assert_str_eq(o.etag, "");
}
END_TEST

START_TEST(invalid_takes_the_errors)
{
	struct lc_outcome o = {0};
	json_t *errors = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]", "field", "a", "code", "required",
	                           "message", "m", "field", "b", "code", "required", "message", "m");
	lc_outcome_invalid(&o, "Two fields are missing.", errors);
	ck_assert_uint_eq(o.status, 422);
	ck_assert_ptr_eq(o.errors, errors);
	lc_outcome_reset(&o);
}
END_TEST

static const char *const colours[] = {"red", "blue", NULL};

START_TEST(field_constructors_check_their_shape)
{
	const char *title = NULL, *email = NULL, *kind = NULL, *day = NULL, *id = NULL, *line = NULL;
	int64_t n = 0;
	bool flag = false, has_day = false;
	const struct lc_field spec[] = {
	    LC_F_STRING("title", 2, 5, &title, .required = true),
	    LC_F_EMAIL("email", &email, .required = true),
	    LC_F_ENUM("kind", colours, &kind),
	    LC_F_DATE("day", &day, .nullable = true, .present = &has_day),
	    LC_F_UUID("id", &id),
	    LC_F_INT("n", 1, 9, &n),
	    LC_F_BOOL("flag", &flag),
	    LC_F_STRING("line", 1, 50, &line, .pattern = LC_PATTERN_LINE),
	    {0},
	};
	json_t *good = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:s}", "title", "abc", "email",
	                         "a@b.fr", "kind", "red", "day", "2026-02-28", "id",
	                         "0b6f6d1e-8f7c-4d2a-9a55-3c1f2b7e9d10", "n", 3, "flag", 1, "line", "ok");
	json_t *errors = lc_json_check(good, spec);
	ck_assert_ptr_null(errors);
	ck_assert_str_eq(title, "abc");
	ck_assert_str_eq(kind, "red");
	ck_assert(has_day);
	ck_assert_int_eq(n, 3);
	ck_assert(flag);
	json_decref(good);

	json_t *bad = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "title", "abcdef", "email", "nope",
	                        "kind", "green", "day", "2026-02-30", "id", "x", "n", 10, "line", "a\nb");
	errors = lc_json_check(bad, spec);
	ck_assert_uint_eq(json_array_size(errors), 7);
	json_decref(errors);
	json_decref(bad);

	json_t *missing = json_object();
	errors = lc_json_check(missing, spec);
	ck_assert_uint_eq(json_array_size(errors), 2); /* title and email are required */
	json_decref(errors);
	json_decref(missing);
}
END_TEST

START_TEST(qr_svg_draws_the_code)
{
	size_t len = 0;
	char *svg = lc_qr_svg("otpauth://totp/Civitas:a@b.fr?secret=JBSWY3DPEHPK3PXP", NULL, 0, &len);
	ck_assert_ptr_nonnull(svg);
	ck_assert_uint_eq(strlen(svg), len);
	ck_assert(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 52) == 0);
	ck_assert_ptr_null(strstr(svg, "\" width=\"")); /* no fixed size: it fills its box */
	ck_assert_ptr_null(strstr(svg, "aria-label"));
	ck_assert_ptr_nonnull(strstr(svg, "M4 4h1v1h-1z")); /* the finder pattern's first module */
	ck_assert_ptr_nonnull(strstr(svg, "</svg>"));
	free(svg);

	svg = lc_qr_svg("TICKET-1", "Billet <n°1> & \"QR\"", 6, NULL);
	ck_assert_ptr_nonnull(svg);
	ck_assert_ptr_nonnull(
	    strstr(svg, " role=\"img\" aria-label=\"Billet &lt;n°1&gt; &amp; &quot;QR&quot;\""));
	/* Version 1 (21 modules) plus two quiet zones of 4: 29 modules of 6 px. */
	ck_assert_ptr_nonnull(strstr(svg, "viewBox=\"0 0 29 29\" width=\"174\" height=\"174\""));
	free(svg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outcome");
	TCase *tc = tcase_create("outcome");
	tcase_add_test(tc, fail_sets_a_problem_and_rolls_back);
	tcase_add_test(tc, field_makes_one_error);
	tcase_add_test(tc, ok_commits_and_reset_forgets);
	tcase_add_test(tc, invalid_takes_the_errors);
	tcase_add_test(tc, field_constructors_check_their_shape);
	tcase_add_test(tc, qr_svg_draws_the_code);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

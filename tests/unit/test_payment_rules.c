/* test_payment_rules.c — the pure parts of payment: Lyra's vads_* signature against values
 * computed independently (Python's hmac on the documented example), urlencoded forms, grid
 * checks and the price per bracket or the default for declared, expired and missing quotients. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pricing.h"
#include "vads.h"

static json_t *example(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "vads_version", "V2",
	                 "vads_amount", "5124", "vads_ctx_mode", "TEST", "vads_currency", "978",
	                 "vads_page_action", "PAYMENT", "vads_payment_config", "SINGLE", "vads_site_id",
	                 "12345678", "vads_trans_date", "20170129130025", "vads_trans_id", "123456",
	                 "vads_action_mode", "INTERACTIVE");
}

START_TEST(signature_matches_independent_values)
{
	json_t *f = example();
	char sig[45];
	ck_assert(vads_sign(f, "1122334455667788", sig));
	/* python3: base64(hmac.new(key, "INTERACTIVE+5124+TEST+978+PAYMENT+SINGLE+12345678+"
	 * "20170129130025+123456+V2+1122334455667788", sha256)) */
	ck_assert_str_eq(sig, "ycA5Do5tNvsnKdc/eP1bj2xa19z9q3iWPy9/rpesfS0=");
	/* non-vads fields are left out; UTF-8 values are signed as bytes */
	json_object_set_new(f, "vads_cust_first_name", json_string("Zoé"));
	json_object_set_new(f, "other", json_string("ignored"));
	ck_assert(vads_sign(f, "1122334455667788", sig));
	ck_assert_str_eq(sig, "rOqrOk81b4U8TkHxkyGYLk4wN+rerTzLbtNNgsmHUm0=");
	json_object_set_new(f, "signature", json_string(sig));
	ck_assert(vads_verify(f, "1122334455667788"));
	ck_assert(!vads_verify(f, "1122334455667789"));
	ck_assert(!vads_verify(f, ""));
	json_object_set_new(f, "vads_amount", json_string("5125"));
	ck_assert(!vads_verify(f, "1122334455667788"));
	json_object_del(f, "signature");
	ck_assert(!vads_verify(f, "1122334455667788"));
	json_object_set_new(f, "vads_amount", json_integer(5));
	ck_assert(!vads_sign(f, "k", sig));
	json_decref(f);
}
END_TEST

START_TEST(forms)
{
	const char *b = "vads_amount=5124&vads_cust_first_name=Zo%C3%A9&empty=&sp=a+b";
	json_t *f = vads_form_parse(b, strlen(b));
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(json_string_value(json_object_get(f, "vads_cust_first_name")), "Zoé");
	ck_assert_str_eq(json_string_value(json_object_get(f, "empty")), "");
	ck_assert_str_eq(json_string_value(json_object_get(f, "sp")), "a b");
	char *enc = vads_form_encode(f);
	json_t *back = vads_form_parse(enc, strlen(enc));
	ck_assert(json_equal(f, back));
	free(enc);
	json_decref(back);
	json_decref(f);
	const char *bad[] = {"a=%zz", "a=%4", "a=1&a=2", "=x", "a=%00", "a=%C3"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = vads_form_parse(bad[i], strlen(bad[i]));
		ck_assert_msg(f == NULL, "%s accepted", bad[i]);
	}
	char *e = vads_html_escape("<a href=\"x\">&'</a>");
	ck_assert_str_eq(e, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	free(e);
}
END_TEST

START_TEST(grid_prices)
{
	json_t *g = json_loads("[{\"qf_max\":500,\"price_cents\":120},{\"qf_max\":800,\"price_cents\":250},"
	                       "{\"qf_max\":1200,\"price_cents\":380}]",
	                       0, NULL);
	json_t *errors = json_array();
	ck_assert_int_eq(pay_grid_check(g, 520, 100000000, errors), 0);
	ck_assert_int_eq(pay_grid_check(g, 300, 100000000, errors), 1); /* a bracket above the default */
	json_decref(errors);
	const char *basis;
	int64_t qf;
	struct {
		const char *q;
		int64_t want;
		const char *basis;
	} cases[] = {
	    {"{\"value\":0,\"state\":\"verified\",\"valid_until\":\"2099-01-01\"}", 120, PAY_BASIS_VERIFIED},
	    {"{\"value\":500,\"state\":\"verified\",\"valid_until\":\"2099-01-01\"}", 120,
	     PAY_BASIS_VERIFIED},
	    {"{\"value\":501,\"state\":\"verified\",\"valid_until\":null}", 250, PAY_BASIS_VERIFIED},
	    {"{\"value\":850,\"state\":\"verified\",\"valid_until\":\"2099-01-01\"}", 380,
	     PAY_BASIS_VERIFIED},
	    {"{\"value\":5000,\"state\":\"verified\",\"valid_until\":\"2099-01-01\"}", 520,
	     PAY_BASIS_VERIFIED},
	    {"{\"value\":300,\"state\":\"declared\",\"valid_until\":\"2099-01-01\"}", 520,
	     PAY_BASIS_DECLARED},
	    {"{\"value\":300,\"state\":\"expired\",\"valid_until\":\"2020-01-01\"}", 520, PAY_BASIS_EXPIRED},
	    {"{\"value\":300,\"state\":\"verified\",\"valid_until\":\"2026-01-01\"}", 520, PAY_BASIS_EXPIRED},
	    {"null", 520, PAY_BASIS_MISSING},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *q = json_loads(cases[i].q, JSON_DECODE_ANY, NULL);
		ck_assert_int_eq(pay_grid_price(g, 520, q, "2026-06-01", &basis, &qf), cases[i].want);
		ck_assert_str_eq(basis, cases[i].basis);
		json_decref(q);
	}
	ck_assert_int_eq(pay_grid_price(g, 520, NULL, "2026-06-01", &basis, &qf), 520);
	ck_assert_int_eq(qf, -1);
	json_decref(g);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("payment_rules");
	TCase *tc = tcase_create("rules");
	tcase_add_test(tc, signature_matches_independent_values);
	tcase_add_test(tc, forms);
	tcase_add_test(tc, grid_prices);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test_teleservices_logic.c — the pure rules of teleservices: every field type and visible_if,
 * member filters, the status machine (legal and illegal steps), SLA arithmetic with incomplete
 * periods, references, document checks and connector signatures. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/crypto.h"

#include "ts_logic.h"

static json_t *J(const char *text)
{
	json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
	ck_assert_msg(j != NULL, "bad JSON in test: %s", text);
	return j;
}

static const char *FIELDS =
    "[{\"name\":\"t\",\"label\":\"T\",\"type\":\"text\",\"required\":true,\"min\":2,\"max\":5,\"pattern\":\"["
    "a-z]+\"},"
    "{\"name\":\"ta\",\"label\":\"TA\",\"type\":\"textarea\",\"max\":10},"
    "{\"name\":\"n\",\"label\":\"N\",\"type\":\"number\",\"min\":1,\"max\":5},"
    "{\"name\":\"d\",\"label\":\"D\",\"type\":\"date\",\"min\":\"2000-01-01\",\"max\":\"2030-12-31\"},"
    "{\"name\":\"e\",\"label\":\"E\",\"type\":\"email\"},"
    "{\"name\":\"p\",\"label\":\"P\",\"type\":\"phone\"},"
    "{\"name\":\"s\",\"label\":\"S\",\"type\":\"select\",\"options\":[\"a\",{\"value\":\"b\",\"label\":\"B\"}"
    "]},"
    "{\"name\":\"m\",\"label\":\"M\",\"type\":\"multiselect\",\"options\":[\"x\",\"y\",\"z\"],\"max\":2},"
    "{\"name\":\"c\",\"label\":\"C\",\"type\":\"checkbox\"},"
    "{\"name\":\"who\",\"label\":\"Who\",\"type\":\"member\"},"
    "{\"name\":\"why\",\"label\":\"Why\",\"type\":\"text\",\"required\":true,"
    "\"visible_if\":{\"field\":\"s\",\"equals\":\"b\"}},"
    "{\"name\":\"consent\",\"label\":\"OK\",\"type\":\"checkbox\",\"required\":true,"
    "\"visible_if\":{\"field\":\"m\",\"in\":[[\"x\"]]}}]";

static const char *M1 = "11111111-1111-4111-8111-111111111111";

/* The error code reported for answers.<field>, or NULL. */
static const char *code_for(json_t *errors, const char *field)
{
	size_t i;
	json_t *e;
	char want[64];
	snprintf(want, sizeof(want), "answers.%s", field);
	json_array_foreach(errors, i, e) if (strcmp(json_string_value(json_object_get(e, "field")), want) ==
	                                     0) return json_string_value(json_object_get(e, "code"));
	return NULL;
}

static json_t *check(const char *answers, bool complete)
{
	json_t *fields = J(FIELDS), *a = J(answers), *ids = json_pack("[s]", M1), *errors = json_array();
	ts_check_answers(fields, a, ids, complete, errors);
	json_decref(fields), json_decref(a), json_decref(ids);
	return errors;
}

START_TEST(field_defs_valid_and_invalid)
{
	json_t *f = J(FIELDS);
	ck_assert_ptr_null(ts_check_field_defs(f));
	json_decref(f);
	f = J("[{\"name\":\"A b\",\"label\":\"\",\"type\":\"nope\"},"
	      "{\"name\":\"s\",\"label\":\"S\",\"type\":\"select\"},"
	      "{\"name\":\"s\",\"label\":\"S\",\"type\":\"text\",\"pattern\":\"(\"},"
	      "{\"name\":\"v\",\"label\":\"V\",\"type\":\"text\",\"visible_if\":{\"field\":\"ghost\","
	      "\"equals\":1}}]");
	json_t *e = ts_check_field_defs(f);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_ge(json_array_size(e),
	                 6); /* name, label, type, options, duplicate, pattern, visible_if */
	json_decref(e), json_decref(f);
}
END_TEST

START_TEST(each_type_good)
{
	json_t *e = check(
	    "{\"t\":\"abc\",\"ta\":\"hello\",\"n\":3,\"d\":\"2026-05-01\",\"e\":\"a@b.fr\","
	    "\"p\":\"+33 6 12 34 56 78\",\"s\":\"b\",\"why\":\"because\",\"m\":[\"x\"],\"consent\":true,"
	    "\"c\":false,\"who\":\"11111111-1111-4111-8111-111111111111\"}",
	    true);
	ck_assert_msg(json_array_size(e) == 0, "%s", json_dumps(e, 0));
	json_decref(e);
}
END_TEST

START_TEST(each_type_bad)
{
	json_t *e =
	    check("{\"t\":\"ABC\",\"ta\":\"far too long text\",\"n\":9,\"d\":\"2026-02-30\",\"e\":\"nope\","
	          "\"p\":\"12ab\",\"s\":\"q\",\"m\":[\"x\",\"x\"],\"c\":\"yes\","
	          "\"who\":\"22222222-2222-4222-8222-222222222222\",\"extra\":1}",
	          false);
	ck_assert_str_eq(code_for(e, "t"), "invalid_format");
	ck_assert_str_eq(code_for(e, "ta"), "out_of_range");
	ck_assert_str_eq(code_for(e, "n"), "out_of_range");
	ck_assert_str_eq(code_for(e, "d"), "invalid_format");
	ck_assert_str_eq(code_for(e, "e"), "invalid_format");
	ck_assert_str_eq(code_for(e, "p"), "invalid_format");
	ck_assert_str_eq(code_for(e, "s"), "not_allowed");
	ck_assert_str_eq(code_for(e, "m"), "not_allowed");
	ck_assert_str_eq(code_for(e, "c"), "wrong_type");
	ck_assert_str_eq(code_for(e, "who"), "not_allowed");
	ck_assert_str_eq(code_for(e, "extra"), "unknown_field");
	json_decref(e);
	e = check("{\"t\":\"a\",\"n\":\"3\",\"d\":\"1999-12-31\",\"m\":[\"x\",\"y\",\"z\"]}", false);
	ck_assert_str_eq(code_for(e, "t"), "out_of_range");
	ck_assert_str_eq(code_for(e, "n"), "wrong_type");
	ck_assert_str_eq(code_for(e, "d"), "out_of_range");
	ck_assert_str_eq(code_for(e, "m"), "out_of_range");
	json_decref(e);
}
END_TEST

START_TEST(required_and_visible_if)
{
	/* Draft: missing required fields are fine. */
	json_t *e = check("{}", false);
	ck_assert_int_eq(json_array_size(e), 0);
	json_decref(e);
	/* Submit: t is required; why is hidden (s is not b) so not required. */
	e = check("{}", true);
	ck_assert_str_eq(code_for(e, "t"), "required");
	ck_assert_ptr_null(code_for(e, "why"));
	json_decref(e);
	/* s = b makes why visible and required. */
	e = check("{\"t\":\"ab\",\"s\":\"b\"}", true);
	ck_assert_str_eq(code_for(e, "why"), "required");
	json_decref(e);
	/* A hidden field that is answered is refused. */
	e = check("{\"t\":\"ab\",\"s\":\"a\",\"why\":\"x\"}", true);
	ck_assert_str_eq(code_for(e, "why"), "not_allowed");
	json_decref(e);
	/* visible_if with "in": a required checkbox must be ticked. */
	e = check("{\"t\":\"ab\",\"m\":[\"x\"],\"consent\":false}", true);
	ck_assert_str_eq(code_for(e, "consent"), "required");
	json_decref(e);
	e = check("{\"t\":\"ab\",\"m\":[\"y\"]}", true);
	ck_assert_ptr_null(code_for(e, "consent"));
	json_decref(e);
}
END_TEST

START_TEST(member_filter_and_age)
{
	ck_assert_int_eq(ts_age_years("2020-06-15", "2026-06-14"), 5);
	ck_assert_int_eq(ts_age_years("2020-06-15", "2026-06-15"), 6);
	ck_assert_int_eq(ts_age_years("2030-01-01", "2026-06-15"), -1);
	ck_assert_int_eq(ts_age_years("bad", "2026-06-15"), -1);
	json_t *f = J("{\"relation\":\"child\",\"min_age\":3,\"max_age\":11}");
	json_t *kid = J("{\"relation\":\"child\",\"birth_date\":\"2019-09-01\"}");
	json_t *baby = J("{\"relation\":\"child\",\"birth_date\":\"2025-01-01\"}");
	json_t *teen = J("{\"relation\":\"child\",\"birth_date\":\"2010-01-01\"}");
	json_t *adult = J("{\"relation\":\"adult\",\"birth_date\":\"2019-09-01\"}");
	ck_assert(ts_member_fits(f, kid, "2026-09-01"));
	ck_assert(!ts_member_fits(f, baby, "2026-09-01"));
	ck_assert(!ts_member_fits(f, teen, "2026-09-01"));
	ck_assert(!ts_member_fits(f, adult, "2026-09-01"));
	ck_assert(ts_member_fits(NULL, adult, "2026-09-01"));
	json_decref(f), json_decref(kid), json_decref(baby), json_decref(teen), json_decref(adult);
}
END_TEST

START_TEST(status_machine)
{
	static const char *const all[] = {"draft",      "submitted", "received", "in_progress",
	                                  "incomplete", "accepted",  "rejected", "cancelled"};
	struct {
		const char *from, *to;
		enum ts_actor actor;
	} legal[] = {
	    {"draft", "submitted", TS_CITIZEN},        {"submitted", "received", TS_SYSTEM},
	    {"received", "in_progress", TS_AGENT},     {"received", "incomplete", TS_AGENT},
	    {"in_progress", "incomplete", TS_AGENT},   {"incomplete", "received", TS_CITIZEN},
	    {"in_progress", "accepted", TS_AGENT},     {"in_progress", "rejected", TS_AGENT},
	    {"draft", "cancelled", TS_CITIZEN},        {"submitted", "cancelled", TS_CITIZEN},
	    {"received", "cancelled", TS_CITIZEN},     {"incomplete", "cancelled", TS_CITIZEN},
	    {"received", "in_progress", TS_CONNECTOR}, {"in_progress", "accepted", TS_CONNECTOR},
	    {"in_progress", "rejected", TS_CONNECTOR},
	};
	size_t nlegal = sizeof(legal) / sizeof(legal[0]);
	for (size_t i = 0; i < nlegal; i++)
		ck_assert_msg(ts_transition_allowed(legal[i].from, legal[i].to, legal[i].actor), "%s -> %s",
		              legal[i].from, legal[i].to);
	/* Every other (from, to, actor) is illegal. */
	size_t allowed = 0;
	for (size_t f = 0; f < 8; f++)
		for (size_t t = 0; t < 8; t++)
			for (int a = TS_CITIZEN; a <= TS_CONNECTOR; a++)
				if (ts_transition_allowed(all[f], all[t], (enum ts_actor)a))
					allowed++;
	ck_assert_uint_eq(allowed, nlegal);
	ck_assert(!ts_transition_allowed("in_progress", "cancelled", TS_CITIZEN));
	ck_assert(!ts_transition_allowed("accepted", "rejected", TS_AGENT));
	ck_assert(!ts_transition_allowed("received", "accepted", TS_AGENT));
	ck_assert(!ts_transition_allowed("received", "incomplete", TS_CITIZEN));
	ck_assert(!ts_transition_allowed("received", "incomplete", TS_CONNECTOR));
	ck_assert(!ts_transition_allowed(NULL, "received", TS_SYSTEM));
	ck_assert(ts_clock_runs("received") && ts_clock_runs("in_progress") && !ts_clock_runs("incomplete"));
	ck_assert(ts_is_decision("accepted") && !ts_is_decision("cancelled"));
	/* the open work of the queue (REQ_OPEN): what is submitted and neither decided nor cancelled */
	ck_assert(ts_status_open("submitted") && ts_status_open("received") &&
	          ts_status_open("in_progress") && ts_status_open("incomplete"));
	ck_assert(!ts_status_open("draft") && !ts_status_open("accepted") && !ts_status_open("rejected") &&
	          !ts_status_open("cancelled") && !ts_status_open(NULL) && !ts_status_open("all"));
	ck_assert_str_eq(ts_template_for("incomplete"), "request_incomplete");
	ck_assert_ptr_null(ts_template_for("submitted"));
}
END_TEST

/* The queue's processing_seconds as SQL gives it: running_seconds, then round(x::numeric, 0),
 * which reads the float through 15 digits before rounding halves away from zero. */
START_TEST(running_seconds_rounded)
{
	ck_assert(ts_running_seconds(10.0, true, 1000000, 2500000) == 11.5);
	ck_assert(ts_running_seconds(10.0, false, 1000000, 2500000) == 10.0);
	ck_assert(ts_round_numeric(2.5) == 3.0 && ts_round_numeric(-2.5) == -3.0);
	ck_assert(ts_round_numeric(0.49999999999999994) == 1.0); /* "0.5" at 15 digits; C round() gives 0 */
	ck_assert(ts_round_numeric(3498086.4999999995) == 3498087.0);
	ck_assert(ts_round_numeric(3498086.49) == 3498086.0);
	double z = ts_round_numeric(-0.3);
	ck_assert(z == 0.0 && !signbit(z));
}
END_TEST

START_TEST(sla_arithmetic)
{
	const int64_t D = 86400;
	/* received day 0, in_progress day 1, incomplete day 2 (5 days waiting), received day 7,
	 * in_progress day 7, accepted day 9: 2 + 2 = 4 days of processing. */
	struct ts_step s[] = {{0, "submitted"},      {0, "received"},     {1 * D, "in_progress"},
	                      {2 * D, "incomplete"}, {7 * D, "received"}, {7 * D + 10, "in_progress"},
	                      {9 * D, "accepted"}};
	ck_assert_double_eq(ts_processing_seconds(s, 7, 100 * D), 4.0 * D);
	/* Still open and incomplete: the clock is stopped. */
	ck_assert_double_eq(ts_processing_seconds(s, 4, 100 * D), 2.0 * D);
	/* Open and in progress: runs until now. */
	ck_assert_double_eq(ts_processing_seconds(s, 3, 3 * D), 3.0 * D);
	ck_assert_double_eq(ts_processing_seconds(s, 0, 3 * D), 0.0);
	/* A decision stops the clock whatever "now" is. */
	ck_assert_double_eq(ts_processing_seconds(s, 7, 9 * D), ts_processing_seconds(s, 7, 1000 * D));
}
END_TEST

START_TEST(references)
{
	char code[4], ref[32];
	ts_service_code("scolaire", code);
	ck_assert_str_eq(code, "SCO");
	ts_service_code("etat-civil", code);
	ck_assert_str_eq(code, "ETC");
	ts_service_code("sports", code);
	ck_assert_str_eq(code, "SPO");
	ts_service_code("x", code);
	ck_assert_str_eq(code, "XXX");
	ts_reference(2026, "SCO", 123, ref, sizeof(ref));
	ck_assert_str_eq(ref, "2026-SCO-000123");
}
END_TEST

START_TEST(documents_required)
{
	const char *self = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
	json_t *req = J("[{\"kind\":\"identity\",\"label\":\"I\",\"per_member\":true,\"skip_for_self\":true},"
	                "{\"kind\":\"proof_of_address\",\"label\":\"P\",\"max_age_days\":90},"
	                "{\"kind\":\"other\",\"label\":\"O\",\"optional\":true}]");
	json_t *ben = J("[{\"member_id\":\"m1\",\"user_id\":\"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa\"},"
	                "{\"member_id\":\"m2\",\"user_id\":null}]");
	json_t *errors = json_array();
	json_t *att = J("[{\"kind\":\"proof_of_address\",\"member_id\":null,\"age_days\":120}]");
	ck_assert_uint_eq(ts_check_documents(req, ben, self, att, errors), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
	                 "documents.identity.m2");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 1), "code")),
	                 "document_too_old");
	json_decref(att);
	json_array_clear(errors);
	att = J("[{\"kind\":\"proof_of_address\",\"member_id\":null,\"age_days\":10},"
	        "{\"kind\":\"identity\",\"member_id\":\"m2\",\"age_days\":1000}]");
	ck_assert_uint_eq(ts_check_documents(req, ben, self, att, errors), 0);
	json_decref(att);
	/* For oneself only: no identity needed; an identity for another member does not count. */
	json_t *only_self =
	    J("[{\"member_id\":\"m1\",\"user_id\":\"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa\"}]");
	att = J("[{\"kind\":\"proof_of_address\",\"age_days\":1}]");
	ck_assert_uint_eq(ts_check_documents(req, only_self, self, att, errors), 0);
	json_t *other = J("[{\"member_id\":\"m3\",\"user_id\":null}]");
	json_t *att2 = J("[{\"kind\":\"proof_of_address\",\"age_days\":1},{\"kind\":\"identity\",\"member_"
	                 "id\":\"m2\",\"age_days\":1}]");
	ck_assert_uint_eq(ts_check_documents(req, other, self, att2, errors), 1);
	json_decref(att), json_decref(att2), json_decref(only_self), json_decref(other);
	json_decref(req), json_decref(ben), json_decref(errors);
}
END_TEST

START_TEST(signatures)
{
	const char *secret = "0123456789abcdef-secret", *body = "{\"status\":\"accepted\"}";
	char sig[160];
	ts_sign(secret, 1700000000, body, strlen(body), sig, sizeof(sig));
	ck_assert(strncmp(sig, "t=1700000000,v1=", 16) == 0);
	/* The same as HMAC-SHA256 of "t.body" computed by hand. */
	char expect[65], msg[128];
	snprintf(msg, sizeof(msg), "1700000000.%s", body);
	lc_hmac_sha256_hex(secret, strlen(secret), msg, strlen(msg), expect);
	ck_assert_str_eq(sig + 16, expect);
	ck_assert(ts_signature_ok(sig, secret, body, strlen(body), 1700000000 + 299, 300));
	ck_assert(!ts_signature_ok(sig, secret, body, strlen(body), 1700000000 + 301, 300));
	ck_assert(!ts_signature_ok(sig, secret, body, strlen(body), 1700000000 - 301, 300));
	ck_assert(!ts_signature_ok(sig, "another-secret-1234", body, strlen(body), 1700000000, 300));
	ck_assert(!ts_signature_ok(sig, secret, "{\"status\":\"rejected\"}", 21, 1700000000, 300));
	ck_assert(!ts_signature_ok("t=abc,v1=00", secret, body, strlen(body), 1700000000, 300));
	ck_assert(!ts_signature_ok(NULL, secret, body, strlen(body), 1700000000, 300));
	ck_assert(!ts_signature_ok("v1=x", secret, body, strlen(body), 1700000000, 300));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("teleservices_logic");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, field_defs_valid_and_invalid);
	tcase_add_test(tc, running_seconds_rounded);
	tcase_add_test(tc, each_type_good);
	tcase_add_test(tc, each_type_bad);
	tcase_add_test(tc, required_and_visible_if);
	tcase_add_test(tc, member_filter_and_age);
	tcase_add_test(tc, status_machine);
	tcase_add_test(tc, sla_arithmetic);
	tcase_add_test(tc, references);
	tcase_add_test(tc, documents_required);
	tcase_add_test(tc, signatures);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

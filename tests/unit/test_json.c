/* test_json.c — unit tests of the declarative body checks (lc_json_check) and the format
 * validators in libcommon/src/json.c; pure functions only, no request needed. */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/json.h"

/* Parses text (must be valid JSON) and checks it. Returns the errors array or NULL. */
static json_t *run(const char *text, const struct lc_field *spec)
{
	json_error_t jerr;
	json_t *obj = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	ck_assert_msg(obj != NULL, "bad test JSON: %s", jerr.text);
	json_t *errors = lc_json_check(obj, spec);
	json_decref(obj);
	return errors;
}

/* The code reported for field, or NULL when the field has no error. */
static const char *code_for(json_t *errors, const char *field)
{
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
			return json_string_value(json_object_get(e, "code"));
	}
	return NULL;
}

/* Runs a one-field spec on {"v": <value>} and returns the code (NULL = accepted). The code
 * points into a static copy so the caller need not free anything. */
static const char *one(const struct lc_field *f, const char *value)
{
	static char code[32];
	struct lc_field spec[2] = {*f, {0}};
	spec[0].name = "v";
	char text[512];
	snprintf(text, sizeof text, "{\"v\": %s}", value);
	json_t *errors = run(text, spec);
	if (!errors)
		return NULL;
	ck_assert_uint_eq(json_array_size(errors), 1);
	snprintf(code, sizeof code, "%s", code_for(errors, "v"));
	json_decref(errors);
	return code;
}

#define ACCEPTS(f, v) ck_assert_msg(one(&(f), (v)) == NULL, "rejected %s", (v))
#define REJECTS(f, v, c)                                                                                     \
	do {                                                                                                 \
		const char *got_ = one(&(f), (v));                                                           \
		ck_assert_msg(got_ != NULL, "accepted %s", (v));                                             \
		ck_assert_str_eq(got_, (c));                                                                 \
	} while (0)

START_TEST(test_all_types_fill_outs)
{
	const char *s = NULL, *u = NULL, *em = NULL, *d = NULL, *ts = NULL, *en = NULL;
	int64_t i = 0;
	double n = 0;
	bool b = false, s_present = false, opt_present = true;
	json_t *o = NULL, *a = NULL;
	static const char *const colours[] = {"red", "green", NULL};
	const struct lc_field spec[] = {
	    {.name = "s", .type = LC_J_STRING, .required = true, .out = &s, .present = &s_present},
	    {.name = "i", .type = LC_J_INT, .required = true, .out = &i},
	    {.name = "n", .type = LC_J_NUMBER, .required = true, .out = &n},
	    {.name = "b", .type = LC_J_BOOL, .required = true, .out = &b},
	    {.name = "u", .type = LC_J_UUID, .required = true, .out = &u},
	    {.name = "e", .type = LC_J_EMAIL, .required = true, .out = &em},
	    {.name = "d", .type = LC_J_DATE, .required = true, .out = &d},
	    {.name = "t", .type = LC_J_TIMESTAMP, .required = true, .out = &ts},
	    {.name = "c", .type = LC_J_ENUM, .required = true, .enum_values = colours, .out = &en},
	    {.name = "o", .type = LC_J_OBJECT, .required = true, .out = &o},
	    {.name = "a", .type = LC_J_ARRAY, .required = true, .out = &a},
	    {.name = "opt", .type = LC_J_STRING, .present = &opt_present},
	    {0},
	};
	json_t *obj = json_loads("{\"s\":\"hello\",\"i\":-42,\"n\":2.5,\"b\":true,"
	                         "\"u\":\"123e4567-e89b-12d3-a456-426614174000\","
	                         "\"e\":\"marie@example.fr\",\"d\":\"2024-02-29\","
	                         "\"t\":\"2026-01-31T09:30:00Z\",\"c\":\"green\","
	                         "\"o\":{\"k\":1},\"a\":[1,2,3]}",
	                         0, NULL);
	ck_assert_ptr_nonnull(obj);
	json_t *errors = lc_json_check(obj, spec);
	ck_assert_ptr_null(errors);
	ck_assert_str_eq(s, "hello");
	ck_assert(s_present);
	ck_assert(!opt_present);
	ck_assert_int_eq(i, -42);
	ck_assert(n == 2.5);
	ck_assert(b);
	ck_assert_str_eq(u, "123e4567-e89b-12d3-a456-426614174000");
	ck_assert_str_eq(em, "marie@example.fr");
	ck_assert_str_eq(d, "2024-02-29");
	ck_assert_str_eq(ts, "2026-01-31T09:30:00Z");
	ck_assert_str_eq(en, "green");
	ck_assert_ptr_eq(o, json_object_get(obj, "o"));
	ck_assert_ptr_eq(a, json_object_get(obj, "a"));
	json_decref(obj);
}
END_TEST

START_TEST(test_required_and_unknown)
{
	const struct lc_field spec[] = {
	    {.name = "title", .type = LC_J_STRING, .required = true},
	    {.name = "note", .type = LC_J_STRING},
	    {0},
	};
	json_t *errors = run("{}", spec);
	ck_assert_uint_eq(json_array_size(errors), 1);
	ck_assert_str_eq(code_for(errors, "title"), LC_JERR_REQUIRED);
	json_t *e = json_array_get(errors, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "message")), "This field is required.");
	json_decref(errors);

	errors = run("{\"title\":\"x\",\"admin\":true}", spec);
	ck_assert_uint_eq(json_array_size(errors), 1);
	ck_assert_str_eq(code_for(errors, "admin"), LC_JERR_UNKNOWN);
	json_decref(errors);

	ck_assert_ptr_null(run("{\"title\":\"x\"}", spec));
}
END_TEST

START_TEST(test_wrong_types)
{
	struct lc_field f = {.type = LC_J_STRING};
	REJECTS(f, "1", LC_JERR_TYPE);
	REJECTS(f, "true", LC_JERR_TYPE);
	REJECTS(f, "[]", LC_JERR_TYPE);
	REJECTS(f, "{}", LC_JERR_TYPE);
	f.type = LC_J_INT;
	REJECTS(f, "\"1\"", LC_JERR_TYPE);
	REJECTS(f, "1.5", LC_JERR_TYPE);
	REJECTS(f, "2.0", LC_JERR_TYPE);
	REJECTS(f, "true", LC_JERR_TYPE);
	f.type = LC_J_NUMBER;
	REJECTS(f, "\"1\"", LC_JERR_TYPE);
	ACCEPTS(f, "1");
	ACCEPTS(f, "1.5");
	f.type = LC_J_BOOL;
	REJECTS(f, "0", LC_JERR_TYPE);
	REJECTS(f, "\"true\"", LC_JERR_TYPE);
	ACCEPTS(f, "false");
	f.type = LC_J_OBJECT;
	REJECTS(f, "[]", LC_JERR_TYPE);
	ACCEPTS(f, "{}");
	f.type = LC_J_ARRAY;
	REJECTS(f, "{}", LC_JERR_TYPE);
	ACCEPTS(f, "[]");
	f.type = LC_J_UUID;
	REJECTS(f, "12", LC_JERR_TYPE);
	f.type = LC_J_DATE;
	REJECTS(f, "20240101", LC_JERR_TYPE);
}
END_TEST

START_TEST(test_nullable)
{
	const char *s = "untouched";
	bool present = false;
	struct lc_field spec[] = {
	    {.name = "v", .type = LC_J_STRING, .nullable = true, .out = &s, .present = &present},
	    {0},
	};
	ck_assert_ptr_null(run("{\"v\":null}", spec));
	ck_assert(present);
	ck_assert_str_eq(s, "untouched");

	spec[0].nullable = false;
	json_t *errors = run("{\"v\":null}", spec);
	ck_assert_str_eq(code_for(errors, "v"), LC_JERR_TYPE);
	json_decref(errors);

	/* A required nullable field accepts null but not absence. */
	spec[0].nullable = true;
	spec[0].required = true;
	ck_assert_ptr_null(run("{\"v\":null}", spec));
	errors = run("{}", spec);
	ck_assert_str_eq(code_for(errors, "v"), LC_JERR_REQUIRED);
	ck_assert(!present);
	json_decref(errors);
}
END_TEST

START_TEST(test_string_length_code_points)
{
	ck_assert_uint_eq(lc_utf8_length("École"), 5);
	ck_assert_uint_eq(strlen("École"), 6);
	ck_assert_uint_eq(lc_utf8_length("日本"), 2);
	ck_assert_uint_eq(lc_utf8_length("😀a"), 2);
	ck_assert_uint_eq(lc_utf8_length(""), 0);

	struct lc_field f = {.type = LC_J_STRING, .has_min = true, .min = 2, .has_max = true, .max = 5};
	ACCEPTS(f, "\"École\"");       /* 6 bytes, 5 code points */
	ACCEPTS(f, "\"\\u00c9cole\""); /* same, escaped */
	REJECTS(f, "\"Écoles\"", LC_JERR_RANGE);
	REJECTS(f, "\"É\"", LC_JERR_RANGE);
	ACCEPTS(f, "\"😀😀\"");
	REJECTS(f, "\"\"", LC_JERR_RANGE);
	/* An embedded NUL would cut the value the handler reads. */
	REJECTS(f, "\"ab\\u0000cd\"", LC_JERR_FORMAT);
}
END_TEST

START_TEST(test_int_bounds)
{
	struct lc_field f = {.type = LC_J_INT};
	ACCEPTS(f, "9223372036854775807");
	ACCEPTS(f, "-9223372036854775808");
	REJECTS(f, "1e308", LC_JERR_TYPE);
	REJECTS(f, "-1e308", LC_JERR_TYPE);
	REJECTS(f, "9223372036854775808.0", LC_JERR_TYPE);

	int64_t out = 0;
	f.out = &out;
	f.has_min = true;
	f.min = 1;
	f.has_max = true;
	f.max = 100;
	ACCEPTS(f, "1");
	ACCEPTS(f, "100");
	ck_assert_int_eq(out, 100);
	REJECTS(f, "0", LC_JERR_RANGE);
	REJECTS(f, "101", LC_JERR_RANGE);
	REJECTS(f, "9223372036854775807", LC_JERR_RANGE);
	REJECTS(f, "-9223372036854775808", LC_JERR_RANGE);

	/* Values built in C rather than parsed: the bounds of json_int_t itself. */
	struct lc_field spec[] = {{.name = "v", .type = LC_J_INT, .out = &out}, {0}};
	json_t *obj = json_pack("{s:I}", "v", (json_int_t)INT64_MAX);
	ck_assert_ptr_null(lc_json_check(obj, spec));
	ck_assert(out == INT64_MAX);
	json_decref(obj);
	obj = json_pack("{s:I}", "v", (json_int_t)INT64_MIN);
	ck_assert_ptr_null(lc_json_check(obj, spec));
	ck_assert(out == INT64_MIN);
	json_decref(obj);
}
END_TEST

START_TEST(test_number_bounds)
{
	double out = 0;
	struct lc_field f = {.type = LC_J_NUMBER, .out = &out};
	ACCEPTS(f, "1e308");
	ck_assert(out == 1e308);
	f.has_min = true;
	f.min = 0;
	f.has_max = true;
	f.max = 10;
	ACCEPTS(f, "0");
	ACCEPTS(f, "9.99");
	REJECTS(f, "10.01", LC_JERR_RANGE);
	REJECTS(f, "-0.5", LC_JERR_RANGE);
	REJECTS(f, "1e308", LC_JERR_RANGE);
	REJECTS(f, "-1e308", LC_JERR_RANGE);
}
END_TEST

START_TEST(test_patterns_and_enums)
{
	struct lc_field f = {.type = LC_J_STRING, .pattern = "^[0-9]{5}$"};
	ACCEPTS(f, "\"45000\"");
	REJECTS(f, "\"4500\"", LC_JERR_FORMAT);
	REJECTS(f, "\"45000a\"", LC_JERR_FORMAT);
	REJECTS(f, "\"a45000\"", LC_JERR_FORMAT);
	/* A broken pattern refuses instead of accepting. */
	f.pattern = "^[0-9";
	REJECTS(f, "\"45000\"", LC_JERR_FORMAT);

	static const char *const statuses[] = {"draft", "published", NULL};
	struct lc_field e = {.type = LC_J_ENUM, .enum_values = statuses};
	ACCEPTS(e, "\"draft\"");
	ACCEPTS(e, "\"published\"");
	REJECTS(e, "\"Draft\"", LC_JERR_ENUM);
	REJECTS(e, "\"\"", LC_JERR_ENUM);
	REJECTS(e, "\"draft \"", LC_JERR_ENUM);
	REJECTS(e, "1", LC_JERR_TYPE);
}
END_TEST

START_TEST(test_dates)
{
	ck_assert(lc_json_is_date("2024-02-29"));
	ck_assert(!lc_json_is_date("2023-02-29"));
	ck_assert(!lc_json_is_date("2024-13-01"));
	ck_assert(lc_json_is_date("2000-02-29"));  /* divisible by 400 */
	ck_assert(!lc_json_is_date("1900-02-29")); /* divisible by 100 only */
	ck_assert(lc_json_is_date("2023-12-31"));
	ck_assert(!lc_json_is_date("2023-04-31"));
	ck_assert(!lc_json_is_date("2023-00-10"));
	ck_assert(!lc_json_is_date("2023-01-00"));
	ck_assert(!lc_json_is_date("2023-1-01"));
	ck_assert(!lc_json_is_date("2023-01-01T00:00:00Z"));
	ck_assert(!lc_json_is_date("2023/01/01"));
	ck_assert(!lc_json_is_date(""));
	ck_assert(!lc_json_is_date(NULL));
	struct lc_field f = {.type = LC_J_DATE};
	ACCEPTS(f, "\"2024-02-29\"");
	REJECTS(f, "\"2023-02-29\"", LC_JERR_FORMAT);
	REJECTS(f, "\"2024-13-01\"", LC_JERR_FORMAT);
}
END_TEST

START_TEST(test_timestamps)
{
	ck_assert(lc_json_is_timestamp("2026-01-31T09:30:00Z"));
	ck_assert(lc_json_is_timestamp("2026-01-31T09:30:00.123Z"));
	ck_assert(lc_json_is_timestamp("2026-01-31T09:30:00.123456789+01:00"));
	ck_assert(lc_json_is_timestamp("2026-01-31T23:59:59-05:30"));
	ck_assert(lc_json_is_timestamp("2024-02-29t00:00:00z"));
	ck_assert(!lc_json_is_timestamp("2026-01-31T09:30:00"));  /* no offset */
	ck_assert(!lc_json_is_timestamp("2026-01-31 09:30:00Z")); /* space */
	ck_assert(!lc_json_is_timestamp("2026-01-31T24:00:00Z"));
	ck_assert(!lc_json_is_timestamp("2026-01-31T09:60:00Z"));
	ck_assert(!lc_json_is_timestamp("2026-01-31T09:30:61Z"));
	ck_assert(!lc_json_is_timestamp("2023-02-29T09:30:00Z"));
	ck_assert(!lc_json_is_timestamp("2026-01-31T09:30:00.Z"));
	ck_assert(!lc_json_is_timestamp("2026-01-31T09:30:00+0100"));
	ck_assert(!lc_json_is_timestamp("2026-01-31T09:30:00+01:00x"));
	ck_assert(!lc_json_is_timestamp("2026-01-31T09:30:00Zx"));
	ck_assert(!lc_json_is_timestamp("2026-01-31T09:30:00+24:00"));
	ck_assert(!lc_json_is_timestamp("2026-01-31"));
	ck_assert(!lc_json_is_timestamp(""));
	ck_assert(!lc_json_is_timestamp(NULL));
	struct lc_field f = {.type = LC_J_TIMESTAMP};
	ACCEPTS(f, "\"2026-01-31T09:30:00+02:00\"");
	REJECTS(f, "\"yesterday\"", LC_JERR_FORMAT);
}
END_TEST

START_TEST(test_uuids)
{
	ck_assert(lc_json_is_uuid("123e4567-e89b-12d3-a456-426614174000"));
	ck_assert(lc_json_is_uuid("00000000-0000-0000-0000-000000000000"));
	ck_assert(!lc_json_is_uuid("123E4567-E89B-12D3-A456-426614174000")); /* upper case */
	ck_assert(!lc_json_is_uuid("123e4567e89b12d3a456426614174000"));
	ck_assert(!lc_json_is_uuid("{123e4567-e89b-12d3-a456-426614174000}"));
	ck_assert(!lc_json_is_uuid("123e4567-e89b-12d3-a456-42661417400"));
	ck_assert(!lc_json_is_uuid("123e4567-e89b-12d3-a456-4266141740000"));
	ck_assert(!lc_json_is_uuid("123e4567-e89b-12d3-a456_426614174000"));
	ck_assert(!lc_json_is_uuid("g23e4567-e89b-12d3-a456-426614174000"));
	ck_assert(!lc_json_is_uuid(""));
	ck_assert(!lc_json_is_uuid(NULL));
	struct lc_field f = {.type = LC_J_UUID};
	REJECTS(f, "\"not-a-uuid\"", LC_JERR_FORMAT);
}
END_TEST

START_TEST(test_emails)
{
	ck_assert(lc_json_is_email("marie@example.fr"));
	ck_assert(lc_json_is_email("jean.dupont+mairie@sub.example.org"));
	ck_assert(lc_json_is_email("élodie@exemple.fr"));
	ck_assert(!lc_json_is_email("marie.example.fr"));
	ck_assert(!lc_json_is_email("marie@@example.fr"));
	ck_assert(!lc_json_is_email("marie@ex@ample.fr"));
	ck_assert(!lc_json_is_email("@example.fr"));
	ck_assert(!lc_json_is_email("marie@"));
	ck_assert(!lc_json_is_email("marie@localhost"));
	ck_assert(!lc_json_is_email("marie@.example.fr"));
	ck_assert(!lc_json_is_email("marie@example.fr."));
	ck_assert(!lc_json_is_email("marie@example..fr"));
	ck_assert(!lc_json_is_email("ma rie@example.fr"));
	ck_assert(!lc_json_is_email("marie@example.fr\n"));
	ck_assert(!lc_json_is_email("marie <m@example.fr>"));
	ck_assert(!lc_json_is_email(""));
	ck_assert(!lc_json_is_email(NULL));
	char long_local[80];
	memset(long_local, 'a', 65);
	strcpy(long_local + 65, "@example.fr");
	ck_assert(!lc_json_is_email(long_local));
	char longest[300];
	memset(longest, 'a', sizeof longest);
	memcpy(longest, "a@", 2);
	strcpy(longest + 250, ".fr"); /* 253 characters */
	ck_assert(lc_json_is_email(longest));
	strcpy(longest + 252, ".fr"); /* 255 */
	ck_assert(!lc_json_is_email(longest));
	struct lc_field f = {.type = LC_J_EMAIL};
	ACCEPTS(f, "\"marie@example.fr\"");
	REJECTS(f, "\"marie\"", LC_JERR_FORMAT);
}
END_TEST

START_TEST(test_array_sizes)
{
	struct lc_field f = {.type = LC_J_ARRAY, .has_min = true, .min = 1, .has_max = true, .max = 3};
	REJECTS(f, "[]", LC_JERR_RANGE);
	ACCEPTS(f, "[1]");
	ACCEPTS(f, "[1,2,3]");
	REJECTS(f, "[1,2,3,4]", LC_JERR_RANGE);
}
END_TEST

START_TEST(test_non_object_root)
{
	const struct lc_field spec[] = {{.name = "v", .type = LC_J_STRING, .required = true}, {0}};
	const char *roots[] = {"[]", "\"x\"", "1", "null", "true"};
	for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
		json_t *errors = run(roots[i], spec);
		ck_assert_uint_eq(json_array_size(errors), 1);
		ck_assert_str_eq(code_for(errors, ""), LC_JERR_TYPE);
		json_decref(errors);
	}
	json_t *errors = lc_json_check(NULL, spec);
	ck_assert_uint_eq(json_array_size(errors), 1);
	json_decref(errors);
}
END_TEST

START_TEST(test_all_errors_at_once)
{
	static const char *const kinds[] = {"a", "b", NULL};
	const char *name = NULL;
	const struct lc_field spec[] = {
	    {.name = "name", .type = LC_J_STRING, .required = true, .has_max = true, .max = 3, .out = &name},
	    {.name = "age", .type = LC_J_INT, .required = true, .has_min = true, .min = 0},
	    {.name = "email", .type = LC_J_EMAIL, .required = true},
	    {.name = "kind", .type = LC_J_ENUM, .enum_values = kinds},
	    {.name = "born", .type = LC_J_DATE},
	    {.name = "id", .type = LC_J_UUID, .required = true},
	    {.name = "ok", .type = LC_J_BOOL},
	    {0},
	};
	json_t *errors = run("{\"name\":\"Gérard\",\"age\":-1,\"email\":\"x\",\"kind\":\"c\","
	                     "\"born\":\"2023-02-29\",\"ok\":\"yes\",\"extra\":1,\"more\":2}",
	                     spec);
	ck_assert_uint_eq(json_array_size(errors), 9);
	ck_assert_str_eq(code_for(errors, "name"), LC_JERR_RANGE);
	ck_assert_str_eq(code_for(errors, "age"), LC_JERR_RANGE);
	ck_assert_str_eq(code_for(errors, "email"), LC_JERR_FORMAT);
	ck_assert_str_eq(code_for(errors, "kind"), LC_JERR_ENUM);
	ck_assert_str_eq(code_for(errors, "born"), LC_JERR_FORMAT);
	ck_assert_str_eq(code_for(errors, "id"), LC_JERR_REQUIRED);
	ck_assert_str_eq(code_for(errors, "ok"), LC_JERR_TYPE);
	ck_assert_str_eq(code_for(errors, "extra"), LC_JERR_UNKNOWN);
	ck_assert_str_eq(code_for(errors, "more"), LC_JERR_UNKNOWN);
	ck_assert_ptr_null(name); /* bad fields leave their out alone */
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e)
	{
		ck_assert(json_is_string(json_object_get(e, "message")));
		ck_assert_uint_gt(json_string_length(json_object_get(e, "message")), 0);
		ck_assert_uint_eq(json_object_size(e), 3);
	}
	json_decref(errors);
}
END_TEST

START_TEST(test_utf8_strict)
{
	const char *good[] = {
	    "", "abc", "\xc3\xa9t\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"};
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		ck_assert_msg(lc_utf8_valid(good[i], strlen(good[i])), "good %zu", i);
	const char *bad[] = {"\xff",
	                     "\x80",
	                     "\xc3",
	                     "a\xc3(",
	                     "\xc0\xaf",
	                     "\xe0\x80\xaf",
	                     "\xed\xa0\x80",
	                     "\xf4\x90\x80\x80",
	                     "\xf5\x80\x80\x80",
	                     "\xe2\x82"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(!lc_utf8_valid(bad[i], strlen(bad[i])), "bad %zu", i);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("check");
	tcase_add_test(tc, test_all_types_fill_outs);
	tcase_add_test(tc, test_required_and_unknown);
	tcase_add_test(tc, test_wrong_types);
	tcase_add_test(tc, test_nullable);
	tcase_add_test(tc, test_string_length_code_points);
	tcase_add_test(tc, test_int_bounds);
	tcase_add_test(tc, test_number_bounds);
	tcase_add_test(tc, test_patterns_and_enums);
	tcase_add_test(tc, test_array_sizes);
	tcase_add_test(tc, test_non_object_root);
	tcase_add_test(tc, test_all_errors_at_once);
	suite_add_tcase(s, tc);
	TCase *tv = tcase_create("validators");
	tcase_add_test(tv, test_dates);
	tcase_add_test(tv, test_timestamps);
	tcase_add_test(tv, test_uuids);
	tcase_add_test(tv, test_emails);
	tcase_add_test(tv, test_utf8_strict);
	suite_add_tcase(s, tv);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(json_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* test_cell_json.c — libcommon's JSON text of binary result cells: each type written as
 * PostgreSQL's jsonb prints it (the agents' queue is compared byte for byte with
 * request_summary_json), built from results made by hand in the binary wire format. */
#include <check.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/cell_json.h"

/* A one-column, one-row binary result of type oid holding the n bytes at v (NULL: SQL NULL). */
static PGresult *cell(Oid oid, const void *v, int n)
{
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc a = {.name = (char *)"c", .format = 1, .typid = oid, .typlen = -1, .atttypmod = -1};
	ck_assert(PQsetResultAttrs(r, 1, &a));
	ck_assert(PQsetvalue(r, 0, 0, (char *)v, v ? n : -1));
	return r;
}

/* The JSON text written for a cell; "<false>" when the writer refused it. */
static char *written(Oid oid, const void *v, int n)
{
	PGresult *r = cell(oid, v, n);
	struct lc_buf b;
	lc_buf_init(&b, 0);
	bool ok = lc_json_write_cell(&b, r, 0, 0);
	PQclear(r);
	char *s = strdup(ok ? lc_buf_cstr(&b) : "<false>");
	lc_buf_free(&b);
	return s;
}

static void be(unsigned char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

#define CK_CELL(oid, v, n, want)                                                                             \
	do {                                                                                                 \
		char *got_ = written((oid), (v), (n));                                                       \
		ck_assert_str_eq(got_, (want));                                                              \
		free(got_);                                                                                  \
	} while (0)

static void ck_ts(int64_t us, const char *want)
{
	unsigned char p[8];
	be(p, (uint64_t)us, 8);
	CK_CELL(1184, p, 8, want);
}

/* The time of a timestamptz in UTC, its second truncated as to_char does (also before 2000,
 * where the microseconds are negative), leap days, and null for ±infinity (to_char's NULL). */
START_TEST(timestamps)
{
	ck_ts(0, "\"2000-01-01T00:00:00Z\"");
	ck_ts(-1, "\"1999-12-31T23:59:59Z\"");
	ck_ts(-946684800000000LL, "\"1970-01-01T00:00:00Z\"");
	ck_ts(762566399500000LL, "\"2024-02-29T23:59:59Z\"");
	ck_ts(3160857600000001LL, "\"2100-03-01T00:00:00Z\"");
	ck_ts(849863107999999LL, "\"2026-12-06T09:05:07Z\"");
	ck_ts(INT64_MAX, "null");
	ck_ts(INT64_MIN, "null");
}
END_TEST

/* Strings escaped as escape_json: quote, backslash, the named controls, other C0 as \u00xx
 * (lower case), and everything else — "/", DEL, UTF-8 — as it is. */
START_TEST(strings)
{
	const char s[] = "D\xc3\xa9marche \"7\" \\ a\tb\nc\x01"
	                 "d\b\f\r/\x7f\x1f";
	CK_CELL(25, s, (int)strlen(s),
	        "\"D\xc3\xa9marche \\\"7\\\" \\\\ a\\tb\\nc\\u0001d\\b\\f\\r/\x7f\\u001f\"");
	CK_CELL(1043, "", 0, "\"\"");
	CK_CELL(25, NULL, 0, "null");
}
END_TEST

START_TEST(scalars)
{
	unsigned char u[16], i8[8], i4[4], i2[2];
	for (int i = 0; i < 16; i++)
		u[i] = (unsigned char)(i * 17);
	CK_CELL(2950, u, 16, "\"00112233-4455-6677-8899-aabbccddeeff\"");
	be(i4, (uint64_t)(int64_t)-42, 4);
	CK_CELL(23, i4, 4, "-42");
	be(i4, 2147483647, 4);
	CK_CELL(23, i4, 4, "2147483647");
	be(i8, (uint64_t)INT64_MIN, 8);
	CK_CELL(20, i8, 8, "-9223372036854775808");
	be(i8, 0, 8);
	CK_CELL(20, i8, 8, "0");
	be(i2, 65535, 2);
	CK_CELL(21, i2, 2, "-1");
	CK_CELL(16, "\1", 1, "true");
	CK_CELL(16, "\0", 1, "false");
	CK_CELL(3802, "\1[{\"name\": \"A\"}]", 16, "[{\"name\": \"A\"}]");
	/* wrong sizes and unknown types are refused, never read past the cell */
	CK_CELL(2950, u, 15, "<false>");
	CK_CELL(3802, "\2{}", 3, "<false>");
	CK_CELL(700, i4, 4, "<false>");
}
END_TEST

/* A binary array's header as PostgreSQL sends it: n elements of type elem with a NULL among them
 * (no dimension when n is 0). Returns where the elements start. */
static unsigned char *array_head(unsigned char *a, uint32_t elem, uint32_t n)
{
	be(a, n ? 1 : 0, 4);
	be(a + 4, n ? 1 : 0, 4);
	be(a + 8, elem, 4);
	if (!n)
		return a + 12;
	be(a + 12, n, 4);
	be(a + 16, 1, 4);
	return a + 20;
}

/* uuid[]: empty (no dimension), two elements with ", " between them as jsonb prints, a NULL. */
START_TEST(uuid_arrays)
{
	unsigned char a[20 + 3 * 20];
	array_head(a, 2950, 0);
	CK_CELL(2951, a, 12, "[]");
	unsigned char *e = array_head(a, 2950, 3);
	be(e, 16, 4);
	memset(e + 4, 0x11, 16);
	be(e + 20, 0xffffffff, 4); /* NULL */
	be(e + 24, 16, 4);
	memset(e + 28, 0xab, 16);
	CK_CELL(2951, a, 20 + 20 + 4 + 20,
	        "[\"11111111-1111-1111-1111-111111111111\", null, \"abababab-abab-abab-abab-abababababab\"]");
	CK_CELL(2951, a, 20 + 20 + 4 + 10, "<false>"); /* cut short */
}
END_TEST

/* text[] (the accounts' services): empty, strings escaped as text cells are, a NULL. */
START_TEST(text_arrays)
{
	unsigned char a[20 + 32];
	array_head(a, 25, 0);
	CK_CELL(1009, a, 12, "[]");
	unsigned char *e = array_head(a, 25, 3);
	be(e, 8, 4);
	memcpy(e + 4, "scolaire", 8);
	be(e + 12, 0xffffffff, 4); /* NULL */
	be(e + 16, 3, 4);
	memcpy(e + 20, "a\"\n", 3);
	CK_CELL(1009, a, 20 + 23, "[\"scolaire\", null, \"a\\\"\\n\"]");
	CK_CELL(1009, a, 20 + 22, "<false>"); /* cut short */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cell_json");
	TCase *tc = tcase_create("cells");
	tcase_add_test(tc, timestamps);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, scalars);
	tcase_add_test(tc, uuid_arrays);
	tcase_add_test(tc, text_arrays);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

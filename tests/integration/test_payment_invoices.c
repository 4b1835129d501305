/* test_payment_invoices.c — civitas-payment in-process against the stack's database and its real
 * account daemon: the price per bracket and the default for declared, expired and missing
 * quotients; gapless numbers under 32 concurrent creations; idempotent internal creation; the
 * CSV import all or nothing; idempotent checkouts; forged, replayed and out-of-order
 * notifications and an amount mismatch; the sandbox page end to end; partial refunds that
 * cannot exceed what was paid; the reconciliation export and its daily totals. */
#include <check.h>
#include <pthread.h>
#include <regex.h>

#include "test_payment_itest.h"

static struct person admin, citizen;

static void setup(void)
{
	pay_start();
	person_make(&admin, "admin", "admin", NULL);
	person_make(&citizen, "camille", "citizen", NULL);
	household_make(&citizen, "850", "verified", 200);
	struct itest_resp r;
	call(&r, "PUT", "/grids/itest-cantine", admin.auth,
	     "{\"label\":\"Cantine\",\"brackets\":[{\"qf_max\":500,\"price_cents\":120},"
	     "{\"qf_max\":800,\"price_cents\":250},{\"qf_max\":1200,\"price_cents\":380}],"
	     "\"default_price_cents\":520}",
	     NULL);
	ck_assert(r.status == 200 || r.status == 201);
	itest_resp_free(&r);
}

static void teardown(void)
{
	pay_stop();
}

/* An invoice for the household with one grid line of qty; returns the body. */
static json_t *grid_invoice(const char *household, int qty, long status)
{
	char body[512];
	snprintf(body, sizeof(body),
	         "{\"household_id\":\"%s\",\"label\":\"Cantine novembre\",\"due_date\":\"2026-12-31\","
	         "\"lines\":[{\"label\":\"Repas\",\"quantity\":%d,\"grid\":\"itest-cantine\"}]}",
	         household, qty);
	struct itest_resp r;
	call(&r, "POST", "/invoices", admin.auth, body, NULL);
	return itest_expect(&r, status);
}

START_TEST(grids_and_pricing)
{
	struct itest_resp r;
	/* a bad grid: decreasing brackets, a bracket above the default, wrong types */
	call(&r, "PUT", "/grids/itest-bad", admin.auth,
	     "{\"label\":\"X\",\"brackets\":[{\"qf_max\":800,\"price_cents\":100},{\"qf_max\":500,\"price_"
	     "cents\":900},"
	     "{\"qf_max\":\"a\"}],\"default_price_cents\":500}",
	     NULL);
	json_t *j = itest_expect(&r, 422);
	ck_assert_int_eq(json_array_size(json_object_get(j, "errors")), 3);
	json_decref(j);
	/* a citizen cannot edit grids, and does not learn the route exists */
	call(&r, "PUT", "/grids/itest-cantine", citizen.auth,
	     "{\"label\":\"X\",\"brackets\":[{\"qf_max\":1,\"price_cents\":1}],\"default_price_cents\":5}",
	     NULL);
	json_decref(itest_expect(&r, 404));

	/* verified 850 → the third bracket (≤ 1200): 380 per meal */
	j = grid_invoice(citizen.household, 10, 201);
	ck_assert_int_eq(jint(j, "total_cents"), 3800);
	json_t *pricing = json_object_get(j, "pricing");
	ck_assert_str_eq(itest_jstr(pricing, "basis"), "verified_qf");
	ck_assert_int_eq(jint(pricing, "qf"), 850);
	ck_assert(strlen(itest_jstr(j, "number")) == 11); /* 2026-000042 */
	json_decref(j);

	struct person low, declared, expired, none;
	person_make(&low, "low", "citizen", NULL);
	household_make(&low, "400", "verified", 100);
	person_make(&declared, "declared", "citizen", NULL);
	household_make(&declared, "400", "declared", 100);
	person_make(&expired, "expired", "citizen", NULL);
	household_make(&expired, "400", "verified", -3);
	person_make(&none, "none", "citizen", NULL);
	household_make(&none, "", "", 0);
	j = grid_invoice(low.household, 2, 201);
	ck_assert_int_eq(jint(j, "total_cents"), 240);
	json_decref(j);
	j = grid_invoice(declared.household, 2, 201);
	ck_assert_int_eq(jint(j, "total_cents"), 1040);
	ck_assert_str_eq(itest_jstr(json_object_get(j, "pricing"), "basis"), "default_declared");
	json_decref(j);
	j = grid_invoice(expired.household, 2, 201);
	ck_assert_int_eq(jint(j, "total_cents"), 1040);
	ck_assert_str_eq(itest_jstr(json_object_get(j, "pricing"), "basis"), "default_expired");
	json_decref(j);
	j = grid_invoice(none.household, 2, 201);
	ck_assert_int_eq(jint(j, "total_cents"), 1040);
	ck_assert_str_eq(itest_jstr(json_object_get(j, "pricing"), "basis"), "default_missing");
	json_decref(j);

	/* unknown household and unknown grid: 422, nothing created */
	char id[37];
	lc_uuid_v4(id);
	j = grid_invoice(id, 1, 422);
	json_decref(j);
	call(&r, "POST", "/invoices", admin.auth,
	     "{\"household_id\":\"00000000-0000-4000-8000-000000000000\",\"label\":\"x\",\"due_date\":\"2026-"
	     "02-30\","
	     "\"lines\":[]}",
	     NULL);
	json_decref(itest_expect(&r, 422));

	/* the citizen sees their invoices, another citizen does not see them */
	call(&r, "GET", "/me/invoices", citizen.auth, NULL, NULL);
	j = itest_expect(&r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 1);
	char inv[37];
	snprintf(inv, sizeof(inv), "%s", itest_jstr(json_array_get(json_object_get(j, "items"), 0), "id"));
	json_decref(j);
	char path[96];
	snprintf(path, sizeof(path), "/invoices/%s", inv);
	call(&r, "GET", path, citizen.auth, NULL, NULL);
	json_decref(itest_expect(&r, 200));
	call(&r, "GET", path, low.auth, NULL, NULL);
	json_decref(itest_expect(&r, 404));
}
END_TEST

struct creator {
	int i;
	const char *household;
	long status;
	char number[32];
};

static void *create_one(void *arg)
{
	struct creator *c = arg;
	char body[512];
	snprintf(body, sizeof(body),
	         "{\"key\":\"conc-%d-%s\",\"source_service\":\"itest\",\"household_id\":\"%s\",\"label\":"
	         "\"Cours\","
	         "\"due_date\":\"2026-12-31\",\"lines\":[{\"label\":\"Cours\",\"quantity\":1,\"unit_cents\":"
	         "1000}]}",
	         c->i, c->household, c->household);
	const char *h[] = {itest_internal_auth(), "Content-Type: application/json", NULL};
	struct itest_resp r;
	if (itest_http("POST", pay_url("/internal/v1/invoices"), h, body, strlen(body), &r) == 0) {
		c->status = r.status;
		json_t *j = itest_json(&r);
		snprintf(c->number, sizeof(c->number), "%s",
		         json_string_value(json_object_get(j, "number")) ?: "");
		json_decref(j);
	}
	itest_resp_free(&r);
	return NULL;
}

static int cmp_num(const void *a, const void *b)
{
	return strcmp(((const struct creator *)a)->number, ((const struct creator *)b)->number);
}

START_TEST(gapless_numbers_and_internal_idempotency)
{
	enum { N = 32 };
	struct creator c[N];
	pthread_t t[N];
	for (int i = 0; i < N; i++) {
		c[i] = (struct creator){.i = i, .household = citizen.household};
		pthread_create(&t[i], NULL, create_one, &c[i]);
	}
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < N; i++)
		ck_assert_msg(c[i].status == 201, "creation %d: %ld", i, c[i].status);
	qsort(c, N, sizeof(c[0]), cmp_num);
	/* one year, consecutive numbers: no gap, no duplicate */
	for (int i = 1; i < N; i++) {
		ck_assert(strncmp(c[i].number, c[0].number, 5) == 0);
		ck_assert_int_eq(atol(c[i].number + 5), atol(c[i - 1].number + 5) + 1);
	}
	/* and nothing else took a number in between: the year's counter ends at the last one */
	char year[8];
	snprintf(year, sizeof(year), "%.4s", c[0].number);
	const char *p[] = {year};
	ck_assert_int_ge(
	    atol(itest_sql1(pay_pg, "SELECT n FROM invoice_counters WHERE year = $1::int", 1, p)),
	    atol(c[N - 1].number + 5));

	/* the same key and body answers the same invoice; another body with the key → 409 */
	struct creator again = {.i = 3, .household = citizen.household};
	create_one(&again);
	ck_assert_int_eq(again.status, 200);
	bool found = false;
	for (int i = 0; i < N; i++)
		found = found || strcmp(c[i].number, again.number) == 0;
	ck_assert(found);
	char body[512];
	snprintf(
	    body, sizeof(body),
	    "{\"key\":\"conc-3-%s\",\"source_service\":\"itest\",\"household_id\":\"%s\",\"label\":\"Autre\","
	    "\"due_date\":\"2026-12-31\",\"lines\":[{\"label\":\"Cours\",\"quantity\":2,\"unit_cents\":1000}]"
	    "}",
	    citizen.household, citizen.household);
	struct itest_resp r;
	const char *h[] = {itest_internal_auth(), "Content-Type: application/json", NULL};
	ck_assert_int_eq(itest_http("POST", pay_url("/internal/v1/invoices"), h, body, strlen(body), &r), 0);
	json_decref(itest_expect(&r, 409));
	/* without the internal secret the route does not exist */
	call(&r, "POST", "/internal/v1/invoices", admin.auth, body, NULL);
	json_decref(itest_expect(&r, 404));
}
END_TEST

START_TEST(csv_import_all_or_nothing)
{
	struct person p2;
	person_make(&p2, "csv", "citizen", NULL);
	household_make(&p2, "700", "verified", 100);
	char bad[2048], good[2048], unknown[37];
	lc_uuid_v4(unknown);
	snprintf(bad, sizeof(bad),
	         "household_id;reference;label;line_label;quantity;unit_price;due_date\r\n"
	         "%s;CSV-A;Cantine;Repas;4;3,80;2026-12-31\r\n"
	         "%s;CSV-B;Cantine;Repas;zero;3,80;2026-12-31\r\n"
	         "%s;CSV-C;Garderie;Soir;2;1.234;2026-12-31\r\n"
	         "%s;CSV-D;Garderie;Soir;2;1,20;2026-12-31\r\n",
	         p2.household, p2.household, p2.household, unknown);
	struct itest_resp r;
	call_ct(&r, "POST", "/invoices/import", admin.auth, bad, "text/csv", NULL);
	json_t *j = itest_expect(&r, 422);
	json_t *errors = json_object_get(j, "errors");
	ck_assert_int_eq(json_array_size(errors), 3); /* lines 3, 4 and 5, each listed */
	ck_assert_int_eq(jint(json_array_get(errors, 0), "line"), 3);
	ck_assert_int_eq(jint(json_array_get(errors, 1), "line"), 4);
	ck_assert_int_eq(jint(json_array_get(errors, 2), "line"), 5);
	json_decref(j);
	const char *p[] = {p2.household};
	ck_assert_str_eq(
	    itest_sql1(pay_pg, "SELECT count(*) FROM invoices WHERE household_id = $1::uuid", 1, p), "0");

	snprintf(good, sizeof(good),
	         "household_id;reference;label;line_label;quantity;unit_price;due_date\n"
	         "%s;CSV-A;Cantine;Repas;4;3,80;2026-12-31\n"
	         "%s;CSV-A;Cantine;Goûter;4;0.5;2026-12-31\n"
	         "%s;CSV-B;Garderie;Soir;2;1,20;2026-12-31\n",
	         p2.household, p2.household, p2.household);
	call_ct(&r, "POST", "/invoices/import", admin.auth, good, "text/csv", NULL);
	j = itest_expect(&r, 201);
	ck_assert_int_eq(jint(j, "imported"), 2);
	json_decref(j);
	ck_assert_str_eq(
	    itest_sql1(pay_pg,
	               "SELECT string_agg(total_cents::text, ',' ORDER BY total_cents) FROM invoices"
	               " WHERE household_id = $1::uuid",
	               1, p),
	    "240,1720");
	/* importing the same file again: every reference is already there, nothing changes */
	call_ct(&r, "POST", "/invoices/import", admin.auth, good, "text/csv", NULL);
	json_decref(itest_expect(&r, 422));
	ck_assert_str_eq(
	    itest_sql1(pay_pg, "SELECT count(*) FROM invoices WHERE household_id = $1::uuid", 1, p), "2");
	call_ct(&r, "POST", "/invoices/import", citizen.auth, good, "text/csv", NULL);
	json_decref(itest_expect(&r, 404));
}
END_TEST

/* Two open invoices of the citizen; ids into a and b. */
static void two_invoices(char a[37], char b[37])
{
	json_t *j = grid_invoice(citizen.household, 16, 201); /* 6080 */
	snprintf(a, 37, "%s", itest_jstr(j, "id"));
	json_decref(j);
	j = grid_invoice(citizen.household, 4, 201); /* 1520 */
	snprintf(b, 37, "%s", itest_jstr(j, "id"));
	json_decref(j);
}

static json_t *checkout(const struct person *u, const char *body, const char *key, long status)
{
	char h[200];
	snprintf(h, sizeof(h), "Idempotency-Key: %s", key);
	struct itest_resp r;
	call(&r, "POST", "/checkouts", u->auth, body, h);
	return itest_expect(&r, status);
}

START_TEST(checkout_idempotency_and_notifications)
{
	char a[37], b[37], body[256], other_body[256], key[48];
	two_invoices(a, b);
	snprintf(body, sizeof(body), "{\"invoice_ids\":[\"%s\",\"%s\"]}", a, b);
	snprintf(other_body, sizeof(other_body), "{\"invoice_ids\":[\"%s\"]}", a);
	lc_uuid_v4(key);
	json_t *c1 = checkout(&citizen, body, key, 201);
	ck_assert_int_eq(jint(c1, "amount_cents"), 7600);
	ck_assert_ptr_nonnull(strstr(itest_jstr(c1, "redirect_url"), "/pay?t="));
	json_t *c2 = checkout(&citizen, body, key, 200);
	ck_assert_str_eq(itest_jstr(c1, "id"), itest_jstr(c2, "id"));
	ck_assert_str_eq(itest_jstr(c1, "redirect_url"), itest_jstr(c2, "redirect_url"));
	json_decref(c2);
	json_decref(checkout(&citizen, other_body, key, 409));
	json_decref(checkout(&citizen, body, "short", 422));
	/* someone else's invoice is not found */
	struct person stranger;
	person_make(&stranger, "stranger", "citizen", NULL);
	household_make(&stranger, "500", "verified", 100);
	char k2[48];
	lc_uuid_v4(k2);
	json_decref(checkout(&stranger, other_body, k2, 404));

	char co[37];
	snprintf(co, sizeof(co), "%s", itest_jstr(c1, "id"));
	json_decref(c1);
	json_t *resp;
	/* forged: signed with another key → 403, recorded, nothing changes */
	json_t *f = ipn_fields(co, "10000001", "7600", "AUTHORISED", "aaaa");
	ck_assert_int_eq(post_ipn("sandbox", f, "not-the-shop-key", &resp), 403);
	json_decref(resp);
	json_decref(f);
	const char *p[] = {co};
	ck_assert_str_eq(itest_sql1(pay_pg, "SELECT status FROM checkouts WHERE id = $1::uuid", 1, p),
	                 "created");
	ck_assert_str_eq(itest_sql1(pay_pg,
	                            "SELECT count(*) FROM provider_notifications WHERE checkout_id = $1::uuid"
	                            " AND outcome = 'forged' AND NOT verified",
	                            1, p),
	                 "1");
	/* a forged field after signing (amount changed) fails too */
	f = ipn_fields(co, "10000001", "100", "AUTHORISED", "bbbb");
	char sig[64];
	lyra_sign(f, sandbox_key(), sig);
	json_object_set_new(f, "vads_amount", json_string("7600"));
	json_object_set_new(f, "signature", json_string(sig));
	struct itest_resp r;
	call_ct(&r, "POST", "/notifications/sandbox", NULL, form_body(f), "application/x-www-form-urlencoded",
	        NULL);
	json_decref(itest_expect(&r, 403));
	json_decref(f);
	/* correctly signed but for another amount: refused, logged, nothing paid */
	f = ipn_fields(co, "10000001", "100", "AUTHORISED", "cccc");
	ck_assert_int_eq(post_ipn("sandbox", f, sandbox_key(), &resp), 422);
	json_decref(resp);
	json_decref(f);
	const char *pa[] = {a};
	ck_assert_str_eq(itest_sql1(pay_pg, "SELECT status FROM invoices WHERE id = $1::uuid", 1, pa),
	                 "open");
	/* a refused card first: the checkout fails, the invoices stay open */
	f = ipn_fields(co, "10000001", "7600", "REFUSED", "dddd");
	ck_assert_int_eq(post_ipn("sandbox", f, sandbox_key(), &resp), 200);
	ck_assert_str_eq(itest_jstr(resp, "outcome"), "applied");
	json_decref(resp);
	json_decref(f);
	ck_assert_str_eq(itest_sql1(pay_pg, "SELECT status FROM checkouts WHERE id = $1::uuid", 1, p),
	                 "failed");
	/* then a good card: paid */
	f = ipn_fields(co, "10000001", "7600", "AUTHORISED", "eeee");
	ck_assert_int_eq(post_ipn("sandbox", f, sandbox_key(), &resp), 200);
	ck_assert_str_eq(itest_jstr(resp, "outcome"), "applied");
	json_decref(resp);
	/* replayed: changes nothing twice */
	json_object_del(f, "signature");
	ck_assert_int_eq(post_ipn("sandbox", f, sandbox_key(), &resp), 200);
	ck_assert_str_eq(itest_jstr(resp, "outcome"), "duplicate");
	json_decref(resp);
	json_decref(f);
	/* out of order: the earlier refusal arriving late changes nothing */
	f = ipn_fields(co, "10000001", "7600", "REFUSED", "dddd");
	ck_assert_int_eq(post_ipn("sandbox", f, sandbox_key(), &resp), 200);
	ck_assert_str_eq(itest_jstr(resp, "outcome"), "duplicate");
	json_decref(resp);
	json_decref(f);
	ck_assert_str_eq(itest_sql1(pay_pg, "SELECT status FROM checkouts WHERE id = $1::uuid", 1, p),
	                 "succeeded");
	ck_assert_str_eq(
	    itest_sql1(pay_pg, "SELECT status || ':' || paid_cents FROM invoices WHERE id = $1::uuid", 1, pa),
	    "paid:6080");
	ck_assert_str_eq(itest_sql1(pay_pg,
	                            "SELECT count(DISTINCT event_id) FROM outbox WHERE topic = 'invoice.paid'"
	                            " AND payload->'data'->>'invoice_id' = $1",
	                            1, pa),
	                 "1");
	/* a paid invoice cannot go in a new basket */
	lc_uuid_v4(k2);
	json_decref(checkout(&citizen, other_body, k2, 409));
	/* unknown order */
	char nobody[37];
	lc_uuid_v4(nobody);
	f = ipn_fields(nobody, "10000001", "7600", "AUTHORISED", "ffff");
	ck_assert_int_eq(post_ipn("sandbox", f, sandbox_key(), &resp), 404);
	json_decref(resp);
	json_decref(f);

	/* refunds: partial, then never more than paid */
	char path[96];
	snprintf(path, sizeof(path), "/invoices/%s/refunds", a);
	call(&r, "POST", path, citizen.auth, "{\"amount_cents\":100,\"reason\":\"x\"}", NULL);
	json_decref(itest_expect(&r, 404));
	call(&r, "POST", path, admin.auth, "{\"amount_cents\":1000,\"reason\":\"Absence maladie\"}", NULL);
	json_t *j = itest_expect(&r, 201);
	ck_assert_str_eq(itest_jstr(json_object_get(j, "invoice"), "status"), "partially_refunded");
	json_decref(j);
	call(&r, "POST", path, admin.auth, "{\"amount_cents\":5081,\"reason\":\"Trop\"}", NULL);
	json_decref(itest_expect(&r, 409));
	call(&r, "POST", path, admin.auth, "{\"amount_cents\":5080,\"reason\":\"Solde\"}", NULL);
	j = itest_expect(&r, 201);
	ck_assert_str_eq(itest_jstr(json_object_get(j, "invoice"), "status"), "refunded");
	json_decref(j);
	call(&r, "POST", path, admin.auth, "{\"amount_cents\":1,\"reason\":\"Encore\"}", NULL);
	json_decref(itest_expect(&r, 409));
	call(&r, "POST", path, admin.auth, "{\"amount_cents\":0,\"reason\":\"\"}", NULL);
	json_decref(itest_expect(&r, 422));
	ck_assert_str_eq(
	    itest_sql1(pay_pg, "SELECT sum(amount_cents) FROM refunds WHERE invoice_id = $1::uuid", 1, pa),
	    "6080");
	ck_assert_str_eq(itest_sql1(pay_pg,
	                            "SELECT count(*) FROM outbox WHERE topic = 'audit.invoice.refund'"
	                            " AND payload->'data'->>'target_id' = $1",
	                            1, pa),
	                 "2");

	/* reconciliation: the day's total for the sandbox is the sum of its rows */
	char today[16];
	snprintf(today, sizeof(today), "%s",
	         itest_sql1(pay_pg, "SELECT (now() AT TIME ZONE 'Europe/Paris')::date::text", 0, NULL));
	snprintf(path, sizeof(path), "/exports/transactions.csv?from=%s&to=%s", today, today);
	call(&r, "GET", path, admin.auth, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	long long paid = 0, refunded = 0;
	char *save = NULL, *text = strdup(r.body);
	for (char *line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		if (strncmp(line, "date;", 5) == 0 || !strstr(line, ";sandbox;"))
			continue;
		char *last = strrchr(line, ';');
		*last = '\0';
		refunded += atoll(last + 1);
		paid += atoll(strrchr(line, ';') + 1);
	}
	free(text);
	ck_assert_ptr_nonnull(strstr(r.body, co));
	itest_resp_free(&r);
	snprintf(path, sizeof(path), "/exports/daily-totals?from=%s&to=%s", today, today);
	call(&r, "GET", path, admin.auth, NULL, NULL);
	j = itest_expect(&r, 200);
	size_t i;
	json_t *row;
	bool seen = false;
	json_array_foreach(json_object_get(j, "items"), i, row)
	{
		if (strcmp(itest_jstr(row, "provider"), "sandbox") != 0)
			continue;
		seen = true;
		ck_assert_int_eq(jint(row, "payments_cents"), paid);
		ck_assert_int_eq(jint(row, "refunds_cents"), refunded);
	}
	ck_assert(seen);
	json_decref(j);
	call(&r, "GET", "/exports/daily-totals?from=2026-13-01&to=x", admin.auth, NULL, NULL);
	json_decref(itest_expect(&r, 422));

	/* the payment's events reach the stack's stats daemon through the outbox, once each, and its
	 * rebuilt daily figures count exactly what it received (stats' days are Paris days: between
	 * 23:00 and midnight UTC in winter the UTC date is the day before) */
	PGconn *st = PQconnectdb(itest_env("CIVITAS_TEST_STATS_DB_URL"));
	ck_assert_int_eq(PQstatus(st), CONNECTION_OK);
	const char *sp[] = {co, a};
	ck_assert(itest_wait_sql(
	    st,
	    "SELECT count(*) FILTER (WHERE topic = 'payment.succeeded' AND data->>'checkout_id' = $1)"
	    " || ' ' || count(*) FILTER (WHERE topic = 'invoice.paid' AND data->>'invoice_id' = $2)"
	    " || ' ' || count(*) FILTER (WHERE topic = 'refund.succeeded' AND data->>'invoice_id' = $2)"
	    " FROM events WHERE source = 'payment'",
	    2, sp, "1 1 2", 60));
	char day[16], rb[64];
	snprintf(day, sizeof(day), "%s",
	         itest_sql1(st, "SELECT (now() AT TIME ZONE 'Europe/Paris')::date::text", 0, NULL));
	snprintf(rb, sizeof(rb), "{\"from\":\"%s\",\"to\":\"%s\"}", day, day);
	char url[256];
	snprintf(url, sizeof(url), "%s/api/stats/v1/admin/rebuild", itest_env("CIVITAS_TEST_BASE_URL"));
	const char *rh[] = {admin.auth, "Content-Type: application/json", NULL};
	ck_assert_int_eq(itest_http("POST", url, rh, rb, strlen(rb), &r), 0);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
	const char *dp[] = {day};
	ck_assert_str_eq(
	    itest_sql1(
	        st,
	        "SELECT (SELECT value FROM daily WHERE metric = 'payments' AND dim = '' AND day = $1::date)"
	        " = (SELECT count(*) FROM events WHERE topic = 'payment.succeeded'"
	        " AND (occurred_at AT TIME ZONE 'Europe/Paris')::date = $1::date)"
	        " AND (SELECT value FROM daily WHERE metric = 'refunds_amount_cents' AND dim = ''"
	        " AND day = $1::date) = (SELECT sum((data->>'amount_cents')::bigint) FROM events"
	        " WHERE topic = 'refund.succeeded' AND (occurred_at AT TIME ZONE 'Europe/Paris')::date = "
	        "$1::date)"
	        " AND (SELECT value FROM daily WHERE metric = 'invoices_paid' AND dim = '' AND day = "
	        "$1::date)"
	        " >= 1",
	        1, dp),
	    "t");
	PQfinish(st);
}
END_TEST

/* The value of <input name="name" value="..."> in html (static buffer). */
static const char *input_value(const char *html, const char *name)
{
	static char out[512];
	char pat[128];
	snprintf(pat, sizeof(pat), "name=\"%s\" value=\"", name);
	const char *p = strstr(html, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	const char *e = strchr(p, '"');
	snprintf(out, sizeof(out), "%.*s", (int)(e - p), p);
	return out;
}

/* Re-posts the hidden fields of a page's first form (vads_* and the signature), plus extra. */
static const char *repost(const char *html, const char *extra)
{
	static char body[8192];
	size_t len = 0;
	const char *p = html, *end = strstr(html, "</form>"); /* the first form only */
	while ((p = strstr(p, "type=\"hidden\" name=\"")) != NULL && (!end || p < end)) {
		p += strlen("type=\"hidden\" name=\"");
		const char *e = strchr(p, '"');
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(e - p), p);
		const char *v = input_value(p - strlen("type=\"hidden\" name=\""), name);
		json_t *one = json_pack("{s:s}", name, v ? v : "");
		/* values are HTML-escaped in the page; ours have no entity but '&amp;' in URLs */
		len +=
		    (size_t)snprintf(body + len, sizeof(body) - len, "%s%s", len ? "&" : "", form_body(one));
		json_decref(one);
		if (strstr(body, "&amp;"))
			ck_abort_msg("unexpected entity in a field");
	}
	if (extra)
		snprintf(body + len, sizeof(body) - len, "&%s", extra);
	return body;
}

START_TEST(sandbox_page_end_to_end)
{
	char a[37], b[37], body[256], key[48];
	two_invoices(a, b);
	snprintf(body, sizeof(body), "{\"invoice_ids\":[\"%s\",\"%s\"]}", a, b);
	lc_uuid_v4(key);
	json_t *c = checkout(&citizen, body, key, 201);
	char co[37], redirect[256];
	snprintf(co, sizeof(co), "%s", itest_jstr(c, "id"));
	snprintf(redirect, sizeof(redirect), "%s", itest_jstr(c, "redirect_url"));
	json_decref(c);
	struct itest_resp r;
	/* a wrong link token: not found */
	char wrong[300];
	snprintf(wrong, sizeof(wrong), "%.*sdeadbeef", (int)(strchr(redirect, '=') - redirect + 1), redirect);
	call(&r, "GET", wrong, NULL, NULL, NULL);
	json_decref(itest_expect(&r, 404));
	/* the pay page: the signed form, whose signature we recompute ourselves */
	call(&r, "GET", redirect, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "lang=\"fr\""));
	json_t *fields = json_object();
	const char *names[] = {"vads_action_mode", "vads_amount",         "vads_ctx_mode",
	                       "vads_currency",    "vads_language",       "vads_order_id",
	                       "vads_page_action", "vads_payment_config", "vads_site_id",
	                       "vads_trans_date",  "vads_trans_id",       "vads_version",
	                       "vads_url_return",  "vads_return_mode"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = input_value(r.body, names[i]);
		ck_assert_msg(v != NULL, "field %s", names[i]);
		json_object_set_new(fields, names[i], json_string(v));
	}
	ck_assert_str_eq(itest_jstr(fields, "vads_amount"), "7600");
	ck_assert_str_eq(itest_jstr(fields, "vads_order_id"), co);
	char sig[64];
	lyra_sign(fields, sandbox_key(), sig);
	ck_assert_str_eq(input_value(r.body, "signature"), sig);
	json_decref(fields);
	const char *p[] = {co};
	ck_assert_str_eq(itest_sql1(pay_pg, "SELECT status FROM checkouts WHERE id = $1::uuid", 1, p),
	                 "pending");
	/* the sandbox gateway shows the card page */
	char *form = strdup(repost(r.body, NULL));
	itest_resp_free(&r);
	call_ct(&r, "POST", "/sandbox/vads-payment", NULL, form, "application/x-www-form-urlencoded", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "<label for=\"carte\">"));
	char *card_page = strdup(r.body);
	itest_resp_free(&r);
	/* tampered amount: refused */
	char *tampered = strdup(form);
	char *amt = strstr(tampered, "vads_amount=7600");
	ck_assert_ptr_nonnull(amt);
	memcpy(amt, "vads_amount=0001", 16);
	call_ct(&r, "POST", "/sandbox/vads-payment", NULL, tampered, "application/x-www-form-urlencoded",
	        NULL);
	json_decref(itest_expect(&r, 403));
	free(tampered);
	/* the refused card */
	call_ct(&r, "POST", "/sandbox/vads-payment/card", NULL,
	        repost(card_page, "card_number=4000+0000+0000+0002&expiry=12%2F29&cvv=123"),
	        "application/x-www-form-urlencoded", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "refusé"));
	itest_resp_free(&r);
	ck_assert(
	    itest_wait_sql(pay_pg, "SELECT status FROM checkouts WHERE id = $1::uuid", 1, p, "failed", 30));
	/* another card */
	call_ct(&r, "POST", "/sandbox/vads-payment/card", NULL,
	        repost(card_page, "card_number=4970+1000+0000+0003&expiry=12%2F29&cvv=123"),
	        "application/x-www-form-urlencoded", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "accepté"));
	itest_resp_free(&r);
	ck_assert(itest_wait_sql(pay_pg, "SELECT status FROM checkouts WHERE id = $1::uuid", 1, p,
	                         "succeeded", 30));
	const char *pa[] = {a, b};
	ck_assert_str_eq(
	    itest_sql1(pay_pg,
	               "SELECT count(*) FROM invoices WHERE id IN ($1::uuid, $2::uuid) AND status = 'paid'",
	               2, pa),
	    "2");
	/* the owner reads the checkout; the receipt exists now */
	char path[96];
	snprintf(path, sizeof(path), "/checkouts/%s", co);
	call(&r, "GET", path, citizen.auth, NULL, NULL);
	json_t *j = itest_expect(&r, 200);
	ck_assert_str_eq(itest_jstr(j, "status"), "succeeded");
	json_decref(j);
	snprintf(path, sizeof(path), "/invoices/%s/receipt", a);
	call(&r, "GET", path, citizen.auth, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "Reçu de paiement"));
	ck_assert_ptr_nonnull(strstr(r.body, "60,80 €"));
	itest_resp_free(&r);
	free(form);
	free(card_page);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("payment_invoices");
	TCase *tc = tcase_create("invoices");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, grids_and_pricing);
	tcase_add_test(tc, gapless_numbers_and_internal_idempotency);
	tcase_add_test(tc, csv_import_all_or_nothing);
	tcase_add_test(tc, checkout_idempotency_and_notifications);
	tcase_add_test(tc, sandbox_page_end_to_end);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test_teleservices_payment.c — civitas-teleservices in-process with the stack's real payment and
 * account daemons: a procedure with a fee gets its invoice in payment when the request is
 * accepted (once, even when the event is delivered again), and payment's invoice.paid event
 * puts the payment on the request's timeline, once. */
#include <check.h>

#include "test_teleservices_itest.h"

static struct person citizen, agent, admin;
static PGconn *pay_db;

static void setup(void)
{
	ts_start();
	seed_demo();
	person_make(&citizen, "camille", "citizen", NULL);
	household_make(&citizen);
	person_make(&agent, "agent-con", "agent", "conservatoire");
	person_make(&admin, "admin", "admin", NULL);
	pay_db = PQconnectdb(itest_env("CIVITAS_TEST_PAYMENT_DB_URL"));
	ck_assert_int_eq(PQstatus(pay_db), CONNECTION_OK);
}

static void teardown(void)
{
	PQfinish(pay_db);
	ts_stop();
}

static json_t *step(const char *id, const char *to)
{
	char path[128], body[128];
	snprintf(path, sizeof(path), "/requests/%s/transition", id);
	snprintf(body, sizeof(body), "{\"to\":\"%s\"}", to);
	struct itest_resp r;
	call(&r, "POST", path, agent.auth, body, NULL);
	return itest_expect(&r, 200);
}

START_TEST(fee_invoice_and_paid_timeline)
{
	char slug[40], body[1024], rnd[37], id[37], path[128];
	lc_uuid_v4(rnd);
	snprintf(slug, sizeof(slug), "frais-%.8s", rnd);
	snprintf(body, sizeof(body),
	         "{\"slug\":\"%s\",\"title\":\"Inscription avec frais\",\"service\":\"conservatoire\","
	         "\"audience\":\"self\",\"fee_cents\":4500,\"fields\":[{\"name\":\"q\",\"label\":\"Q\","
	         "\"type\":\"text\",\"required\":true}],\"required_documents\":[],\"status\":\"published\"}",
	         slug);
	struct itest_resp r;
	call(&r, "POST", "/procedures", admin.auth, body, NULL);
	json_decref(itest_expect(&r, 201));
	snprintf(body, sizeof(body), "{\"procedure\":\"%s\",\"answers\":{\"q\":\"piano\"}}", slug);
	call(&r, "POST", "/requests", citizen.auth, body, NULL);
	json_t *j = itest_expect(&r, 201);
	snprintf(id, sizeof(id), "%s", itest_jstr(j, "id"));
	json_decref(j);
	snprintf(path, sizeof(path), "/requests/%s/submit", id);
	call(&r, "POST", path, citizen.auth, NULL, NULL);
	json_decref(itest_expect(&r, 200));
	const char *p[] = {id};
	/* no invoice before the decision */
	ck_assert_str_eq(itest_sql1(pay_db, "SELECT count(*) FROM invoices WHERE source_key = $1", 1, p),
	                 "0");
	json_t *s = step(id, "in_progress");
	json_decref(s);
	json_decref(step(id, "accepted"));
	/* the outbox delivers the request to payment: one invoice, keyed by the request */
	ck_assert(
	    itest_wait_sql(pay_db,
	                   "SELECT count(*) || ':' || min(total_cents) || ':' || min(status) FROM invoices"
	                   " WHERE source_service = 'teleservices' AND source_key = $1",
	                   1, p, "1:4500:open", 60));
	ck_assert_str_eq(itest_sql1(pay_db, "SELECT household_id FROM invoices WHERE source_key = $1", 1, p),
	                 citizen.household);
	/* the same delivery again (at least once): still one invoice */
	PQclear(itest_sql(tele_pg,
	                  "UPDATE outbox SET delivered_at = NULL, next_attempt_at = now(), attempts = 0"
	                  " WHERE topic = 'payment.invoice_request' AND payload->'data'->>'request_id' = $1",
	                  1, p));
	ck_assert(itest_wait_sql(tele_pg,
	                         "SELECT count(*) FROM outbox WHERE topic = 'payment.invoice_request'"
	                         " AND payload->'data'->>'request_id' = $1 AND delivered_at IS NOT NULL",
	                         1, p, "1", 60));
	ck_assert_str_eq(itest_sql1(pay_db, "SELECT count(*) FROM invoices WHERE source_key = $1", 1, p),
	                 "1");

	/* payment's invoice.paid event: the timeline shows the payment, once */
	char ev_id[37], ev[1024];
	lc_uuid_v4(ev_id);
	snprintf(ev, sizeof(ev),
	         "{\"id\":\"%s\",\"topic\":\"invoice.paid\",\"source\":\"payment\","
	         "\"occurred_at\":\"2026-12-05T10:00:00Z\",\"data\":{\"invoice_id\":\"%s\",\"number\":\"2026-"
	         "000007\","
	         "\"amount_cents\":4500,\"source_service\":\"teleservices\",\"source_key\":\"%s\"}}",
	         ev_id, ev_id, id);
	const char *h[] = {itest_internal_auth(), "Content-Type: application/json", NULL};
	char u[128];
	snprintf(u, sizeof(u), "%s/internal/v1/events", ts_base);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(itest_http("POST", u, h, ev, strlen(ev), &r), 0);
		json_decref(itest_expect(&r, 200));
	}
	snprintf(path, sizeof(path), "/requests/%s", id);
	call(&r, "GET", path, citizen.auth, NULL, NULL);
	j = itest_expect(&r, 200);
	size_t i, found = 0;
	json_t *st;
	json_array_foreach(json_object_get(j, "timeline"), i, st)
	{
		const char *c = json_string_value(json_object_get(st, "comment"));
		if (c && strstr(c, "Frais de dossier payés en ligne : 45,00 €"))
			found++;
	}
	ck_assert_int_eq(found, 1);
	json_decref(j);
	/* without the internal secret the route does not exist */
	const char *h2[] = {citizen.auth, "Content-Type: application/json", NULL};
	ck_assert_int_eq(itest_http("POST", u, h2, ev, strlen(ev), &r), 0);
	json_decref(itest_expect(&r, 404));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("teleservices_payment");
	TCase *tc = tcase_create("payment");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, fee_invoice_and_paid_timeline);
	suite_add_tcase(s, tc);
	return itest_run(s);
}

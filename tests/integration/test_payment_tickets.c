/* test_payment_tickets.c — ticketing against the stack's database, account and content: 200
 * concurrent buyers for 50 seats get exactly 50 tickets; a ticket verifies once, even under
 * concurrent door checks; a hold in an unpaid checkout expires and frees its seats; a freed seat
 * goes to the waiting list; paid tickets come from a verified notification with their QR code;
 * an agent refunds one and its seat is on sale again. */
#include <check.h>
#include <pthread.h>

#include "test_payment_itest.h"

static struct person admin, agent, buyer;
static char event_id[37];

static void setup(void)
{
	pay_start();
	person_make(&admin, "admin", "admin", NULL);
	person_make(&agent, "porte", "agent", "culture");
	person_make(&buyer, "buyer", "citizen", NULL);
	event_make("Concert de test", event_id);
}

static void teardown(void)
{
	pay_stop();
}

static void ticketing(const char *categories, long status)
{
	char path[96], body[1024];
	snprintf(path, sizeof(path), "/ticketing/%s", event_id);
	snprintf(body, sizeof(body),
	         "{\"sales_open_at\":\"2026-01-01T00:00:00Z\",\"sales_close_at\":\"2099-01-01T00:00:00Z\","
	         "\"per_order_limit\":4,\"categories\":%s}",
	         categories);
	struct itest_resp r;
	call(&r, "PUT", path, admin.auth, body, NULL);
	json_decref(itest_expect(&r, status));
}

static json_t *hold(const struct person *u, const char *category, int qty, long status)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"event_id\":\"%s\",\"category\":\"%s\",\"quantity\":%d}", event_id,
	         category, qty);
	struct itest_resp r;
	call(&r, "POST", "/holds", u->auth, body, NULL);
	return itest_expect(&r, status);
}

struct buyer_arg {
	char auth[4200];
	long status;
};

static void *buy(void *arg)
{
	struct buyer_arg *b = arg;
	char body[256];
	snprintf(body, sizeof(body),
	         "{\"event_id\":\"%s\",\"category\":\"Gratuit\",\"quantity\":1,\"holder_name\":\"Acheteur\"}",
	         event_id);
	const char *h[] = {b->auth, "Content-Type: application/json", NULL};
	struct itest_resp r;
	if (itest_http("POST", pay_url("/holds"), h, body, strlen(body), &r) == 0)
		b->status = r.status;
	itest_resp_free(&r);
	return NULL;
}

START_TEST(capacity_under_concurrency)
{
	ticketing("[{\"label\":\"Gratuit\",\"price_cents\":0,\"capacity\":50}]", 200);
	enum { N = 200 };
	static struct buyer_arg b[N];
	pthread_t t[N];
	char sub[37];
	for (int i = 0; i < N; i++) {
		lc_uuid_v4(sub);
		snprintf(b[i].auth, sizeof(b[i].auth), "%s", itest_bearer(sub, "citizen", NULL));
		b[i].status = 0;
	}
	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, buy, &b[i]);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	int ok = 0, sold_out = 0;
	for (int i = 0; i < N; i++) {
		if (b[i].status == 201)
			ok++;
		else if (b[i].status == 409)
			sold_out++;
		else
			ck_abort_msg("buyer %d got %ld", i, b[i].status);
	}
	ck_assert_int_eq(ok, 50);
	ck_assert_int_eq(sold_out, 150);
	const char *p[] = {event_id};
	ck_assert_str_eq(itest_sql1(pay_pg, "SELECT count(*) FROM tickets WHERE event_id = $1::uuid", 1, p),
	                 "50");
	ck_assert_str_eq(itest_sql1(pay_pg,
	                            "SELECT sold || '/' || held || '/' || capacity FROM ticket_categories"
	                            " WHERE event_id = $1::uuid",
	                            1, p),
	                 "50/0/50");
	struct itest_resp r;
	char path[96];
	snprintf(path, sizeof(path), "/ticketing/%s", event_id);
	call(&r, "GET", path, NULL, NULL, NULL);
	json_t *j = itest_expect(&r, 200);
	ck_assert_int_eq(jint(json_array_get(json_object_get(j, "categories"), 0), "available"), 0);
	json_decref(j);
	/* capacity cannot go under what is sold */
	ticketing("[{\"label\":\"Gratuit\",\"price_cents\":0,\"capacity\":10}]", 409);
}
END_TEST

struct verifier {
	const char *code;
	char result[32];
};

static void *verify(void *arg)
{
	struct verifier *v = arg;
	char body[256];
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", v->code);
	const char *h[] = {agent.auth, "Content-Type: application/json", NULL};
	struct itest_resp r;
	if (itest_http("POST", pay_url("/tickets/verify"), h, body, strlen(body), &r) == 0) {
		json_t *j = itest_json(&r);
		snprintf(v->result, sizeof(v->result), "%s",
		         json_string_value(json_object_get(j, "result")) ?: "");
		json_decref(j);
	}
	itest_resp_free(&r);
	return NULL;
}

START_TEST(paid_tickets_verify_once_and_refund)
{
	ticketing("[{\"label\":\"Plein tarif\",\"price_cents\":1200,\"capacity\":3},"
	          "{\"label\":\"Réduit\",\"price_cents\":600,\"capacity\":2}]",
	          200);
	json_t *h1 = hold(&buyer, "Plein tarif", 2, 201);
	ck_assert_int_eq(jint(h1, "amount_cents"), 2400);
	json_decref(hold(&buyer, "Plein tarif", 5, 422)); /* above the per-order limit */
	json_decref(hold(&buyer, "Plein tarif", 2, 409)); /* one seat left */
	char body[256], key[48], co[37];
	snprintf(body, sizeof(body), "{\"holds\":[\"%s\"]}", itest_jstr(h1, "id"));
	lc_uuid_v4(key);
	char hk[100];
	snprintf(hk, sizeof(hk), "Idempotency-Key: %s", key);
	struct itest_resp r;
	call(&r, "POST", "/checkouts", buyer.auth, body, hk);
	json_t *c = itest_expect(&r, 201);
	snprintf(co, sizeof(co), "%s", itest_jstr(c, "id"));
	ck_assert_int_eq(jint(c, "amount_cents"), 2400);
	json_decref(c);
	/* another person cannot pay my hold */
	struct person other;
	person_make(&other, "other", "citizen", NULL);
	lc_uuid_v4(key);
	snprintf(hk, sizeof(hk), "Idempotency-Key: %s", key);
	call(&r, "POST", "/checkouts", other.auth, body, hk);
	json_decref(itest_expect(&r, 404));
	/* the provider's verified notification issues the tickets */
	json_t *f = ipn_fields(co, "10000001", "2400", "AUTHORISED", "t1");
	json_t *resp;
	ck_assert_int_eq(post_ipn("sandbox", f, sandbox_key(), &resp), 200);
	json_decref(resp);
	json_decref(f);
	call(&r, "GET", "/me/tickets", buyer.auth, NULL, NULL);
	json_t *mine = itest_expect(&r, 200);
	json_t *items = json_object_get(mine, "items");
	ck_assert_int_eq(json_array_size(items), 2);
	char code[128], tid[37], tid2[37];
	snprintf(code, sizeof(code), "%s", itest_jstr(json_array_get(items, 0), "code"));
	snprintf(tid, sizeof(tid), "%s", itest_jstr(json_array_get(items, 0), "id"));
	snprintf(tid2, sizeof(tid2), "%s", itest_jstr(json_array_get(items, 1), "id"));
	ck_assert_str_eq(itest_jstr(json_array_get(items, 0), "category"), "Plein tarif");
	json_decref(mine);
	const char *p[] = {event_id};
	ck_assert_str_eq(
	    itest_sql1(pay_pg,
	               "SELECT sold || '/' || held FROM ticket_categories WHERE event_id = $1::uuid"
	               " AND label = 'Plein tarif'",
	               1, p),
	    "2/0");
	/* the QR code, as SVG, for the owner and door agents only */
	char path[128];
	snprintf(path, sizeof(path), "/tickets/%s/qr.svg", tid);
	call(&r, "GET", path, buyer.auth, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "<svg"));
	ck_assert_ptr_nonnull(strstr(r.body, "h1v1h-1z"));
	itest_resp_free(&r);
	call(&r, "GET", path, other.auth, NULL, NULL);
	json_decref(itest_expect(&r, 404));

	/* the door: one valid answer out of 16 simultaneous checks, then already_used */
	enum { V = 16 };
	struct verifier v[V];
	pthread_t t[V];
	for (int i = 0; i < V; i++) {
		v[i] = (struct verifier){.code = code};
		pthread_create(&t[i], NULL, verify, &v[i]);
	}
	for (int i = 0; i < V; i++)
		pthread_join(t[i], NULL);
	int valid = 0, used = 0;
	for (int i = 0; i < V; i++) {
		valid += strcmp(v[i].result, "valid") == 0;
		used += strcmp(v[i].result, "already_used") == 0;
	}
	ck_assert_int_eq(valid, 1);
	ck_assert_int_eq(used, V - 1);
	/* a forged code (one character changed) is invalid without a lookup */
	char forged[128];
	snprintf(forged, sizeof(forged), "%s", code);
	forged[10] = forged[10] == 'a' ? 'b' : 'a';
	struct verifier fv = {.code = forged};
	verify(&fv);
	ck_assert_str_eq(fv.result, "invalid");
	/* citizens cannot check codes */
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	call(&r, "POST", "/tickets/verify", buyer.auth, body, NULL);
	json_decref(itest_expect(&r, 404));

	/* refunds: a used ticket no; the other one yes, and its seat is for sale again */
	snprintf(path, sizeof(path), "/tickets/%s/refund", tid);
	call(&r, "POST", path, admin.auth, "{\"reason\":\"Annulation\"}", NULL);
	json_decref(itest_expect(&r, 409));
	snprintf(path, sizeof(path), "/tickets/%s/refund", tid2);
	call(&r, "POST", path, buyer.auth, "{\"reason\":\"Annulation\"}", NULL);
	json_decref(itest_expect(&r, 404));
	call(&r, "POST", path, admin.auth, "{\"reason\":\"Annulation\"}", NULL);
	json_t *j = itest_expect(&r, 200);
	ck_assert_int_eq(jint(json_object_get(j, "refund"), "amount_cents"), 1200);
	json_decref(j);
	call(&r, "POST", path, admin.auth, "{\"reason\":\"Encore\"}", NULL);
	json_decref(itest_expect(&r, 409));
	ck_assert_str_eq(itest_sql1(pay_pg,
	                            "SELECT sold FROM ticket_categories WHERE event_id = $1::uuid"
	                            " AND label = 'Plein tarif'",
	                            1, p),
	                 "1");
	/* both tickets and the ticket's refund reach the stack's stats daemon through the outbox */
	PGconn *st = itest_db("CIVITAS_TEST_STATS_DB_URL");
	const char *tp[] = {tid, tid2};
	ck_assert(itest_wait_sql(
	    st,
	    "SELECT count(*) FILTER (WHERE topic = 'ticket.issued' AND data->>'ticket_id' IN ($1, $2))"
	    " || ' ' || count(*) FILTER (WHERE topic = 'refund.succeeded' AND data->>'ticket_id' = $2)"
	    " FROM events WHERE source = 'payment'",
	    2, tp, "2 1", 60));
	PQfinish(st);
	json_decref(h1);
}
END_TEST

START_TEST(expiry_frees_holds_and_waiting_list)
{
	ticketing("[{\"label\":\"Place\",\"price_cents\":800,\"capacity\":2}]", 200);
	json_t *h1 = hold(&buyer, "Place", 2, 201);
	struct person late;
	person_make(&late, "late", "citizen", NULL);
	json_decref(hold(&late, "Place", 1, 409));
	char body[256];
	snprintf(body, sizeof(body), "{\"event_id\":\"%s\",\"category\":\"Place\",\"quantity\":1}", event_id);
	struct itest_resp r;
	call(&r, "POST", "/waiting-list", late.auth, body, NULL);
	json_t *w = itest_expect(&r, 201);
	ck_assert_int_eq(jint(w, "position"), 1);
	json_decref(w);
	/* the buyer starts paying, then the checkout runs out of time */
	char key[48], hk[100], co[37];
	lc_uuid_v4(key);
	snprintf(hk, sizeof(hk), "Idempotency-Key: %s", key);
	snprintf(body, sizeof(body), "{\"holds\":[\"%s\"]}", itest_jstr(h1, "id"));
	call(&r, "POST", "/checkouts", buyer.auth, body, hk);
	json_t *c = itest_expect(&r, 201);
	snprintf(co, sizeof(co), "%s", itest_jstr(c, "id"));
	json_decref(c);
	const char *p[] = {co};
	PQclear(itest_sql(pay_pg,
	                  "UPDATE checkouts SET expires_at = now() - interval '1 second' WHERE id = $1::uuid",
	                  1, p));
	PQclear(itest_sql(
	    pay_pg, "UPDATE holds SET expires_at = now() - interval '1 second' WHERE checkout_id = $1::uuid",
	    1, p));
	ck_assert(
	    itest_wait_sql(pay_pg, "SELECT status FROM checkouts WHERE id = $1::uuid", 1, p, "expired", 30));
	const char *hp[] = {itest_jstr(h1, "id")};
	ck_assert_str_eq(itest_sql1(pay_pg, "SELECT status FROM holds WHERE id = $1::uuid", 1, hp),
	                 "released");
	/* one seat went to the waiting list (an offered hold), the other is for sale */
	const char *lp[] = {late.id};
	ck_assert(itest_wait_sql(pay_pg,
	                         "SELECT count(*) FROM holds WHERE user_id = $1::uuid AND status = 'active'",
	                         1, lp, "1", 30));
	ck_assert_str_eq(
	    itest_sql1(pay_pg, "SELECT status FROM waiting_list WHERE user_id = $1::uuid", 1, lp), "offered");
	const char *ep[] = {event_id};
	ck_assert_str_eq(
	    itest_sql1(pay_pg, "SELECT sold || '/' || held FROM ticket_categories WHERE event_id = $1::uuid",
	               1, ep),
	    "0/1");
	ck_assert_str_eq(itest_sql1(pay_pg,
	                            "SELECT count(*) FROM outbox WHERE topic = 'notify.waiting_list_offer'"
	                            " AND payload->'data'->>'user_id' = $1",
	                            1, lp),
	                 "1");
	/* a late notification for the expired checkout pays nothing and takes no seat */
	json_t *f = ipn_fields(co, "10000001", "1600", "AUTHORISED", "late1");
	json_t *resp;
	ck_assert_int_eq(post_ipn("sandbox", f, sandbox_key(), &resp), 200);
	ck_assert_str_eq(itest_jstr(resp, "outcome"), "late_payment");
	/* ... and the money goes back at once through the provider, audited */
	ck_assert_str_eq(itest_jstr(resp, "late_refund"), "refunded");
	json_decref(resp);
	ck_assert_str_eq(
	    itest_sql1(pay_pg,
	               "SELECT status || ' ' || amount_cents || ' ' || (refund_ref LIKE 'SBX-R-%')"
	               " || ' ' || (resolved_by IS NULL) FROM late_payments WHERE checkout_id = $1::uuid",
	               1, p),
	    "refunded 1600 true true");
	ck_assert_str_eq(itest_sql1(pay_pg,
	                            "SELECT count(*) FROM outbox WHERE topic = 'audit.payment.late_refund'"
	                            " AND payload::text LIKE '%' || (SELECT id::text FROM late_payments"
	                            " WHERE checkout_id = $1::uuid) || '%'",
	                            1, p),
	                 "1");
	/* a replay of it refunds nothing twice */
	ck_assert_int_eq(post_ipn("sandbox", f, sandbox_key(), &resp), 200);
	ck_assert_str_eq(itest_jstr(resp, "outcome"), "duplicate");
	ck_assert_ptr_null(json_object_get(resp, "late_refund"));
	json_decref(resp);
	json_decref(f);
	ck_assert_str_eq(
	    itest_sql1(pay_pg, "SELECT count(*) FROM late_payments WHERE checkout_id = $1::uuid", 1, p), "1");
	/* the treasury sees it, refunded, and cannot mark it refunded again */
	call(&r, "GET", "/late-payments?status=refunded", admin.auth, NULL, NULL);
	json_t *lates = itest_expect(&r, 200);
	json_t *item = NULL, *it;
	size_t i;
	json_array_foreach(json_object_get(lates, "items"), i,
	                   it) if (!strcmp(itest_jstr(it, "checkout_id"), co)) item = it;
	ck_assert_ptr_nonnull(item);
	ck_assert_int_eq(jint(item, "amount_cents"), 1600);
	char resolve[128];
	snprintf(resolve, sizeof(resolve), "/late-payments/%s/resolve", itest_jstr(item, "id"));
	json_decref(lates);
	call(&r, "POST", resolve, admin.auth, "{\"refund_ref\":\"VIR-1\"}", NULL);
	json_decref(itest_expect(&r, 409));
	call(&r, "POST", resolve, buyer.auth, "{\"refund_ref\":\"VIR-1\"}", NULL);
	json_decref(itest_expect(&r, 404));
	call(&r, "GET", "/late-payments", buyer.auth, NULL, NULL);
	json_decref(itest_expect(&r, 404));
	/* the transactions list shows it on its checkout */
	call(&r, "GET", "/transactions?status=expired", admin.auth, NULL, NULL);
	json_t *tx = itest_expect(&r, 200);
	bool shown = false;
	json_array_foreach(json_object_get(tx, "items"), i, it) if (!strcmp(itest_jstr(it, "id"), co)) shown =
	    json_array_size(json_object_get(it, "late_payments")) == 1;
	ck_assert(shown);
	json_decref(tx);
	/* the export has the money in and out; the daily totals are the sum of its rows */
	ck_assert_str_eq(itest_sql1(pay_pg,
	                            "SELECT count(*) FROM late_payments l WHERE l.checkout_id = $1::uuid"
	                            " AND l.refunded_at IS NOT NULL",
	                            1, p),
	                 "1");
	call(&r, "GET", "/exports/transactions.csv?from=2020-01-01&to=2099-12-31", admin.auth, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "late_payment"));
	ck_assert_ptr_nonnull(strstr(r.body, "late_refund"));
	itest_resp_free(&r);
	ck_assert_str_eq(itest_sql1(pay_pg, "SELECT count(*) FROM tickets WHERE event_id = $1::uuid", 1, ep),
	                 "0");
	/* an expired hold cannot be paid */
	lc_uuid_v4(key);
	snprintf(hk, sizeof(hk), "Idempotency-Key: %s", key);
	call(&r, "POST", "/checkouts", buyer.auth, body, hk);
	json_decref(itest_expect(&r, 409));
	json_decref(h1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("payment_tickets");
	TCase *tc = tcase_create("tickets");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, capacity_under_concurrency);
	tcase_add_test(tc, paid_tickets_verify_once_and_refund);
	tcase_add_test(tc, expiry_frees_holds_and_waiting_list);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

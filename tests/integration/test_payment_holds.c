/* test_payment_holds.c — paid holds decided in batches (hold_batch.c): one batch with the sum
 * that fits, one where it does not (the one-by-one fallback in arrival order), the refusals a
 * batch shares with single holds; then 200 concurrent buyers of mixed quantities for 50 paid
 * seats: never more than the capacity, the counter equal to the holds recorded, per-order limit
 * kept, and every seat sellable to the last one. */
#include <check.h>
#include <pthread.h>

#include "civitas/db.h"

#include "payment.h"
#include "test_payment_itest.h"

static struct person admin;
static char event_id[37];

static void setup(void)
{
	pay_start();
	person_make(&admin, "admin", "admin", NULL);
	event_make("Récital de test", event_id);
}

static void teardown(void)
{
	pay_stop();
}

static void ticketing(const char *open, const char *categories)
{
	char path[96], body[1024];
	snprintf(path, sizeof(path), "/ticketing/%s", event_id);
	snprintf(body, sizeof(body),
	         "{\"sales_open_at\":\"%s\",\"sales_close_at\":\"2099-01-01T00:00:00Z\","
	         "\"per_order_limit\":4,\"categories\":%s}",
	         open, categories);
	struct itest_resp r;
	call(&r, "PUT", path, admin.auth, body, NULL);
	json_decref(itest_expect(&r, 200));
}

/* "held/sold/capacity" of a category of the event, and the seats its active holds record. */
static const char *counters(const char *label)
{
	static char out[64];
	const char *p[] = {event_id, label};
	snprintf(out, sizeof(out), "%s",
	         itest_sql1(pay_pg,
	                    "SELECT c.held || '/' || c.sold || '/' || c.capacity || ' holds ' ||"
	                    " coalesce((SELECT sum(h.quantity) FROM holds h WHERE h.category_id = c.id"
	                    " AND h.status = 'active'), 0) FROM ticket_categories c"
	                    " WHERE c.event_id = $1::uuid AND c.label = $2",
	                    2, p));
	return out;
}

/* Requests of one batch, as the handler fills them. */
static void req(struct pay_hold_req *q, const char *label, int64_t qty, char user[37])
{
	lc_uuid_v4(user);
	*q = (struct pay_hold_req){
	    .event_id = event_id, .label = label, .user_id = user, .holder = "Auditeur", .qty = qty};
}

static void decide(struct pay_hold_req *q, size_t n)
{
	void *items[16];
	for (size_t i = 0; i < n; i++)
		items[i] = &q[i];
	pay_holds_decide(lc_db_thread(), items, n);
}

START_TEST(batch_grants_the_sum_or_falls_back_in_order)
{
	ticketing("2026-01-01T00:00:00Z", "[{\"label\":\"Parterre\",\"price_cents\":1500,\"capacity\":8},"
	                                  "{\"label\":\"Balcon\",\"price_cents\":900,\"capacity\":5},"
	                                  "{\"label\":\"Libre\",\"price_cents\":0,\"capacity\":5}]");
	struct pay_hold_req q[9];
	char users[9][37];
	/* One batch over three categories and an unknown one: the sum of Parterre (2+3) fits, the
	 * limit refuses 5 seats; Balcon's 2+2+2+1 = 7 > 5 goes one by one: 2, 2, then 2 does not
	 * fit in the 1 left and the 1 behind it does; the free category goes back to the handler. */
	req(&q[0], "Parterre", 2, users[0]);
	req(&q[1], "Balcon", 2, users[1]);
	req(&q[2], "Parterre", 5, users[2]);
	req(&q[3], "Balcon", 2, users[3]);
	req(&q[4], "Parterre", 3, users[4]);
	req(&q[5], "Balcon", 2, users[5]);
	req(&q[6], "Balcon", 1, users[6]);
	req(&q[7], "Libre", 1, users[7]);
	req(&q[8], "Libre", 2, users[8]);
	decide(q, 9);
	ck_assert_int_eq(q[0].result, PAY_HOLD_GRANTED);
	ck_assert_int_eq(q[2].result, PAY_HOLD_OVER_LIMIT);
	ck_assert_int_eq(q[4].result, PAY_HOLD_GRANTED);
	ck_assert_int_eq(q[1].result, PAY_HOLD_GRANTED);
	ck_assert_int_eq(q[3].result, PAY_HOLD_GRANTED);
	ck_assert_int_eq(q[5].result, PAY_HOLD_NO_SEATS);
	ck_assert_int_eq(q[6].result, PAY_HOLD_GRANTED);
	ck_assert_int_eq(q[7].result, PAY_HOLD_FREE);
	ck_assert_int_eq(q[8].result, PAY_HOLD_FREE);
	ck_assert_int_eq(strlen(q[7].category), 36);
	/* each granted request gets its own hold, with its quantity, for its user */
	for (int i = 0; i < 7; i++) {
		if (q[i].result != PAY_HOLD_GRANTED)
			continue;
		json_t *h = json_loads(q[i].body, 0, NULL);
		ck_assert_ptr_nonnull(h);
		ck_assert_str_eq(itest_jstr(h, "id"), q[i].hold_id);
		ck_assert_int_eq(jint(h, "quantity"), q[i].qty);
		ck_assert_str_eq(itest_jstr(h, "category"), q[i].label);
		ck_assert_str_eq(itest_jstr(h, "status"), "active");
		json_decref(h);
		const char *p[] = {q[i].hold_id};
		char want[64];
		snprintf(want, sizeof(want), "%.36s %lld", users[i], (long long)q[i].qty);
		ck_assert_str_eq(
		    itest_sql1(pay_pg,
		               "SELECT user_id::text || ' ' || quantity FROM holds WHERE id = $1::uuid", 1,
		               p),
		    want);
		free(q[i].body);
	}
	ck_assert_str_eq(counters("Parterre"), "5/0/8 holds 5");
	ck_assert_str_eq(counters("Balcon"), "5/0/5 holds 5");
	ck_assert_str_eq(counters("Libre"), "0/0/5 holds 0");
	/* no such category: every request of its group says so */
	req(&q[0], "Loges", 1, users[0]);
	req(&q[1], "Loges", 2, users[1]);
	decide(q, 2);
	ck_assert_int_eq(q[0].result, PAY_HOLD_NO_CATEGORY);
	ck_assert_int_eq(q[1].result, PAY_HOLD_NO_CATEGORY);
	/* sold out: a whole batch refused, nothing written */
	req(&q[0], "Balcon", 1, users[0]);
	req(&q[1], "Balcon", 1, users[1]);
	decide(q, 2);
	ck_assert_int_eq(q[0].result, PAY_HOLD_NO_SEATS);
	ck_assert_int_eq(q[1].result, PAY_HOLD_NO_SEATS);
	ck_assert_str_eq(counters("Balcon"), "5/0/5 holds 5");
}
END_TEST

START_TEST(batch_respects_the_sales_window)
{
	ticketing("2098-01-01T00:00:00Z", "[{\"label\":\"Parterre\",\"price_cents\":1500,\"capacity\":8}]");
	struct pay_hold_req q[2];
	char users[2][37];
	req(&q[0], "Parterre", 1, users[0]);
	req(&q[1], "Parterre", 2, users[1]);
	decide(q, 2);
	ck_assert_int_eq(q[0].result, PAY_HOLD_NOT_YET);
	ck_assert_int_eq(q[1].result, PAY_HOLD_NOT_YET);
	ck_assert_str_eq(counters("Parterre"), "0/0/8 holds 0");
}
END_TEST

struct buyer {
	char auth[4200];
	int qty;
	long status;
	long granted; /* quantity in the 201 answer */
};

static void *buy(void *arg)
{
	struct buyer *b = arg;
	char body[256];
	snprintf(
	    body, sizeof(body),
	    "{\"event_id\":\"%s\",\"category\":\"Orchestre\",\"quantity\":%d,\"holder_name\":\"Acheteur\"}",
	    event_id, b->qty);
	const char *h[] = {b->auth, "Content-Type: application/json", NULL};
	struct itest_resp r;
	if (itest_http("POST", pay_url("/holds"), h, body, strlen(body), &r) == 0) {
		b->status = r.status;
		if (r.status == 201) {
			json_t *j = itest_json(&r);
			b->granted = (long)jint(j, "quantity");
			json_decref(j);
		}
	}
	itest_resp_free(&r);
	return NULL;
}

START_TEST(mixed_quantities_under_concurrency)
{
	ticketing("2026-01-01T00:00:00Z", "[{\"label\":\"Orchestre\",\"price_cents\":2500,\"capacity\":50}]");
	enum { N = 200 };
	static struct buyer b[N];
	pthread_t t[N];
	char sub[37];
	for (int i = 0; i < N; i++) {
		lc_uuid_v4(sub);
		snprintf(b[i].auth, sizeof(b[i].auth), "%s", itest_bearer(sub, "citizen", NULL));
		b[i].qty = 1 + i % 5; /* 1 to 5 seats; 5 is above the per-order limit of 4 */
		b[i].status = b[i].granted = 0;
	}
	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, buy, &b[i]);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	long seats = 0;
	for (int i = 0; i < N; i++) {
		if (b[i].qty > 4)
			ck_assert_msg(b[i].status == 422, "buyer %d (5 seats) got %ld", i, b[i].status);
		else if (b[i].status == 201) {
			ck_assert_int_eq(b[i].granted, b[i].qty);
			seats += b[i].granted;
		} else
			ck_assert_msg(b[i].status == 409, "buyer %d got %ld", i, b[i].status);
	}
	ck_assert_int_le(seats, 50);
	char want[64];
	snprintf(want, sizeof(want), "%ld/0/50 holds %ld", seats, seats);
	ck_assert_str_eq(counters("Orchestre"), want);
	/* whatever is left is still for sale, seat by seat, and not one more */
	struct itest_resp r;
	char body[256];
	snprintf(
	    body, sizeof(body),
	    "{\"event_id\":\"%s\",\"category\":\"Orchestre\",\"quantity\":1,\"holder_name\":\"Dernier\"}",
	    event_id);
	for (long left = 50 - seats; left > 0; left--) {
		call(&r, "POST", "/holds", b[0].auth, body, NULL);
		json_decref(itest_expect(&r, 201));
	}
	call(&r, "POST", "/holds", b[0].auth, body, NULL);
	json_decref(itest_expect(&r, 409));
	ck_assert_str_eq(counters("Orchestre"), "50/0/50 holds 50");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("payment_holds");
	TCase *tc = tcase_create("batches");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, batch_grants_the_sum_or_falls_back_in_order);
	tcase_add_test(tc, batch_respects_the_sales_window);
	tcase_add_test(tc, mixed_quantities_under_concurrency);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

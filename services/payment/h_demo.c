/* h_demo.c — POST /internal/v1/demo: the régie of the demo town, seeded once (running it again
 * changes nothing): two price grids, the demo family's canteen invoice priced from its verified
 * quotient familial and its leisure-centre invoice, one invoice paid last month with its receipt,
 * and ticketing for three events of the agenda (a concert with two categories and 120 seats, a
 * free storytelling session, and the young-audience show nearly sold out at the desk — one seat
 * left — with the demo family waiting for two seats together: refunding one ticket offers them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/log.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "payment.h"

#define DEMO_EMAIL   "citoyen@example.org"
#define COUNTER_USER "00000000-0000-4000-8000-000000000001" /* seats sold at the town hall's desk */

static const char *const grids[][4] = {
    {"cantine", "Restauration scolaire (repas)",
     "[{\"qf_max\":500,\"price_cents\":120},{\"qf_max\":800,\"price_cents\":250},"
     "{\"qf_max\":1200,\"price_cents\":380}]",
     "520"},
    {"accueil-loisirs", "Accueil de loisirs (journée)",
     "[{\"qf_max\":500,\"price_cents\":400},{\"qf_max\":800,\"price_cents\":650},"
     "{\"qf_max\":1200,\"price_cents\":900}]",
     "1200"},
    {"conservatoire", "Conservatoire (trimestre)",
     "[{\"qf_max\":600,\"price_cents\":4500},{\"qf_max\":1000,\"price_cents\":7500}]", "11000"},
};

struct demo_ctx {
	const char *household, *user;
	json_t *hh;
	json_t *events; /* slug → {id, title, starts_at} */
	char month[32], last_month[32], due[11];
};

static int demo_invoice(struct lc_db *db, struct demo_ctx *c, const char *key, const char *label,
                        const char *lines, bool paid)
{
	json_t *l = json_loads(lines, 0, NULL);
	struct pay_invoice_in in = {.household_id = c->household,
	                            .label = label,
	                            .due_date = c->due,
	                            .source = "demo",
	                            .source_service = "demo",
	                            .source_key = key,
	                            .request_hash = "",
	                            .lines = l,
	                            .household = c->hh,
	                            .notify = false};
	json_t *priced, *pricing, *errors = json_array(), *out = NULL;
	int64_t total;
	int rc = pay_price_lines(db, &in, "lines", errors, &priced, &pricing, &total);
	bool same;
	if (rc == 0)
		rc = pay_invoice_insert(db, &in, priced, pricing, total, &out, &same);
	json_decref(l);
	json_decref(errors);
	json_decref(priced);
	json_decref(pricing);
	if (rc == 1) { /* seeded already */
		json_decref(out);
		return 0;
	}
	if (rc != 0 || !out)
		return -1;
	if (paid) {
		/* Paid last month through the sandbox: a succeeded checkout, as a real payment leaves. */
		char tot[24], key2[80];
		snprintf(tot, sizeof(tot), "%lld", (long long)total);
		snprintf(key2, sizeof(key2), "demo-%s", key);
		const char *p[] = {c->user, c->household, key2, "demo", "sandbox", tot, "20"};
		PGresult *r = lc_db_exec(db, "co_insert", 7, p);
		if (!r) {
			json_decref(out);
			return -1;
		}
		char co[37];
		snprintf(co, sizeof(co), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		const char *a[] = {co, json_string_value(json_object_get(out, "id")), tot};
		rc = lc_db_run(db, "co_add_invoice", 3, a) == 1 ? 0 : -1;
		if (rc == 0)
			rc = pay_settle_success(db, co, "SBX-DEMO-0001", total);
		const char *b[] = {co, json_string_value(json_object_get(out, "id"))};
		if (rc == 0 && lc_db_run(db, "demo_backdate", 2, b) < 0)
			rc = -1;
	}
	json_decref(out);
	return rc;
}

/* Ticketing for an agenda event by slug: categories [[label, price, capacity]...], `sold` seats of
 * the first category sold at the desk, and the demo family waiting for `waiting` seats of it. */
static int demo_ticketing(struct lc_db *db, struct demo_ctx *c, const char *slug, const char *cats, int sold,
                          int waiting)
{
	json_t *ev = json_object_get(c->events, slug);
	if (!ev)
		return 0; /* the agenda does not have it: nothing to sell */
	const char *id = json_string_value(json_object_get(ev, "id"));
	const char *g[] = {id};
	bool failed;
	json_t *existing = lc_db_json(db, "tev_get", 1, g, &failed);
	if (failed)
		return -1;
	if (existing) {
		json_decref(existing);
		return 0;
	}
	const char *p[] = {id,
	                   json_string_value(json_object_get(ev, "title")) ?: slug,
	                   json_string_value(json_object_get(ev, "starts_at")) ?: "",
	                   "2026-01-01T00:00:00Z",
	                   json_string_value(json_object_get(ev, "starts_at")) ?: "2099-01-01T00:00:00Z",
	                   "6"};
	if (lc_db_run(db, "tev_upsert", 6, p) != 1)
		return -1;
	json_t *list = json_loads(cats, 0, NULL);
	size_t i;
	json_t *cat;
	int rc = 0;
	json_array_foreach(list, i, cat)
	{
		char price[24], cap[16], pos[24];
		snprintf(price, sizeof(price), "%lld", (long long)json_integer_value(json_array_get(cat, 1)));
		snprintf(cap, sizeof(cap), "%lld", (long long)json_integer_value(json_array_get(cat, 2)));
		snprintf(pos, sizeof(pos), "%zu", i);
		const char *q[] = {id, json_string_value(json_array_get(cat, 0)), price, cap, pos};
		if (lc_db_run(db, "cat_upsert", 5, q) != 1)
			rc = -1;
	}
	if (rc == 0 && sold > 0) {
		const char *f[] = {id, json_string_value(json_array_get(json_array_get(list, 0), 0))};
		PGresult *r = lc_db_exec(db, "cat_find", 2, f);
		if (!r || PQntuples(r) != 1)
			rc = -1;
		char catid[37] = "", q[12];
		if (rc == 0)
			snprintf(catid, sizeof(catid), "%s", PQgetvalue(r, 0, 0));
		if (r)
			PQclear(r);
		snprintf(q, sizeof(q), "%d", sold);
		const char *s[] = {catid, q};
		const char *h[] = {COUNTER_USER, catid, q, "Vente au guichet", "paid", "15"};
		PGresult *hr = rc == 0 && lc_db_run(db, "cat_sell_direct", 2, s) == 1
		                   ? lc_db_exec(db, "hold_insert", 6, h)
		                   : NULL;
		if (!hr)
			rc = -1;
		else {
			char hold[37];
			snprintf(hold, sizeof(hold), "%s", PQgetvalue(hr, 0, 0));
			PQclear(hr);
			rc = pay_issue_tickets(db, hold, NULL);
		}
		snprintf(q, sizeof(q), "%d", waiting);
		const char *w[] = {catid, c->user, q};
		PGresult *wr = rc == 0 && waiting > 0 && c->user ? lc_db_exec(db, "wl_join", 3, w) : NULL;
		if (wr)
			PQclear(wr);
		else if (rc == 0 && waiting > 0 && c->user)
			rc = -1;
	}
	json_decref(list);
	return rc;
}

static enum lc_tx_result demo_tx(struct lc_db *db, void *arg)
{
	struct demo_ctx *c = arg;
	for (size_t i = 0; i < sizeof(grids) / sizeof(grids[0]); i++) {
		const char *g[] = {grids[i][0]};
		PGresult *r = lc_db_exec(db, "grid_get", 1, g);
		if (!r)
			return LC_TX_ERROR;
		int n = PQntuples(r);
		PQclear(r);
		if (n == 0 && lc_db_run(db, "grid_upsert_plain", 4, grids[i]) != 1)
			return LC_TX_ERROR;
	}
	if (c->household) {
		char label[120], key[64];
		snprintf(label, sizeof(label), "Restauration scolaire — %s", c->month);
		snprintf(key, sizeof(key), "cantine-%s", c->month);
		if (demo_invoice(db, c, key, label,
		                 "[{\"label\":\"Repas à la cantine\",\"quantity\":15,\"grid\":\"cantine\"}]",
		                 false) != 0)
			return LC_TX_ERROR;
		snprintf(key, sizeof(key), "loisirs-%s", c->month);
		if (demo_invoice(db, c, key, "Accueil de loisirs — mercredis",
		                 "[{\"label\":\"Mercredis à l'accueil de loisirs\",\"quantity\":4,"
		                 "\"grid\":\"accueil-loisirs\"}]",
		                 false) != 0)
			return LC_TX_ERROR;
		snprintf(label, sizeof(label), "Restauration scolaire — %s", c->last_month);
		snprintf(key, sizeof(key), "cantine-%s", c->last_month);
		if (demo_invoice(db, c, key, label,
		                 "[{\"label\":\"Repas à la cantine\",\"quantity\":14,\"grid\":\"cantine\"}]",
		                 true) != 0)
			return LC_TX_ERROR;
	}
	if (demo_ticketing(db, c, "concert-orchestre-harmonie",
	                   "[[\"Plein tarif\",1200,80],[\"Tarif réduit (moins de 18 ans)\",600,40]]", 0,
	                   0) != 0 ||
	    demo_ticketing(db, c, "heure-du-conte", "[[\"Gratuit, sur inscription\",0,20]]", 0, 0) != 0 ||
	    demo_ticketing(db, c, "spectacle-theatre-jeune-public", "[[\"Place unique\",800,50]]", 49, 2) !=
	        0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

static void fetch_event(struct demo_ctx *c, const char *slug)
{
	char path[160];
	snprintf(path, sizeof(path), "/api/content/v1/events/%s", slug);
	struct lc_http_resp resp;
	lc_internal_call("content", "GET", path, NULL, NULL, &resp);
	if (resp.status == 200 && resp.json && json_is_string(json_object_get(resp.json, "id")))
		json_object_set(c->events, slug, resp.json);
	lc_http_resp_free(&resp);
}

int h_demo(struct lc_request *rq)
{
	struct demo_ctx c = {.events = json_object()};
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	static const char *const months[] = {"janvier",   "février", "mars",     "avril",
	                                     "mai",       "juin",    "juillet",  "août",
	                                     "septembre", "octobre", "novembre", "décembre"};
	snprintf(c.month, sizeof(c.month), "%s %d", months[tm.tm_mon], tm.tm_year + 1900);
	int lm = tm.tm_mon == 0 ? 11 : tm.tm_mon - 1,
	    ly = tm.tm_mon == 0 ? tm.tm_year + 1899 : tm.tm_year + 1900;
	snprintf(c.last_month, sizeof(c.last_month), "%s %d", months[lm], ly);
	time_t due = t + 20 * 86400;
	gmtime_r(&due, &tm);
	strftime(c.due, sizeof(c.due), "%Y-%m-%d", &tm);
	json_t *u = NULL, *hh = NULL;
	long st = pay_account_get(rq, "/internal/v1/users?email=" DEMO_EMAIL, &u);
	const char *hid = u ? json_string_value(json_object_get(u, "household_id")) : NULL;
	if (st == 200 && hid) {
		char path[96];
		snprintf(path, sizeof(path), "/internal/v1/households/%s", hid);
		st = pay_account_get(rq, path, &hh);
		if (st == 200) {
			c.household = hid;
			c.user = json_string_value(json_object_get(u, "id"));
			c.hh = hh;
		}
	}
	if (st != 200 && st != 404) {
		json_decref(u);
		json_decref(hh);
		json_decref(c.events);
		return pay_account_unavailable(rq);
	}
	fetch_event(&c, "concert-orchestre-harmonie");
	fetch_event(&c, "heure-du-conte");
	fetch_event(&c, "spectacle-theatre-jeune-public");
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), demo_tx, &c);
	json_t *body = json_pack("{s:b, s:i}", "household", c.household != NULL, "ticketed_events",
	                         (int)json_object_size(c.events));
	json_decref(u);
	json_decref(hh);
	json_decref(c.events);
	if (tx != LC_TX_COMMIT) {
		json_decref(body);
		return lc_db_fail_reply(rq);
	}
	return lc_reply_json(rq, 200, body);
}

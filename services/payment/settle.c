/* settle.c — what happens to invoices and seats when money moves: a verified payment marks the
 * invoices paid and turns holds into tickets; a dead checkout frees its holds; freed seats go to
 * the waiting list. Everything runs in the caller's transaction, with events in the outbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/crypto.h"
#include "civitas/log.h"
#include "civitas/outbox.h"

#include "payment.h"

int pay_issue_tickets(struct lc_db *db, const char *hold_id, const char *checkout_id)
{
	const char *p[] = {hold_id};
	PGresult *r = lc_db_exec(db, "hold_for_tickets", 1, p);
	if (!r || PQntuples(r) != 1) {
		if (r)
			PQclear(r);
		return -1;
	}
	char user[37], cat[37], holder[256], event[37], price[24];
	snprintf(user, sizeof(user), "%s", PQgetvalue(r, 0, 0));
	snprintf(cat, sizeof(cat), "%s", PQgetvalue(r, 0, 1));
	int qty = atoi(PQgetvalue(r, 0, 2));
	snprintf(holder, sizeof(holder), "%s", PQgetvalue(r, 0, 3));
	snprintf(event, sizeof(event), "%s", PQgetvalue(r, 0, 4));
	snprintf(price, sizeof(price), "%s", PQgetvalue(r, 0, 5));
	PQclear(r);
	for (int i = 0; i < qty; i++) {
		char id[37], code[96];
		lc_uuid_v4(id);
		pay_ticket_code(id, code);
		const char *q[] = {id,   code,   event, cat, hold_id, checkout_id ? checkout_id : "",
		                   user, holder, price};
		if (lc_db_run(db, "ticket_insert", 9, q) != 1)
			return -1;
		json_t *ev = json_pack("{s:s, s:s, s:s, s:s}", "ticket_id", id, "event_id", event,
		                       "category_id", cat, "user_id", user);
		int rc = ev ? lc_outbox_emit(db, "ticket.issued", ev, NULL) : -1;
		json_decref(ev);
		if (rc != 0)
			return -1;
	}
	json_t *d = json_pack("{s:i}", "quantity", qty);
	int rc = d ? pay_notify_user(db, user, "tickets_issued", d, "/billets.html") : -1;
	json_decref(d);
	return rc;
}

/* What settling does to one row of a checkout: row i of `list` (its first column the id), `step`
 * the answer of the statement run on that id. 0 or -1. */
typedef int (*settle_row_fn)(struct lc_db *db, const char *checkout_id, PGresult *list, int i, PGresult *step,
                             void *ctx);

/* The checkout's invoices or holds, one at a time: list_stmt($1 = checkout) names them, step_stmt
 * changes each one (by its id), fn does what follows. Stops at the first failure. 0 or -1. */
static int settle_each(struct lc_db *db, const char *checkout_id, const char *list_stmt,
                       const char *step_stmt, settle_row_fn fn, void *ctx)
{
	const char *p[] = {checkout_id};
	PGresult *r = lc_db_exec(db, list_stmt, 1, p);
	if (!r)
		return -1;
	int rc = 0;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		const char *sp[] = {PQgetvalue(r, i, 0)};
		PGresult *u = lc_db_exec(db, step_stmt, 1, sp);
		if (!u)
			rc = -1;
		else {
			rc = fn(db, checkout_id, r, i, u, ctx);
			PQclear(u);
		}
	}
	PQclear(r);
	return rc;
}

/* One invoice of the checkout turned paid (u: the paid row, or none): its event and the
 * household's notification; its id goes to the json array ctx. */
static int invoice_paid(struct lc_db *db, const char *checkout_id, PGresult *r, int i, PGresult *u, void *ctx)
{
	const char *invoice_id = PQgetvalue(r, i, 0);
	if (PQntuples(u) == 0) {
		/* Cannot happen while checkouts lock their invoices; kept loud for the treasury. */
		lc_error("checkout %s paid invoice %s which was no longer open", checkout_id, invoice_id);
		return 0;
	}
	json_array_append_new(ctx, json_string(invoice_id));
	char amount[32];
	int64_t cents = strtoll(PQgetvalue(u, 0, 2), NULL, 10);
	pay_euros(cents, amount, sizeof(amount));
	json_t *ev = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "invoice_id", invoice_id, "number",
	                       PQgetvalue(u, 0, 0), "household_id", PQgetvalue(u, 0, 1), "amount_cents",
	                       (json_int_t)cents, "checkout_id", checkout_id, "source_service",
	                       PQgetvalue(u, 0, 4), "source_key", PQgetvalue(u, 0, 5));
	json_t *d = json_pack("{s:s, s:s, s:s}", "number", PQgetvalue(u, 0, 0), "label", PQgetvalue(u, 0, 3),
	                      "amount", amount);
	int rc = 0;
	if (!ev || !d || lc_outbox_emit(db, "invoice.paid", ev, NULL) != 0 ||
	    pay_notify_household(db, PQgetvalue(u, 0, 1), "invoice_paid", d, "/factures.html") != 0)
		rc = -1;
	json_decref(ev);
	json_decref(d);
	return rc;
}

/* One hold of the checkout marked paid (u: one row if it was still active): its seats sold and
 * its tickets issued; ctx counts the tickets. */
static int hold_paid(struct lc_db *db, const char *checkout_id, PGresult *r, int i, PGresult *u, void *ctx)
{
	const char *cp[] = {PQgetvalue(r, i, 1), PQgetvalue(r, i, 2)};
	if (PQntuples(u) == 1) {
		if (lc_db_run(db, "cat_sell", 2, cp) != 1)
			return -1;
	} else {
		/* The hold was released (the sweeper won a race): take the seats again if they are
		 * free. */
		int got = lc_db_run(db, "cat_sell_direct", 2, cp);
		if (got < 0)
			return -1;
		if (got == 0) {
			lc_error("checkout %s paid for seats that are gone: refund needed", checkout_id);
			return 0;
		}
	}
	if (pay_issue_tickets(db, PQgetvalue(r, i, 0), checkout_id) != 0)
		return -1;
	*(int *)ctx += atoi(PQgetvalue(r, i, 2));
	return 0;
}

/* One hold of a dead checkout released (u: one row if it was still active): its seats go back to
 * the category, then to the waiting list. */
static int hold_released(struct lc_db *db, const char *checkout_id, PGresult *r, int i, PGresult *u,
                         void *ctx)
{
	(void)checkout_id;
	(void)ctx;
	const char *cp[] = {PQgetvalue(r, i, 1), PQgetvalue(r, i, 2)};
	if (PQntuples(u) == 1 &&
	    (lc_db_run(db, "cat_unhold", 2, cp) != 1 || pay_offer_waiting(db, cp[0]) != 0))
		return -1;
	return 0;
}

int pay_settle_success(struct lc_db *db, const char *checkout_id, const char *provider_ref,
                       int64_t amount_cents)
{
	const char *sp[] = {checkout_id, "succeeded", provider_ref ? provider_ref : ""};
	if (lc_db_run(db, "co_set_status", 3, sp) != 1)
		return -1;
	json_t *invoice_ids = json_array();
	int tickets = 0;
	int rc = settle_each(db, checkout_id, "co_invoices", "inv_pay", invoice_paid, invoice_ids);
	if (rc == 0)
		rc = settle_each(db, checkout_id, "co_holds", "hold_paid", hold_paid, &tickets);
	if (rc == 0) {
		json_t *ev =
		    json_pack("{s:s, s:O, s:i, s:s, s:I}", "checkout_id", checkout_id, "invoice_ids",
		              invoice_ids, "tickets", tickets, "provider_ref",
		              provider_ref ? provider_ref : "", "amount_cents", (json_int_t)amount_cents);
		rc = ev ? lc_outbox_emit(db, "payment.succeeded", ev, NULL) : -1;
		json_decref(ev);
	}
	json_decref(invoice_ids);
	return rc;
}

int pay_release_checkout_holds(struct lc_db *db, const char *checkout_id)
{
	return settle_each(db, checkout_id, "co_holds", "hold_release", hold_released, NULL);
}

int pay_offer_waiting(struct lc_db *db, const char *category_id)
{
	const char *p[] = {category_id};
	PGresult *r = lc_db_exec(db, "cat_free_lock", 1, p);
	if (!r)
		return -1;
	int free_seats = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	while (free_seats > 0) {
		r = lc_db_exec(db, "wl_next", 1, p);
		if (!r)
			return -1;
		if (PQntuples(r) == 0 || atoi(PQgetvalue(r, 0, 2)) > free_seats) {
			PQclear(
			    r); /* first come, first served: the head of the queue waits for enough seats */
			return 0;
		}
		char wid[37], user[37], qty[12], holder[256], ttl[8];
		snprintf(wid, sizeof(wid), "%s", PQgetvalue(r, 0, 0));
		snprintf(user, sizeof(user), "%s", PQgetvalue(r, 0, 1));
		snprintf(qty, sizeof(qty), "%s", PQgetvalue(r, 0, 2));
		snprintf(holder, sizeof(holder), "%s",
		         PQgetvalue(r, 0, 3)[0] ? PQgetvalue(r, 0, 3) : "Titulaire");
		PQclear(r);
		snprintf(ttl, sizeof(ttl), "%d", PAY_OFFER_TTL_MIN);
		const char *rp[] = {category_id, qty};
		if (lc_db_run(db, "cat_reserve", 2, rp) != 1)
			return -1;
		const char *hp[] = {user, category_id, qty, holder, "active", ttl};
		r = lc_db_exec(db, "hold_insert", 6, hp);
		if (!r)
			return -1;
		char hold[37];
		snprintf(hold, sizeof(hold), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		const char *op[] = {wid, hold};
		if (lc_db_run(db, "wl_offer", 2, op) != 1)
			return -1;
		r = lc_db_exec(db, "cat_event", 1, p);
		if (!r)
			return -1;
		json_t *d =
		    json_pack("{s:s, s:s, s:i, s:i, s:s}", "event", PQntuples(r) ? PQgetvalue(r, 0, 2) : "",
		              "category", PQntuples(r) ? PQgetvalue(r, 0, 1) : "", "quantity", atoi(qty),
		              "minutes", PAY_OFFER_TTL_MIN, "hold_id", hold);
		PQclear(r);
		int rc = d ? pay_notify_user(db, user, "waiting_list_offer", d, "/billets.html") : -1;
		json_decref(d);
		if (rc != 0)
			return -1;
		free_seats -= atoi(qty);
	}
	return 0;
}

/* payment.h — what the payment files share: the SQL table, roles, calls to account, derived
 * keys, and the cores that create invoices, apply a verified payment and offer freed seats.
 * Transactions decide into libcommon's struct lc_outcome (docs/architecture.md, "How to write a
 * handler"). */
#ifndef CIVITAS_PAYMENT_PAYMENT_H
#define CIVITAS_PAYMENT_PAYMENT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "civitas/db.h"
#include "civitas/outcome.h"

struct lc_request;

extern const struct lc_sql pay_statements[];

#define PAY_CHECKOUT_TTL_MIN 20 /* unpaid checkouts expire and free their holds */
#define PAY_HOLD_TTL_MIN     15 /* a hold keeps seats this long before a checkout */
#define PAY_OFFER_TTL_MIN    60 /* a waiting-list offer: time to accept */
#define PAY_MAX_LINES        50
#define PAY_MAX_CENTS        100000000 /* 1,000,000.00 EUR: no invoice or price above */

/* {"items": [...]} of the rows' first column (JSON text), or the database's problem when r is
 * NULL. Clears r. */
int pay_reply_rows(struct lc_request *rq, PGresult *r);

/* Roles. Treasury: admins and agents of the "regie" service (the town's treasury). */
bool pay_is_treasury(const struct lc_request *rq);
bool pay_is_agent(const struct lc_request *rq);      /* agent, editor or admin: door checks */
const char *pay_caller(const struct lc_request *rq); /* sub, "" when anonymous */
int pay_not_found(struct lc_request *rq);

/* Calls to civitas-account's internal API: the HTTP status (0 when unreachable); *out gets the
 * body on 200 (new ref). */
long pay_account_get(struct lc_request *rq, const char *path, json_t **out);
/* The caller's household id into out (37 bytes). Returns 200, 404 (no household), 0/5xx. */
long pay_caller_household(struct lc_request *rq, char out[37]);
/* Replies 503 (account unreachable) and returns LC_REPLIED. */
int pay_account_unavailable(struct lc_request *rq);

/* Keys derived from the internal secret (never stored): "sandbox" (the sandbox shop key),
 * "ticket" (ticket codes), "pay" (the pay-page link token). out gets 64 hex chars. */
void pay_derived_key(const char *purpose, char out[65]);
/* Link token for the pay page of a checkout (32 hex chars + NUL). */
void pay_link_token(const char *checkout_id, char out[33]);

/* Outbox: a notification to every adult of a household, or to one user. data is borrowed. */
int pay_notify_household(struct lc_db *db, const char *household_id, const char *tmpl, json_t *data,
                         const char *link);
int pay_notify_user(struct lc_db *db, const char *user_id, const char *tmpl, json_t *data, const char *link);
/* Outbox delivery of notify.* rows (pay_outbox.c). */
int pay_deliver_notify(const char *topic, const json_t *event, char *err, size_t errlen);
/* Outbox delivery of the sandbox's server-to-server notification (sandbox.ipn). */
int pay_deliver_sandbox_ipn(const char *topic, const json_t *event, char *err, size_t errlen);

/* Formats cents as "12,50 €" (French) into out. */
void pay_euros(int64_t cents, char *out, size_t outlen);

/* --- invoices (invoice_core.c) --- */
struct pay_invoice_in {
	const char *household_id, *label, *due_date, *source, *source_service, *source_key, *created_by;
	json_t *lines;     /* [{label, quantity, unit_cents?, grid?, member_id?}] borrowed */
	json_t *household; /* account's Household (for grid pricing), borrowed; may be NULL */
	const char *request_hash;
	bool notify;
};
/* Prices and checks the lines (errors listed with a field prefix) without touching the
 * database except to read grids. Returns 0 ok, 1 invalid (errors filled), -1 db failure.
 * *priced gets the lines with unit_cents set (new ref), *pricing the basis (new ref or NULL). */
int pay_price_lines(struct lc_db *db, const struct pay_invoice_in *in, const char *prefix, json_t *errors,
                    json_t **priced, json_t **pricing, int64_t *total);
/* Inside the caller's transaction: numbers (counter row locked) and inserts the invoice, emits
 * invoice.created and the notification. *out gets the invoice JSON (new ref).
 * Returns 0, 1 when source_key already exists (out = the existing invoice, *same_body says
 * whether its hash matches), -1 on error. */
int pay_invoice_insert(struct lc_db *db, const struct pay_invoice_in *in, json_t *priced, json_t *pricing,
                       int64_t total, json_t **out, bool *same_body);

/* --- payments (settle.c) --- */
/* Applies a verified successful payment to a locked checkout: invoices paid, holds turned into
 * tickets, events and notifications. Returns 0 or -1. */
int pay_settle_success(struct lc_db *db, const char *checkout_id, const char *provider_ref,
                       int64_t amount_cents);
/* Releases the active holds of a checkout (expired, failed) and offers the seats. 0 or -1. */
int pay_release_checkout_holds(struct lc_db *db, const char *checkout_id);
/* Offers freed seats of a category to the waiting list (holds for the next people). 0 or -1. */
int pay_offer_waiting(struct lc_db *db, const char *category_id);
/* Issues quantity tickets for a hold (status set by the caller). 0 or -1. */
int pay_issue_tickets(struct lc_db *db, const char *hold_id, const char *checkout_id);

/* --- late payments (late.c) --- */
/* In the notification's transaction: records a payment that arrived after its checkout ended,
 * once per provider reference. 1 when recorded (id set), 0 when already known (a replay), -1. */
int pay_late_record(struct lc_db *db, const char *checkout_id, const char *provider, const char *provider_ref,
                    int64_t amount_cents, char id[37]);
/* After that transaction committed: refunds it through its provider and records the outcome.
 * Returns "refunded", or "to_refund" (left for the treasury, reason recorded). */
const char *pay_late_refund(struct lc_request *rq, const char *late_id);

/* --- ticket codes (ticket_code.c) --- */
/* "CVT1.<32 hex id>.<22 b64url HMAC>" into out (96 bytes). */
void pay_ticket_code(const char *ticket_id, char out[96]);
/* Checks the signature of a code offline; true when it was made with our key. */
bool pay_ticket_code_ok(const char *code);

/* --- seat holds, decided in batches (hold_batch.c) --- */
enum pay_hold_result {
	PAY_HOLD_GRANTED,
	PAY_HOLD_NO_SEATS,    /* 409 */
	PAY_HOLD_NO_CATEGORY, /* 422 */
	PAY_HOLD_OVER_LIMIT,  /* 422: above the per-order limit */
	PAY_HOLD_NOT_YET,     /* 409: sales not open */
	PAY_HOLD_CLOSED,      /* 409: sales closed */
	PAY_HOLD_FREE,        /* a free category: the handler issues the tickets itself */
	PAY_HOLD_DB_FAILED,
};
struct pay_hold_req {
	/* in: borrowed from the request, which outlives its batch */
	const char *event_id, *label, *user_id, *holder;
	int64_t qty;
	/* out, written by the batcher before the request is resumed */
	enum pay_hold_result result;
	char category[37]; /* FREE: the category's id */
	char hold_id[37];  /* GRANTED */
	char *body;        /* GRANTED: the hold's JSON text, freed with the request */
	char sqlstate[6];  /* DB_FAILED */
	bool unavailable;  /* DB_FAILED: the database could not be reached */
	char error[160];   /* DB_FAILED: the database's message (logged with a 500) */
};
#define PAY_HOLD_BATCH_MAX 256 /* requests decided by one run of the batcher */
/* From the hold handler: parks rq until a batch has decided req, then reply(rq, req) answers
 * (worker thread). Returns LC_REPLIED. */
int pay_hold_submit(struct lc_request *rq, struct pay_hold_req *req,
                    int (*reply)(struct lc_request *, void *));
/* The batcher's work: decides items (struct pay_hold_req *, at most PAY_HOLD_BATCH_MAX, in
 * arrival order) on db, one statement per category when the seats suffice. Tests call it too. */
void pay_holds_decide(struct lc_db *db, void **items, size_t n);
int pay_holds_start(void);
void pay_holds_stop(void);

/* Background threads (sweeper.c): the sweeper (expired checkouts and holds, waiting-list
 * offers) and the holds batcher (hold_batch.c). */
int pay_on_start(void);
void pay_on_stop(void);
/* One pass (also used by tests through the demo route's neighbour). Returns 0 or -1. */
int pay_sweep_once(struct lc_db *db);

#endif

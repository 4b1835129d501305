/* handlers.h — the payment service's HTTP handlers (one h_*.c file per resource) and the small
 * page helpers they share. */
#ifndef CIVITAS_PAYMENT_HANDLERS_H
#define CIVITAS_PAYMENT_HANDLERS_H

#include <jansson.h>

struct lc_request;

/* price grids */
int h_grid_list(struct lc_request *rq);
int h_grid_put(struct lc_request *rq);
int h_grid_delete(struct lc_request *rq);
/* invoices */
int h_invoice_list(struct lc_request *rq);
int h_invoice_create(struct lc_request *rq);
int h_invoice_get(struct lc_request *rq);
int h_invoice_receipt(struct lc_request *rq);
int h_invoice_cancel(struct lc_request *rq);
int h_invoice_refund(struct lc_request *rq);
int h_invoice_import(struct lc_request *rq);
int h_me_invoices(struct lc_request *rq);
int h_internal_invoice_create(struct lc_request *rq);
/* checkouts, providers */
int h_checkout_create(struct lc_request *rq);
int h_checkout_get(struct lc_request *rq);
int h_checkout_pay(struct lc_request *rq);
int h_sandbox_form(struct lc_request *rq);
int h_sandbox_card(struct lc_request *rq);
int h_notification(struct lc_request *rq);
/* ticketing */
int h_ticketing_list(struct lc_request *rq);
int h_ticketing_get(struct lc_request *rq);
int h_ticketing_put(struct lc_request *rq);
int h_hold_create(struct lc_request *rq);
int h_hold_get(struct lc_request *rq);
int h_hold_delete(struct lc_request *rq);
int h_waiting_join(struct lc_request *rq);
int h_me_tickets(struct lc_request *rq);
int h_ticket_qr(struct lc_request *rq);
int h_ticket_verify(struct lc_request *rq);
int h_ticket_refund(struct lc_request *rq);
/* treasury */
int h_transactions(struct lc_request *rq);
int h_late_payment_list(struct lc_request *rq);
int h_late_payment_resolve(struct lc_request *rq);
int h_export_transactions(struct lc_request *rq);
int h_export_daily(struct lc_request *rq);
int h_demo(struct lc_request *rq);

/* Content-Security-Policy of the pages served here; form_target: the provider's form URL or NULL. */
void pay_page_csp(struct lc_request *rq, const char *form_target);
/* A French HTML page (the pay and sandbox pages): title escaped, body already HTML. */
int pay_html(struct lc_request *rq, unsigned status, const char *title, const char *body);
/* SHA-256 of the canonical (sorted, compact) JSON of body: idempotency keys compare bodies. */
void pay_body_hash(json_t *body, char out[65]);
/* The receipt page of a paid invoice (malloc'd, caller frees), NULL on OOM. */
char *pay_receipt_html(const json_t *invoice);

#endif

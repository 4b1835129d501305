/* h_payment.h — the link with civitas-payment (ts_payment.c): invoices for procedures with a
 * fee, and payment's events on the request timeline. */
#ifndef CIVITAS_TELESERVICES_H_PAYMENT_H
#define CIVITAS_TELESERVICES_H_PAYMENT_H

#include <jansson.h>
#include <stddef.h>

struct lc_db;
struct lc_request;
struct ts_req_row;

/* Inside the acceptance's transaction: queues the invoice request when the procedure has a fee.
 * Returns 0 or -1. */
int ts_emit_invoice_request(struct lc_db *db, const struct ts_req_row *req);
/* Outbox delivery of payment.invoice_request to payment's /internal/v1/invoices. */
int ts_deliver_invoice(const char *topic, const json_t *event, char *err, size_t errlen);
/* POST /internal/v1/events: invoice.paid of a request's fee goes on its timeline. */
int h_internal_events(struct lc_request *rq);

#endif

/* routes.c — the payment service's route table, its configuration, and its outbox targets:
 * notifications through account, the sandbox provider's server-to-server notifications, and
 * events for stats (and teleservices, which shows invoice.paid on a request's timeline). */
#include "routes.h"

#include <stddef.h>

#include "handlers.h"
#include "payment.h"
#include "provider.h"

#define P  "/api/payment/v1"
#define KB 1024

static const struct lc_route routes[] = {
    {"GET", P "/grids", LC_AUTH_NONE, h_grid_list, 0, 0},
    {"PUT", P "/grids/{service}", LC_AUTH_USER, h_grid_put, 16 * KB, 0},
    {"DELETE", P "/grids/{service}", LC_AUTH_USER, h_grid_delete, 0, 0},
    {"GET", P "/invoices", LC_AUTH_USER, h_invoice_list, 0, 0},
    {"POST", P "/invoices", LC_AUTH_USER, h_invoice_create, 64 * KB, 0},
    {"POST", P "/invoices/import", LC_AUTH_USER, h_invoice_import, 2048 * KB, LC_BODY_RAW},
    {"GET", P "/invoices/{id}", LC_AUTH_USER, h_invoice_get, 0, 0},
    {"GET", P "/invoices/{id}/receipt", LC_AUTH_USER, h_invoice_receipt, 0, 0},
    {"POST", P "/invoices/{id}/cancel", LC_AUTH_USER, h_invoice_cancel, 4 * KB, 0},
    {"POST", P "/invoices/{id}/refunds", LC_AUTH_USER, h_invoice_refund, 4 * KB, 0},
    {"GET", P "/me/invoices", LC_AUTH_USER, h_me_invoices, 0, 0},
    {"POST", P "/checkouts", LC_AUTH_USER, h_checkout_create, 8 * KB, 0},
    {"GET", P "/checkouts/{id}", LC_AUTH_USER, h_checkout_get, 0, 0},
    {"GET", P "/checkouts/{id}/pay", LC_AUTH_NONE, h_checkout_pay, 0, 0},
    {"POST", P "/sandbox/vads-payment", LC_AUTH_NONE, h_sandbox_form, 16 * KB, LC_BODY_RAW},
    {"POST", P "/sandbox/vads-payment/card", LC_AUTH_NONE, h_sandbox_card, 16 * KB, LC_BODY_RAW},
    {"POST", P "/notifications/{provider}", LC_AUTH_NONE, h_notification, 32 * KB, LC_BODY_RAW},
    {"GET", P "/ticketing", LC_AUTH_NONE, h_ticketing_list, 0, 0},
    {"GET", P "/ticketing/{event_id}", LC_AUTH_NONE, h_ticketing_get, 0, 0},
    {"PUT", P "/ticketing/{event_id}", LC_AUTH_USER, h_ticketing_put, 16 * KB, 0},
    {"POST", P "/holds", LC_AUTH_USER, h_hold_create, 2 * KB, 0},
    {"GET", P "/holds/{id}", LC_AUTH_USER, h_hold_get, 0, 0},
    {"DELETE", P "/holds/{id}", LC_AUTH_USER, h_hold_delete, 0, 0},
    {"POST", P "/waiting-list", LC_AUTH_USER, h_waiting_join, 2 * KB, 0},
    {"GET", P "/me/tickets", LC_AUTH_USER, h_me_tickets, 0, 0},
    {"GET", P "/tickets/{id}/qr.svg", LC_AUTH_USER, h_ticket_qr, 0, 0},
    {"POST", P "/tickets/verify", LC_AUTH_USER, h_ticket_verify, 1 * KB, 0},
    {"POST", P "/tickets/{id}/refund", LC_AUTH_USER, h_ticket_refund, 4 * KB, 0},
    {"GET", P "/transactions", LC_AUTH_USER, h_transactions, 0, 0},
    {"GET", P "/late-payments", LC_AUTH_USER, h_late_payment_list, 0, 0},
    {"POST", P "/late-payments/{id}/resolve", LC_AUTH_USER, h_late_payment_resolve, 4 * KB, 0},
    {"GET", P "/exports/transactions.csv", LC_AUTH_USER, h_export_transactions, 0, 0},
    {"GET", P "/exports/daily-totals", LC_AUTH_USER, h_export_daily, 0, 0},
    {"POST", "/internal/v1/invoices", LC_AUTH_INTERNAL, h_internal_invoice_create, 64 * KB, 0},
    {"POST", "/internal/v1/demo", LC_AUTH_INTERNAL, h_demo, 4 * KB, 0},
    {NULL, NULL, LC_AUTH_NONE, NULL, 0, 0},
};

static const struct lc_outbox_target targets[] = {
    {.name = "notify", .topic_prefix = "notify.", .deliver = pay_deliver_notify},
    {.name = "sandbox", .topic_prefix = "sandbox.", .deliver = pay_deliver_sandbox_ipn},
    {.name = "stats-invoice", .topic_prefix = "invoice.", .url_env = "CIVITAS_STATS_URL"},
    {.name = "stats-payment", .topic_prefix = "payment.", .url_env = "CIVITAS_STATS_URL"},
    {.name = "stats-ticket", .topic_prefix = "ticket.", .url_env = "CIVITAS_STATS_URL"},
    {.name = "stats-refund", .topic_prefix = "refund.", .url_env = "CIVITAS_STATS_URL"},
    /* a request's fee paid: teleservices shows it on the request's timeline */
    {.name = "teleservices", .topic_prefix = "invoice.paid", .url_env = "CIVITAS_TELESERVICES_URL"},
};

static const struct lc_config_item config[] = {
    {"CIVITAS_PAYMENT_PROVIDER", LC_CFG_STRING, "sandbox", false, 0, 0, &pay_cfg_provider},
    {"CIVITAS_PUBLIC_URL", LC_CFG_URL, "http://127.0.0.1:8080", false, 0, 0, &pay_cfg_public_url},
    {"CIVITAS_SYSTEMPAY_URL", LC_CFG_URL, "https://paiement.systempay.fr/vads-payment/", false, 0, 0,
     &pay_cfg_systempay_url},
    {"CIVITAS_SYSTEMPAY_SITE_ID", LC_CFG_STRING, "00000000", false, 0, 0, &pay_cfg_systempay_site},
    {"CIVITAS_SYSTEMPAY_KEY_FILE", LC_CFG_STRING, "", false, 0, 0, &pay_cfg_systempay_key_file},
    {"CIVITAS_SYSTEMPAY_MODE", LC_CFG_STRING, "TEST", false, 0, 0, &pay_cfg_systempay_mode},
    /* Lyra's REST web services (refunds): optional; without the password refunds are made in the
     * Systempay back office and late payments wait for the treasury. */
    {"CIVITAS_SYSTEMPAY_API_PASSWORD_FILE", LC_CFG_STRING, "", false, 0, 0, &pay_cfg_systempay_password_file},
    {"CIVITAS_SYSTEMPAY_REST_URL", LC_CFG_URL, "https://api.systempay.fr/api-payment/V4/", false, 0, 0,
     &pay_cfg_systempay_rest_url},
    {"CIVITAS_PAYMENT_SWEEP_MS", LC_CFG_INT, "5000", false, 100, 600000, &pay_cfg_sweep_ms},
    {NULL, 0, NULL, false, 0, 0, NULL},
};

const struct lc_service payment_service = {
    .name = "payment",
    .default_port = 8104,
    .routes = routes,
    .statements = pay_statements,
    .outbox_targets = targets,
    .noutbox_targets = sizeof(targets) / sizeof(targets[0]),
    .extra_config = config,
    .on_start = pay_on_start,
    .on_stop = pay_on_stop,
};

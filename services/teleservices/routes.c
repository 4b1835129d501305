/* routes.c — the teleservices service's route table, its SQL (db_teleservices.c) and outbox
 * targets: notifications through account, signed posts to connectors, events to stats. */
#include "routes.h"

#include <stddef.h>

#include "h_agent.h"
#include "h_connectors.h"
#include "h_demo.h"
#include "h_documents.h"
#include "h_messages.h"
#include "h_payment.h"
#include "h_procedures.h"
#include "h_requests.h"
#include "h_submit.h"
#include "ts.h"

#define P          "/api/teleservices/v1"
#define KB         1024
#define UPLOAD_MAX (TS_MAX_DOC + 64 * KB)

static const struct lc_route routes[] = {
    {"GET", P "/procedures", LC_AUTH_NONE, h_procedure_list, 0, 0},
    {"POST", P "/procedures", LC_AUTH_USER, h_procedure_create, 256 * KB, 0},
    {"GET", P "/procedures/{slug}", LC_AUTH_NONE, h_procedure_get, 0, 0},
    {"PATCH", P "/procedures/{slug}", LC_AUTH_USER, h_procedure_patch, 256 * KB, 0},
    {"POST", P "/requests", LC_AUTH_USER, h_request_create, 64 * KB, 0},
    {"GET", P "/requests/{id}", LC_AUTH_USER, h_request_get, 0, 0},
    {"PATCH", P "/requests/{id}", LC_AUTH_USER, h_request_patch, 64 * KB, 0},
    {"POST", P "/requests/{id}/submit", LC_AUTH_USER, h_request_submit, 1 * KB, 0},
    {"POST", P "/requests/{id}/cancel", LC_AUTH_USER, h_request_cancel, 4 * KB, 0},
    {"POST", P "/requests/{id}/messages", LC_AUTH_USER, h_request_message, 16 * KB, 0},
    {"POST", P "/requests/{id}/notes", LC_AUTH_USER, h_request_note, 16 * KB, 0},
    {"POST", P "/requests/{id}/documents", LC_AUTH_USER, h_request_document_add, UPLOAD_MAX, LC_BODY_RAW},
    {"GET", P "/requests/{id}/documents/{doc}", LC_AUTH_USER, h_request_document_get, 0, 0},
    {"DELETE", P "/requests/{id}/documents/{doc}", LC_AUTH_USER, h_request_document_delete, 0, 0},
    {"POST", P "/requests/{id}/assign", LC_AUTH_USER, h_request_assign, 1 * KB, 0},
    {"POST", P "/requests/{id}/transition", LC_AUTH_USER, h_request_transition, 16 * KB, 0},
    {"GET", P "/me/requests", LC_AUTH_USER, h_me_requests, 0, 0},
    {"POST", P "/bundles", LC_AUTH_USER, h_bundle_create, 4 * KB, 0},
    {"GET", P "/queue", LC_AUTH_USER, h_queue, 0, 0},
    {"GET", P "/sla", LC_AUTH_USER, h_sla, 0, 0},
    {"GET", P "/connectors", LC_AUTH_USER, h_connector_list, 0, 0},
    {"PUT", P "/connectors/{service}", LC_AUTH_USER, h_connector_put, 4 * KB, 0},
    {"POST", P "/connectors/{service}/status", LC_AUTH_NONE, h_connector_status, 16 * KB, 0},
    {"GET", P "/exports/{file}", LC_AUTH_USER, h_export, 0, 0},
    {"POST", "/internal/v1/demo", LC_AUTH_INTERNAL, h_demo, 4 * KB, 0},
    {"POST", "/internal/v1/events", LC_AUTH_INTERNAL, h_internal_events, 64 * KB, 0},
    {NULL, NULL, LC_AUTH_NONE, NULL, 0, 0},
};

static const struct lc_outbox_target targets[] = {
    {.name = "notify", .topic_prefix = "notify.", .deliver = ts_deliver_notify},
    {.name = "connector", .topic_prefix = "connector.", .deliver = ts_deliver_connector},
    {.name = "stats", .topic_prefix = "request.", .url_env = "CIVITAS_STATS_URL"},
    {.name = "payment", .topic_prefix = "payment.", .deliver = ts_deliver_invoice},
};

const struct lc_service teleservices_service = {
    .name = "teleservices",
    .default_port = 8103,
    .routes = routes,
    .statements = ts_statements,
    .outbox_targets = targets,
    .noutbox_targets = sizeof(targets) / sizeof(targets[0]),
};

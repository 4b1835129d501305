/* routes.c — the stats service's route table and SQL. It receives the business events that the
 * other services emit through their outbox, and keeps each one once (dedupe by event id). */
#include "routes.h"

#include <stddef.h>

#include "h_events.h"

static const struct lc_route routes[] = {
    {"POST", "/internal/v1/events", LC_AUTH_INTERNAL, h_event_receive, 64 * 1024, 0},
    {NULL, NULL, LC_AUTH_NONE, NULL, 0, 0},
};

static const struct lc_sql statements[] = {
    {"event_insert", "INSERT INTO events (id, topic, source, occurred_at, data)"
                     " VALUES ($1::uuid, $2, $3, $4::timestamptz, $5::jsonb)"},
    {NULL, NULL},
};

const struct lc_service stats_service = {
    .name = "stats",
    .default_port = 8105,
    .routes = routes,
    .statements = statements,
};

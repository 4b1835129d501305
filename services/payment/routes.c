/* routes.c — the payment service's route table, prepared statements and outbox targets.
 * The foundation has only the routes libcommon adds (healthz, readyz, metrics). */
#include "routes.h"

#include <stddef.h>

static const struct lc_route routes[] = {
    {NULL, NULL, LC_AUTH_NONE, NULL, 0, 0},
};

static const struct lc_sql statements[] = {
    {NULL, NULL},
};

/* Business events feed the statistics service (KPIs). */
static const struct lc_outbox_target outbox_targets[] = {
    {.name = "stats", .topic_prefix = "", .url_env = "CIVITAS_STATS_URL"},
};

const struct lc_service payment_service = {
    .name = "payment",
    .default_port = 8104,
    .routes = routes,
    .statements = statements,
    .outbox_targets = outbox_targets,
    .noutbox_targets = sizeof(outbox_targets) / sizeof(outbox_targets[0]),
};

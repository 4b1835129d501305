/* routes.c — the teleservices service's route table, prepared statements (and, with the business
 * features, its outbox targets).
 * The foundation has only the routes libcommon adds (healthz, readyz, metrics). */
#include "routes.h"

#include <stddef.h>

static const struct lc_route routes[] = {
    {NULL, NULL, LC_AUTH_NONE, NULL, 0, 0},
};

static const struct lc_sql statements[] = {
    {NULL, NULL},
};

const struct lc_service teleservices_service = {
    .name = "teleservices",
    .default_port = 8103,
    .routes = routes,
    .statements = statements,
};

/* routes.c — the account service's route table, prepared statements (and, with the business
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

const struct lc_service account_service = {
    .name = "account",
    .default_port = 8102,
    .routes = routes,
    .statements = statements,
};

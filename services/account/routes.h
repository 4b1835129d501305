/* routes.h — the account service as libcommon runs it: its route table, SQL and outbox targets.
 * Shared by main.c and the integration tests, which start the same service in-process. */
#ifndef CIVITAS_ACCOUNT_ROUTES_H
#define CIVITAS_ACCOUNT_ROUTES_H

#include "civitas/service.h"

extern const struct lc_service account_service;

#endif

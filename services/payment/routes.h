/* routes.h — the payment service as libcommon runs it: its route table, SQL and outbox targets.
 * Shared by main.c and the integration tests, which start the same service in-process. */
#ifndef CIVITAS_PAYMENT_ROUTES_H
#define CIVITAS_PAYMENT_ROUTES_H

#include "civitas/service.h"

extern const struct lc_service payment_service;

#endif

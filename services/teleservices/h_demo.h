/* h_demo.h — POST /internal/v1/demo: seeds the town's procedures (idempotent). */
#ifndef CIVITAS_TELESERVICES_H_DEMO_H
#define CIVITAS_TELESERVICES_H_DEMO_H

struct lc_request;
int h_demo(struct lc_request *rq);

#endif

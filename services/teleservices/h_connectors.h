/* h_connectors.h — /connectors, /connectors/{service}/status, /exports/{service}.csv. */
#ifndef CIVITAS_TELESERVICES_H_CONNECTORS_H
#define CIVITAS_TELESERVICES_H_CONNECTORS_H

struct lc_request;
int h_connector_put(struct lc_request *rq);
int h_connector_list(struct lc_request *rq);
int h_connector_status(struct lc_request *rq);
int h_export(struct lc_request *rq);

#endif

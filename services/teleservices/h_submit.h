/* h_submit.h — /requests/{id}/submit and /bundles: submission, alone or all or nothing. */
#ifndef CIVITAS_TELESERVICES_H_SUBMIT_H
#define CIVITAS_TELESERVICES_H_SUBMIT_H

struct lc_request;
int h_request_submit(struct lc_request *rq);
int h_bundle_create(struct lc_request *rq);

#endif

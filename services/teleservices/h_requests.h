/* h_requests.h — /requests, /me/requests, /bundles: what citizens do with their requests. */
#ifndef CIVITAS_TELESERVICES_H_REQUESTS_H
#define CIVITAS_TELESERVICES_H_REQUESTS_H

struct lc_request;
int h_request_create(struct lc_request *rq);
int h_request_patch(struct lc_request *rq);
int h_request_get(struct lc_request *rq);
int h_me_requests(struct lc_request *rq);
int h_request_submit(struct lc_request *rq);
int h_bundle_create(struct lc_request *rq);
int h_request_cancel(struct lc_request *rq);
int h_request_message(struct lc_request *rq);
int h_request_note(struct lc_request *rq);
int h_request_document_add(struct lc_request *rq);
int h_request_document_get(struct lc_request *rq);
int h_request_document_delete(struct lc_request *rq);

#endif

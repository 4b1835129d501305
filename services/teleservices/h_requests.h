/* h_requests.h — /requests and /me/requests: a citizen's drafts, reading, listing, cancelling. */
#ifndef CIVITAS_TELESERVICES_H_REQUESTS_H
#define CIVITAS_TELESERVICES_H_REQUESTS_H

struct lc_request;
int h_request_create(struct lc_request *rq);
int h_request_patch(struct lc_request *rq);
int h_request_get(struct lc_request *rq);
int h_me_requests(struct lc_request *rq);
int h_request_cancel(struct lc_request *rq);

#endif

/* h_messages.h — /requests/{id}/messages and /notes: the thread of a request. */
#ifndef CIVITAS_TELESERVICES_H_MESSAGES_H
#define CIVITAS_TELESERVICES_H_MESSAGES_H

struct lc_request;
int h_request_message(struct lc_request *rq);
int h_request_note(struct lc_request *rq);

#endif

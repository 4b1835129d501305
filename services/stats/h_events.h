/* h_events.h — POST /internal/v1/events: business events from the other services' outboxes. */
#ifndef CIVITAS_STATS_H_EVENTS_H
#define CIVITAS_STATS_H_EVENTS_H

struct lc_request;
int h_event_receive(struct lc_request *rq);

#endif

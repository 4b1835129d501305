/* h_agent.h — /queue, /requests/{id}/assign and /transition, /sla: the agents' side. */
#ifndef CIVITAS_TELESERVICES_H_AGENT_H
#define CIVITAS_TELESERVICES_H_AGENT_H

#include <stdbool.h>

struct lc_request;
int h_queue(struct lc_request *rq);
int h_request_transition(struct lc_request *rq);
int h_request_assign(struct lc_request *rq);
int h_sla(struct lc_request *rq);
/* ?from=&to= of /sla and /exports. */
bool ts_period_or_reply(struct lc_request *rq, char from[40], char to[40]);

#endif

/* handlers.h — the stats service's route handlers (one h_*.c file per resource) and the helpers
 * they share. */
#ifndef CIVITAS_STATS_HANDLERS_H
#define CIVITAS_STATS_HANDLERS_H

#include <stdbool.h>
#include <stdint.h>

#include "stats.h"

struct lc_request;

/* h_beacons.c */
int h_hit(struct lc_request *rq);
int h_engagement(struct lc_request *rq);
/* 422 validation_failed naming one field whose format is wrong. */
int stats_format_problem(struct lc_request *rq, const char *field);
int64_t stats_now_ms(void);
/* The caller's visitor id of the day of now_ms; false after a 503 (no salt without the database). */
bool stats_visitor_or_reply(struct lc_request *rq, int64_t now_ms, char visitor[2 * STATS_VISITOR_LEN + 1]);

/* h_feedback.c */
int h_feedback(struct lc_request *rq);
int h_comments_list(struct lc_request *rq);
int h_comment_review(struct lc_request *rq);
int h_rating(struct lc_request *rq);
/* Who owns a page path: ("section", uuid) from content, ("service", name) from teleservices, or
 * empty strings. Network calls: not for the beacons' path. */
void stats_page_owner(const char *path, char kind[16], char id[65]);

/* h_dashboard.c */
int h_dashboard(struct lc_request *rq);
int h_pages(struct lc_request *rq);
int h_timeseries(struct lc_request *rq);
int h_export(struct lc_request *rq);
int h_rebuild(struct lc_request *rq);
/* One of the daily metrics of /timeseries and /exports. */
bool stats_metric_known(const char *m);

/* h_reference.c */
int h_reference_import(struct lc_request *rq);

/* h_events.c, h_demo.c */
int h_event_receive(struct lc_request *rq);
int h_demo(struct lc_request *rq);

#endif

/* metrics.h — request counters and latency histograms per route and status, plus gauges,
 * rendered in the Prometheus text format at /api/<svc>/v1/metrics. Lock-free (atomics). */
#ifndef CIVITAS_METRICS_H
#define CIVITAS_METRICS_H

#include <stddef.h>

struct lc_buf;

/* Called once with the number of routes (route indexes 0..n-1, index n = "unmatched"). */
int lc_metrics_init(const char *service, size_t nroutes, const char *const *route_labels);
void lc_metrics_free(void);
/* route_idx may be (size_t)-1 for unmatched requests. */
void lc_metrics_observe(size_t route_idx, unsigned status, double seconds);
/* Named gauge set by the service or libcommon (e.g. "db_connections_open"); at most 16. */
void lc_metrics_gauge_add(const char *name, long delta);
void lc_metrics_gauge_set(const char *name, long value);
/* Appends the whole exposition to buf. */
void lc_metrics_render(struct lc_buf *buf);

#endif

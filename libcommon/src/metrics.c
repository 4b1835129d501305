/* metrics.c — Prometheus counters per route and status, latency histograms per route, and a few
 * named gauges. Updates are relaxed atomics: worker threads never take a lock to count. */
#include "civitas/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"

#define NSTATUS 500 /* 100..599 */
#define NGAUGES 16

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct route_metrics {
	atomic_ulong status[NSTATUS];
	atomic_ulong bucket[NBUCKETS];
	atomic_ulong count;
	atomic_ulong sum_us;
};

static struct {
	char service[32];
	size_t nroutes;
	const char *const *labels;
	struct route_metrics *routes; /* nroutes + 1 (the last counts unmatched requests) */
	struct {
		char name[48];
		atomic_long value;
	} gauges[NGAUGES];
	atomic_int ngauges;
} M;

int lc_metrics_init(const char *service, size_t nroutes, const char *const *route_labels)
{
	free(M.routes);
	M.routes = calloc(nroutes + 1, sizeof(*M.routes));
	if (!M.routes)
		return -1;
	strncpy(M.service, service, sizeof(M.service) - 1);
	M.nroutes = nroutes;
	M.labels = route_labels;
	return 0;
}

void lc_metrics_free(void)
{
	free(M.routes);
	M.routes = NULL;
}

void lc_metrics_observe(size_t route_idx, unsigned status, double seconds)
{
	if (!M.routes)
		return;
	struct route_metrics *r = &M.routes[route_idx < M.nroutes ? route_idx : M.nroutes];
	if (status >= 100 && status < 600)
		atomic_fetch_add_explicit(&r->status[status - 100], 1, memory_order_relaxed);
	for (size_t i = 0; i < NBUCKETS; i++)
		if (seconds <= buckets[i]) {
			atomic_fetch_add_explicit(&r->bucket[i], 1, memory_order_relaxed);
			break;
		}
	atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->sum_us, (unsigned long)(seconds * 1e6), memory_order_relaxed);
}

static int gauge_slot(const char *name)
{
	int n = atomic_load(&M.ngauges);
	for (int i = 0; i < n; i++)
		if (strcmp(M.gauges[i].name, name) == 0)
			return i;
	/* Gauges are registered at start from one thread; the race here is benign for that use. */
	if (n >= NGAUGES)
		return -1;
	strncpy(M.gauges[n].name, name, sizeof(M.gauges[n].name) - 1);
	atomic_store(&M.ngauges, n + 1);
	return n;
}

void lc_metrics_gauge_add(const char *name, long delta)
{
	int i = gauge_slot(name);
	if (i >= 0)
		atomic_fetch_add(&M.gauges[i].value, delta);
}

void lc_metrics_gauge_set(const char *name, long value)
{
	int i = gauge_slot(name);
	if (i >= 0)
		atomic_store(&M.gauges[i].value, value);
}

void lc_metrics_render(struct lc_buf *b)
{
	if (!M.routes)
		return;
	const char *svc = M.service;
	lc_buf_printf(b, "# HELP civitas_http_requests_total HTTP requests by route and status.\n"
	                 "# TYPE civitas_http_requests_total counter\n");
	for (size_t r = 0; r <= M.nroutes; r++) {
		const char *label = r < M.nroutes ? M.labels[r] : "unmatched";
		for (unsigned s = 0; s < NSTATUS; s++) {
			unsigned long v = atomic_load_explicit(&M.routes[r].status[s], memory_order_relaxed);
			if (v)
				lc_buf_printf(b,
				              "civitas_http_requests_total{service=\"%s\",route=\"%s\","
				              "status=\"%u\"} %lu\n",
				              svc, label, s + 100, v);
		}
	}
	lc_buf_printf(b, "# HELP civitas_http_request_duration_seconds Time to answer, by route.\n"
	                 "# TYPE civitas_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r <= M.nroutes; r++) {
		struct route_metrics *m = &M.routes[r];
		unsigned long count = atomic_load_explicit(&m->count, memory_order_relaxed);
		if (!count)
			continue;
		const char *label = r < M.nroutes ? M.labels[r] : "unmatched";
		unsigned long cum = 0;
		for (size_t i = 0; i < NBUCKETS; i++) {
			cum += atomic_load_explicit(&m->bucket[i], memory_order_relaxed);
			lc_buf_printf(b,
			              "civitas_http_request_duration_seconds_bucket{service=\"%s\",route=\"%"
			              "s\",le=\"%g\"} %lu\n",
			              svc, label, buckets[i], cum);
		}
		lc_buf_printf(
		    b,
		    "civitas_http_request_duration_seconds_bucket{service=\"%s\",route=\"%s\",le=\"+Inf\"} "
		    "%lu\n"
		    "civitas_http_request_duration_seconds_sum{service=\"%s\",route=\"%s\"} %.6f\n"
		    "civitas_http_request_duration_seconds_count{service=\"%s\",route=\"%s\"} %lu\n",
		    svc, label, count, svc, label,
		    (double)atomic_load_explicit(&m->sum_us, memory_order_relaxed) / 1e6, svc, label, count);
	}
	int n = atomic_load(&M.ngauges);
	for (int i = 0; i < n; i++)
		lc_buf_printf(b, "# TYPE civitas_%s gauge\ncivitas_%s{service=\"%s\"} %ld\n",
		              M.gauges[i].name, M.gauges[i].name, svc, atomic_load(&M.gauges[i].value));
}

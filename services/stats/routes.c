/* routes.c — the stats service's route table, its settings and its life cycle: the beacons'
 * queue and writer, and the scheduler of daily figures and retention, both started after the
 * migrations and stopped after the HTTP server (so every accepted beacon is written). */
#include "routes.h"

#include <stddef.h>

#include "civitas/service.h"

#include "handlers.h"
#include "stats.h"

#define P  "/api/stats/v1"
#define KB 1024

static const struct lc_route routes[] = {
    {"POST", P "/hits", LC_AUTH_NONE, h_hit, 2 * KB, 0},
    {"POST", P "/engagement", LC_AUTH_NONE, h_engagement, 1 * KB, 0},
    {"POST", P "/feedback", LC_AUTH_NONE, h_feedback, 4 * KB, 0},
    {"GET", P "/feedback/comments", LC_AUTH_USER, h_comments_list, 0, 0},
    {"POST", P "/feedback/comments/{id}/review", LC_AUTH_USER, h_comment_review, 1 * KB, 0},
    {"POST", P "/ratings", LC_AUTH_USER, h_rating, 4 * KB, 0},
    {"GET", P "/dashboard", LC_AUTH_USER, h_dashboard, 0, 0},
    {"GET", P "/pages", LC_AUTH_USER, h_pages, 0, 0},
    {"GET", P "/timeseries", LC_AUTH_USER, h_timeseries, 0, 0},
    {"GET", P "/exports/{file}", LC_AUTH_USER, h_export, 0, 0},
    {"POST", P "/admin/rebuild", LC_AUTH_USER, h_rebuild, 1 * KB, 0},
    {"POST", P "/admin/reference-figures", LC_AUTH_USER, h_reference_import, 1024 * KB, LC_BODY_RAW},
    {"POST", "/internal/v1/events", LC_AUTH_INTERNAL, h_event_receive, 64 * KB, 0},
    {"POST", "/internal/v1/demo", LC_AUTH_INTERNAL, h_demo, 4 * KB, 0},
    {NULL, NULL, LC_AUTH_NONE, NULL, 0, 0},
};

static long queue_size, batch_size;

static const struct lc_config_item config[] = {
    {"CIVITAS_STATS_QUEUE", LC_CFG_INT, "16384", false, 16, 4194304, &queue_size},
    {"CIVITAS_STATS_BATCH", LC_CFG_INT, "1000", false, 1, 20000, &batch_size},
    {NULL, 0, NULL, false, 0, 0, NULL},
};

int stats_on_start(void)
{
	if (stats_ingest_start((size_t)queue_size, (unsigned)batch_size) < 0)
		return -1;
	if (stats_scheduler_start() < 0) {
		stats_ingest_stop(0);
		return -1;
	}
	return 0;
}

/* Runs after the HTTP server stopped taking requests: whatever was accepted gets written. */
void stats_on_stop(void)
{
	stats_scheduler_stop();
	stats_ingest_stop((unsigned)lc_settings.shutdown_grace_ms);
}

const struct lc_service stats_service = {
    .name = "stats",
    .default_port = 8105,
    .routes = routes,
    .statements = stats_statements,
    .extra_config = config,
    .on_start = stats_on_start,
    .on_stop = stats_on_stop,
};

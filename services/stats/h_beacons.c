/* h_beacons.c — POST /hits and /engagement, the audience beacons of the public pages. They are
 * answered as soon as the row is queued (ingest.c writes it); robots are answered the same way
 * and dropped, and a full queue answers 503 rather than grow. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "stats.h"

static const char *const screens[] = {"small", "medium", "large", NULL};

/* Sec-GPC: 1 or DNT: 1 — the browser objects for its user: no returning-visitor figure. */
static bool objects(struct lc_request *rq)
{
	const char *gpc = lc_rq_header(rq, "Sec-GPC"), *dnt = lc_rq_header(rq, "DNT");
	return (gpc && strcmp(gpc, "1") == 0) || (dnt && strcmp(dnt, "1") == 0);
}

bool stats_visitor_or_reply(struct lc_request *rq, int64_t now_ms, char visitor[2 * STATS_VISITOR_LEN + 1])
{
	unsigned char salt[STATS_SALT_LEN];
	int64_t day = stats_town_day(now_ms / 1000);
	if (!stats_salt_for(lc_rq_db(rq), day, salt)) {
		lc_db_fail_reply(rq);
		return false;
	}
	const char *ua = lc_rq_header(rq, "User-Agent");
	stats_visitor_id(salt, lc_rq_client_ip(rq), ua ? ua : "", visitor);
	return true;
}

int64_t stats_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int stats_format_problem(struct lc_request *rq, const char *field)
{
	json_t *errors = json_pack("[{s:s, s:s, s:s}]", "field", field, "code", LC_JERR_FORMAT, "message",
	                           "Not a value this API accepts (see the specification).");
	return lc_reply_problem_errors(rq, 422, "validation_failed", "The body has invalid fields.", errors);
}

static int queued_or_busy(struct lc_request *rq, const struct stats_item *it)
{
	if (!stats_queue_push(it)) {
		lc_rq_add_header(rq, "Retry-After", "1");
		return lc_reply_problem(rq, 503, "unavailable",
		                        "The audience queue is full; try again shortly.");
	}
	return lc_reply_empty(rq, 202);
}

static bool robot(struct lc_request *rq)
{
	return stats_is_robot(lc_rq_header(rq, "User-Agent"));
}

int h_hit(struct lc_request *rq)
{
	const char *pv = NULL, *path = NULL, *ref = NULL, *screen = NULL, *utm = NULL;
	bool returning = false, has_returning = false;
	const struct lc_field spec[] = {
	    LC_F_UUID("pv", &pv, .required = true),
	    LC_F_STRING("path", 0, 320, &path, .required = true),
	    {.name = "referrer_host", .type = LC_J_STRING, .nullable = true, .out = &ref},
	    LC_F_ENUM("screen", screens, &screen, .nullable = true),
	    {.name = "utm_campaign", .type = LC_J_STRING, .nullable = true, .out = &utm},
	    LC_F_BOOL("returning", &returning, .nullable = true, .present = &has_returning),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!stats_path_ok(path) || (ref && !stats_host_ok(ref)) || (utm && !stats_campaign_ok(utm)))
		return stats_format_problem(rq, !stats_path_ok(path)         ? "path"
		                                : ref && !stats_host_ok(ref) ? "referrer_host"
		                                                             : "utm_campaign");
	if (robot(rq))
		return lc_reply_empty(rq, 202); /* answered like the others, counted nowhere */
	struct stats_item it = {.kind = STATS_HIT, .at_ms = stats_now_ms(), .returning = -1};
	if (!stats_visitor_or_reply(rq, it.at_ms, it.visitor))
		return LC_REPLIED;
	snprintf(it.pv, sizeof(it.pv), "%s", pv);
	snprintf(it.path, sizeof(it.path), "%s", path);
	snprintf(it.referrer_host, sizeof(it.referrer_host), "%s", ref ? ref : "");
	snprintf(it.screen, sizeof(it.screen), "%s", screen ? screen : "");
	snprintf(it.utm_campaign, sizeof(it.utm_campaign), "%s", utm ? utm : "");
	json_t *r = json_object_get(lc_rq_json(rq), "returning");
	if (has_returning && json_is_boolean(r) && !objects(rq))
		it.returning = returning ? 1 : 0;
	return queued_or_busy(rq, &it);
}

int h_engagement(struct lc_request *rq)
{
	const char *pv = NULL;
	int64_t ms = 0;
	const struct lc_field spec[] = {
	    LC_F_UUID("pv", &pv, .required = true),
	    LC_F_INT("visible_ms", 0, 86400000, &ms, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (robot(rq))
		return lc_reply_empty(rq, 202);
	struct stats_item it = {.kind = STATS_ENGAGEMENT, .at_ms = stats_now_ms(), .visible_ms = (int32_t)ms};
	snprintf(it.pv, sizeof(it.pv), "%s", pv);
	return queued_or_busy(rq, &it);
}

/* h_rebuild.c — POST /admin/rebuild: an admin has what is still queued written, then every daily
 * figure of [from, to] recomputed from the stored hits, feedback, ratings and events; audited. */
#include <stdio.h>
#include <time.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "stats.h"

struct audit {
	struct lc_request *rq;
	const char *from, *to;
};

static enum lc_tx_result audit_tx(struct lc_db *db, void *arg)
{
	struct audit *a = arg;
	json_t *d = json_pack("{s:s, s:s}", "from", a->from, "to", a->to);
	int rc = lc_audit(db, a->rq, "stats.rebuild", NULL, NULL, d);
	json_decref(d);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_rebuild(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	const char *from = NULL, *to = NULL;
	const struct lc_field spec[] = {
	    LC_F_DATE("from", &from),
	    LC_F_DATE("to", &to),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct lc_db *db = lc_rq_db(rq);
	int64_t f, t = stats_town_day((int64_t)time(NULL));
	if (to)
		stats_parse_day(to, &t);
	if (from)
		stats_parse_day(from, &f);
	else {
		PGresult *r = lc_db_exec(db, "first_day", 0, NULL);
		if (!r)
			return lc_db_fail_reply(rq);
		bool ok = stats_parse_day(PQgetvalue(r, 0, 0), &f);
		PQclear(r);
		if (!ok)
			f = t;
	}
	if (f > t || t - f > 3700)
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "from must be before to, at most ten years apart.");
	stats_queue_flush(10000);
	if (stats_rollup(db, f, t) < 0)
		return lc_db_fail_reply(rq);
	char a[11], b[11];
	stats_format_day(f, a);
	stats_format_day(t, b);
	struct audit au = {rq, a, b};
	if (lc_db_tx(db, audit_tx, &au) != LC_TX_COMMIT)
		lc_warn("stats.rebuild not audited (%s)", lc_db_sqlstate(db));
	return lc_reply_json(
	    rq, 200,
	    json_pack("{s:s, s:s, s:I}", "from", a, "to", b, "days", (json_int_t)t - (json_int_t)f + 1));
}

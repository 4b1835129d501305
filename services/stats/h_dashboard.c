/* h_dashboard.c — what the town reads: the dashboard of a period against a reference period,
 * the pages, a metric over time and CSV exports (the rebuild of the daily figures is in
 * h_rebuild.c). Editors and admins only (others get 404, as for every resource they may not see). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/auth.h"
#include "civitas/buf.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "stats.h"

#define MAX_RANGE_DAYS 1100 /* three years: longer periods are several exports */

/* The metrics kept per day (the `metric` of /timeseries and /exports). */
static const char *const metrics[] = {
    "page_views",
    "visitors",
    "visits",
    "visit_ms",
    "bounces",
    "visitors_known",
    "visitors_returning",
    "accounts_created",
    "accounts_verified",
    "accounts_active",
    "requests_submitted",
    "requests_decided",
    "requests_within_sla",
    "requests_late",
    "processing_median_s",
    "processing_p90_s",
    "jobs_posted",
    "jobs_published",
    "partners_updated",
    "payments",
    "payments_amount_cents",
    "invoices_paid",
    "refunds_amount_cents",
    "tickets_sold",
    "feedback_yes",
    "feedback_no",
    "ratings",
    "ratings_sum",
    "visits_by_referrer",
    "visits_by_screen",
    "visits_by_campaign",
    NULL,
};

bool stats_metric_known(const char *m)
{
	for (size_t i = 0; m && metrics[i]; i++)
		if (strcmp(m, metrics[i]) == 0)
			return true;
	return false;
}

/* ?from=&to= (default: the 28 days up to today); false after a 422. */
static bool range_or_reply(struct lc_request *rq, int default_days, char from[11], char to[11])
{
	int64_t today = stats_town_day((int64_t)time(NULL)), f, t;
	const char *qf = lc_rq_query(rq, "from"), *qt = lc_rq_query(rq, "to");
	if (qt && !stats_parse_day(qt, &t))
		goto bad;
	if (!qt)
		t = today;
	if (qf && !stats_parse_day(qf, &f))
		goto bad;
	if (!qf)
		f = t - default_days + 1;
	if (f > t || t - f >= MAX_RANGE_DAYS)
		goto bad;
	stats_format_day(f, from);
	stats_format_day(t, to);
	return true;
bad:
	lc_reply_problem(rq, 422, "validation_failed",
	                 "from and to must be dates (YYYY-MM-DD), from <= to, at most 1100 days apart.");
	return false;
}

/* Sums of the daily figures over [from, to]: {metric: value} for totals, {metric: {dim: value}}. */
static int sums(struct lc_db *db, const char *from, const char *to, json_t *totals, json_t *dims)
{
	const char *p[] = {from, to};
	PGresult *r = lc_db_exec(db, "daily_sum", 2, p);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *m = PQgetvalue(r, i, 0), *d = PQgetvalue(r, i, 1);
		double v = atof(PQgetvalue(r, i, 2));
		if (!d[0]) {
			json_object_set_new(totals, m, json_real(v));
			continue;
		}
		json_t *o = json_object_get(dims, m);
		if (!o) {
			o = json_object();
			json_object_set_new(dims, m, o);
		}
		json_object_set_new(o, d, json_real(v));
	}
	PQclear(r);
	return 0;
}

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static json_t *ratio(double a, double b)
{
	return b > 0 ? json_real(a / b) : json_null();
}

/* Median and 90th percentile of processing times of requests decided in [from, to]. */
static int processing(struct lc_db *db, const char *from, const char *to, json_t *out)
{
	const char *p[] = {from, to};
	PGresult *r = lc_db_exec(db, "processing_values", 2, p);
	if (!r)
		return -1;
	int n = PQntuples(r);
	double *v = malloc(sizeof(double) * (size_t)(n ? n : 1));
	if (!v) {
		PQclear(r);
		return -1;
	}
	for (int i = 0; i < n; i++)
		v[i] = atof(PQgetvalue(r, i, 0));
	PQclear(r);
	double med = stats_percentile(v, (size_t)n, 0.5), p90 = stats_percentile(v, (size_t)n, 0.9);
	free(v);
	json_object_set_new(out, "processing_median_seconds", isnan(med) ? json_null() : json_real(med));
	json_object_set_new(out, "processing_p90_seconds", isnan(p90) ? json_null() : json_real(p90));
	return 0;
}

static int satisfaction(struct lc_db *db, const char *from, const char *to, json_t *out)
{
	const char *p[] = {from, to};
	PGresult *r = lc_db_exec(db, "satisfaction", 2, p);
	if (!r)
		return -1;
	static const char *const qs[] = {"useful", "relevant", "easy_to_find"};
	for (size_t q = 0; q < 3; q++)
		json_object_set_new(out, qs[q], json_pack("{s:i, s:i, s:n}", "yes", 0, "no", 0, "yes_share"));
	for (int i = 0; i < PQntuples(r); i++) {
		long yes = atol(PQgetvalue(r, i, 1)), no = atol(PQgetvalue(r, i, 2));
		json_object_set_new(out, PQgetvalue(r, i, 0),
		                    json_pack("{s:i, s:i, s:o}", "yes", (json_int_t)yes, "no", (json_int_t)no,
		                              "yes_share", ratio((double)yes, (double)(yes + no))));
	}
	PQclear(r);
	r = lc_db_exec(db, "ratings_sum", 2, p);
	if (!r)
		return -1;
	long count = atol(PQgetvalue(r, 0, 0));
	json_object_set_new(out, "ratings",
	                    json_pack("{s:i, s:o}", "count", (json_int_t)count, "average",
	                              count ? json_real(atof(PQgetvalue(r, 0, 1))) : json_null()));
	PQclear(r);
	return 0;
}

/* Every figure of one period, flat: name → number (or null when it cannot be computed). */
static json_t *figures(struct lc_db *db, const char *from, const char *to, json_t **dims_out,
                       json_t **sat_out)
{
	json_t *t = json_object(), *dims = json_object(), *f = json_object(), *sat = json_object();
	if (sums(db, from, to, t, dims) < 0 || processing(db, from, to, f) < 0 ||
	    satisfaction(db, from, to, sat) < 0) {
		json_decref(t);
		json_decref(dims);
		json_decref(f);
		json_decref(sat);
		return NULL;
	}
	static const char *const plain[] = {"page_views",
	                                    "visitors",
	                                    "visits",
	                                    "accounts_created",
	                                    "accounts_verified",
	                                    "accounts_active",
	                                    "requests_submitted",
	                                    "requests_decided",
	                                    "requests_within_sla",
	                                    "requests_late",
	                                    "jobs_posted",
	                                    "jobs_published",
	                                    "partners_updated",
	                                    "payments",
	                                    "payments_amount_cents",
	                                    "invoices_paid",
	                                    "refunds_amount_cents",
	                                    "tickets_sold",
	                                    NULL};
	for (size_t i = 0; plain[i]; i++)
		json_object_set_new(f, plain[i], json_real(num(t, plain[i])));
	json_object_set_new(f, "avg_visit_seconds", ratio(num(t, "visit_ms") / 1000.0, num(t, "visits")));
	json_object_set_new(f, "returning_share",
	                    ratio(num(t, "visitors_returning"), num(t, "visitors_known")));
	json_object_set_new(f, "bounce_share", ratio(num(t, "bounces"), num(t, "visits")));
	json_object_set_new(f, "within_sla_share",
	                    ratio(num(t, "requests_within_sla"), num(t, "requests_decided")));
	json_t *useful = json_object_get(sat, "useful");
	json_object_set_new(f, "useful_share", json_incref(json_object_get(useful, "yes_share")));
	json_t *rt = json_object_get(sat, "ratings");
	json_object_set_new(f, "rating_average", json_incref(json_object_get(rt, "average")));
	json_decref(t);
	*dims_out = dims;
	*sat_out = sat;
	return f;
}

/* Per service: requests submitted, decided, within the SLA and late in the period. */
static json_t *services(json_t *dims)
{
	json_t *out = json_object();
	static const char *const ms[] = {"requests_submitted", "requests_decided", "requests_within_sla",
	                                 "requests_late"};
	for (size_t i = 0; i < 4; i++) {
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(dims, ms[i]), k, v)
		{
			if (strncmp(k, "service:", 8) != 0)
				continue;
			json_t *s = json_object_get(out, k + 8);
			if (!s) {
				s = json_pack("{s:s, s:f, s:f, s:f, s:f}", "service", k + 8,
				              "requests_submitted", 0.0, "requests_decided", 0.0,
				              "requests_within_sla", 0.0, "requests_late", 0.0);
				json_object_set_new(out, k + 8, s);
			}
			json_object_set(s, ms[i], v);
		}
	}
	json_t *list = json_array();
	const char *k;
	json_t *s;
	json_object_foreach(out, k, s)
	{
		json_object_set_new(s, "within_sla_share",
		                    ratio(num(s, "requests_within_sla"), num(s, "requests_decided")));
		json_array_append(list, s);
	}
	json_decref(out);
	return list;
}

static json_t *dim_list(json_t *dims, const char *metric, const char *prefix, const char *key)
{
	json_t *list = json_array();
	const char *k;
	json_t *v;
	size_t pl = strlen(prefix);
	json_object_foreach(json_object_get(dims, metric), k, v) if (strncmp(k, prefix, pl) == 0)
	    json_array_append_new(list, json_pack("{s:s, s:O}", key, k + pl, "value", v));
	return list;
}

static bool demo_figures(struct lc_db *db)
{
	PGresult *r = lc_db_exec(db, "demo_done", 0, NULL);
	bool demo = r && PQntuples(r) == 1;
	PQclear(r);
	return demo;
}

int h_dashboard(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	char from[11], to[11], rf[11], rt[11];
	if (!range_or_reply(rq, 28, from, to))
		return LC_REPLIED;
	const char *mode = lc_rq_query(rq, "compare") ? lc_rq_query(rq, "compare") : "previous";
	if (strlen(mode) > 32 || !stats_reference_period(from, to, mode, rf, rt))
		return lc_reply_problem(
		    rq, 422, "validation_failed",
		    "compare must be previous, last_year or <from>..<to> (YYYY-MM-DD..YYYY-MM-DD).");
	struct lc_db *db = lc_rq_db(rq);
	json_t *pd = NULL, *ps = NULL, *rd = NULL, *rs = NULL;
	json_t *p = figures(db, from, to, &pd, &ps);
	json_t *r = p ? figures(db, rf, rt, &rd, &rs) : NULL;
	if (!p || !r) {
		json_decref(p);
		json_decref(pd);
		json_decref(ps);
		return lc_db_fail_reply(rq);
	}
	json_t *figs = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(p, k, v)
	{
		json_t *ref = json_object_get(r, k);
		double pct;
		bool has = json_is_number(v) && json_is_number(ref) &&
		           stats_change_pct(json_number_value(v), json_number_value(ref), &pct);
		json_object_set_new(figs, k,
		                    json_pack("{s:O, s:O, s:o}", "value", v, "reference",
		                              ref ? ref : json_null(), "change_pct",
		                              has ? json_real(round(pct * 10) / 10) : json_null()));
	}
	json_t *body = json_pack(
	    "{s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:b, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:O}", "period",
	    "from", from, "to", to, "reference", "from", rf, "to", rt, "compare", mode, "demo",
	    demo_figures(db), "visitors_counted", "per_day", "figures", figs, "services", services(pd),
	    "procedures", dim_list(pd, "requests_submitted", "procedure:", "procedure"), "referrers",
	    dim_list(pd, "visits_by_referrer", "", "host"), "screens",
	    dim_list(pd, "visits_by_screen", "", "screen"), "campaigns",
	    dim_list(pd, "visits_by_campaign", "", "campaign"), "satisfaction", ps);
	json_decref(p);
	json_decref(r);
	json_decref(pd);
	json_decref(ps);
	json_decref(rd);
	json_decref(rs);
	return lc_reply_json(rq, 200, body);
}

static long limit_q(struct lc_request *rq, long def)
{
	const char *l = lc_rq_query(rq, "limit");
	if (!l)
		return def;
	char *end;
	long v = strtol(l, &end, 10);
	return *end || v < 1 || v > 100 ? -1 : v;
}

static PGresult *pages_rows(struct lc_request *rq, const char *from, const char *to, const char *order,
                            long limit)
{
	char lim[16];
	snprintf(lim, sizeof(lim), "%ld", limit);
	const char *p[] = {from, to, order, lim};
	return lc_db_exec(lc_rq_db(rq), "pages", 4, p);
}

static json_t *page_json(PGresult *r, int i)
{
	json_t *sat = PQgetisnull(r, i, 4) ? json_object() : json_loads(PQgetvalue(r, i, 4), 0, NULL);
	return json_pack("{s:s, s:I, s:I, s:o, s:o}", "path", PQgetvalue(r, i, 0), "views",
	                 (json_int_t)atoll(PQgetvalue(r, i, 1)), "entries",
	                 (json_int_t)atoll(PQgetvalue(r, i, 2)), "avg_visible_seconds",
	                 PQgetisnull(r, i, 3) ? json_null() : json_real(atof(PQgetvalue(r, i, 3)) / 1000.0),
	                 "satisfaction", sat ? sat : json_object());
}

int h_pages(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	char from[11], to[11];
	if (!range_or_reply(rq, 28, from, to))
		return LC_REPLIED;
	long limit = limit_q(rq, 20);
	const char *order = lc_rq_query(rq, "order") ? lc_rq_query(rq, "order") : "views";
	if (limit < 0 || (strcmp(order, "views") != 0 && strcmp(order, "entries") != 0))
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "limit is 1-100 and order views or entries.");
	PGresult *r = pages_rows(rq, from, to, order, limit);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(items, page_json(r, i));
	PQclear(r);
	return lc_reply_json(rq, 200,
	                     json_pack("{s:{s:s, s:s}, s:s, s:o}", "period", "from", from, "to", to, "order",
	                               order, "items", items));
}

/* The first day of the bucket of `day` for an interval (weeks start on Monday). */
static int64_t bucket(int64_t day, const char *interval)
{
	if (strcmp(interval, "week") == 0)
		return day - ((day + 3) % 7); /* 1970-01-01 was a Thursday */
	if (strcmp(interval, "month") == 0) {
		char d[11];
		stats_format_day(day, d);
		d[8] = '0';
		d[9] = '1';
		int64_t first;
		return stats_parse_day(d, &first) ? first : day;
	}
	return day;
}

static int64_t next_bucket(int64_t b, const char *interval)
{
	if (strcmp(interval, "week") == 0)
		return b + 7;
	if (strcmp(interval, "month") == 0)
		return bucket(b + 31, interval);
	return b + 1;
}

/* The points of a metric over [from, to], every bucket present (0 where nothing happened). */
static json_t *series(struct lc_request *rq, const char *metric, const char *dim, const char *interval,
                      const char *from, const char *to)
{
	const char *p[] = {from, to, metric, interval, dim};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "series", 5, p);
	if (!r)
		return NULL;
	json_t *points = json_array();
	int64_t f, t, i = 0;
	stats_parse_day(from, &f);
	stats_parse_day(to, &t);
	int n = PQntuples(r);
	for (int64_t b = bucket(f, interval); b <= t; b = next_bucket(b, interval)) {
		char d[11];
		stats_format_day(b, d);
		double v = 0;
		if (i < n && strcmp(PQgetvalue(r, (int)i, 0), d) == 0)
			v = atof(PQgetvalue(r, (int)i++, 1));
		json_array_append_new(points, json_pack("{s:s, s:f}", "start", d, "value", v));
	}
	PQclear(r);
	return points;
}

static const char *const intervals[] = {"day", "week", "month", NULL};

static bool series_args_or_reply(struct lc_request *rq, const char *metric, const char **dim,
                                 const char **interval)
{
	*interval = lc_rq_query(rq, "interval") ? lc_rq_query(rq, "interval") : "day";
	*dim = lc_rq_query(rq, "dim") ? lc_rq_query(rq, "dim") : "";
	bool ok_interval = false;
	for (size_t i = 0; intervals[i]; i++)
		ok_interval |= strcmp(*interval, intervals[i]) == 0;
	if (!stats_metric_known(metric) || !ok_interval || strlen(*dim) > 140) {
		lc_reply_problem(
		    rq, 422, "validation_failed",
		    "metric must be one of the documented metrics and interval day, week or month.");
		return false;
	}
	return true;
}

int h_timeseries(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	char from[11], to[11];
	const char *metric = lc_rq_query(rq, "metric"), *dim, *interval;
	if (!range_or_reply(rq, 90, from, to) || !series_args_or_reply(rq, metric, &dim, &interval))
		return LC_REPLIED;
	json_t *points = series(rq, metric, dim, interval, from, to);
	if (!points)
		return lc_db_fail_reply(rq);
	return lc_reply_json(rq, 200,
	                     json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:o}", "metric", metric, "dim", dim,
	                               "interval", interval, "period", "from", from, "to", to, "points",
	                               points));
}

/* A CSV field: quoted, quotes doubled, and a leading =, +, - or @ neutralised so that a
 * spreadsheet never runs a formula that came from a page path. */
static void csv_field(struct lc_buf *b, const char *s)
{
	lc_buf_append(b, "\"", 1);
	if (strchr("=+-@", s[0]) && s[0])
		lc_buf_append(b, "'", 1);
	for (; *s; s++) {
		lc_buf_append(b, s, 1);
		if (*s == '"')
			lc_buf_append(b, "\"", 1);
	}
	lc_buf_append(b, "\"", 1);
}

int h_export(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	const char *file = lc_rq_param(rq, "file");
	size_t n = file ? strlen(file) : 0;
	if (n < 5 || n > 68 || strcmp(file + n - 4, ".csv") != 0)
		return lc_reply_problem(rq, 404, "not_found", "No such export.");
	char metric[64];
	snprintf(metric, sizeof(metric), "%.*s", (int)(n - 4), file);
	char from[11], to[11];
	if (!range_or_reply(rq, 90, from, to))
		return LC_REPLIED;
	struct lc_buf b;
	lc_buf_init(&b, 0);
	if (strcmp(metric, "pages") == 0) {
		PGresult *r = pages_rows(rq, from, to, "views", 100000);
		if (!r) {
			lc_buf_free(&b);
			return lc_db_fail_reply(rq);
		}
		lc_buf_printf(&b, "path,views,entries,avg_visible_seconds\r\n");
		for (int i = 0; i < PQntuples(r); i++) {
			csv_field(&b, PQgetvalue(r, i, 0));
			lc_buf_printf(&b, ",%s,%s,", PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
			if (!PQgetisnull(r, i, 3))
				lc_buf_printf(&b, "%.1f", atof(PQgetvalue(r, i, 3)) / 1000.0);
			lc_buf_printf(&b, "\r\n");
		}
		PQclear(r);
	} else {
		if (!stats_metric_known(metric)) {
			lc_buf_free(&b);
			return lc_reply_problem(rq, 404, "not_found", "No such export.");
		}
		const char *dim, *interval;
		if (!series_args_or_reply(rq, metric, &dim, &interval)) {
			lc_buf_free(&b);
			return LC_REPLIED;
		}
		json_t *points = series(rq, metric, dim, interval, from, to);
		if (!points) {
			lc_buf_free(&b);
			return lc_db_fail_reply(rq);
		}
		lc_buf_printf(&b, "start,%s\r\n", metric);
		size_t i;
		json_t *pt;
		json_array_foreach(points, i, pt)
		    lc_buf_printf(&b, "%s,%.15g\r\n", json_string_value(json_object_get(pt, "start")),
		                  json_number_value(json_object_get(pt, "value")));
		json_decref(points);
	}
	char disp[128];
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s_%s_%s.csv\"", metric, from, to);
	lc_rq_add_header(rq, "Content-Disposition", disp);
	size_t len;
	char *text = lc_buf_steal(&b, &len);
	if (!text)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	return lc_reply_bytes_owned(rq, 200, "text/csv; charset=utf-8", text, len);
}

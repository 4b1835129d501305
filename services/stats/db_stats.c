/* db_stats.c — every SQL statement of the statistics service, prepared on each connection.
 * Batches arrive as one JSON array parameter unpacked with jsonb_to_recordset: one statement
 * text, any number of rows, nothing built at run time. */
#include <stddef.h>

#include "stats.h"

/* Closed range of the town's days $1..$2 (see STATS_TZ) as a timestamptz range. */
#define RANGE(col)                                                                                           \
	col " >= ($1::date::timestamp AT TIME ZONE '" STATS_TZ "') AND " col                                 \
	    " < (($2::date + 1)::timestamp AT TIME "                                                         \
	    "ZONE '" STATS_TZ "')"
#define DEC      "topic = 'request.status_changed' AND data->>'to' IN ('accepted', 'rejected')"
#define SECS     "(data->'processing_seconds')::float8"
#define ISNUM(f) "jsonb_typeof(data->'" f "') = 'number'"
#define AMOUNT   "CASE WHEN " ISNUM("amount_cents") " THEN (data->'amount_cents')::float8 ELSE 0 END"

const struct lc_sql stats_statements[] = {
    {"event_insert", "INSERT INTO events (id, topic, source, occurred_at, data)"
                     " VALUES ($1::uuid, $2, $3, $4::timestamptz, $5::jsonb)"},
    /* ingest */
    {"hits_insert",
     "INSERT INTO hits (pv, at, day, visitor, path, referrer_host, screen, utm_campaign, is_returning, demo)"
     " SELECT pv, at, (at AT TIME ZONE '" STATS_TZ
     "')::date, decode(visitor, 'hex'), path, referrer_host, screen,"
     " utm_campaign, is_returning, demo FROM jsonb_to_recordset($1::jsonb) AS x(pv uuid, at timestamptz,"
     " visitor text, path text, referrer_host text, screen text, utm_campaign text, is_returning boolean,"
     " demo boolean) ON CONFLICT (pv) DO NOTHING"},
    {"engagement_upsert",
     "INSERT INTO engagement (pv, at, visible_ms)"
     " SELECT DISTINCT ON (pv) pv, at, visible_ms FROM jsonb_to_recordset($1::jsonb)"
     " AS x(pv uuid, at timestamptz, visible_ms integer) ORDER BY pv, visible_ms DESC"
     " ON CONFLICT (pv) DO UPDATE SET visible_ms = GREATEST(engagement.visible_ms, EXCLUDED.visible_ms),"
     " at = GREATEST(engagement.at, EXCLUDED.at)"},
    {"salt_get_or_make",
     "WITH made AS (INSERT INTO salts (day, salt) VALUES ($1::date, $2::bytea) ON CONFLICT (day) DO NOTHING"
     " RETURNING salt) SELECT encode(salt, 'hex') FROM made"
     " UNION ALL SELECT encode(salt, 'hex') FROM salts WHERE day = $1::date AND NOT EXISTS (SELECT 1 FROM "
     "made)"},
    /* feedback and ratings */
    {"feedback_insert",
     "INSERT INTO feedback (id, day, visitor, path, question, answer, comment, owner_kind, owner_id, demo, "
     "at)"
     " VALUES ($1::uuid, $2::date, decode($3, 'hex'), $4, $5, $6::boolean, NULLIF($7, ''), NULLIF($8, ''),"
     " NULLIF($9, ''), $10::boolean, COALESCE($11::timestamptz, now()))"
     " ON CONFLICT (day, visitor, path, question) DO NOTHING RETURNING id"},
    {"comments_list",
     "SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), path, question, answer,"
     " comment, owner_kind, owner_id, review_status, demo FROM feedback"
     " WHERE comment IS NOT NULL AND review_status = $1"
     " AND ($2::boolean OR (owner_kind = 'section' AND owner_id = ANY($3::text[]))"
     "      OR (owner_kind = 'service' AND owner_id = ANY($4::text[])))"
     " AND ($5::timestamptz IS NULL OR (at, id) < ($5::timestamptz, $6::uuid))"
     " ORDER BY at DESC, id DESC LIMIT $7::int"},
    {"comment_get", "SELECT owner_kind, owner_id FROM feedback WHERE id = $1::uuid AND comment IS NOT NULL"},
    {"comment_review", "UPDATE feedback SET review_status = $2, reviewed_at = now() WHERE id = $1::uuid AND "
                       "comment IS NOT NULL"},
    {"rating_insert",
     "INSERT INTO ratings (request_id, rating, comment, service, procedure, processing_seconds)"
     " VALUES ($1::uuid, $2::smallint, NULLIF($3, ''), $4, $5, NULLIF($6, '')::float8)"
     " ON CONFLICT (request_id) DO NOTHING RETURNING request_id"},
    /* aggregates */
    /* One rollup at a time across replicas: two would delete and re-insert the same rows. */
    {"rollup_lock", "SELECT pg_advisory_xact_lock(7412, 1)"},
    {"rollup_clear", "DELETE FROM daily WHERE day BETWEEN $1::date AND $2::date"},
    {"rollup_pages_clear", "DELETE FROM page_daily WHERE day = $1::date"},
    {"rollup_hits",
     "SELECT encode(h.visitor, 'hex'), extract(epoch FROM h.at)::bigint, h.path, h.is_returning::text,"
     " COALESCE(e.visible_ms, -1), COALESCE(h.referrer_host, ''), COALESCE(h.screen, ''),"
     " COALESCE(h.utm_campaign, '') FROM hits h LEFT JOIN engagement e ON e.pv = h.pv"
     " WHERE h.day = $1::date ORDER BY h.visitor, h.at"},
    {"rollup_daily_insert", "INSERT INTO daily (day, metric, dim, value) SELECT $1::date, metric, dim, value"
                            " FROM jsonb_to_recordset($2::jsonb) AS x(metric text, dim text, value float8)"
                            " ON CONFLICT (metric, dim, day) DO UPDATE SET value = EXCLUDED.value"},
    {"rollup_pages_insert",
     "INSERT INTO page_daily (day, path, views, entries, visible_ms, timed) SELECT $1::date, path, views,"
     " entries, visible_ms, timed FROM jsonb_to_recordset($2::jsonb)"
     " AS x(path text, views int, entries int, visible_ms bigint, timed int)"},
    /* The figures that come from the other services' events (deduplicated by id on receipt),
     * from the feedback and from the ratings, per day of [$1, $2] in the town's time zone. */
    {"rollup_kpis",
     "WITH ev AS (SELECT topic, (occurred_at AT TIME ZONE '" STATS_TZ
     "')::date AS day, data FROM events WHERE " RANGE(
         "occurred_at") "),"
                        " dec AS (SELECT day, data->>'service' AS service, (data->>'late')::boolean AS late,"
                        " CASE WHEN " ISNUM(
                            "processing_seconds") " THEN " SECS " END AS secs FROM ev WHERE " DEC ")"
                                                  " INSERT INTO daily (day, metric, dim, value)"
                                                  " SELECT day, 'accounts_created', '', count(*) FROM ev "
                                                  "WHERE topic = 'account.registered' GROUP BY day"
                                                  " UNION ALL SELECT day, 'accounts_verified', '', count(*) "
                                                  "FROM ev WHERE topic = 'account.verified' GROUP BY day"
                                                  " UNION ALL SELECT day, 'accounts_active', '', "
                                                  "count(DISTINCT data->>'user_id') FROM ev"
                                                  "  WHERE topic IN ('account.registered', "
                                                  "'account.verified', 'account.login') GROUP BY day"
                                                  " UNION ALL SELECT day, 'requests_submitted', '', count(*) "
                                                  "FROM ev WHERE topic = 'request.submitted' GROUP BY day"
                                                  " UNION ALL SELECT day, 'requests_submitted', 'service:' "
                                                  "|| (data->>'service'), count(*) FROM ev"
                                                  "  WHERE topic = 'request.submitted' AND data->>'service' "
                                                  "IS NOT NULL GROUP BY day, data->>'service'"
                                                  " UNION ALL SELECT day, 'requests_submitted', 'procedure:' "
                                                  "|| (data->>'procedure'), count(*) FROM ev"
                                                  "  WHERE topic = 'request.submitted' AND "
                                                  "data->>'procedure' IS NOT NULL GROUP BY day, "
                                                  "data->>'procedure'"
                                                  " UNION ALL SELECT day, 'requests_decided', '', count(*) "
                                                  "FROM dec GROUP BY day"
                                                  " UNION ALL SELECT day, 'requests_decided', 'service:' || "
                                                  "service, count(*) FROM dec"
                                                  "  WHERE service IS NOT NULL GROUP BY day, service"
                                                  " UNION ALL SELECT day, 'requests_within_sla', '', "
                                                  "count(*) FILTER (WHERE late IS FALSE) FROM dec GROUP BY "
                                                  "day"
                                                  " UNION ALL SELECT day, 'requests_within_sla', 'service:' "
                                                  "|| service, count(*) FILTER (WHERE late IS FALSE)"
                                                  "  FROM dec WHERE service IS NOT NULL GROUP BY day, service"
                                                  " UNION ALL SELECT day, 'requests_late', '', count(*) "
                                                  "FILTER (WHERE late) FROM dec GROUP BY day"
                                                  " UNION ALL SELECT day, 'requests_late', 'service:' || "
                                                  "service, count(*) FILTER (WHERE late)"
                                                  "  FROM dec WHERE service IS NOT NULL GROUP BY day, service"
                                                  " UNION ALL SELECT day, 'processing_median_s', '', "
                                                  "percentile_cont(0.5) WITHIN GROUP (ORDER BY secs)"
                                                  "  FROM dec WHERE secs IS NOT NULL GROUP BY day"
                                                  " UNION ALL SELECT day, 'processing_p90_s', '', "
                                                  "percentile_cont(0.9) WITHIN GROUP (ORDER BY secs)"
                                                  "  FROM dec WHERE secs IS NOT NULL GROUP BY day"
                                                  " UNION ALL SELECT day, 'jobs_posted', '', count(*) FROM "
                                                  "ev WHERE topic = 'job.posted' GROUP BY day"
                                                  " UNION ALL SELECT day, 'jobs_published', '', count(*) "
                                                  "FROM ev WHERE topic = 'job.published' GROUP BY day"
                                                  " UNION ALL SELECT day, 'partners_updated', '', "
                                                  "count(DISTINCT data->>'organisation_id') FROM ev"
                                                  "  WHERE topic = 'directory.changed' GROUP BY day"
                                                  " UNION ALL SELECT day, 'payments', '', count(*) FROM ev "
                                                  "WHERE topic = 'payment.succeeded' GROUP BY day"
                                                  " UNION ALL SELECT day, 'payments_amount_cents', '', "
                                                  "sum(" AMOUNT ") FROM ev"
                                                  "  WHERE topic = 'payment.succeeded' GROUP BY day"
                                                  " UNION ALL SELECT day, 'invoices_paid', '', count(*) FROM "
                                                  "ev WHERE topic = 'invoice.paid' GROUP BY day"
                                                  " UNION ALL SELECT day, 'refunds_amount_cents', '', "
                                                  "sum(" AMOUNT ") FROM ev"
                                                  "  WHERE topic = 'refund.succeeded' GROUP BY day"
                                                  " UNION ALL SELECT day, 'tickets_sold', '', sum(CASE "
                                                  "WHEN " ISNUM(
                                                      "quantity") " THEN (data->'quantity')::float8"
                                                                  "  ELSE 1 END) FROM ev WHERE topic = "
                                                                  "'ticket.issued' GROUP BY day"
                                                                  " UNION ALL SELECT day, CASE WHEN answer "
                                                                  "THEN 'feedback_yes' ELSE 'feedback_no' "
                                                                  "END, question, count(*)"
                                                                  "  FROM feedback WHERE day BETWEEN "
                                                                  "$1::date AND $2::date GROUP BY day, "
                                                                  "answer, question"
                                                                  " UNION ALL SELECT (at AT TIME ZONE "
                                                                  "'" STATS_TZ
                                                                  "')::date AS d, 'ratings', '', "
                                                                  "count(*) FROM ratings WHERE " RANGE(
                                                                      "at") " GROUP BY d"
                                                                            " UNION ALL SELECT (at AT TIME "
                                                                            "ZONE '" STATS_TZ
                                                                            "')::date AS d, "
                                                                            "'ratings_sum', '', sum(rating) "
                                                                            "FROM ratings"
                                                                            "  WHERE " RANGE(
                                                                                "at") " GROUP BY d"},
    {"first_day", "SELECT LEAST((SELECT min(day) FROM hits), (SELECT min(occurred_at AT TIME ZONE "
                  "'" STATS_TZ "')::date FROM events),"
                  " (SELECT min(day) FROM feedback), (now() AT TIME ZONE '" STATS_TZ "')::date)::text"},
    /* retention: raw rows older than 25 months ($1), salts older than 48 h ($2 = oldest kept day) */
    {"retention_hits", "DELETE FROM hits WHERE at < $1::timestamptz"},
    {"retention_engagement", "DELETE FROM engagement WHERE at < $1::timestamptz"},
    {"retention_feedback", "DELETE FROM feedback WHERE at < $1::timestamptz"},
    {"retention_salts", "DELETE FROM salts WHERE day < $1::date"},
    /* reading */
    /* the figures of a range: Civitas' own and the old portal's imported ones (0121) */
    {"daily_sum",
     "SELECT metric, dim, sum(value) FROM (SELECT metric, dim, value FROM daily"
     " WHERE day BETWEEN $1::date AND $2::date UNION ALL SELECT metric, '', value FROM imported_daily"
     " WHERE day BETWEEN $1::date AND $2::date) x GROUP BY metric, dim"},
    {"processing_values", "SELECT " SECS ", COALESCE(data->>'service', '') FROM events WHERE " DEC
                          " AND " ISNUM("processing_seconds") " AND " RANGE("occurred_at")},
    {"satisfaction",
     "SELECT question, count(*) FILTER (WHERE answer), count(*) FILTER (WHERE NOT answer) FROM feedback"
     " WHERE day BETWEEN $1::date AND $2::date GROUP BY question"},
    {"ratings_sum", "SELECT count(*), COALESCE(avg(rating), 0) FROM ratings WHERE " RANGE("at")},
    {"pages",
     "SELECT p.path, sum(p.views), sum(p.entries), CASE WHEN sum(p.timed) > 0 THEN sum(p.visible_ms) / "
     "sum(p.timed)"
     " END, (SELECT json_object_agg(q.question, json_build_object('yes', q.yes, 'no', q.no)) FROM (SELECT "
     "question,"
     " count(*) FILTER (WHERE answer) AS yes, count(*) FILTER (WHERE NOT answer) AS no FROM feedback f"
     " WHERE f.path = p.path AND f.day BETWEEN $1::date AND $2::date GROUP BY question) q)::text"
     " FROM page_daily p WHERE p.day BETWEEN $1::date AND $2::date GROUP BY p.path"
     " ORDER BY CASE WHEN $3 = 'entries' THEN sum(p.entries) ELSE sum(p.views) END DESC, p.path LIMIT "
     "$4::int"},
    {"series",
     "SELECT to_char(date_trunc($4, day::timestamp), 'YYYY-MM-DD'), sum(value) FROM (SELECT day, value"
     " FROM daily WHERE metric = $3 AND dim = $5 AND day BETWEEN $1::date AND $2::date UNION ALL"
     " SELECT day, value FROM imported_daily WHERE metric = $3 AND $5 = '' AND day BETWEEN $1::date"
     " AND $2::date) x GROUP BY 1 ORDER BY 1"},
    /* import of the old portal's figures ($1: [{day, metric, value, line}]) */
    {"imported_clashes",
     "SELECT x.line, x.metric, x.day::text FROM jsonb_to_recordset($1::jsonb) AS x(day date, metric text, "
     "line int)"
     " WHERE EXISTS (SELECT 1 FROM daily d WHERE d.metric = x.metric AND d.dim = '' AND d.day = x.day"
     " AND d.value <> 0) ORDER BY x.line LIMIT 100"},
    {"imported_upsert",
     "INSERT INTO imported_daily (day, metric, value, source, imported_by) SELECT day, metric, value, $2, "
     "$3::uuid"
     " FROM jsonb_to_recordset($1::jsonb) AS x(day date, metric text, value float8)"
     " ON CONFLICT (metric, day) DO UPDATE SET value = EXCLUDED.value, source = EXCLUDED.source,"
     " imported_by = EXCLUDED.imported_by, imported_at = now()"},
    {"demo_done", "SELECT value::text FROM settings WHERE key = 'demo.audience'"},
    {"demo_mark", "INSERT INTO settings (key, value) VALUES ('demo.audience', $1::jsonb) ON CONFLICT (key) "
                  "DO NOTHING RETURNING key"},
    {NULL, NULL},
};

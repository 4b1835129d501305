/* test_stats_audience.c — the statistics service in-process against the test database: beacons
 * become daily figures, a redelivered event is counted once, retention deletes only what is
 * older than 25 months (and salts older than 48 h), comments reach only the agents of the page's
 * section or service, a full queue answers 503 and keeps what it accepted, and a stop under load
 * writes every beacon that was accepted. */
#include <check.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civitas/crypto.h"
#include "civitas/service.h"

#include "itest.h"
#include "routes.h"
#include "stats.h"

/* Today in the town, in SQL. */
#define TOWN_DATE "(now() AT TIME ZONE '" STATS_TZ "')::date"

#define UA       "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
#define ADMIN_ID "0000aaaa-0000-4000-8000-00000000a001"

static struct lc_running *svc;
static char base[96];

/* Runs after every test, failed or not: a service left running would share the next one's queue. */
static void stop(void)
{
	if (svc)
		lc_service_stop(svc);
	svc = NULL;
}

static void start(void)
{
	itest_stats_env();
	setenv("CIVITAS_STATS_BATCH", "50", 1);
	svc = lc_service_start(&stats_service);
	ck_assert_ptr_nonnull(svc);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", lc_service_port(svc));
}

/* extra: one more header; a User-Agent there replaces the browser's. */
static long post(const char *path, const char *body, const char *extra)
{
	char url[256];
	snprintf(url, sizeof(url), "%s%s", base, path);
	bool own_ua = extra && strncmp(extra, "User-Agent:", 11) == 0;
	const char *h[] = {"Content-Type: application/json", own_ua ? extra : UA, own_ua ? NULL : extra,
	                   NULL};
	struct itest_resp r;
	itest_http("POST", url, h, body, strlen(body), &r);
	long st = r.status;
	itest_resp_free(&r);
	return st;
}

static json_t *get_json(const char *path, long *status)
{
	char url[512];
	snprintf(url, sizeof(url), "%s%s", base, path);
	const char *h[] = {itest_bearer(ADMIN_ID, "admin", NULL), NULL};
	struct itest_resp r;
	itest_http("GET", url, h, NULL, 0, &r);
	*status = r.status;
	json_t *j = itest_json(&r);
	itest_resp_free(&r);
	return j;
}

static PGconn *db(void)
{
	PGconn *c = PQconnectdb(getenv("CIVITAS_DB_URL"));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	return c;
}

static long count(PGconn *c, const char *sql, const char *param)
{
	const char *p[] = {param};
	PGresult *r = PQexecParams(c, sql, param ? 1 : 0, NULL, param ? p : NULL, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	long n = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return n;
}

static void hit(const char *path, const char *extra, long expect)
{
	char pv[37], body[400];
	lc_uuid_v4(pv);
	snprintf(body, sizeof(body),
	         "{\"pv\":\"%s\",\"path\":\"%s\",\"screen\":\"small\",\"returning\":true}", pv, path);
	ck_assert_int_eq(post("/api/stats/v1/hits", body, extra), expect);
	snprintf(body, sizeof(body), "{\"pv\":\"%s\",\"visible_ms\":12000}", pv);
	ck_assert_int_eq(post("/api/stats/v1/engagement", body, extra), expect);
}

START_TEST(beacons_become_daily_figures)
{
	start();
	char path[96], body[300];
	snprintf(path, sizeof(path), "/page.html?slug=itest-%08x", (unsigned)random());
	for (int i = 0; i < 3; i++)
		hit(path, NULL, 202);
	/* A robot is answered like anyone but counted nowhere. */
	hit(path, "User-Agent: Mozilla/5.0 (compatible; Googlebot/2.1)", 202);
	/* Bad input changes nothing. */
	ck_assert_int_eq(post("/api/stats/v1/hits", "{\"pv\":\"x\",\"path\":\"/\"}", NULL), 422);
	ck_assert_int_eq(post("/api/stats/v1/hits",
	                      "{\"pv\":\"0b0c6a6e-8ce0-4a41-9b0e-3f0f7a3c1d11\","
	                      "\"path\":\"/verification.html?token=secret\"}",
	                      NULL),
	                 422);
	snprintf(body, sizeof(body),
	         "{\"path\":\"%s\",\"question\":\"useful\",\"answer\":true,\"comment\":\"Clair, "
	         "écrivez-moi à moi@example.org\"}",
	         path);
	ck_assert_int_eq(post("/api/stats/v1/feedback", body, NULL), 201);
	ck_assert_int_eq(post("/api/stats/v1/feedback", body, NULL), 409); /* once per question, page, day */
	snprintf(body, sizeof(body), "{\"path\":\"%s\",\"question\":\"easy_to_find\",\"answer\":false}",
	         path);
	ck_assert_int_eq(post("/api/stats/v1/feedback", body, NULL), 201);

	/* Rebuild today's figures (admin), then read them as the dashboard does. */
	time_t now = time(NULL);
	char today[11], req[200];
	stats_format_day(stats_town_day((int64_t)now), today); /* the town's day, as stats counts */
	snprintf(body, sizeof(body), "{\"from\":\"%s\",\"to\":\"%s\"}", today, today);
	ck_assert_int_eq(post("/api/stats/v1/admin/rebuild", body, itest_bearer(ADMIN_ID, "admin", NULL)),
	                 200);
	ck_assert_int_eq(post("/api/stats/v1/admin/rebuild", body, itest_bearer(ADMIN_ID, "editor", NULL)),
	                 404);

	long st;
	snprintf(req, sizeof(req), "/api/stats/v1/pages?from=%s&to=%s&limit=100", today, today);
	json_t *pages = get_json(req, &st);
	ck_assert_int_eq(st, 200);
	size_t i;
	json_t *p, *mine = NULL;
	json_array_foreach(json_object_get(pages, "items"), i,
	                   p) if (strcmp(json_string_value(json_object_get(p, "path")), path) == 0) mine = p;
	ck_assert_ptr_nonnull(mine);
	ck_assert_int_eq(json_integer_value(json_object_get(mine, "views")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(mine, "entries")), 1); /* one visit */
	ck_assert_double_eq_tol(json_number_value(json_object_get(mine, "avg_visible_seconds")), 12.0, 0.01);
	json_t *sat = json_object_get(mine, "satisfaction");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(sat, "useful"), "yes")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(sat, "easy_to_find"), "no")), 1);
	json_decref(pages);

	snprintf(req, sizeof(req), "/api/stats/v1/dashboard?from=%s&to=%s&compare=last_year", today, today);
	json_t *d = get_json(req, &st);
	ck_assert_int_eq(st, 200);
	ck_assert(json_number_value(json_object_get(
	              json_object_get(json_object_get(d, "figures"), "page_views"), "value")) >= 3);
	ck_assert_str_eq(json_string_value(json_object_get(d, "visitors_counted")), "per_day");
	json_decref(d);
	/* Not for citizens, nor for agents (404: nothing to see here). */
	char url[300];
	snprintf(url, sizeof(url), "%s%s", base, req);
	const char *h[] = {itest_bearer(ADMIN_ID, "agent", "etat-civil"), NULL};
	struct itest_resp r;
	itest_http("GET", url, h, NULL, 0, &r);
	ck_assert_int_eq(r.status, 404);
	itest_resp_free(&r);

	/* The comment reached the review queue without the address. */
	PGconn *c = db();
	PQclear(PQexec(c, "SET search_path TO stats"));
	ck_assert_int_eq(count(c,
	                       "SELECT count(*) FROM feedback WHERE path = $1 AND comment LIKE '%[masqué]%'"
	                       " AND comment NOT LIKE '%example.org%'",
	                       path),
	                 1);
	/* Neither the address nor the User-Agent is stored anywhere. */
	ck_assert_int_eq(count(c, "SELECT count(*) FROM hits WHERE path = $1 AND length(visitor) = 16", path),
	                 3);
	PQfinish(c);
	stop();
}
END_TEST

START_TEST(an_event_is_counted_once)
{
	start();
	char id[37], body[400], day[11];
	lc_uuid_v4(id);
	/* A day of its own in the past, so that other tests' events do not mix in. */
	int64_t d = 4000 + (int64_t)(random() % 6000);
	stats_format_day(d, day);
	snprintf(body, sizeof(body),
	         "{\"id\":\"%s\",\"topic\":\"account.registered\",\"source\":\"account\",\"occurred_at\":\"%"
	         "sT10:00:00Z\","
	         "\"data\":{\"user_id\":\"%s\"}}",
	         id, day, id);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(post("/internal/v1/events", body, itest_internal_auth()), 200);
	snprintf(body, sizeof(body), "{\"from\":\"%s\",\"to\":\"%s\"}", day, day);
	ck_assert_int_eq(post("/api/stats/v1/admin/rebuild", body, itest_bearer(ADMIN_ID, "admin", NULL)),
	                 200);
	ck_assert_int_eq(post("/api/stats/v1/admin/rebuild", body, itest_bearer(ADMIN_ID, "admin", NULL)),
	                 200);
	char req[200];
	long st;
	snprintf(req, sizeof(req),
	         "/api/stats/v1/timeseries?metric=accounts_created&interval=day&from=%s&to=%s", day, day);
	json_t *j = get_json(req, &st);
	ck_assert_int_eq(st, 200);
	json_t *pts = json_object_get(j, "points");
	ck_assert_int_eq(json_array_size(pts), 1);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_array_get(pts, 0), "value")), 1, 1e-9);
	json_decref(j);
	stop();
}
END_TEST

/* Days are the town's: an account made at 00:30 in Paris (23:30Z the evening before, in winter)
 * counts for its Paris day. */
START_TEST(an_event_after_midnight_in_paris_counts_for_that_day)
{
	start();
	char id[37], body[400], eve[11], day[11];
	lc_uuid_v4(id);
	int64_t d = 4000 + (int64_t)(random() % 6000);
	int64_t doy = (d + 365) % 365; /* roughly the day of the year: keep to December and January */
	d += doy < 334 && doy > 31 ? 365 - doy : 0;
	stats_format_day(d, eve);
	stats_format_day(d + 1, day);
	snprintf(body, sizeof(body),
	         "{\"id\":\"%s\",\"topic\":\"account.registered\",\"source\":\"account\",\"occurred_at\":\"%"
	         "sT23:30:00Z\",\"data\":{\"user_id\":\"%s\"}}",
	         id, eve, id);
	ck_assert_int_eq(post("/internal/v1/events", body, itest_internal_auth()), 200);
	snprintf(body, sizeof(body), "{\"from\":\"%s\",\"to\":\"%s\"}", eve, day);
	ck_assert_int_eq(post("/api/stats/v1/admin/rebuild", body, itest_bearer(ADMIN_ID, "admin", NULL)),
	                 200);
	char req[200];
	long st;
	snprintf(req, sizeof(req),
	         "/api/stats/v1/timeseries?metric=accounts_created&interval=day&from=%s&to=%s", eve, day);
	json_t *j = get_json(req, &st);
	ck_assert_int_eq(st, 200);
	json_t *pts = json_object_get(j, "points");
	ck_assert_int_eq(json_array_size(pts), 2); /* the evening before (UTC's day), then Paris' day */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(pts, 1), "start")), day);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_array_get(pts, 0), "value")), 0, 1e-9);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_array_get(pts, 1), "value")), 1, 1e-9);
	json_decref(j);
	stop();
}
END_TEST

START_TEST(retention_deletes_only_what_is_older_than_25_months)
{
	start();
	PGconn *c = db();
	PQclear(PQexec(c, "SET search_path TO stats"));
	char old[37], young[37], path[64];
	lc_uuid_v4(old);
	lc_uuid_v4(young);
	snprintf(path, sizeof(path), "/retention-%08x.html", (unsigned)random());
	const char *p[] = {old, young, path};
	PGresult *r = PQexecParams(c,
	                           "INSERT INTO hits (pv, at, day, visitor, path) VALUES"
	                           " ($1::uuid, now() - interval '25 months' - interval '1 hour', (now() - "
	                           "interval '25 months')::date,"
	                           "  '\\x00112233445566778899aabbccddeeff', $3),"
	                           " ($2::uuid, now() - interval '25 months' + interval '1 hour', (now() - "
	                           "interval '25 months')::date,"
	                           "  '\\x00112233445566778899aabbccddeeff', $3)",
	                           3, NULL, p, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQclear(PQexec(
	    c, "INSERT INTO daily (day, metric, dim, value) VALUES ((now() - interval '26 months')::date,"
	       " 'page_views', 'itest-retention', 1) ON CONFLICT DO NOTHING"));
	/* Days are the town's (STATS_TZ): between 23:00 and 00:00 UTC in winter current_date is
	 * still yesterday there. */
	PQclear(PQexec(c, "DELETE FROM salts WHERE day >= " TOWN_DATE " - 3"));
	PQclear(PQexec(c, "INSERT INTO salts (day, salt) SELECT " TOWN_DATE
	                  " - k, decode(repeat('ab', 32), 'hex')"
	                  " FROM generate_series(0, 3) k"));

	/* The scheduler may have run the same job meanwhile: what counts is what is left. */
	ck_assert_int_ge(stats_retention(lc_db_thread(), time(NULL)), 0);
	ck_assert_int_eq(count(c, "SELECT count(*) FROM hits WHERE path = $1", path), 1);
	ck_assert_int_eq(
	    count(c, "SELECT count(*) FROM hits WHERE path = $1 AND at > now() - interval '25 months'", path),
	    1);
	ck_assert_int_eq(count(c, "SELECT count(*) FROM daily WHERE dim = 'itest-retention'", NULL), 1);
	/* Today's and yesterday's salts stay, older ones are gone (they could link days). */
	ck_assert_int_eq(count(c, "SELECT count(*) FROM salts WHERE day >= " TOWN_DATE " - 3", NULL), 2);
	ck_assert_int_eq(count(c, "SELECT count(*) FROM salts WHERE day < " TOWN_DATE " - 1", NULL), 0);
	PQclear(PQexec(c, "DELETE FROM daily WHERE dim = 'itest-retention'"));
	PQfinish(c);
	stop();
}
END_TEST

static json_t *get_as(const char *path, const char *bearer, long *status)
{
	char url[512];
	snprintf(url, sizeof(url), "%s%s", base, path);
	const char *h[] = {bearer, NULL};
	struct itest_resp r;
	itest_http("GET", url, h, NULL, 0, &r);
	*status = r.status;
	json_t *j = itest_json(&r);
	itest_resp_free(&r);
	return j;
}

/* Is the comment with this text in the caller's pending queue? */
static const char *find_comment(json_t *list, const char *text)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(list, "items"), i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "comment")), text) == 0)
			return json_string_value(json_object_get(c, "id"));
	}
	return NULL;
}

START_TEST(comments_reach_the_service_of_the_procedure_only)
{
	start();
	/* A visitor of its own (another User-Agent), so that a rerun on the same day may answer again. */
	char ua[128], body[300], text[64];
	snprintf(ua, sizeof(ua), "User-Agent: Mozilla/5.0 (itest %08x)", (unsigned)random());
	snprintf(text, sizeof(text), "Délai pas clair %08x", (unsigned)random());
	snprintf(body, sizeof(body),
	         "{\"path\":\"/"
	         "demarche.html?slug=acte-de-naissance\",\"question\":\"easy_to_find\",\"answer\":false,"
	         "\"comment\":\"%s\"}",
	         text);
	ck_assert_int_eq(post("/api/stats/v1/feedback", body, ua), 201);

	long st;
	char etat[2048], scol[2048];
	snprintf(etat, sizeof(etat), "%s",
	         itest_bearer("0000aaaa-0000-4000-8000-00000000a002", "agent", "etat-civil"));
	snprintf(scol, sizeof(scol), "%s",
	         itest_bearer("0000aaaa-0000-4000-8000-00000000a003", "agent", "scolaire"));
	json_t *mine = get_as("/api/stats/v1/feedback/comments?limit=100", etat, &st);
	ck_assert_int_eq(st, 200);
	const char *found = find_comment(mine, text);
	ck_assert_ptr_nonnull(found); /* the procedure's treating service reads it */
	char id[37];
	snprintf(id, sizeof(id), "%s", found);
	json_decref(mine);
	json_t *other = get_as("/api/stats/v1/feedback/comments?limit=100", scol, &st);
	ck_assert_int_eq(st, 200);
	ck_assert_ptr_null(find_comment(other, text)); /* another service does not */
	json_decref(other);
	json_t *citizen =
	    get_as("/api/stats/v1/feedback/comments", itest_bearer(ADMIN_ID, "citizen", NULL), &st);
	ck_assert_int_eq(st, 404);
	json_decref(citizen);

	char path[128];
	snprintf(path, sizeof(path), "/api/stats/v1/feedback/comments/%s/review", id);
	ck_assert_int_eq(post(path, "{\"status\":\"read\"}", scol), 404);
	ck_assert_int_eq(post(path, "{\"status\":\"read\"}", etat), 200);
	json_t *after = get_as("/api/stats/v1/feedback/comments?status=read&limit=100", etat, &st);
	ck_assert_ptr_nonnull(find_comment(after, text));
	json_decref(after);
	stop();
}
END_TEST

/* A call to the stack's content daemon (body may be NULL); the JSON answer, status in *status. */
static json_t *content_call(const char *method, const char *path, const char *bearer, const char *body,
                            long *status)
{
	char url[512];
	snprintf(url, sizeof(url), "%s/api/content/v1%s", getenv("CIVITAS_CONTENT_URL"), path);
	const char *h[] = {bearer, "Content-Type: application/json", NULL};
	struct itest_resp r;
	itest_http(method, url, h, body, body ? strlen(body) : 0, &r);
	*status = r.status;
	json_t *j = itest_json(&r);
	itest_resp_free(&r);
	return j;
}

/* An agent reads the comments on the articles of the sections they contribute to (content's
 * contributor_ids), and no other agent does. */
START_TEST(comments_reach_the_contributors_of_the_section_only)
{
	start();
	const char *mine_id = "0000aaaa-0000-4000-8000-00000000b001",
	           *other_id = "0000aaaa-0000-4000-8000-00000000b002";
	char admin[2048], mine[2048], other[2048], body[600], slug[64], text[64], path[160];
	snprintf(admin, sizeof(admin), "%s", itest_bearer(ADMIN_ID, "admin", NULL));
	snprintf(mine, sizeof(mine), "%s", itest_bearer(mine_id, "agent", NULL));
	snprintf(other, sizeof(other), "%s", itest_bearer(other_id, "agent", NULL));
	unsigned tag = (unsigned)random();
	long st;
	/* a section with one contributor, and a published page in it */
	snprintf(body, sizeof(body),
	         "{\"slug\":\"itest-avis-%08x\",\"title\":\"Avis %08x\",\"contributor_ids\":[\"%s\"]}", tag,
	         tag, mine_id);
	json_t *sec = content_call("POST", "/sections", admin, body, &st);
	ck_assert_int_eq(st, 201);
	snprintf(slug, sizeof(slug), "itest-page-avis-%08x", tag);
	snprintf(body, sizeof(body),
	         "{\"kind\":\"page\",\"section_id\":\"%s\",\"slug\":\"%s\",\"title\":\"Horaires %08x\","
	         "\"body_md\":\"Ouvert le samedi.\"}",
	         json_string_value(json_object_get(sec, "id")), slug, tag);
	json_decref(sec);
	json_t *art = content_call("POST", "/articles", admin, body, &st);
	ck_assert_int_eq(st, 201);
	snprintf(path, sizeof(path), "/articles/%s/publish", json_string_value(json_object_get(art, "id")));
	json_decref(art);
	json_decref(content_call("POST", path, admin, "{}", &st));
	ck_assert_int_eq(st, 200);
	/* a reader's comment on it */
	char ua[128];
	snprintf(ua, sizeof(ua), "User-Agent: Mozilla/5.0 (itest %08x)", tag);
	snprintf(text, sizeof(text), "Horaires du samedi faux %08x", tag);
	snprintf(
	    body, sizeof(body),
	    "{\"path\":\"/page.html?slug=%s\",\"question\":\"useful\",\"answer\":false,\"comment\":\"%s\"}",
	    slug, text);
	ck_assert_int_eq(post("/api/stats/v1/feedback", body, ua), 201);
	json_t *list = get_as("/api/stats/v1/feedback/comments?limit=100", mine, &st);
	ck_assert_int_eq(st, 200);
	const char *found = find_comment(list, text);
	ck_assert_ptr_nonnull(found); /* the section's contributor reads it */
	char id[37];
	snprintf(id, sizeof(id), "%s", found);
	json_decref(list);
	list = get_as("/api/stats/v1/feedback/comments?limit=100", other, &st);
	ck_assert_int_eq(st, 200);
	ck_assert_ptr_null(find_comment(list, text)); /* an agent of no such section does not */
	json_decref(list);
	snprintf(path, sizeof(path), "/api/stats/v1/feedback/comments/%s/review", id);
	ck_assert_int_eq(post(path, "{\"status\":\"read\"}", other), 404);
	ck_assert_int_eq(post(path, "{\"status\":\"read\"}", mine), 200);
	stop();
}
END_TEST

/* A full queue answers 503 with Retry-After rather than grow, and loses nothing it accepted: with
 * the database away the writer cannot drain a 16-row queue. */
START_TEST(a_full_queue_answers_503_and_keeps_what_it_accepted)
{
	setenv("CIVITAS_STATS_QUEUE", "16", 1);
	start();
	unsetenv("CIVITAS_STATS_QUEUE");
	char path[64], pv[37], body[200];
	snprintf(path, sizeof(path), "/queue-%08x.html", (unsigned)random());
	hit(path, NULL, 202); /* today's salt is now known without the database */
	PGconn *c = db();
	PQclear(PQexec(c, "SET search_path TO stats"));
	ck_assert(count(c, "SELECT count(*) FROM hits WHERE path = $1", path) <= 1);
	PQfinish(c);
	itest_sh(itest_env("CIVITAS_TEST_PG_STOP"));
	long accepted = 0, refused = 0;
	char url[160];
	snprintf(url, sizeof(url), "%s/api/stats/v1/hits", base);
	const char *h[] = {"Content-Type: application/json", UA, NULL};
	for (int i = 0; i < 64 && refused == 0; i++) {
		lc_uuid_v4(pv);
		snprintf(body, sizeof(body), "{\"pv\":\"%s\",\"path\":\"%s\"}", pv, path);
		struct itest_resp r;
		itest_http("POST", url, h, body, strlen(body), &r);
		if (r.status == 202)
			accepted++;
		else {
			ck_assert_int_eq(r.status, 503);
			ck_assert_ptr_nonnull(strstr(r.body, "\"unavailable\""));
			refused++;
		}
		itest_resp_free(&r);
	}
	itest_sh(itest_env("CIVITAS_TEST_PG_START"));
	ck_assert_int_eq(refused, 1);
	ck_assert_int_ge(accepted, 1);
	ck_assert_int_le(accepted, 16);
	/* once the database is back, every accepted hit is written (the first one too) */
	c = db();
	PQclear(PQexec(c, "SET search_path TO stats"));
	long rows = 0;
	for (int i = 0; i < 120 && rows < accepted + 1; i++) {
		rows = count(c, "SELECT count(*) FROM hits WHERE path = $1", path);
		if (rows < accepted + 1)
			usleep(500 * 1000);
	}
	PQfinish(c);
	ck_assert_int_eq(rows, accepted + 1);
	stop();
}
END_TEST

/* POST a CSV of reference figures; the JSON answer, status in *status. */
static json_t *import_csv(const char *csv, const char *bearer, const char *type, long *status)
{
	char url[256];
	snprintf(url, sizeof(url), "%s/api/stats/v1/admin/reference-figures?source=ancien%%20portail", base);
	const char *h[] = {bearer, type, UA, NULL};
	struct itest_resp r;
	itest_http("POST", url, h, csv, strlen(csv), &r);
	*status = r.status;
	json_t *j = itest_json(&r);
	itest_resp_free(&r);
	return j;
}

/* The old portal's figures become a reference period: all or nothing with every bad line
 * listed, never on a day Civitas counted, editors only, audited; the dashboard compares with it. */
START_TEST(old_portal_figures_become_a_reference_period)
{
	start();
	char editor[2048], agent[2048], csv[600], a[11], b[11], c2[11];
	snprintf(editor, sizeof(editor), "%s", itest_bearer(ADMIN_ID, "editor", NULL));
	snprintf(agent, sizeof(agent), "%s", itest_bearer(ADMIN_ID, "agent", "communication"));
	int64_t d = 5000 + (int64_t)(random() % 5000); /* days of their own */
	stats_format_day(d, a);
	stats_format_day(d + 1, b);
	stats_format_day(d + 2, c2);
	const char *ct = "Content-Type: text/csv";
	long st;
	/* three bad lines: nothing is imported, each is named */
	snprintf(csv, sizeof(csv),
	         "date;metric;value\n%s;page_views;100\n%s;hits;3\n2999-01-01;visitors;4\n%s;visitors;-1\n",
	         a, a, b);
	json_t *j = import_csv(csv, editor, ct, &st);
	ck_assert_int_eq(st, 422);
	json_t *errs = json_object_get(j, "errors");
	ck_assert_int_eq(json_array_size(errs), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(errs, 0), "line")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(errs, 1), "line")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(errs, 2), "line")), 5);
	json_decref(j);
	PGconn *c = db();
	PQclear(PQexec(c, "SET search_path TO stats"));
	ck_assert_int_eq(count(c, "SELECT count(*) FROM imported_daily WHERE day = $1::date", a), 0);
	/* only editors and admins; a CSV only */
	snprintf(csv, sizeof(csv),
	         "date,metric,value\r\n%s,page_views,100\r\n%s,page_views,120.5\r\n%s,visitors,40\r\n", a, b,
	         a);
	json_decref(import_csv(csv, agent, ct, &st));
	ck_assert_int_eq(st, 404);
	json_decref(import_csv(csv, editor, "Content-Type: application/json", &st));
	ck_assert_int_eq(st, 415);
	j = import_csv(csv, editor, ct, &st);
	ck_assert_int_eq(st, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "imported")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(j, "from")), a);
	ck_assert_str_eq(json_string_value(json_object_get(j, "to")), b);
	json_decref(j);
	ck_assert_int_ge(
	    count(c, "SELECT count(*) FROM outbox WHERE topic = 'audit.stats.reference_import'", NULL), 1);
	/* the dashboard compares a period with it */
	char req[256];
	snprintf(req, sizeof(req), "/api/stats/v1/dashboard?from=%s&to=%s&compare=%s..%s", c2, c2, a, b);
	j = get_json(req, &st);
	ck_assert_int_eq(st, 200);
	json_t *pv = json_object_get(json_object_get(j, "figures"), "page_views");
	ck_assert_double_eq_tol(json_number_value(json_object_get(pv, "reference")), 220.5, 1e-9);
	json_decref(j);
	/* a day Civitas counted is not imported over */
	const char *p[] = {c2};
	PQclear(PQexecParams(
	    c, "INSERT INTO daily (day, metric, dim, value) VALUES ($1::date, 'page_views', '', 7)", 1, NULL,
	    p, NULL, NULL, 0));
	snprintf(csv, sizeof(csv), "date;metric;value\n%s;page_views;9\n", c2);
	j = import_csv(csv, editor, ct, &st);
	ck_assert_int_eq(st, 422);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(json_object_get(j, "errors"), 0), "code")),
	    "taken");
	json_decref(j);
	ck_assert_int_eq(count(c, "SELECT count(*) FROM imported_daily WHERE day = $1::date", c2), 0);
	PQclear(PQexecParams(c, "DELETE FROM daily WHERE day = $1::date AND metric = 'page_views'", 1, NULL,
	                     p, NULL, NULL, 0));
	PQfinish(c);
	stop();
}
END_TEST

struct sender {
	char url[128], path[64];
	long accepted, refused;
};

/* Sends hits on one keep-alive connection until the server stops answering. */
static void *send_hits(void *arg)
{
	struct sender *s = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, UA);
	FILE *devnull = fopen("/dev/null", "w");
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, devnull);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	for (int i = 0; i < 100000; i++) {
		char pv[37], body[200];
		lc_uuid_v4(pv);
		snprintf(body, sizeof(body), "{\"pv\":\"%s\",\"path\":\"%s\"}", pv, s->path);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		if (curl_easy_perform(c) != CURLE_OK)
			break;
		long st = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
		if (st == 202)
			s->accepted++;
		else
			s->refused++;
	}
	fclose(devnull);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

START_TEST(stop_under_load_writes_every_accepted_hit)
{
	start();
	enum { SENDERS = 8 };
	struct sender s[SENDERS] = {0};
	pthread_t t[SENDERS];
	char path[64];
	snprintf(path, sizeof(path), "/sigterm-%08x.html", (unsigned)random());
	for (int i = 0; i < SENDERS; i++) {
		snprintf(s[i].url, sizeof(s[i].url), "%s/api/stats/v1/hits", base);
		snprintf(s[i].path, sizeof(s[i].path), "%s", path);
		pthread_create(&t[i], NULL, send_hits, &s[i]);
	}
	sleep(2);
	stop(); /* what SIGTERM does in lc_service_main */
	long accepted = 0;
	for (int i = 0; i < SENDERS; i++) {
		pthread_join(t[i], NULL);
		accepted += s[i].accepted;
	}
	ck_assert_int_gt(accepted, 0);
	PGconn *c = db();
	PQclear(PQexec(c, "SET search_path TO stats"));
	long rows = count(c, "SELECT count(*) FROM hits WHERE path = $1", path);
	PQfinish(c);
	/* Every 202 is in the database. A request cut at the stop may have been written without its
	 * answer reaching the client (at most one per connection): a browser resending that beacon
	 * is not counted twice, since its page-view id is the primary key. */
	ck_assert_int_ge(rows, accepted);
	ck_assert_int_le(rows, accepted + SENDERS);
}
END_TEST

int main(void)
{
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	curl_global_init(CURL_GLOBAL_DEFAULT);
	Suite *s = suite_create("stats_audience");
	TCase *tc = tcase_create("audience");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_add_test(tc, beacons_become_daily_figures);
	tcase_add_test(tc, an_event_is_counted_once);
	tcase_add_test(tc, an_event_after_midnight_in_paris_counts_for_that_day);
	tcase_add_test(tc, comments_reach_the_service_of_the_procedure_only);
	tcase_add_test(tc, comments_reach_the_contributors_of_the_section_only);
	tcase_add_test(tc, a_full_queue_answers_503_and_keeps_what_it_accepted);
	tcase_add_test(tc, old_portal_figures_become_a_reference_period);
	tcase_add_test(tc, retention_deletes_only_what_is_older_than_25_months);
	tcase_add_test(tc, stop_under_load_writes_every_accepted_hit);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

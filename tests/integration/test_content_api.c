/* test_content_api.c — civitas-content in-process against the test PostgreSQL: editorial
 * permissions, lost updates (412/428), scheduling boundaries, inert Markdown, accent-insensitive
 * search, ETag/304, partner edits held for moderation, job board (honeypot, rate limit, expiry). */
#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "civitas/cache.h"
#include "civitas/crypto.h"
#include "civitas/service.h"

#include "itest.h"
#include "routes.h"

static struct lc_running *svc;
static char base[64];
static char agent[37], agent2[37], editor[37], partner[37], partner2[37], citizen[37];
static char sec_mine[37], sec_other[37];

#define V1 "/api/content/v1"

struct call {
	long status;
	json_t *json;
	char etag[64];
	char body[8192];
};

/* One request: who is a bearer header or NULL; extra is one more header or NULL. */
static struct call req(const char *method, const char *path, const char *who, const char *body,
                       const char *extra)
{
	char url[4096];
	snprintf(url, sizeof(url), "%s%s", base, path);
	const char *h[5];
	int n = 0;
	char auth[4200];
	if (who) {
		snprintf(auth, sizeof(auth), "%s", who);
		h[n++] = auth;
	}
	if (body)
		h[n++] = "Content-Type: application/json";
	if (extra)
		h[n++] = extra;
	h[n] = NULL;
	struct itest_resp r;
	struct call c = {0};
	ck_assert_int_eq(itest_http(method, url, h, body, body ? strlen(body) : 0, &r), 0);
	c.status = r.status;
	c.json = itest_json(&r);
	itest_header(&r, "ETag", c.etag, sizeof(c.etag));
	snprintf(c.body, sizeof(c.body), "%s", r.body ? r.body : "");
	itest_resp_free(&r);
	return c;
}

static void done(struct call *c)
{
	json_decref(c->json);
	c->json = NULL;
}

static const char *as(const char *sub, const char *role)
{
	static char slots[8][4200];
	static int next;
	char *s = slots[next++ % 8];
	snprintf(s, 4200, "%s", itest_bearer(sub, role, NULL));
	return s;
}

static const char *str(const struct call *c, const char *k)
{
	return json_string_value(json_object_get(c->json, k));
}

static void expect_code(const struct call *c, long status, const char *code)
{
	ck_assert_msg(c->status == status, "status %ld, expected %ld: %s", c->status, status, c->body);
	if (code)
		ck_assert_str_eq(json_string_value(json_object_get(c->json, "code")), code);
}

static void rand_word(char *out, size_t n)
{
	char tok[40];
	lc_random_token(tok, sizeof(tok), 12);
	size_t o = 0;
	for (size_t i = 0; tok[i] && o + 1 < n; i++)
		if (tok[i] >= 'a' && tok[i] <= 'z')
			out[o++] = tok[i];
	while (o < 6 && o + 1 < n)
		out[o++] = 'q';
	out[o] = '\0';
}

static void iso_in(int seconds, char out[32])
{
	time_t t = time(NULL) + seconds;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static PGconn *pg(void)
{
	PGconn *c = PQconnectdb(itest_env("CIVITAS_TEST_CONTENT_DB_URL"));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	return c;
}

/* Runs SQL with one text parameter and returns the first value (static buffer) or "". */
static const char *pg1(const char *sql, const char *param)
{
	static char out[2048];
	PGconn *c = pg();
	const char *p[] = {param};
	PGresult *r = PQexecParams(c, sql, param ? 1 : 0, NULL, param ? p : NULL, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK, "%s",
	              PQerrorMessage(c));
	snprintf(out, sizeof(out), "%s", PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	PQfinish(c);
	return out;
}

static void make_section(const char *title, const char *contributor, char out[37])
{
	char w[16], body[512];
	rand_word(w, sizeof(w));
	snprintf(body, sizeof(body), "{\"title\":\"%s %s\",\"slug\":\"t-%s\",\"contributor_ids\":[%s%s%s]}",
	         title, w, w, contributor ? "\"" : "", contributor ? contributor : "",
	         contributor ? "\"" : "");
	struct call c = req("POST", V1 "/sections", as(editor, "editor"), body, NULL);
	expect_code(&c, 201, NULL);
	snprintf(out, 37, "%s", str(&c, "id"));
	done(&c);
}

static void setup(void)
{
	itest_service_env("content");
	svc = lc_service_start(&content_service);
	ck_assert_ptr_nonnull(svc);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", lc_service_port(svc));
	lc_uuid_v4(agent);
	lc_uuid_v4(agent2);
	lc_uuid_v4(editor);
	lc_uuid_v4(partner);
	lc_uuid_v4(partner2);
	lc_uuid_v4(citizen);
	make_section("Rubrique de test", agent, sec_mine);
	make_section("Autre rubrique", NULL, sec_other);
}

static void teardown(void)
{
	lc_service_stop(svc);
}

/* Creates an article as who in section; returns its id in id and slug in slug. */
static void create_article(const char *who, const char *section, const char *title, const char *extra_json,
                           char id[37], char slug[128])
{
	char body[4096];
	bool own_body = extra_json && strstr(extra_json, "\"body_md\"");
	snprintf(body, sizeof(body), "{\"kind\":\"news\",\"section_id\":\"%s\",\"title\":\"%s\"%s%s%s}",
	         section, title, own_body ? "" : ",\"body_md\":\"Texte.\"", extra_json ? "," : "",
	         extra_json ? extra_json : "");
	struct call c = req("POST", V1 "/articles", who, body, NULL);
	expect_code(&c, 201, NULL);
	ck_assert_str_eq(str(&c, "status"), "draft");
	snprintf(id, 37, "%s", str(&c, "id"));
	snprintf(slug, 128, "%s", str(&c, "slug"));
	done(&c);
}

static void publish(const char *id)
{
	char path[256];
	snprintf(path, sizeof(path), V1 "/articles/%s/publish", id);
	struct call c = req("POST", path, as(editor, "editor"), NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_str_eq(str(&c, "status"), "published");
	done(&c);
}

static long public_status(const char *slug)
{
	char path[256];
	snprintf(path, sizeof(path), V1 "/articles/%s", slug);
	struct call c = req("GET", path, NULL, NULL, NULL);
	long s = c.status;
	done(&c);
	return s;
}

/* The review queue's item for id: the article's title, author and section path, no bodies (the
 * queue lists items; the editor loads the article). */
static void review_item_check(const struct call *c, const char *id, const char *title, const char *author,
                              const char *section)
{
	json_t *items = json_object_get(c->json, "items"), *it, *found = NULL;
	size_t i;
	json_array_foreach(items, i, it) if (strcmp(json_string_value(json_object_get(it, "id")), id) == 0)
	    found = it;
	ck_assert_msg(found != NULL, "%s is not in the review queue", id);
	ck_assert_str_eq(json_string_value(json_object_get(found, "title")), title);
	ck_assert_str_eq(json_string_value(json_object_get(found, "status")), "in_review");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(found, "author"), "id")), author);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(found, "updated_at")));
	ck_assert_ptr_null(json_object_get(found, "body_md"));
	ck_assert_ptr_null(json_object_get(found, "body_html"));
	json_t *crumbs = json_object_get(found, "breadcrumb");
	ck_assert_int_ge(json_array_size(crumbs), 1);
	json_t *last = json_array_get(crumbs, json_array_size(crumbs) - 1);
	ck_assert_str_eq(json_string_value(json_object_get(last, "id")), section);
	ck_assert_str_eq(json_string_value(json_object_get(found, "section_id")), section);
}

START_TEST(workflow_permissions)
{
	char id[37], slug[128], path[256], w[16];
	rand_word(w, sizeof(w));
	/* Nobody below agent writes; anonymous callers are asked to log in. */
	struct call c = req("POST", V1 "/articles", NULL, "{}", NULL);
	expect_code(&c, 401, NULL);
	done(&c);
	c = req("POST", V1 "/articles", as(citizen, "citizen"), "{\"kind\":\"news\"}", NULL);
	expect_code(&c, 404, "not_found");
	done(&c);
	/* An agent writes only in its sections. */
	char body[512];
	snprintf(body, sizeof(body), "{\"kind\":\"page\",\"section_id\":\"%s\",\"title\":\"Hors rubrique\"}",
	         sec_other);
	c = req("POST", V1 "/articles", as(agent, "agent"), body, NULL);
	expect_code(&c, 403, "forbidden");
	done(&c);
	char title[64];
	snprintf(title, sizeof(title), "Brouillon %s", w);
	create_article(as(agent, "agent"), sec_mine, title, NULL, id, slug);
	/* A draft is not public, even by id or slug. */
	ck_assert_int_eq(public_status(slug), 404);
	/* Another agent (not a contributor of the section) cannot edit or submit it. */
	snprintf(path, sizeof(path), V1 "/articles/%s", id);
	c = req("PATCH", path, as(agent2, "agent"), "{\"title\":\"Pris\"}", "If-Match: *");
	expect_code(&c, 403, "forbidden");
	done(&c);
	snprintf(path, sizeof(path), V1 "/articles/%s/submit", id);
	c = req("POST", path, as(agent2, "agent"), NULL, NULL);
	expect_code(&c, 403, "forbidden");
	done(&c);
	/* The contributor cannot publish; it submits. */
	snprintf(path, sizeof(path), V1 "/articles/%s/publish", id);
	c = req("POST", path, as(agent, "agent"), NULL, NULL);
	expect_code(&c, 403, "forbidden");
	done(&c);
	snprintf(path, sizeof(path), V1 "/articles/%s/submit", id);
	c = req("POST", path, as(agent, "agent"), NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_str_eq(str(&c, "status"), "in_review");
	done(&c);
	ck_assert_int_eq(public_status(slug), 404);
	/* Preview shows it to agents, not to the public. */
	snprintf(path, sizeof(path), V1 "/articles/%s?preview=1", id);
	c = req("GET", path, NULL, NULL, NULL);
	expect_code(&c, 401, NULL);
	done(&c);
	c = req("GET", path, as(citizen, "citizen"), NULL, NULL);
	expect_code(&c, 404, NULL);
	done(&c);
	c = req("GET", path, as(agent2, "agent"), NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_str_eq(str(&c, "status"), "in_review");
	done(&c);
	/* The editor's queue holds it; the agent's does not exist. */
	c = req("GET", V1 "/review?limit=100", as(agent, "agent"), NULL, NULL);
	expect_code(&c, 404, NULL);
	done(&c);
	c = req("GET", V1 "/review?limit=100", as(editor, "editor"), NULL, NULL);
	expect_code(&c, 200, NULL);
	review_item_check(&c, id, title, agent, sec_mine);
	done(&c);
	/* Reject needs a comment and sends it back to draft. */
	snprintf(path, sizeof(path), V1 "/articles/%s/reject", id);
	c = req("POST", path, as(editor, "editor"), "{}", NULL);
	expect_code(&c, 422, "validation_failed");
	done(&c);
	c = req("POST", path, as(editor, "editor"), "{\"comment\":\"Ajoutez la date.\"}", NULL);
	expect_code(&c, 200, NULL);
	ck_assert_str_eq(str(&c, "status"), "draft");
	ck_assert_str_eq(str(&c, "review_comment"), "Ajoutez la date.");
	done(&c);
	publish(id);
	ck_assert_int_eq(public_status(slug), 200);
	/* An edit of a published article stays private until it is published again. */
	snprintf(path, sizeof(path), V1 "/articles/%s", id);
	c = req("PATCH", path, as(agent, "agent"), "{\"title\":\"Titre modifié\"}", "If-Match: *");
	expect_code(&c, 200, NULL);
	ck_assert_str_eq(str(&c, "status"), "draft");
	ck_assert(json_is_true(json_object_get(c.json, "has_unpublished_changes")));
	done(&c);
	snprintf(path, sizeof(path), V1 "/articles/%s", slug);
	c = req("GET", path, NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_str_eq(str(&c, "title"), title);
	done(&c);
	/* Every change left a revision; restoring the first brings the first title back. */
	snprintf(path, sizeof(path), V1 "/articles/%s/revisions", id);
	c = req("GET", path, as(agent, "agent"), NULL, NULL);
	expect_code(&c, 200, NULL);
	json_t *items = json_object_get(c.json, "items");
	ck_assert_int_ge(json_array_size(items), 5); /* create, submit, reject, publish, update */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "action")), "update");
	done(&c);
	snprintf(path, sizeof(path), V1 "/articles/%s/revisions/1/restore", id);
	c = req("POST", path, as(agent, "agent"), NULL, "If-Match: *");
	expect_code(&c, 200, NULL);
	ck_assert_str_eq(str(&c, "title"), title);
	done(&c);
	/* The editor archives it: gone from the public. */
	snprintf(path, sizeof(path), V1 "/articles/%s/archive", id);
	c = req("POST", path, as(agent, "agent"), NULL, NULL);
	expect_code(&c, 403, NULL);
	done(&c);
	c = req("POST", path, as(editor, "editor"), NULL, NULL);
	expect_code(&c, 200, NULL);
	done(&c);
	ck_assert_int_eq(public_status(slug), 404);
}
END_TEST

/* The queue's breadcrumbs (section_paths, one query a page) are the article's own (section_path):
 * a section two levels down, and its parent, on one page. */
START_TEST(review_queue_items)
{
	char w[16], body[512], child[37], id1[37], id2[37], slug[128], path[256];
	rand_word(w, sizeof(w));
	snprintf(body, sizeof(body),
	         "{\"title\":\"Sous-rubrique %s\",\"slug\":\"t-sub-%s\",\"parent_id\":\"%s\","
	         "\"contributor_ids\":[\"%s\"]}",
	         w, w, sec_mine, agent);
	struct call c = req("POST", V1 "/sections", as(editor, "editor"), body, NULL);
	expect_code(&c, 201, NULL);
	snprintf(child, sizeof(child), "%s", str(&c, "id"));
	done(&c);
	char t1[64], t2[64];
	snprintf(t1, sizeof(t1), "Dans la sous-rubrique %s", w);
	snprintf(t2, sizeof(t2), "Dans la rubrique %s", w);
	create_article(as(agent, "agent"), child, t1, NULL, id1, slug);
	create_article(as(agent, "agent"), sec_mine, t2, NULL, id2, slug);
	const char *ids[] = {id1, id2};
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), V1 "/articles/%s/submit", ids[i]);
		c = req("POST", path, as(agent, "agent"), NULL, NULL);
		expect_code(&c, 200, NULL);
		done(&c);
	}
	c = req("GET", V1 "/review?limit=100", as(editor, "editor"), NULL, NULL);
	expect_code(&c, 200, NULL);
	review_item_check(&c, id1, t1, agent, child);
	review_item_check(&c, id2, t2, agent, sec_mine);
	json_t *queue = json_incref(json_object_get(c.json, "items"));
	done(&c);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), V1 "/articles/%s?preview=1", ids[i]);
		c = req("GET", path, as(editor, "editor"), NULL, NULL);
		expect_code(&c, 200, NULL);
		json_t *it, *mine = NULL;
		size_t k;
		json_array_foreach(queue, k, it) if (strcmp(json_string_value(json_object_get(it, "id")),
		                                            ids[i]) == 0) mine = it;
		ck_assert(
		    json_equal(json_object_get(mine, "breadcrumb"), json_object_get(c.json, "breadcrumb")));
		ck_assert_int_eq(json_array_size(json_object_get(mine, "breadcrumb")), i == 0 ? 2 : 1);
		done(&c);
	}
	json_decref(queue);
}
END_TEST

START_TEST(lost_update)
{
	char id[37], slug[128], path[256], ifm[96];
	create_article(as(agent, "agent"), sec_mine, "Verrou optimiste", NULL, id, slug);
	snprintf(path, sizeof(path), V1 "/articles/%s?preview=1", id);
	struct call c = req("GET", path, as(agent, "agent"), NULL, NULL);
	expect_code(&c, 200, NULL);
	char etag[64];
	snprintf(etag, sizeof(etag), "%s", c.etag);
	ck_assert_str_eq(etag, "\"r1\"");
	done(&c);
	snprintf(path, sizeof(path), V1 "/articles/%s", id);
	c = req("PATCH", path, as(agent, "agent"), "{\"summary\":\"Sans If-Match\"}", NULL);
	expect_code(&c, 428, "precondition_required");
	done(&c);
	snprintf(ifm, sizeof(ifm), "If-Match: %s", etag);
	c = req("PATCH", path, as(agent, "agent"), "{\"summary\":\"Premier\"}", ifm);
	expect_code(&c, 200, NULL);
	ck_assert_str_eq(c.etag, "\"r2\"");
	done(&c);
	/* The second writer still holds r1: its change would erase the first one. */
	c = req("PATCH", path, as(editor, "editor"), "{\"summary\":\"Second\"}", ifm);
	expect_code(&c, 412, "precondition_failed");
	ck_assert_str_eq(c.etag, "\"r2\"");
	done(&c);
	snprintf(path, sizeof(path), V1 "/articles/%s?preview=1", id);
	c = req("GET", path, as(agent, "agent"), NULL, NULL);
	ck_assert_str_eq(str(&c, "summary"), "Premier");
	done(&c);
	/* Bad input changes nothing. */
	snprintf(path, sizeof(path), V1 "/articles/%s", id);
	c = req("PATCH", path, as(agent, "agent"), "{\"title\":\"\"}", "If-Match: \"r2\"");
	expect_code(&c, 422, "validation_failed");
	done(&c);
	c = req("PATCH", path, as(agent, "agent"), "{\"tags\":[\"\"]}", "If-Match: \"r2\"");
	expect_code(&c, 422, "validation_failed");
	done(&c);
	snprintf(path, sizeof(path), V1 "/articles/%s?preview=1", id);
	c = req("GET", path, as(agent, "agent"), NULL, NULL);
	ck_assert_str_eq(c.etag, "\"r2\"");
	done(&c);
}
END_TEST

START_TEST(scheduling_boundaries)
{
	char id[37], slug[128], extra[256], pa[32], ua[32];
	iso_in(3, pa);
	iso_in(6, ua);
	snprintf(extra, sizeof(extra), "\"publish_at\":\"%s\",\"unpublish_at\":\"%s\"", pa, ua);
	create_article(as(editor, "editor"), sec_mine, "Programmé", extra, id, slug);
	/* unpublish before publish is refused */
	char path[256], bad[256];
	snprintf(path, sizeof(path), V1 "/articles/%s", id);
	snprintf(bad, sizeof(bad), "{\"unpublish_at\":\"%s\"}", pa);
	struct call c = req("PATCH", path, as(editor, "editor"), bad, "If-Match: *");
	expect_code(&c, 422, "validation_failed");
	done(&c);
	publish(id);
	ck_assert_int_eq(public_status(slug), 404);
	c = req("GET", V1 "/articles?limit=100", NULL, NULL, NULL);
	ck_assert_ptr_null(strstr(c.body, id));
	done(&c);
	/* After publish_at it is live... */
	sleep(4);
	ck_assert_int_eq(public_status(slug), 200);
	c = req("GET", V1 "/articles?kind=news&limit=100", NULL, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(c.body, id));
	done(&c);
	/* ...and at unpublish_at it leaves. */
	sleep(3);
	ck_assert_int_eq(public_status(slug), 404);
}
END_TEST

/* The cache watcher (migration 0205, libcommon cache_watch.c): while it reads the cache version,
 * a public list stays in memory past one second; a write made behind this daemon's back (another
 * replica, an operator) clears it within about half a second. */
START_TEST(cache_watched)
{
	uint64_t t0 = lc_cache_now_ms();
	while (lc_cache_ttl_ms(lc_cache_now_ms()) != LC_CACHE_WATCHED_TTL_MS &&
	       lc_cache_now_ms() - t0 < 10000)
		usleep(50 * 1000);
	ck_assert_uint_eq(lc_cache_ttl_ms(lc_cache_now_ms()), LC_CACHE_WATCHED_TTL_MS);
	char id[37], slug[128], path[256];
	create_article(as(editor, "editor"), sec_mine, "Veille du cache", NULL, id, slug);
	publish(id);
	usleep(2 * LC_CACHE_WATCH_MS *
	       1000); /* the watcher reads the publication's version (it clears too) */
	snprintf(path, sizeof(path), V1 "/articles?section=%s&limit=7",
	         pg1("SELECT slug FROM sections WHERE id = $1::uuid", sec_mine));
	struct call c = req("GET", path, NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_ptr_nonnull(strstr(c.body, "Veille du cache"));
	done(&c);
	/* Past the one second of an unwatched cache, the same list is still a hit. */
	usleep((LC_CACHE_TTL_MS + 500) * 1000);
	struct lc_cache_stats before, after;
	lc_cache_stats(&before);
	c = req("GET", path, NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	done(&c);
	lc_cache_stats(&after);
	ck_assert_int_eq(after.hits, before.hits + 1);
	ck_assert_int_eq(after.misses, before.misses);
	/* Renamed in the database directly: the list follows within the watcher's reading. */
	pg1("UPDATE articles SET pub_title = 'Veille renommée' WHERE id = $1::uuid", id);
	bool seen = false;
	t0 = lc_cache_now_ms();
	while (!seen && lc_cache_now_ms() - t0 < 5000) {
		c = req("GET", path, NULL, NULL, NULL);
		seen = strstr(c.body, "Veille renommée") != NULL;
		done(&c);
		if (!seen)
			usleep(100 * 1000);
	}
	ck_assert_msg(seen, "a change made behind the daemon's back shows in the cached list");
}
END_TEST

START_TEST(markdown_inert)
{
	char id[37], slug[128];
	const char *md =
	    "{\"body_md\":\"<script>alert(1)</script>\\n\\n[clic](javascript:alert(1)) "
	    "[data](data:text/html;base64,PHNjcmlwdD4=) [vb](VBScript:x) [ok](https://example.org/a) "
	    "[rel](/agenda.html) [mail](mailto:a@b.example)\\n\\n<img src=x onerror=alert(1)>\\n\\n"
	    "![pixel](javascript:alert(2)) <a href=\\\"javascript:alert(3)\\\">x</a>\"";
	create_article(as(agent, "agent"), sec_mine, "Markdown piégé", md + 1, id, slug);
	char path[256];
	snprintf(path, sizeof(path), V1 "/articles/%s?preview=1", id);
	struct call c = req("GET", path, as(agent, "agent"), NULL, NULL);
	expect_code(&c, 200, NULL);
	const char *html = str(&c, "body_html");
	ck_assert_ptr_nonnull(html);
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strcasestr(html, "javascript:"));
	ck_assert_ptr_null(strcasestr(html, "vbscript:"));
	ck_assert_ptr_null(strstr(html, "data:text"));
	ck_assert_ptr_null(strstr(html, "onerror"));
	ck_assert_ptr_null(strstr(html, "<img src=\"x\""));
	ck_assert_ptr_nonnull(strstr(html, "href=\"https://example.org/a\""));
	ck_assert_ptr_nonnull(strstr(html, "href=\"/agenda.html\""));
	ck_assert_ptr_nonnull(strstr(html, "href=\"mailto:a@b.example\""));
	ck_assert_ptr_nonnull(strstr(html, "clic")); /* the text of a refused link stays */
	done(&c);
}
END_TEST

START_TEST(search_accents)
{
	char w[16], id[37], slug[128], title[128], q[256];
	rand_word(w, sizeof(w));
	snprintf(title, sizeof(title), "Rentrée à l’École Élémentaire Zéphyr%s", w);
	create_article(as(editor, "editor"), sec_mine, title,
	               "\"summary\":\"La rentrée à l’École élémentaire\"", id, slug);
	/* Not yet published: search and suggestions do not see it (and keep that answer in the
	 * micro-cache, which the publication must clear). */
	snprintf(q, sizeof(q), V1 "/search?q=zephyr%s", w);
	struct call c = req("GET", q, NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_int_eq(json_array_size(json_object_get(c.json, "items")), 0);
	done(&c);
	char sq[256];
	snprintf(sq, sizeof(sq), V1 "/search/suggest?q=%%C3%%A9cole%%20zephyr%.3s", w);
	c = req("GET", sq, NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_ptr_null(strstr(c.body, w));
	done(&c);
	publish(id);
	/* Typed so far: the title completes, accents ignored, at once after the publication. */
	c = req("GET", sq, NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	json_t *first = json_array_get(json_object_get(c.json, "items"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(first, "title")), title);
	ck_assert_str_eq(json_string_value(json_object_get(first, "type")), "article");
	done(&c);
	c = req("GET", V1 "/search/suggest?q=", NULL, NULL, NULL);
	expect_code(&c, 422, "validation_failed");
	done(&c);
	c = req("GET", q, NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	json_t *items = json_object_get(c.json, "items");
	ck_assert_int_eq(json_array_size(items), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "id")), id);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "type")), "article");
	done(&c);
	/* "ecole elementaire" finds "École Élémentaire", and the prefix of the last word counts. */
	snprintf(q, sizeof(q), V1 "/search?q=ecole%%20elementaire%%20zephyr%.3s", w);
	c = req("GET", q, NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_ptr_nonnull(strstr(c.body, id));
	ck_assert_ptr_nonnull(strstr(c.body, "<mark>École</mark>"));
	done(&c);
	/* Operators typed by a user are only words. */
	c = req("GET", V1 "/search?q=%27%29%20%7C%20%21%20%26%3A%2A", NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	done(&c);
	c = req("GET", V1 "/search", NULL, NULL, NULL);
	expect_code(&c, 422, "validation_failed");
	done(&c);
}
END_TEST

START_TEST(etag_304)
{
	char id[37], slug[128], path[256], inm[96];
	create_article(as(editor, "editor"), sec_mine, "Cache et ETag", NULL, id, slug);
	publish(id);
	snprintf(path, sizeof(path), V1 "/articles/%s", slug);
	char url[512];
	snprintf(url, sizeof(url), "%s%s", base, path);
	struct itest_resp r;
	ck_assert_int_eq(itest_http("GET", url, NULL, NULL, 0, &r), 0);
	ck_assert_int_eq(r.status, 200);
	char etag[64], cc[128];
	ck_assert_ptr_nonnull(itest_header(&r, "ETag", etag, sizeof(etag)));
	ck_assert_ptr_nonnull(itest_header(&r, "Cache-Control", cc, sizeof(cc)));
	ck_assert_ptr_nonnull(strstr(cc, "public"));
	itest_resp_free(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	struct call c = req("GET", path, NULL, NULL, inm);
	ck_assert_int_eq(c.status, 304);
	done(&c);
	/* A new publication changes the representation and the ETag. */
	snprintf(path, sizeof(path), V1 "/articles/%s", id);
	c = req("PATCH", path, as(editor, "editor"), "{\"summary\":\"Nouveau résumé\"}", "If-Match: *");
	expect_code(&c, 200, NULL);
	done(&c);
	publish(id);
	snprintf(path, sizeof(path), V1 "/articles/%s", slug);
	c = req("GET", path, NULL, NULL, inm);
	ck_assert_int_eq(c.status, 200);
	ck_assert_str_ne(c.etag, etag);
	done(&c);
}
END_TEST

/* A public list asked for with Accept-Encoding: gzip comes from the micro-cache's gzip'd copy
 * (Content-Encoding, Vary, an ETag of its own that also answers 304 to the plain one), which
 * inflates to the very bytes a client without it gets; q=0 refuses it. */
START_TEST(gzip_copy_of_public_lists)
{
	char id[37], slug[128];
	create_article(as(editor, "editor"), sec_mine, "Compression des listes publiques", NULL, id, slug);
	publish(id);
	char url[512];
	snprintf(url, sizeof(url), "%s" V1 "/articles?limit=20", base);
	struct itest_resp plain, gz, refused;
	ck_assert_int_eq(itest_http("GET", url, NULL, NULL, 0, &plain), 0);
	ck_assert_int_eq(plain.status, 200);
	ck_assert_uint_gt(plain.len, 512);
	char etag[80], got[80];
	ck_assert_ptr_nonnull(itest_header(&plain, "ETag", etag, sizeof(etag)));
	ck_assert_ptr_null(itest_header(&plain, "Content-Encoding", got, sizeof(got)));
	const char *ae[] = {"Accept-Encoding: br, gzip;q=0.8", NULL};
	ck_assert_int_eq(itest_http("GET", url, ae, NULL, 0, &gz), 0);
	ck_assert_int_eq(gz.status, 200);
	ck_assert_ptr_nonnull(itest_header(&gz, "Content-Encoding", got, sizeof(got)));
	ck_assert_str_eq(got, "gzip");
	ck_assert_ptr_nonnull(itest_header(&gz, "Vary", got, sizeof(got)));
	ck_assert_str_eq(got, "Accept-Encoding");
	char gz_etag[80];
	ck_assert_ptr_nonnull(itest_header(&gz, "ETag", gz_etag, sizeof(gz_etag)));
	ck_assert_ptr_nonnull(strstr(gz_etag, "-gz\""));
	ck_assert_uint_lt(gz.len, plain.len);
	char *back = malloc(plain.len + 1);
	ck_assert_ptr_nonnull(back);
	z_stream z = {0};
	ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)gz.body;
	z.avail_in = (uInt)gz.len;
	z.next_out = (Bytef *)back;
	z.avail_out = (uInt)plain.len + 1;
	ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	ck_assert_uint_eq(z.total_out, plain.len);
	inflateEnd(&z);
	ck_assert_int_eq(memcmp(back, plain.body, plain.len), 0);
	free(back);
	const char *no[] = {"Accept-Encoding: gzip;q=0, identity", NULL};
	ck_assert_int_eq(itest_http("GET", url, no, NULL, 0, &refused), 0);
	ck_assert_ptr_null(itest_header(&refused, "Content-Encoding", got, sizeof(got)));
	ck_assert_uint_eq(refused.len, plain.len);
	/* Either ETag revalidates: the two copies are one resource. */
	char inm[120];
	snprintf(inm, sizeof(inm), "If-None-Match: %s", gz_etag);
	struct call c = req("GET", V1 "/articles?limit=20", NULL, NULL, inm);
	ck_assert_int_eq(c.status, 304);
	done(&c);
	itest_resp_free(&plain);
	itest_resp_free(&gz);
	itest_resp_free(&refused);
}
END_TEST

START_TEST(partner_moderation)
{
	char w[16], body[512], path[256], slug[64];
	rand_word(w, sizeof(w));
	snprintf(slug, sizeof(slug), "asso-%s", w);
	snprintf(body, sizeof(body),
	         "{\"name\":\"Club %s\",\"slug\":\"%s\",\"category\":\"sport\",\"owner_user_ids\":[\"%s\"]}",
	         w, slug, partner);
	struct call c = req("POST", V1 "/directory", as(partner, "partner"), body, NULL);
	expect_code(&c, 404, NULL); /* partners do not create entries */
	done(&c);
	c = req("POST", V1 "/directory", as(editor, "editor"), body, NULL);
	expect_code(&c, 201, NULL);
	char id[37];
	snprintf(id, sizeof(id), "%s", str(&c, "id"));
	done(&c);
	snprintf(path, sizeof(path), V1 "/directory/%s", id);
	/* Another partner's entry does not exist for it. */
	c = req("PATCH", path, as(partner2, "partner"), "{\"phone\":\"02 38 00 00 01\"}", "If-Match: *");
	expect_code(&c, 404, "not_found");
	done(&c);
	c = req("PATCH", path, as(partner, "partner"), "{\"phone\":\"02 38 00 00 01\"}", NULL);
	expect_code(&c, 428, NULL);
	done(&c);
	/* Fields only an editor may change. */
	c = req("PATCH", path, as(partner, "partner"), "{\"category\":\"culture\"}", "If-Match: \"r1\"");
	expect_code(&c, 422, "validation_failed");
	done(&c);
	c = req("PATCH", path, as(partner, "partner"),
	        "{\"name\":\"Club renommé\",\"phone\":\"02 38 00 00 01\"}", "If-Match: \"r1\"");
	expect_code(&c, 202, NULL);
	ck_assert_str_eq(str(&c, "status"), "pending");
	char change[37];
	snprintf(change, sizeof(change), "%s", str(&c, "id"));
	done(&c);
	/* The public still sees the approved version. */
	char pub[256];
	snprintf(pub, sizeof(pub), V1 "/directory/%s", slug);
	c = req("GET", pub, NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_str_ne(str(&c, "name"), "Club renommé");
	ck_assert_str_eq(str(&c, "phone"), "");
	done(&c);
	c = req("GET", V1 "/directory/mine", as(partner, "partner"), NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_ptr_nonnull(strstr(c.body, change));
	json_t *mine = json_array_get(json_object_get(c.json, "items"), 0);
	char mine_etag[64]; /* each entry carries its ETag: "r<revision>" as its ETag header */
	snprintf(mine_etag, sizeof(mine_etag), "\"r%lld\"",
	         (long long)json_integer_value(json_object_get(mine, "revision")));
	ck_assert_str_eq(itest_jstr(mine, "etag"), mine_etag);
	done(&c);
	c = req("GET", V1 "/directory/mine", as(partner2, "partner"), NULL, NULL);
	ck_assert_ptr_null(strstr(c.body, id));
	done(&c);
	c = req("GET", V1 "/moderation?limit=100", as(partner, "partner"), NULL, NULL);
	expect_code(&c, 404, NULL);
	done(&c);
	c = req("GET", V1 "/moderation?limit=100", as(editor, "editor"), NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_ptr_nonnull(strstr(c.body, change));
	done(&c);
	snprintf(path, sizeof(path), V1 "/moderation/%s/approve", change);
	c = req("POST", path, as(partner, "partner"), NULL, NULL);
	expect_code(&c, 404, NULL);
	done(&c);
	c = req("POST", path, as(editor, "editor"), NULL, NULL);
	expect_code(&c, 200, NULL);
	done(&c);
	c = req("GET", pub, NULL, NULL, NULL);
	ck_assert_str_eq(str(&c, "name"), "Club renommé");
	ck_assert_str_eq(str(&c, "phone"), "02 38 00 00 01");
	done(&c);
	/* A second approval of the same change is impossible; a rejected change leaves no trace. */
	c = req("POST", path, as(editor, "editor"), NULL, NULL);
	expect_code(&c, 404, NULL);
	done(&c);
	snprintf(path, sizeof(path), V1 "/directory/%s", id);
	c = req("PATCH", path, as(partner, "partner"), "{\"website\":\"https://exemple.org\"}",
	        "If-Match: \"r2\"");
	expect_code(&c, 202, NULL);
	snprintf(change, sizeof(change), "%s", str(&c, "id"));
	done(&c);
	snprintf(path, sizeof(path), V1 "/moderation/%s/reject", change);
	c = req("POST", path, as(editor, "editor"), "{\"comment\":\"Site introuvable\"}", NULL);
	expect_code(&c, 200, NULL);
	done(&c);
	c = req("GET", pub, NULL, NULL, NULL);
	ck_assert_str_eq(str(&c, "website"), "");
	done(&c);
	/* The partner heard of both decisions, the refusal with its reason (account sends them). */
	ck_assert_str_eq(pg1("SELECT count(*) FROM outbox WHERE topic = 'notify.directory_change_approved'"
	                     " AND target = 'notify' AND payload #>> '{data,user_id}' = $1"
	                     " AND payload #>> '{data,data,name}' = 'Club renommé'",
	                     partner),
	                 "1");
	ck_assert_str_eq(pg1("SELECT count(*) FROM outbox WHERE topic = 'notify.directory_change_rejected'"
	                     " AND payload #>> '{data,user_id}' = $1"
	                     " AND payload #>> '{data,data,comment}' = 'Site introuvable'",
	                     partner),
	                 "1");
	/* directory.changed went to the outbox for the statistics. */
	ck_assert_str_ne(
	    pg1("SELECT count(*) FROM outbox WHERE topic = 'directory.changed' AND payload::text LIKE"
	        " '%' || $1 || '%'",
	        id),
	    "0");
}
END_TEST

static void job_body(char *out, size_t n, const char *title, const char *expires, const char *extra)
{
	snprintf(out, n,
	         "{\"title\":\"%s\",\"employer\":\"Boulangerie "
	         "test\",\"contract\":\"cdi\",\"location\":\"Beaulieu\","
	         "\"description_md\":\"Une offre assez longue pour passer la validation.\",\"contact_email\":"
	         "\"emploi@example.org\",\"expires_at\":\"%s\"%s}",
	         title, expires, extra ? extra : "");
}

START_TEST(jobs_board)
{
	char w[16], body[1024], exp[32], ip[64], title[64], path[256];
	rand_word(w, sizeof(w));
	iso_in(7 * 86400, exp);
	snprintf(ip, sizeof(ip), "X-Real-IP: 10.%d.%d.%d", rand() % 250, rand() % 250, rand() % 250);
	/* The honeypot: refused, nothing stored. */
	snprintf(title, sizeof(title), "Robot %s", w);
	job_body(body, sizeof(body), title, exp, ",\"website\":\"http://spam.example\"");
	struct call c = req("POST", V1 "/jobs", NULL, body, ip);
	expect_code(&c, 422, "validation_failed");
	done(&c);
	ck_assert_str_eq(pg1("SELECT count(*) FROM jobs WHERE title = $1", title), "0");
	/* A past expiry is refused. */
	char past[32];
	iso_in(-60, past);
	job_body(body, sizeof(body), title, past, NULL);
	c = req("POST", V1 "/jobs", NULL, body, ip);
	expect_code(&c, 422, "validation_failed");
	done(&c);
	snprintf(title, sizeof(title), "Vendeur %s", w);
	job_body(body, sizeof(body), title, exp, ",\"website\":\"\"");
	c = req("POST", V1 "/jobs", NULL, body, ip);
	expect_code(&c, 201, NULL);
	ck_assert_str_eq(str(&c, "status"), "pending");
	char id[37];
	snprintf(id, sizeof(id), "%s", str(&c, "id"));
	done(&c);
	/* Pending: not public. */
	snprintf(path, sizeof(path), V1 "/jobs/%s", id);
	c = req("GET", path, NULL, NULL, NULL);
	expect_code(&c, 404, NULL);
	done(&c);
	/* The employer's link went out as a mail event; its secret opens the offer. */
	const char *link = pg1("SELECT payload #>> '{data,data,link}' FROM outbox WHERE"
	                       " topic = 'mail.job_edit_link' AND payload::text LIKE '%' || $1 || '%'",
	                       id);
	const char *cle = strstr(link, "#cle=");
	ck_assert_ptr_nonnull(cle);
	char tok[128];
	snprintf(tok, sizeof(tok), "X-Job-Token: %s", cle + 5);
	c = req("GET", path, NULL, NULL, "X-Job-Token: wrong-token-wrong-token-wrong");
	expect_code(&c, 404, NULL);
	done(&c);
	c = req("GET", path, NULL, NULL, tok);
	expect_code(&c, 200, NULL);
	ck_assert_str_eq(str(&c, "status"), "pending");
	done(&c);
	ck_assert_str_ne(pg1("SELECT count(*) FROM outbox WHERE topic = 'job.posted' AND payload::text LIKE"
	                     " '%' || $1 || '%'",
	                     id),
	                 "0");
	/* The editor publishes; the public sees it. */
	snprintf(path, sizeof(path), V1 "/jobs/%s/publish", id);
	c = req("POST", path, NULL, NULL, tok);
	expect_code(&c, 401, NULL);
	done(&c);
	c = req("POST", path, as(editor, "editor"), NULL, NULL);
	expect_code(&c, 200, NULL);
	done(&c);
	/* The employer is told it is online, at the offer's contact address. */
	ck_assert_str_eq(pg1("SELECT count(*) FROM outbox WHERE topic = 'mail.job_published' AND"
	                     " payload #>> '{data,email}' = 'emploi@example.org' AND"
	                     " payload #>> '{data,data,link}' LIKE '%/emploi.html?offre=' || $1",
	                     id),
	                 "1");
	snprintf(path, sizeof(path), V1 "/jobs/%s", id);
	c = req("GET", path, NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	done(&c);
	c = req("GET", V1 "/jobs?limit=100", NULL, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(c.body, id));
	done(&c);
	/* Expired offers leave the board: the list from the micro-cache follows within its TTL (the
	 * change happens behind the daemon's back, as on another replica). */
	pg1("UPDATE jobs SET expires_at = now() - interval '1 second' WHERE id = $1::uuid", id);
	c = req("GET", path, NULL, NULL, NULL);
	expect_code(&c, 404, NULL);
	done(&c);
	usleep((LC_CACHE_TTL_MS + 100) * 1000);
	c = req("GET", V1 "/jobs?limit=100", NULL, NULL, NULL);
	ck_assert_ptr_null(strstr(c.body, id));
	done(&c);
	/* The employer withdraws it with the link. */
	snprintf(path, sizeof(path), V1 "/jobs/%s/withdraw", id);
	c = req("POST", path, NULL, NULL, tok);
	expect_code(&c, 200, NULL);
	ck_assert_str_eq(str(&c, "status"), "withdrawn");
	done(&c);
	/* Per-address limit: 5 offers an hour, then 429. */
	for (int i = 0; i < 4; i++) {
		job_body(body, sizeof(body), title, exp, NULL);
		c = req("POST", V1 "/jobs", NULL, body, ip);
		expect_code(&c, 201, NULL);
		done(&c);
	}
	c = req("POST", V1 "/jobs", NULL, body, ip);
	expect_code(&c, 429, "rate_limited");
	done(&c);
	/* A refusal reaches the employer with its reason. */
	snprintf(id, sizeof(id), "%s",
	         pg1("SELECT id FROM jobs WHERE title = $1 AND status = 'pending' LIMIT 1", title));
	snprintf(path, sizeof(path), V1 "/jobs/%s/reject", id);
	c = req("POST", path, as(editor, "editor"), "{\"comment\":\"Salaire manquant\"}", NULL);
	expect_code(&c, 200, NULL);
	done(&c);
	ck_assert_str_eq(pg1("SELECT count(*) FROM outbox WHERE topic = 'mail.job_rejected' AND"
	                     " payload #>> '{data,data,comment}' = 'Salaire manquant' AND"
	                     " payload::text LIKE '%' || $1 || '%'",
	                     title),
	                 "1");
}
END_TEST

START_TEST(events_alerts_feeds)
{
	char w[16], body[1024], s[32], e[32];
	rand_word(w, sizeof(w));
	iso_in(86400, s);
	iso_in(86400 + 3600, e);
	snprintf(body, sizeof(body),
	         "{\"title\":\"Fête; du, village "
	         "%s\",\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"location\":\"Place\","
	         "\"summary\":\"Ligne 1\\nLigne 2\"}",
	         w, s, e);
	struct call c = req("POST", V1 "/events", as(agent, "agent"), body, NULL);
	expect_code(&c, 404, NULL);
	done(&c);
	c = req("POST", V1 "/events", as(editor, "editor"), body, NULL);
	expect_code(&c, 201, NULL);
	char ev_id[37], ev_etag[64];
	snprintf(ev_id, sizeof(ev_id), "%s", str(&c, "id"));
	snprintf(ev_etag, sizeof(ev_etag), "%s", c.etag);
	done(&c);
	/* Each item of the list carries the ETag its own ETag header gives (the agenda edits from it). */
	c = req("GET", V1 "/events?limit=100", as(editor, "editor"), NULL, NULL);
	expect_code(&c, 200, NULL);
	const char *listed = NULL;
	size_t k;
	json_t *it;
	json_array_foreach(json_object_get(c.json, "items"), k, it)
	{
		if (strcmp(itest_jstr(it, "id"), ev_id) == 0)
			listed = itest_jstr(it, "etag");
	}
	ck_assert_ptr_nonnull(listed);
	ck_assert_str_eq(listed, ev_etag);
	done(&c);
	c = req("GET", V1 "/events.ics", NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	char want[128];
	snprintf(want, sizeof(want), "SUMMARY:Fête\\; du\\, village %s", w);
	ck_assert_ptr_nonnull(strstr(c.body, "BEGIN:VCALENDAR\r\n"));
	ck_assert_ptr_nonnull(strstr(c.body, want));
	ck_assert_ptr_nonnull(strstr(c.body, "DESCRIPTION:Ligne 1\\nLigne 2\r\n"));
	done(&c);
	/* ends before starts: refused */
	snprintf(body, sizeof(body), "{\"title\":\"Inverse\",\"starts_at\":\"%s\",\"ends_at\":\"%s\"}", e, s);
	c = req("POST", V1 "/events", as(editor, "editor"), body, NULL);
	expect_code(&c, 422, NULL);
	done(&c);
	/* « En savoir plus » to a page that does not exist (or is not published) is refused. */
	snprintf(body, sizeof(body),
	         "{\"level\":\"info\",\"message\":\"Lien %s\",\"link\":\"/page.html?slug=nulle-part-%s\"}", w,
	         w);
	c = req("POST", V1 "/alerts", as(editor, "editor"), body, NULL);
	expect_code(&c, 422, "validation_failed");
	ck_assert_ptr_nonnull(strstr(c.body, "\"link\""));
	done(&c);
	/* An alert shows at once. */
	snprintf(body, sizeof(body), "{\"level\":\"critical\",\"message\":\"Alerte %s\"}", w);
	c = req("POST", V1 "/alerts", as(editor, "editor"), body, NULL);
	expect_code(&c, 201, NULL);
	char path[256];
	snprintf(path, sizeof(path), V1 "/alerts/%s", str(&c, "id"));
	done(&c);
	c = req("GET", V1 "/alerts/active", NULL, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(c.body, w));
	done(&c);
	c = req("DELETE", path, as(editor, "agent"), NULL, NULL); /* below editor: not even seen */
	expect_code(&c, 404, "not_found");
	done(&c);
	c = req("DELETE", path, as(editor, "editor"), NULL, NULL);
	ck_assert_int_eq(c.status, 204);
	done(&c);
	c = req("DELETE", path, as(editor, "editor"), NULL, NULL); /* gone: a second delete is a 404 */
	expect_code(&c, 404, "not_found");
	done(&c);
	c = req("GET", V1 "/alerts/active", NULL, NULL, NULL);
	ck_assert_ptr_null(strstr(c.body, w));
	done(&c);
	c = req("GET", V1 "/feed.atom", NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_ptr_nonnull(strstr(c.body, "<feed xmlns=\"http://www.w3.org/2005/Atom\""));
	done(&c);
	/* The sitemap is an index of parts: the pages, then one part per year of news. */
	c = req("GET", V1 "/sitemap.xml", NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_ptr_nonnull(strstr(c.body, "<sitemapindex"));
	ck_assert_ptr_nonnull(strstr(c.body, V1 "/sitemap/pages.xml</loc>"));
	char year_part[64] = "";
	const char *y = strstr(c.body, V1 "/sitemap/2");
	if (y)
		snprintf(year_part, sizeof(year_part), "%.*s", (int)strlen(V1 "/sitemap/2026.xml"), y);
	done(&c);
	ck_assert_msg(*year_part, "no year in the sitemap index");
	c = req("GET", V1 "/sitemap/pages.xml", NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_ptr_nonnull(strstr(c.body, "<urlset"));
	ck_assert_ptr_nonnull(strstr(c.body, "/actualites.html</loc>"));
	done(&c);
	c = req("GET", year_part, NULL, NULL, NULL);
	expect_code(&c, 200, NULL);
	ck_assert_ptr_nonnull(strstr(c.body, "<urlset"));
	ck_assert_ptr_nonnull(strstr(c.body, "/page.html?slug="));
	done(&c);
	static const char *const bad_parts[] = {"1899.xml",  "0999.xml", "2026.json",
	                                        "20261.xml", "pages",    "x.xml"};
	for (size_t i = 0; i < sizeof(bad_parts) / sizeof(bad_parts[0]); i++) {
		char part[96];
		snprintf(part, sizeof(part), V1 "/sitemap/%s", bad_parts[i]);
		c = req("GET", part, NULL, NULL, NULL);
		expect_code(&c, 404, "not_found");
		done(&c);
	}
	c = req("GET", V1 "/sitemap/1901.xml", NULL, NULL, NULL); /* a year without news */
	expect_code(&c, 404, "not_found");
	done(&c);
}
END_TEST

START_TEST(media_checks)
{
	char url[512];
	snprintf(url, sizeof(url), "%s" V1 "/media?alt=Logo", base);
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0,    0,
	                                    13,   'I', 'H', 'D', 'R',  0,    0,    0,    1,    0,    0,
	                                    0,    1,   8,   6,   0,    0,    0,    0x1f, 0x15, 0xc4, 0x89};
	const char *h[] = {as(agent, "agent"), "Content-Type: image/png", NULL};
	struct itest_resp r;
	ck_assert_int_eq(itest_http("POST", url, h, (const char *)png, sizeof(png), &r), 0);
	ck_assert_int_eq(r.status, 201);
	json_t *j = itest_json(&r);
	char id[37];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(j, "id")));
	json_decref(j);
	itest_resp_free(&r);
	const char *svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
	const char *hs[] = {as(agent, "agent"), "Content-Type: image/png", NULL};
	ck_assert_int_eq(itest_http("POST", url, hs, svg, strlen(svg), &r), 0);
	ck_assert_int_eq(r.status, 415);
	itest_resp_free(&r);
	char path[256];
	snprintf(path, sizeof(path), V1 "/media/%s", id);
	snprintf(url, sizeof(url), "%s%s", base, path);
	ck_assert_int_eq(itest_http("GET", url, NULL, NULL, 0, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(r.len, sizeof(png));
	ck_assert_int_eq(memcmp(r.body, png, sizeof(png)), 0);
	char cc[128];
	itest_header(&r, "Cache-Control", cc, sizeof(cc));
	ck_assert_ptr_nonnull(strstr(cc, "immutable"));
	itest_resp_free(&r);
	/* A cover without alternative text is refused. */
	char mid[37];
	snprintf(mid, sizeof(mid), "%s", id);
	snprintf(url, sizeof(url), "%s" V1 "/media", base);
	ck_assert_int_eq(itest_http("POST", url, h, (const char *)png, sizeof(png), &r), 0);
	j = itest_json(&r);
	char noalt[37];
	snprintf(noalt, sizeof(noalt), "%s", json_string_value(json_object_get(j, "id")));
	json_decref(j);
	itest_resp_free(&r);
	char body[512];
	snprintf(
	    body, sizeof(body),
	    "{\"kind\":\"news\",\"section_id\":\"%s\",\"title\":\"Avec image\",\"cover_media_id\":\"%s\"}",
	    sec_mine, noalt);
	struct call c = req("POST", V1 "/articles", as(agent, "agent"), body, NULL);
	expect_code(&c, 422, "validation_failed");
	done(&c);
	snprintf(
	    body, sizeof(body),
	    "{\"kind\":\"news\",\"section_id\":\"%s\",\"title\":\"Avec image\",\"cover_media_id\":\"%s\"}",
	    sec_mine, mid);
	c = req("POST", V1 "/articles", as(agent, "agent"), body, NULL);
	expect_code(&c, 201, NULL);
	done(&c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("content_api");
	TCase *tc = tcase_create("api");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, workflow_permissions);
	tcase_add_test(tc, review_queue_items);
	tcase_add_test(tc, lost_update);
	tcase_add_test(tc, scheduling_boundaries);
	tcase_add_test(tc, markdown_inert);
	tcase_add_test(tc, search_accents);
	tcase_add_test(tc, etag_304);
	tcase_add_test(tc, gzip_copy_of_public_lists);
	tcase_add_test(tc, cache_watched);
	tcase_add_test(tc, partner_moderation);
	tcase_add_test(tc, jobs_board);
	tcase_add_test(tc, events_alerts_feeds);
	tcase_add_test(tc, media_checks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	itest_env("CIVITAS_TEST_CONTENT_DB_URL");
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

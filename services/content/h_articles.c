/* h_articles.c — reading pages and news: the public list and page (live copy only), the
 * agents' lists, revisions and preview of any state. Editing is in h_article_edit.c, the
 * workflow in h_article_workflow.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/cache.h"
#include "civitas/cache_reply.h"
#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outbox.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "common.h"
#include "handlers.h"
#include "markdown.h"

static const char *const statuses[] = {"draft", "in_review", "published", "archived", NULL};

/* --- public reads ------------------------------------------------------------------------- */

/* The public list (the home page's news too): from the micro-cache, keyed on its query; the
 * body is written from the rows' JSON text. */
int h_articles_public(struct lc_request *rq)
{
	const char *kind = lc_rq_query(rq, "kind");
	if (kind && strcmp(kind, "page") != 0 && strcmp(kind, "news") != 0)
		return lc_reply_field(rq, "kind", "not_allowed", "kind is page or news.");
	const char *p[] = {lc_rq_query(rq, "section"), kind, lc_rq_query(rq, "tag")};
	static const char *const names[] = {"section", "kind", "tag", "limit", "cursor", NULL};
	return content_keyset_list(rq, "art_list_public", p, 3, "articles", names);
}

/* The published article by slug, through the micro-cache: the JSON text comes from the
 * database as is, with a strong ETag over it; If-None-Match answers 304. */
static int public_article(struct lc_request *rq, const char *slug)
{
	char key[LC_CACHE_KEY_MAX + 1];
	const char *kp = NULL;
	int rc;
	if (strlen(slug) <= LC_CACHE_KEY_MAX - 2) {
		snprintf(key, sizeof(key), "a:%s", slug);
		kp = key;
		if (lc_cache_hit(rq, kp, PUBLIC_CC, &rc))
			return rc;
	}
	const char *p[] = {slug};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "art_get_public", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_reply_problem(rq, 404, "not_found", "No such article.");
	}
	rc = lc_cache_store_reply(rq, kp, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0),
	                          "application/json", PUBLIC_CC);
	PQclear(r);
	return rc;
}

int h_article_get(struct lc_request *rq)
{
	const char *ref = lc_rq_param(rq, "slug");
	bool failed;
	if (query_flag(rq, "preview")) {
		if (!lc_require_role_or_reply(rq, "agent"))
			return LC_REPLIED;
		const char *p[] = {ref};
		json_t *a = lc_db_json(lc_rq_db(rq), lc_json_is_uuid(ref) ? "art_work_id" : "art_work_slug",
		                       1, p, &failed);
		if (failed)
			return lc_db_fail_reply(rq);
		if (!a)
			return lc_reply_problem(rq, 404, "not_found", "No such article.");
		char etag[40];
		content_etag(etag, json_integer_value(json_object_get(a, "revision")));
		lc_rq_add_header(rq, "ETag", etag);
		return lc_reply_json(rq, 200, a);
	}
	return public_article(rq, ref);
}

/* --- agent lists ----------------------------------------------------------------------------- */

/* An item of the review queue as jsonb_build_object printed it (keys by length then bytes),
 * each from the column of art_review's select list of the same rank: read in binary and written
 * here, no JSON built and printed per row in PostgreSQL (issue 11). */
static const struct lc_json_key review_keys[] = {
    {"{\"id\": ", 0},
    {", \"kind\": ", 1},
    {", \"slug\": ", 2},
    {", \"title\": ", 3},
    {", \"author\": {\"id\": ", 4},
    {", \"name\": ", 5},
    {"}, \"status\": ", 6},
    {", \"summary\": ", 7},
    {", \"revision\": ", 8},
    {", \"breadcrumb\": ", 9},
    {", \"created_at\": ", 10},
    {", \"publish_at\": ", 11},
    {", \"section_id\": ", 12},
    {", \"updated_at\": ", 13},
    {"}", LC_JSON_NONE},
};

int h_review_queue(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	/* art_review takes (limit, cursor t, cursor id). */
	static const struct content_item item = {review_keys, sizeof(review_keys) / sizeof(review_keys[0])};
	return content_keyset_items(rq, "art_review", &item);
}

int h_articles_admin(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return LC_REPLIED;
	const char *status = lc_rq_query(rq, "status"), *section = lc_rq_query(rq, "section_id"),
	           *kind = lc_rq_query(rq, "kind"), *q = lc_rq_query(rq, "q");
	bool st_ok = !status;
	for (int i = 0; status && statuses[i]; i++)
		st_ok = st_ok || strcmp(status, statuses[i]) == 0;
	if (!st_ok)
		return lc_reply_field(rq, "status", "not_allowed", "Unknown status.");
	if (section && !lc_json_is_uuid(section))
		return lc_reply_field(rq, "section_id", "invalid_format", "section_id is a UUID.");
	if (kind && strcmp(kind, "page") != 0 && strcmp(kind, "news") != 0)
		return lc_reply_field(rq, "kind", "not_allowed", "kind is page or news.");
	if (q && strlen(q) > 100)
		return lc_reply_field(rq, "q", "out_of_range", "At most 100 characters.");
	const char *p[] = {status, section, kind, q && *q ? q : NULL};
	return content_keyset_list(rq, "art_admin_list", p, 4, NULL, NULL);
}

int h_article_revisions(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return LC_REPLIED;
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such article.");
	struct lc_page pg;
	if (!lc_page_or_reply(rq, &pg))
		return LC_REPLIED;
	char before[16] = "", lim[16];
	if (pg.cursor) {
		json_t *n = json_object_get(pg.cursor, "n");
		if (!json_is_integer(n))
			return lc_reply_field(rq, "cursor", "invalid_format", "Bad cursor.");
		snprintf(before, sizeof(before), "%lld", (long long)json_integer_value(n));
	}
	snprintf(lim, sizeof(lim), "%d", pg.limit + 1);
	bool failed;
	const char *pa[] = {id};
	json_t *a = lc_db_json(lc_rq_db(rq), "art_work_id", 1, pa, &failed);
	if (failed)
		return lc_db_fail_reply(rq);
	if (!a)
		return lc_reply_problem(rq, 404, "not_found", "No such article.");
	json_decref(a);
	const char *p[] = {id, before[0] ? before : NULL, lim};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "rev_list", 3, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = lc_db_rows_json(r, pg.limit), *next = NULL;
	int n = PQntuples(r);
	if (n > pg.limit) {
		json_t *cur = json_pack("{s:I}", "n", (json_int_t)atoll(PQgetvalue(r, pg.limit - 1, 1)));
		char *enc = lc_cursor_encode(cur);
		json_decref(cur);
		next = enc ? json_string(enc) : NULL;
		free(enc);
	}
	PQclear(r);
	return lc_reply_json(rq, 200, lc_page_body(items, next));
}

int h_article_preview(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return LC_REPLIED;
	const char *md = NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("body_md", 0, 200000, &md, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	char *html = md_render(md, strlen(md));
	if (!html)
		return lc_reply_problem(rq, 500, "internal", "Cannot render.");
	json_t *body = json_pack("{s:s}", "body_html", html);
	free(html);
	return lc_reply_json(rq, 200, body);
}

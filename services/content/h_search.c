/* h_search.c — one search across published articles, upcoming events, the directory and
 * live job offers: French stemming without accents (content.fr), ranked, prefix match on the
 * last word for search-as-you-type, snippets with the matched words marked; and the titles
 * that complete what is being typed (/search/suggest). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"
#include "civitas/cache_reply.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "common.h"
#include "handlers.h"
#include "markdown.h"

/* ts_headline marks matches with \x01 ... \x02; the rest is escaped, then marks become <mark>. */
static char *snippet_html(const char *raw)
{
	char *esc = content_html_escape(raw);
	if (!esc)
		return NULL;
	struct lc_buf b;
	lc_buf_init(&b, 0);
	bool ok = true;
	for (const char *p = esc; ok && *p; p++) {
		if (*p == '\x01')
			ok = lc_buf_append(&b, "<mark>", 6);
		else if (*p == '\x02')
			ok = lc_buf_append(&b, "</mark>", 7);
		else
			ok = lc_buf_append(&b, p, 1);
	}
	free(esc);
	ok = ok && lc_buf_append(&b, "", 0);
	lc_buf_cstr(&b);
	if (!ok) {
		lc_buf_free(&b);
		return NULL;
	}
	return b.data ? lc_buf_steal(&b, NULL) : strdup("");
}

int h_search(struct lc_request *rq)
{
	const char *q = lc_rq_query(rq, "q");
	if (!q || !*q)
		return lc_reply_field(rq, "q", "required", "Say what to search for.");
	if (strlen(q) > 200)
		return lc_reply_field(rq, "q", "out_of_range", "At most 200 characters.");
	struct lc_page pg;
	if (!lc_page_or_reply(rq, &pg))
		return LC_REPLIED;
	long offset = 0;
	if (pg.cursor) {
		json_t *o = json_object_get(pg.cursor, "o");
		if (!json_is_integer(o) || json_integer_value(o) < 0 || json_integer_value(o) > 1000)
			return lc_reply_field(rq, "cursor", "invalid_format", "Bad cursor.");
		offset = (long)json_integer_value(o);
	}
	static const char *const names[] = {"q", "limit", "cursor", NULL};
	char key[LC_CACHE_KEY_MAX + 1];
	const char *kp = lc_cache_key(key, "search", rq, names) ? key : NULL;
	int rc;
	if (kp && lc_cache_hit(rq, kp, PUBLIC_CC, &rc))
		return rc;
	char tsq[512];
	if (content_search_query(q, tsq, sizeof(tsq)) == 0)
		return lc_reply_json(rq, 200, lc_page_body(json_array(), NULL));
	char lim[16], off[16];
	snprintf(lim, sizeof(lim), "%d", pg.limit + 1);
	snprintf(off, sizeof(off), "%ld", offset);
	const char *p[] = {tsq, lim, off};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "search", 3, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = json_array(), *next = NULL;
	int n = PQntuples(r);
	for (int i = 0; i < n && i < pg.limit; i++) {
		char *snip = snippet_html(PQgetvalue(r, i, 4));
		json_t *hit =
		    json_pack("{s:s, s:s, s:s, s:s, s:s?, s:f}", "type", PQgetvalue(r, i, 0), "id",
		              PQgetvalue(r, i, 1), "title", PQgetvalue(r, i, 2), "url", PQgetvalue(r, i, 3),
		              "snippet_html", snip, "rank", atof(PQgetvalue(r, i, 5)));
		/* An article is a page or a news item (« Page », « Actualité » on the site). */
		if (hit && !PQgetisnull(r, i, 6))
			json_object_set_new(hit, "kind", json_string(PQgetvalue(r, i, 6)));
		json_array_append_new(items, hit);
		free(snip);
	}
	PQclear(r);
	if (n > pg.limit) {
		json_t *c = json_pack("{s:i}", "o", (int)(offset + pg.limit));
		char *enc = lc_cursor_encode(c);
		json_decref(c);
		next = enc ? json_string(enc) : NULL;
		free(enc);
	}
	json_t *body = lc_page_body(items, next);
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(body);
	if (!text)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	rc = lc_cache_store_reply(rq, kp, text, strlen(text), "application/json", PUBLIC_CC);
	free(text);
	return rc;
}

/* GET /search/suggest?q=: titles that complete what is being typed (live articles, upcoming
 * events, the directory), at most SUGGEST_MAX, as one JSON array built by the database. A
 * prefix typed by many visitors at once is answered from the micro-cache. */
#define SUGGEST_MAX "8"
#define EMPTY_ITEMS "{\"items\":[]}"

int h_search_suggest(struct lc_request *rq)
{
	const char *q = lc_rq_query(rq, "q");
	if (!q || !*q)
		return lc_reply_field(rq, "q", "required", "Say what to complete.");
	if (strlen(q) > 100)
		return lc_reply_field(rq, "q", "out_of_range", "At most 100 characters.");
	static const char *const names[] = {"q", NULL};
	char key[LC_CACHE_KEY_MAX + 1];
	const char *kp = lc_cache_key(key, "suggest", rq, names) ? key : NULL;
	int rc;
	if (kp && lc_cache_hit(rq, kp, PUBLIC_CC, &rc))
		return rc;
	char tsq[512];
	if (content_search_query(q, tsq, sizeof(tsq)) == 0)
		return lc_cache_store_reply(rq, kp, EMPTY_ITEMS, strlen(EMPTY_ITEMS), "application/json",
		                            PUBLIC_CC);
	const char *p[] = {tsq, SUGGEST_MAX};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "search_suggest", 2, p);
	if (!r)
		return lc_db_fail_reply(rq);
	struct lc_buf b;
	lc_buf_init(&b, 0);
	bool ok = PQntuples(r) == 1 && lc_buf_append(&b, "{\"items\":", 9) &&
	          lc_buf_append(&b, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0)) &&
	          lc_buf_append(&b, "}", 1);
	PQclear(r);
	size_t len = 0;
	char *text = ok ? lc_buf_steal(&b, &len) : NULL;
	if (!text) {
		lc_buf_free(&b);
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	}
	rc = lc_cache_store_reply(rq, kp, text, len, "application/json", PUBLIC_CC);
	free(text);
	return rc;
}

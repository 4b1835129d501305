/* h_articles.c — pages and news: the public reads (live copy only), the editorial workflow
 * draft → in_review → published → archived with a revision for every change, preview of any
 * state for agents, and optimistic locking (If-Match on the revision ETag). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outbox.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "cache.h"
#include "common.h"
#include "handlers.h"
#include "markdown.h"
#include "public_reply.h"

#define SLUG_MAX 120

static const char *const kinds[] = {"page", "news", NULL};
static const char *const statuses[] = {"draft", "in_review", "published", "archived", NULL};

/* --- helpers ------------------------------------------------------------------------------ */

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* May the caller write in this section? Editors anywhere, agents where they contribute. */
static int can_edit_section(struct lc_db *db, struct lc_request *rq, const char *section_id)
{
	if (caller_is(rq, "editor"))
		return 1;
	const char *p[] = {section_id, caller_id(rq)};
	PGresult *r = lc_db_exec(db, "sec_can_edit", 2, p);
	if (!r)
		return -1;
	int ok = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return ok;
}

/* Checks the tags array: at most 10 strings of 1 to 40 characters. */
static bool tags_ok(const json_t *tags)
{
	if (!json_is_array(tags) || json_array_size(tags) > 10)
		return false;
	size_t i;
	const json_t *t;
	json_array_foreach(tags, i, t)
	{
		const char *s = json_string_value(t);
		size_t n = s ? lc_utf8_length(s) : 0;
		if (n < 1 || n > 40)
			return false;
	}
	return true;
}

/* The cover must exist and carry alternative text. Returns 1 ok, 0 refused (outcome set), -1 db. */
static int cover_ok(struct lc_db *db, const char *media_id, struct lc_outcome *o)
{
	if (!media_id)
		return 1;
	const char *p[] = {media_id};
	PGresult *r = lc_db_exec(db, "media_alt", 1, p);
	if (!r)
		return -1;
	int rows = PQntuples(r);
	bool has_alt = rows == 1 && PQgetvalue(r, 0, 0)[0] != '\0';
	PQclear(r);
	if (rows != 1) {
		lc_outcome_field(o, "cover_media_id", "invalid_format", "No such media.");
		return 0;
	}
	if (!has_alt) {
		lc_outcome_field(o, "cover_media_id", "alt_required", "A cover image needs alternative text.");
		return 0;
	}
	return 1;
}

/* Writes the revision row for the article's current state and the audit entry. */
static int record(struct lc_db *db, struct lc_request *rq, const char *id, const char *action,
                  const char *comment)
{
	const char *p[] = {id, caller_id(rq), caller_role(rq), action, comment};
	if (lc_db_run(db, "rev_insert", 5, p) < 0)
		return -1;
	char what[48];
	snprintf(what, sizeof(what), "article.%s", action);
	json_t *details = comment ? json_pack("{s:s}", "comment", comment) : NULL;
	int rc = lc_audit(db, rq, what, "article", id, details);
	json_decref(details);
	return rc;
}

/* Fills o with the working copy from a "... RETURNING article_work, revision" result. */
static enum lc_tx_result take_work(PGresult *r, struct lc_outcome *o, unsigned status)
{
	if (PQntuples(r) != 1) {
		PQclear(r);
		return LC_TX_ERROR;
	}
	o->body = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	content_etag(o->etag, atoll(PQgetvalue(r, 0, 1)));
	PQclear(r);
	o->status = status;
	return o->body ? LC_TX_COMMIT : LC_TX_ERROR;
}

/* --- public reads ------------------------------------------------------------------------- */

/* The public list (the home page's news too): from the micro-cache, keyed on its query; the
 * body is written from the rows' JSON text. */
int h_articles_public(struct lc_request *rq)
{
	struct lc_page pg;
	if (!lc_page_or_reply(rq, &pg))
		return LC_REPLIED;
	const char *kind = lc_rq_query(rq, "kind");
	if (kind && strcmp(kind, "page") != 0 && strcmp(kind, "news") != 0)
		return lc_reply_field(rq, "kind", "not_allowed", "kind is page or news.");
	const char *ct = NULL, *cid = NULL;
	if (pg.cursor) {
		ct = json_string_value(json_object_get(pg.cursor, "t"));
		cid = json_string_value(json_object_get(pg.cursor, "id"));
		if (!ct || !cid || !lc_json_is_uuid(cid))
			return lc_reply_field(rq, "cursor", "invalid_format", "Bad cursor.");
	}
	static const char *const names[] = {"section", "kind", "tag", "limit", "cursor", NULL};
	char key[CACHE_KEY_MAX + 1];
	const char *kp = public_key(key, "articles", rq, names) ? key : NULL;
	int rc;
	if (kp && public_hit(rq, kp, PUBLIC_LIST_CC, &rc))
		return rc;
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", pg.limit + 1);
	const char *p[] = {lc_rq_query(rq, "section"), kind, lc_rq_query(rq, "tag"), lim, ct, cid};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "art_list_public", 6, p);
	if (!r)
		return lc_db_fail_reply(rq);
	int n = PQntuples(r);
	char *next = NULL;
	if (n > pg.limit) {
		json_t *c = json_pack("{s:s, s:s}", "t", PQgetvalue(r, pg.limit - 1, 1), "id",
		                      PQgetvalue(r, pg.limit - 1, 2));
		next = lc_cursor_encode(c);
		json_decref(c);
	}
	size_t len;
	char *body = public_items_text(r, n < pg.limit ? n : pg.limit, 0, next, &len);
	free(next);
	PQclear(r);
	if (!body)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	rc = public_store_reply(rq, kp, body, len, "application/json", PUBLIC_LIST_CC);
	free(body);
	return rc;
}

/* The published article by slug, through the micro-cache: the JSON text comes from the
 * database as is, with a strong ETag over it; If-None-Match answers 304. */
static int public_article(struct lc_request *rq, const char *slug)
{
	char key[CACHE_KEY_MAX + 1];
	const char *kp = NULL;
	int rc;
	if (strlen(slug) <= CACHE_KEY_MAX - 2) {
		snprintf(key, sizeof(key), "a:%s", slug);
		kp = key;
		if (public_hit(rq, kp, "public, max-age=30", &rc))
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
	rc = public_store_reply(rq, kp, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), "application/json",
	                        "public, max-age=30");
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
		json_t *a = lc_db_json(lc_rq_db(rq), lc_json_is_uuid(ref) ? "art_work_id" : "art_work_slug", 1,
		                     p, &failed);
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

/* --- create and update --------------------------------------------------------------------- */

struct art_ctx {
	struct lc_request *rq;
	struct lc_outcome out;
	const char *id;      /* article id (update, transitions) */
	json_t *patch;       /* fields to change (borrowed) */
	const char *action;  /* update | restore | submit | publish | reject | archive */
	const char *comment; /* reject */
	int restore_n;
	char author_name[160];
};

/* Validates the merged working copy w (owned by the caller) and renders its body. Returns 1,
 * 0 when refused (outcome set) or -1 on a database failure. html is malloc'd on success. */
static int check_work(struct lc_db *db, struct art_ctx *c, json_t *w, const char *old_section, char **html)
{
	const char *section = jstr(w, "section_id");
	const char *p[] = {section};
	PGresult *r = lc_db_exec(db, "sec_exists", 1, p);
	if (!r)
		return -1;
	int found = PQntuples(r);
	PQclear(r);
	if (!found) {
		lc_outcome_field(&c->out, "section_id", "invalid_format", "No such section.");
		return 0;
	}
	for (int k = 0; k < 2; k++) {
		const char *s = k == 0 ? section : old_section;
		if (!s)
			continue;
		int ok = can_edit_section(db, c->rq, s);
		if (ok < 0)
			return -1;
		if (!ok) {
			lc_outcome_fail(&c->out, 403, "forbidden",
			             "You may write only in the sections you contribute to.");
			return 0;
		}
	}
	if (!tags_ok(json_object_get(w, "tags"))) {
		lc_outcome_field(&c->out, "tags", "out_of_range", "At most 10 tags of 1 to 40 characters.");
		return 0;
	}
	const char *pa = jstr(w, "publish_at"), *ua = jstr(w, "unpublish_at");
	if (pa && ua) {
		/* Both are RFC 3339 with any offset: compare them as instants. */
		const char *q[] = {pa, ua};
		PGresult *cmp = lc_db_exec(db, "ts_before", 2, q);
		if (!cmp)
			return -1;
		bool before = strcmp(PQgetvalue(cmp, 0, 0), "t") == 0;
		PQclear(cmp);
		if (!before) {
			lc_outcome_field(&c->out, "unpublish_at", "out_of_range",
			              "unpublish_at must come after publish_at.");
			return 0;
		}
	}
	int cov = cover_ok(db, jstr(w, "cover_media_id"), &c->out);
	if (cov <= 0)
		return cov;
	const char *md = jstr(w, "body_md");
	*html = md_render(md ? md : "", md ? strlen(md) : 0);
	return *html ? 1 : -1;
}

/* Finds a free slug: the wanted one, or the title's with -2, -3... Returns 1, 0 (none), -1. */
static int free_slug(struct lc_db *db, const char *base, const char *self_id, char out[SLUG_MAX + 1])
{
	for (int i = 1; i <= 50; i++) {
		if (i == 1)
			snprintf(out, SLUG_MAX + 1, "%s", base);
		else
			snprintf(out, SLUG_MAX + 1, "%.*s-%d", SLUG_MAX - 4, base, i);
		const char *p[] = {out, self_id};
		PGresult *r = lc_db_exec(db, "art_slug_taken", 2, p);
		if (!r)
			return -1;
		int taken = PQntuples(r);
		PQclear(r);
		if (!taken)
			return 1;
	}
	return 0;
}

static char *tags_text(const json_t *w)
{
	const json_t *t = json_object_get(w, "tags");
	return json_dumps(t ? t : json_array(), JSON_COMPACT);
}

static enum lc_tx_result create_tx(struct lc_db *db, void *arg)
{
	struct art_ctx *c = arg;
	lc_outcome_reset(&c->out);
	json_t *w = json_deep_copy(c->patch);
	if (!json_object_get(w, "tags"))
		json_object_set_new(w, "tags", json_array());
	char *html = NULL;
	int ok = check_work(db, c, w, NULL, &html);
	if (ok <= 0) {
		json_decref(w);
		return ok < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
	}
	char slug[SLUG_MAX + 1], base[SLUG_MAX + 1];
	const char *want = jstr(w, "slug");
	if (want) {
		const char *p[] = {want, NULL};
		PGresult *r = lc_db_exec(db, "art_slug_taken", 2, p);
		if (!r) {
			free(html);
			json_decref(w);
			return LC_TX_ERROR;
		}
		int taken = PQntuples(r);
		PQclear(r);
		if (taken) {
			free(html);
			json_decref(w);
			return lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
		}
		snprintf(slug, sizeof(slug), "%s", want);
	} else {
		content_slugify(jstr(w, "title"), base, sizeof(base));
		if (!base[0])
			snprintf(base, sizeof(base), "article");
		int f = free_slug(db, base, NULL, slug);
		if (f <= 0) {
			free(html);
			json_decref(w);
			return f < 0 ? LC_TX_ERROR : lc_outcome_field(&c->out, "slug", "taken", "No free slug.");
		}
	}
	char id[37];
	lc_uuid_v4(id);
	char *tags = tags_text(w);
	const char *summary = jstr(w, "summary"), *body = jstr(w, "body_md");
	const char *p[] = {id,
	                   jstr(w, "kind"),
	                   jstr(w, "section_id"),
	                   slug,
	                   jstr(w, "title"),
	                   summary ? summary : "",
	                   body ? body : "",
	                   html,
	                   jstr(w, "cover_media_id"),
	                   tags,
	                   jstr(w, "publish_at"),
	                   jstr(w, "unpublish_at"),
	                   caller_id(c->rq),
	                   c->author_name};
	PGresult *r = lc_db_exec(db, "art_insert", 14, p);
	free(tags);
	free(html);
	json_decref(w);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
	}
	c->out.body = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	PQclear(r);
	if (!c->out.body || record(db, c->rq, id, "create", NULL) < 0)
		return LC_TX_ERROR;
	c->out.status = 201;
	content_etag(c->out.etag, 1);
	snprintf(c->out.location, sizeof(c->out.location), "/api/content/v1/articles/%s?preview=1", id);
	return LC_TX_COMMIT;
}

/* The article spec; `create` makes kind, section_id and title required. */
#define ARTICLE_SPEC(create, patch_unused)                                                                   \
	{.name = "kind", .type = LC_J_ENUM, .required = (create), .enum_values = kinds},                     \
	    {.name = "section_id", .type = LC_J_UUID, .required = (create)},                                 \
	    {.name = "slug",                                                                                 \
	     .type = LC_J_STRING,                                                                            \
	     .has_min = true,                                                                                \
	     .min = 1,                                                                                       \
	     .has_max = true,                                                                                \
	     .max = SLUG_MAX,                                                                                \
	     .pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"},                                                         \
	    {.name = "title",                                                                                \
	     .type = LC_J_STRING,                                                                            \
	     .required = (create),                                                                           \
	     .has_min = true,                                                                                \
	     .min = 1,                                                                                       \
	     .has_max = true,                                                                                \
	     .max = 200},                                                                                    \
	    {.name = "summary", .type = LC_J_STRING, .has_max = true, .max = 500},                           \
	    {.name = "body_md", .type = LC_J_STRING, .has_max = true, .max = 200000},                        \
	    {.name = "cover_media_id", .type = LC_J_UUID, .nullable = true},                                 \
	    {.name = "tags", .type = LC_J_ARRAY, .has_max = true, .max = 10},                                \
	    {.name = "publish_at", .type = LC_J_TIMESTAMP, .nullable = true},                                \
	    {.name = "unpublish_at", .type = LC_J_TIMESTAMP, .nullable = true},                              \
	{                                                                                                    \
		0                                                                                            \
	}

/* Asks the account service for the author's display name; "" when it cannot say. */
static void author_name(struct lc_request *rq, char *out, size_t outlen)
{
	out[0] = '\0';
	char path[128];
	snprintf(path, sizeof(path), "/internal/v1/users/%s", caller_id(rq));
	struct lc_http_resp resp = {0};
	if (lc_internal_call("account", "GET", path, NULL, lc_rq_id(rq), &resp) == 0 && resp.status == 200 &&
	    resp.json) {
		const char *g = jstr(resp.json, "given_name"), *f = jstr(resp.json, "family_name");
		if (g && f)
			snprintf(out, outlen, "%s %s", g, f);
	}
	lc_http_resp_free(&resp);
}

int h_article_create(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return LC_REPLIED;
	const struct lc_field spec[] = {ARTICLE_SPEC(true, 0)};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct art_ctx c = {.rq = rq, .patch = lc_rq_json(rq)};
	author_name(rq, c.author_name, sizeof(c.author_name));
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), create_tx, &c);
	return content_reply(rq, tx, &c.out);
}

/* Locks the article and checks If-Match under rule; fills cur (owned), revision, section and
 * status. Returns 1, 0 (the outcome says why: 404, 412, 428), -1. */
static int lock_article(struct lc_db *db, struct art_ctx *c, enum lc_if_match_rule rule, json_t **cur,
                        long long *rev, char section[37], char status[16], bool *never_published)
{
	const char *p[] = {c->id};
	const struct lc_lock lock = {.stmt = "art_lock",
	                             .nparams = 1,
	                             .params = p,
	                             .etag_col = 1,
	                             .etag_prefix = "r",
	                             .not_found = "No such article.",
	                             .if_match = rule};
	enum lc_tx_result stop;
	PGresult *r = lc_lock_if_match(db, c->rq, &lock, &c->out, NULL, &stop);
	if (!r)
		return stop == LC_TX_ERROR ? -1 : 0;
	*cur = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	*rev = atoll(PQgetvalue(r, 0, 1));
	snprintf(section, 37, "%s", PQgetvalue(r, 0, 2));
	snprintf(status, 16, "%s", PQgetvalue(r, 0, 3));
	if (never_published)
		*never_published = strcmp(PQgetvalue(r, 0, 6), "t") == 0;
	PQclear(r);
	return *cur ? 1 : -1;
}

static enum lc_tx_result update_tx(struct lc_db *db, void *arg)
{
	struct art_ctx *c = arg;
	lc_outcome_reset(&c->out);
	json_t *cur = NULL, *patch = c->patch;
	long long rev;
	char section[37], status[16];
	bool never_published = true;
	int got = lock_article(db, c, LC_IF_MATCH_REQUIRED, &cur, &rev, section, status, &never_published);
	if (got <= 0)
		return got < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
	json_t *snapshot = NULL;
	if (c->restore_n > 0) {
		char n[16];
		snprintf(n, sizeof(n), "%d", c->restore_n);
		const char *p[] = {c->id, n};
		bool failed;
		snapshot = lc_db_json(db, "rev_get", 2, p, &failed);
		if (failed || !snapshot) {
			json_decref(cur);
			return failed ? LC_TX_ERROR
			              : lc_outcome_fail(&c->out, 404, "not_found", "No such revision.");
		}
		json_object_del(snapshot, "status");
		json_object_del(snapshot, "slug"); /* the address stays what it is now */
		patch = snapshot;
	}
	/* A page that was once public keeps its address. */
	const char *new_slug = jstr(patch, "slug"), *old_slug = jstr(cur, "slug");
	if (new_slug && !never_published && old_slug && strcmp(new_slug, old_slug) != 0) {
		json_decref(cur);
		json_decref(snapshot);
		return lc_outcome_fail(&c->out, 409, "conflict",
		                    "The address of a published article cannot change.");
	}
	/* Merge the patch into the working copy. */
	const char *k;
	json_t *v;
	json_object_foreach(patch, k, v)
	{
		if (strcmp(k, "kind") == 0)
			continue;
		json_object_set(cur, k, v);
	}
	char *html = NULL;
	int ok = check_work(db, c, cur, section, &html);
	if (ok <= 0) {
		json_decref(cur);
		json_decref(snapshot);
		return ok < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
	}
	if (new_slug) {
		const char *p[] = {new_slug, c->id};
		PGresult *r = lc_db_exec(db, "art_slug_taken", 2, p);
		if (!r) {
			free(html);
			json_decref(cur);
			json_decref(snapshot);
			return LC_TX_ERROR;
		}
		int taken = PQntuples(r);
		PQclear(r);
		if (taken) {
			free(html);
			json_decref(cur);
			json_decref(snapshot);
			return lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
		}
	}
	/* An edit of a published or archived article is a new draft; the public copy stays. */
	const char *new_status = strcmp(status, "in_review") == 0 ? "in_review" : "draft";
	char *tags = tags_text(cur);
	const char *summary = jstr(cur, "summary"), *body = jstr(cur, "body_md");
	const char *p[] = {c->id,
	                   jstr(cur, "section_id"),
	                   jstr(cur, "slug"),
	                   jstr(cur, "title"),
	                   summary ? summary : "",
	                   body ? body : "",
	                   html,
	                   jstr(cur, "cover_media_id"),
	                   tags,
	                   jstr(cur, "publish_at"),
	                   jstr(cur, "unpublish_at"),
	                   new_status};
	PGresult *r = lc_db_exec(db, "art_update", 12, p);
	free(tags);
	free(html);
	json_decref(snapshot);
	if (!r) {
		json_decref(cur);
		/* A slug taken between the check and the write. */
		if (strcmp(lc_db_sqlstate(db), "23505") == 0)
			return lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
		return LC_TX_ERROR;
	}
	json_decref(cur);
	enum lc_tx_result res = take_work(r, &c->out, 200);
	if (res != LC_TX_COMMIT)
		return res;
	char comment[32] = "";
	if (c->restore_n > 0)
		snprintf(comment, sizeof(comment), "from revision %d", c->restore_n);
	if (record(db, c->rq, c->id, c->restore_n > 0 ? "restore" : "update", comment[0] ? comment : NULL) <
	    0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

int h_article_update(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return LC_REPLIED;
	const struct lc_field spec[] = {ARTICLE_SPEC(false, 0)};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such article.");
	json_t *patch = lc_rq_json(rq);
	if (!patch || json_object_size(patch) == 0)
		return lc_reply_field(rq, "", "required", "Nothing to change.");
	struct art_ctx c = {.rq = rq, .id = id, .patch = patch};
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), update_tx, &c);
	return content_reply(rq, tx, &c.out);
}

int h_article_restore(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return LC_REPLIED;
	const char *id = lc_rq_param(rq, "id"), *n = lc_rq_param(rq, "n");
	char *end = NULL;
	long nv = n ? strtol(n, &end, 10) : 0;
	if (!lc_json_is_uuid(id) || !end || *end || nv < 1 || nv > 1000000)
		return lc_reply_problem(rq, 404, "not_found", "No such revision.");
	struct art_ctx c = {.rq = rq, .id = id, .restore_n = (int)nv};
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), update_tx, &c);
	return content_reply(rq, tx, &c.out);
}

/* --- transitions --------------------------------------------------------------------------- */

static enum lc_tx_result transition_tx(struct lc_db *db, void *arg)
{
	struct art_ctx *c = arg;
	lc_outcome_reset(&c->out);
	json_t *cur = NULL;
	long long rev;
	char section[37], status[16];
	/* An If-Match, when sent, must match; transitions do not require one. */
	int got = lock_article(db, c, LC_IF_MATCH_WHEN_SENT, &cur, &rev, section, status, NULL);
	if (got <= 0)
		return got < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
	json_decref(cur);
	const char *a = c->action;
	bool editor = caller_is(c->rq, "editor");
	if (strcmp(a, "submit") == 0) {
		int ok = can_edit_section(db, c->rq, section);
		if (ok < 0)
			return LC_TX_ERROR;
		if (!ok)
			return lc_outcome_fail(&c->out, 403, "forbidden",
			                    "You may submit only in your sections.");
		if (strcmp(status, "draft") != 0)
			return lc_outcome_fail(&c->out, 409, "conflict", "Only a draft can be submitted.");
	} else {
		if (!editor)
			return lc_outcome_fail(&c->out, 403, "forbidden", "Only an editor may do this.");
		if (strcmp(a, "publish") == 0 && strcmp(status, "published") == 0)
			return lc_outcome_fail(&c->out, 409, "conflict", "The article is already published.");
		if (strcmp(a, "reject") == 0 && strcmp(status, "in_review") != 0)
			return lc_outcome_fail(&c->out, 409, "conflict",
			                    "Only an article in review can be rejected.");
		if (strcmp(a, "archive") == 0 && strcmp(status, "archived") == 0)
			return lc_outcome_fail(&c->out, 409, "conflict", "The article is already archived.");
	}
	PGresult *r;
	if (strcmp(a, "publish") == 0) {
		const char *p[] = {c->id};
		r = lc_db_exec(db, "art_publish", 1, p);
		if (!r)
			return LC_TX_ERROR;
		if (PQntuples(r) == 1) {
			json_t *ev =
			    json_pack("{s:s, s:s, s:s, s:s, s:I, s:o}", "article_id", c->id, "slug",
			              PQgetvalue(r, 0, 2), "kind", PQgetvalue(r, 0, 3), "section_id",
			              PQgetvalue(r, 0, 4), "revision", (json_int_t)atoll(PQgetvalue(r, 0, 1)),
			              "publish_at",
			              PQgetisnull(r, 0, 5) ? json_null() : json_string(PQgetvalue(r, 0, 5)));
			int rc = lc_outbox_emit(db, "article.published", ev, NULL);
			json_decref(ev);
			if (rc < 0) {
				PQclear(r);
				return LC_TX_ERROR;
			}
		}
	} else {
		const char *to = strcmp(a, "submit") == 0   ? "in_review"
		                 : strcmp(a, "reject") == 0 ? "draft"
		                                            : "archived";
		const char *p[] = {c->id, to, strcmp(a, "reject") == 0 ? c->comment : NULL};
		r = lc_db_exec(db, "art_set_status", 3, p);
		if (!r)
			return LC_TX_ERROR;
	}
	enum lc_tx_result res = take_work(r, &c->out, 200);
	if (res != LC_TX_COMMIT)
		return res;
	return record(db, c->rq, c->id, a, c->comment) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

static int transition(struct lc_request *rq, const char *action)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return LC_REPLIED;
	const char *comment = NULL;
	if (strcmp(action, "reject") == 0) {
		const struct lc_field spec[] = {
		    {.name = "comment",
		     .type = LC_J_STRING,
		     .required = true,
		     .has_min = true,
		     .min = 1,
		     .has_max = true,
		     .max = 1000,
		     .out = &comment},
		    {0},
		};
		if (!lc_json_parse_or_reply(rq, spec))
			return LC_REPLIED;
	} else {
		const struct lc_field spec[] = {{0}};
		if (!lc_json_parse_or_reply(rq, spec))
			return LC_REPLIED;
	}
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such article.");
	struct art_ctx c = {.rq = rq, .id = id, .action = action, .comment = comment};
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), transition_tx, &c);
	if (tx == LC_TX_COMMIT)
		cache_clear();
	return content_reply(rq, tx, &c.out);
}

int h_article_submit(struct lc_request *rq)
{
	return transition(rq, "submit");
}
int h_article_publish(struct lc_request *rq)
{
	return transition(rq, "publish");
}
int h_article_reject(struct lc_request *rq)
{
	return transition(rq, "reject");
}
int h_article_archive(struct lc_request *rq)
{
	return transition(rq, "archive");
}

/* --- agent lists --------------------------------------------------------------------------- */

int h_review_queue(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	/* art_review takes (limit, cursor t, cursor id). */
	return content_keyset_list(rq, "art_review", NULL, 0, NULL, NULL);
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
	json_t *items = json_array(), *next = NULL;
	int n = PQntuples(r);
	for (int i = 0; i < n && i < pg.limit; i++)
		json_array_append_new(items, json_loads(PQgetvalue(r, i, 0), 0, NULL));
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
	    {.name = "body_md",
	     .type = LC_J_STRING,
	     .required = true,
	     .has_max = true,
	     .max = 200000,
	     .out = &md},
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

/* h_article_edit.c — writing pages and news: creation and update of the working copy (checked
 * against the sections the caller contributes to, the cover's alternative text, a free slug),
 * restore of an older revision, each change a revision; optimistic locking on the revision ETag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "articles.h"
#include "common.h"
#include "handlers.h"
#include "markdown.h"

#define SLUG_MAX 120

static const char *const kinds[] = {"page", "news", NULL};

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
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
		lc_outcome_field(o, "cover_media_id", "alt_required",
		                 "A cover image needs alternative text.");
		return 0;
	}
	return 1;
}

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
		int ok = article_can_edit_section(db, c->rq, s);
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

/* Is slug used by another article than self_id (NULL: any)? 1, 0, -1 (database). */
static int slug_taken(struct lc_db *db, const char *slug, const char *self_id)
{
	const char *p[] = {slug, self_id};
	PGresult *r = lc_db_exec(db, "art_slug_taken", 2, p);
	if (!r)
		return -1;
	int taken = PQntuples(r) > 0;
	PQclear(r);
	return taken;
}

/* Finds a free slug: the wanted one, or the title's with -2, -3... Returns 1, 0 (none), -1. */
static int free_slug(struct lc_db *db, const char *base, const char *self_id, char out[SLUG_MAX + 1])
{
	for (int i = 1; i <= 50; i++) {
		if (i == 1)
			snprintf(out, SLUG_MAX + 1, "%s", base);
		else
			snprintf(out, SLUG_MAX + 1, "%.*s-%d", SLUG_MAX - 4, base, i);
		int taken = slug_taken(db, out, self_id);
		if (taken <= 0)
			return taken < 0 ? -1 : 1;
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
		int taken = slug_taken(db, want, NULL);
		if (taken != 0) {
			free(html);
			json_decref(w);
			return taken < 0
			           ? LC_TX_ERROR
			           : lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
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
			return f < 0 ? LC_TX_ERROR
			             : lc_outcome_field(&c->out, "slug", "taken", "No free slug.");
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
	if (!c->out.body || article_record(db, c->rq, id, "create", NULL) < 0)
		return LC_TX_ERROR;
	c->out.status = 201;
	content_etag(c->out.etag, 1);
	snprintf(c->out.location, sizeof(c->out.location), "/api/content/v1/articles/%s?preview=1", id);
	return LC_TX_COMMIT;
}

/* The article spec; `create` makes kind, section_id and title required. */
#define ARTICLE_SPEC(create)                                                                                 \
	LC_F_ENUM("kind", kinds, NULL, .required = (create)),                                                \
	    LC_F_UUID("section_id", NULL, .required = (create)),                                             \
	    LC_F_STRING("slug", 1, SLUG_MAX, NULL, .pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"),                   \
	    LC_F_STRING("title", 1, 200, NULL, .required = (create)), LC_F_STRING("summary", 0, 500, NULL),  \
	    LC_F_STRING("body_md", 0, 200000, NULL), LC_F_UUID("cover_media_id", NULL, .nullable = true),    \
	    LC_F_ARRAY("tags", 0, 10, NULL), LC_F_TIMESTAMP("publish_at", NULL, .nullable = true),           \
	    LC_F_TIMESTAMP("unpublish_at", NULL, .nullable = true),                                          \
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
	const struct lc_field spec[] = {ARTICLE_SPEC(true)};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct art_ctx c = {.rq = rq, .patch = lc_rq_json(rq)};
	author_name(rq, c.author_name, sizeof(c.author_name));
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), create_tx, &c);
	return content_reply(rq, tx, &c.out);
}

/* The patch of a restore: revision c->restore_n without its status and slug (the address stays
 * what it is now). New reference, or NULL: *failed, or the outcome says 404. */
static json_t *restore_patch(struct lc_db *db, struct art_ctx *c, bool *failed)
{
	char n[16];
	snprintf(n, sizeof(n), "%d", c->restore_n);
	const char *p[] = {c->id, n};
	json_t *snapshot = lc_db_json(db, "rev_get", 2, p, failed);
	if (!snapshot) {
		if (!*failed)
			lc_outcome_fail(&c->out, 404, "not_found", "No such revision.");
		return NULL;
	}
	json_object_del(snapshot, "status");
	json_object_del(snapshot, "slug");
	return snapshot;
}

/* Merges patch into the working copy cur and checks the result (html rendered, malloc'd).
 * Returns 1, 0 (refused: outcome set), -1 (database). */
static int merge_patch(struct lc_db *db, struct art_ctx *c, json_t *cur, const json_t *patch,
                       const char *section, bool never_published, char **html)
{
	/* A page that was once public keeps its address. */
	const char *new_slug = jstr(patch, "slug"), *old_slug = jstr(cur, "slug");
	if (new_slug && !never_published && old_slug && strcmp(new_slug, old_slug) != 0) {
		lc_outcome_fail(&c->out, 409, "conflict",
		                "The address of a published article cannot change.");
		return 0;
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)patch, k, v)
	{
		if (strcmp(k, "kind") != 0)
			json_object_set(cur, k, v);
	}
	int ok = check_work(db, c, cur, section, html);
	if (ok <= 0)
		return ok;
	int taken = new_slug ? slug_taken(db, new_slug, c->id) : 0;
	if (taken != 0) {
		free(*html);
		*html = NULL;
		if (taken > 0)
			lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
		return taken > 0 ? 0 : -1;
	}
	return 1;
}

/* Writes the merged working copy; an edit of a published or archived article is a new draft
 * (the public copy stays), one in review stays in review. */
static enum lc_tx_result write_update(struct lc_db *db, struct art_ctx *c, const json_t *cur,
                                      const char *status, const char *html)
{
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
	if (!r) {
		/* A slug taken between the check and the write. */
		if (strcmp(lc_db_sqlstate(db), "23505") == 0)
			return lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
		return LC_TX_ERROR;
	}
	return article_take_work(r, &c->out, 200);
}

/* An update (c->patch) or a restore (c->restore_n) of the working copy. */
static enum lc_tx_result update_tx(struct lc_db *db, void *arg)
{
	struct art_ctx *c = arg;
	lc_outcome_reset(&c->out);
	json_t *cur = NULL, *snapshot = NULL;
	long long rev;
	char section[37], status[16];
	bool never_published = true, failed = false;
	int got = article_lock(db, c, LC_IF_MATCH_REQUIRED, &cur, &rev, section, status, &never_published);
	if (got <= 0)
		return got < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
	if (c->restore_n > 0 && !(snapshot = restore_patch(db, c, &failed))) {
		json_decref(cur);
		return failed ? LC_TX_ERROR : LC_TX_ROLLBACK;
	}
	char *html = NULL;
	int ok = merge_patch(db, c, cur, snapshot ? snapshot : c->patch, section, never_published, &html);
	json_decref(snapshot);
	enum lc_tx_result res = ok < 0    ? LC_TX_ERROR
	                        : ok == 0 ? LC_TX_ROLLBACK
	                                  : write_update(db, c, cur, status, html);
	free(html);
	json_decref(cur);
	if (res != LC_TX_COMMIT)
		return res;
	char comment[32] = "";
	if (c->restore_n > 0)
		snprintf(comment, sizeof(comment), "from revision %d", c->restore_n);
	if (article_record(db, c->rq, c->id, c->restore_n > 0 ? "restore" : "update",
	                   comment[0] ? comment : NULL) < 0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

int h_article_update(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return LC_REPLIED;
	const struct lc_field spec[] = {ARTICLE_SPEC(false)};
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

/* h_sections.c — the sections tree (rubriques): public tree, and its editing by editors,
 * who also decide who contributes where (contributor_ids). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/cache.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "common.h"
#include "handlers.h"
#include "markdown.h"

/* Builds the tree from the flat rows (already in position order). Steals nothing. */
static json_t *tree(json_t *flat)
{
	json_t *roots = json_array();
	json_t *byid = json_object();
	size_t i;
	json_t *s;
	json_array_foreach(flat, i, s)
	{
		json_object_set_new(s, "children", json_array());
		json_object_set(byid, json_string_value(json_object_get(s, "id")), s);
	}
	json_array_foreach(flat, i, s)
	{
		json_t *parent =
		    json_object_get(byid, json_string_value(json_object_get(s, "parent_id")) ?: "");
		json_array_append(parent ? json_object_get(parent, "children") : roots, s);
	}
	json_decref(byid);
	return roots;
}

int h_sections_tree(struct lc_request *rq)
{
	bool agent = caller_is(rq, "agent");
	const char *p[] = {agent ? "true" : "false"};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "sec_all", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *flat = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *s = json_loads(PQgetvalue(r, i, 0), 0, NULL);
		if (s && !agent)
			json_object_del(s, "contributor_ids");
		if (s)
			json_array_append_new(flat, s);
	}
	PQclear(r);
	json_t *body = json_pack("{s:o, s:O}", "items", tree(flat), "flat", flat);
	json_decref(flat);
	/* Agents see contributor lists: their answer must not sit in a shared cache. */
	if (agent)
		return lc_reply_json(rq, 200, body);
	return lc_reply_json_cached(rq, body, PUBLIC_CC);
}

struct sec_ctx {
	struct lc_request *rq;
	struct lc_outcome out;
	const char *id, *parent_id, *slug, *title, *description;
	int64_t position;
	json_t *contributors;
	bool has_parent, has_slug, has_title, has_description, has_position, has_contributors;
};

static bool contributors_ok(const json_t *a)
{
	size_t i;
	const json_t *v;
	json_array_foreach(a, i,
	                   v) if (!json_is_string(v) || !lc_json_is_uuid(json_string_value(v))) return false;
	return true;
}

/* Applies the fields the request gave to the section object cur (a slug from the title when
 * there is none). */
static void sec_merge(const struct sec_ctx *c, json_t *cur)
{
	if (c->has_parent)
		json_object_set_new(cur, "parent_id", c->parent_id ? json_string(c->parent_id) : json_null());
	if (c->has_title)
		json_object_set_new(cur, "title", json_string(c->title));
	if (c->has_slug)
		json_object_set_new(cur, "slug", json_string(c->slug));
	if (c->has_description)
		json_object_set_new(cur, "description", json_string(c->description));
	if (c->has_position)
		json_object_set_new(cur, "position", json_integer(c->position));
	if (c->has_contributors)
		json_object_set(cur, "contributor_ids", c->contributors);
	char slug[81];
	const char *s = json_string_value(json_object_get(cur, "slug"));
	if (!s || !*s) {
		content_slugify(json_string_value(json_object_get(cur, "title")), slug, sizeof(slug));
		json_object_set_new(cur, "slug", json_string(slug));
	}
}

/* Is parent a section, and (for an existing section id) not one of its descendants?
 * 1, 0, -1 (database). */
static int parent_ok(struct lc_db *db, const char *id, const char *parent, bool existing)
{
	const char *pe[] = {parent};
	if (existing) {
		const char *p[] = {id, parent};
		PGresult *r = lc_db_exec(db, "sec_would_loop", 2, p);
		if (!r)
			return -1;
		bool loop = PQntuples(r) > 0;
		PQclear(r);
		if (loop)
			return 0;
	}
	PGresult *r = lc_db_exec(db, "sec_exists", 1, pe);
	if (!r)
		return -1;
	int found = PQntuples(r) > 0;
	PQclear(r);
	return found;
}

static enum lc_tx_result sec_write_tx(struct lc_db *db, void *arg)
{
	struct sec_ctx *c = arg;
	lc_outcome_reset(&c->out);
	bool failed;
	json_t *cur = NULL;
	char newid[37];
	if (c->id) {
		enum lc_tx_result stop;
		PGresult *r =
		    content_lock(db, c->rq, "sec_lock", c->id, 0, "No such section.", &c->out, &stop);
		if (!r)
			return stop;
		PQclear(r);
		const char *p[] = {c->id};
		cur = lc_db_json(db, "sec_get", 1, p, &failed);
		if (failed || !cur)
			return LC_TX_ERROR;
	} else {
		lc_uuid_v4(newid);
		cur = json_pack("{s:s, s:n, s:s, s:s, s:i, s:[]}", "id", newid, "parent_id", "description",
		                "", "slug", "", "position", 0, "contributor_ids");
	}
	sec_merge(c, cur);
	char id[37];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(cur, "id")));
	const char *parent = json_string_value(json_object_get(cur, "parent_id"));
	int ok = parent ? parent_ok(db, id, parent, c->id != NULL) : 1;
	if (ok <= 0) {
		json_decref(cur);
		return ok < 0 ? LC_TX_ERROR
		              : lc_outcome_field(&c->out, "parent_id", "invalid_format",
		                                 "No such parent, or a loop.");
	}
	char pos[24];
	snprintf(pos, sizeof(pos), "%lld", (long long)json_integer_value(json_object_get(cur, "position")));
	char *contrib = json_dumps(json_object_get(cur, "contributor_ids"), JSON_COMPACT);
	const char *p[] = {id,
	                   parent,
	                   json_string_value(json_object_get(cur, "slug")),
	                   json_string_value(json_object_get(cur, "title")),
	                   json_string_value(json_object_get(cur, "description")),
	                   pos,
	                   contrib};
	PGresult *r = lc_db_exec(db, c->id ? "sec_update" : "sec_insert", 7, p);
	free(contrib);
	if (!r) {
		json_decref(cur);
		if (strcmp(lc_db_sqlstate(db), "23505") == 0)
			return lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
		if (strcmp(lc_db_sqlstate(db), "23514") == 0)
			return lc_outcome_field(&c->out, "slug", "invalid_format", "Bad slug.");
		return LC_TX_ERROR;
	}
	int rows = PQntuples(r);
	PQclear(r);
	if (rows != 1) {
		json_decref(cur);
		return lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
	}
	const char *gp[] = {id};
	json_t *fresh = lc_db_json(db, "sec_get", 1, gp, &failed);
	json_decref(cur);
	if (!fresh)
		return LC_TX_ERROR;
	if (lc_audit(db, c->rq, c->id ? "section.update" : "section.create", "section", id, NULL) < 0) {
		json_decref(fresh);
		return LC_TX_ERROR;
	}
	content_etag(c->out.etag, json_integer_value(json_object_get(fresh, "revision")));
	if (!c->id)
		snprintf(c->out.location, sizeof(c->out.location), "/api/content/v1/sections/%s", id);
	return lc_outcome_ok(&c->out, c->id ? 200 : 201, fresh);
}

static int sec_write(struct lc_request *rq, const char *id)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	struct sec_ctx c = {.rq = rq, .id = id};
	const struct lc_field spec[] = {
	    LC_F_UUID("parent_id", &c.parent_id, .nullable = true, .present = &c.has_parent),
	    LC_F_STRING("slug", 1, 80, &c.slug, .pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
	                .present = &c.has_slug),
	    LC_F_STRING("title", 1, 120, &c.title, .required = id == NULL, .present = &c.has_title),
	    LC_F_STRING("description", 0, 500, &c.description, .present = &c.has_description),
	    LC_F_INT("position", 0, 10000, &c.position, .present = &c.has_position),
	    LC_F_ARRAY("contributor_ids", 0, 200, &c.contributors, .present = &c.has_contributors),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (c.has_contributors && !contributors_ok(c.contributors))
		return lc_reply_field(rq, "contributor_ids", "invalid_format",
		                      "contributor_ids are user UUIDs.");
	if (id && !lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such section.");
	c.parent_id = c.has_parent ? c.parent_id : NULL;
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), sec_write_tx, &c);
	if (tx == LC_TX_COMMIT)
		lc_cache_clear(); /* breadcrumbs carry section titles */
	return content_reply(rq, tx, &c.out);
}

int h_section_create(struct lc_request *rq)
{
	return sec_write(rq, NULL);
}

int h_section_update(struct lc_request *rq)
{
	return sec_write(rq, lc_rq_param(rq, "id"));
}

struct del_ctx {
	struct lc_request *rq;
	struct lc_outcome out;
	const char *id;
};

static enum lc_tx_result sec_delete_tx(struct lc_db *db, void *arg)
{
	struct del_ctx *c = arg;
	lc_outcome_reset(&c->out);
	const char *p[] = {c->id};
	PGresult *r = lc_db_exec(db, "sec_exists", 1, p);
	if (!r)
		return LC_TX_ERROR;
	int found = PQntuples(r);
	PQclear(r);
	if (!found)
		return lc_outcome_fail(&c->out, 404, "not_found", "No such section.");
	int n = lc_db_run(db, "sec_delete", 1, p);
	if (n < 0)
		return LC_TX_ERROR;
	if (n == 0)
		return lc_outcome_fail(&c->out, 409, "conflict",
		                       "The section still holds articles or subsections.");
	if (lc_audit(db, c->rq, "section.delete", "section", c->id, NULL) < 0)
		return LC_TX_ERROR;
	c->out.status = 204;
	return LC_TX_COMMIT;
}

int h_section_delete(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	struct del_ctx c = {.rq = rq, .id = lc_rq_param(rq, "id")};
	if (!lc_json_is_uuid(c.id))
		return lc_reply_problem(rq, 404, "not_found", "No such section.");
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), sec_delete_tx, &c), &c.out);
}

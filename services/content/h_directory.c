/* h_directory.c — the directory of associations and partners. Partners edit their own entry
 * through a pending change that an editor approves or rejects (the public keeps the approved
 * version meanwhile); editors create entries and edit them directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outbox.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "common.h"
#include "handlers.h"
#include "markdown.h"

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int h_directory_list(struct lc_request *rq)
{
	const char *category = lc_rq_query(rq, "category"), *q = lc_rq_query(rq, "q");
	if (category && !content_slug_ok(category, 40))
		return lc_reply_field(rq, "category", "invalid_format", "Unknown category.");
	if (q && strlen(q) > 200)
		return lc_reply_field(rq, "q", "out_of_range", "At most 200 characters.");
	char tsq[512];
	int words = content_search_query(q, tsq, sizeof(tsq));
	/* A q with nothing to search for ("%", "_", "*") finds nothing, as in /search: it must not
	 * fall back to the whole directory. */
	if (q && *q && words == 0)
		return lc_reply_json(rq, 200, lc_page_body(json_array(), NULL));
	const char *p[] = {category, words ? tsq : NULL, words ? q : NULL};
	static const char *const names[] = {"category", "q", "limit", "cursor", NULL};
	return content_keyset_list(rq, "org_list", p, 3, "directory", names);
}

int h_directory_categories(struct lc_request *rq)
{
	PGresult *r = lc_db_exec(lc_rq_db(rq), "org_categories", 0, NULL);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(items, json_pack("{s:s, s:i}", "category", PQgetvalue(r, i, 0), "count",
		                                       atoi(PQgetvalue(r, i, 1))));
	PQclear(r);
	return lc_reply_json_cached(rq, json_pack("{s:o, s:n}", "items", items, "next_cursor"), PUBLIC_CC);
}

int h_directory_get(struct lc_request *rq)
{
	const char *p[] = {lc_rq_param(rq, "slug")};
	bool failed;
	json_t *o = lc_db_json(lc_rq_db(rq), "org_get_slug", 1, p, &failed);
	if (failed)
		return lc_db_fail_reply(rq);
	if (!o)
		return lc_reply_problem(rq, 404, "not_found", "No such organisation.");
	return lc_reply_json_cached(rq, o, PUBLIC_CC);
}

int h_directory_mine(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "partner"))
		return LC_REPLIED;
	const char *p[] = {caller_id(rq)};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "org_mine", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = lc_db_rows_json(r, -1);
	PQclear(r);
	return lc_reply_json(rq, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

struct org_ctx {
	struct lc_request *rq;
	struct lc_outcome out;
	const char *id;
	json_t *patch;
	const char *comment;
};

/* Fields a partner may change on its own entry; editors may also change the others. */
static const char *const partner_fields[] = {"name",    "description_md", "address",       "phone", "email",
                                             "website", "opening_hours",  "logo_media_id", NULL};

/* Writes the organisation row from the full object o (new or merged). */
static int org_store(struct lc_db *db, const char *stmt, const char *id, json_t *o)
{
	const char *md = jstr(o, "description_md");
	char *html = md_render(md ? md : "", md ? strlen(md) : 0);
	char *owners = json_dumps(json_object_get(o, "owner_user_ids"), JSON_COMPACT);
	if (!html || !owners) {
		free(html);
		free(owners);
		return -1;
	}
	const char *p[] = {id,
	                   jstr(o, "slug"),
	                   jstr(o, "name"),
	                   jstr(o, "category"),
	                   md ? md : "",
	                   html,
	                   jstr(o, "address") ?: "",
	                   jstr(o, "phone") ?: "",
	                   jstr(o, "email") ?: "",
	                   jstr(o, "website") ?: "",
	                   jstr(o, "opening_hours") ?: "",
	                   jstr(o, "logo_media_id"),
	                   owners};
	int rc = lc_db_run(db, stmt, 13, p);
	free(html);
	free(owners);
	return rc;
}

static enum lc_tx_result changed(struct lc_db *db, struct org_ctx *c, const char *id, const char *action)
{
	json_t *ev = json_pack("{s:s, s:s}", "organisation_id", id, "action", action);
	int rc = lc_outbox_emit(db, "directory.changed", ev, NULL);
	json_decref(ev);
	if (rc < 0)
		return LC_TX_ERROR;
	const char *p[] = {id};
	bool failed;
	c->out.body = lc_db_json(db, "org_get_id", 1, p, &failed);
	if (!c->out.body)
		return LC_TX_ERROR;
	content_etag(c->out.etag, json_integer_value(json_object_get(c->out.body, "revision")));
	return LC_TX_COMMIT;
}

static enum lc_tx_result org_create_tx(struct lc_db *db, void *arg)
{
	struct org_ctx *c = arg;
	lc_outcome_reset(&c->out);
	char id[37], slug[121];
	lc_uuid_v4(id);
	json_t *o = json_deep_copy(c->patch);
	if (!json_object_get(o, "owner_user_ids"))
		json_object_set_new(o, "owner_user_ids", json_array());
	if (!jstr(o, "slug")) {
		content_slugify(jstr(o, "name"), slug, sizeof(slug));
		json_object_set_new(o, "slug", json_string(slug[0] ? slug : "structure"));
	}
	int rc = org_store(db, "org_insert", id, o);
	json_decref(o);
	if (rc < 0) {
		if (strcmp(lc_db_sqlstate(db), "23505") == 0)
			return lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
		return LC_TX_ERROR;
	}
	if (lc_audit(db, c->rq, "directory.create", "organisation", id, NULL) < 0)
		return LC_TX_ERROR;
	c->out.status = 201;
	snprintf(c->out.location, sizeof(c->out.location), "/api/content/v1/directory/%s", id);
	return changed(db, c, id, "created");
}

static bool owners_ok(const json_t *a)
{
	size_t i;
	const json_t *v;
	json_array_foreach(a, i, v) if (!lc_json_is_uuid(json_string_value(v))) return false;
	return true;
}

#define ORG_SPEC(create)                                                                                     \
	LC_F_STRING("name", 1, 200, NULL, .required = (create)),                                             \
	    LC_F_STRING("slug", 1, 120, NULL, .pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"),                        \
	    LC_F_STRING("category", 1, 40, NULL, .required = (create),                                       \
	                .pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"),                                              \
	    LC_F_STRING("description_md", 0, 20000, NULL), LC_F_STRING("address", 0, 300, NULL),             \
	    LC_F_STRING("phone", 0, 40, NULL, .pattern = "^[0-9 +().-]*$"),                                  \
	    LC_F_STRING("email", 0, 254, NULL),                                                              \
	    LC_F_STRING("website", 0, 300, NULL, .pattern = "^(https?://[^[:space:]]+)?$"),                  \
	    LC_F_STRING("opening_hours", 0, 500, NULL), LC_F_UUID("logo_media_id", NULL, .nullable = true),  \
	    LC_F_ARRAY("owner_user_ids", 0, 20, NULL),                                                       \
	{                                                                                                    \
		0                                                                                            \
	}

static bool email_field_ok(const json_t *patch)
{
	const char *e = jstr(patch, "email");
	return !e || !*e || lc_json_is_email(e);
}

int h_directory_create(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	const struct lc_field spec[] = {ORG_SPEC(true)};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	json_t *patch = lc_rq_json(rq);
	if (!email_field_ok(patch))
		return lc_reply_field(rq, "email", "invalid_format", "Not an e-mail address.");
	if (json_object_get(patch, "owner_user_ids") && !owners_ok(json_object_get(patch, "owner_user_ids")))
		return lc_reply_field(rq, "owner_user_ids", "invalid_format",
		                      "owner_user_ids are user UUIDs.");
	struct org_ctx c = {.rq = rq, .patch = patch};
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), org_create_tx, &c), &c.out);
}

/* A partner's edit of its own entry waits for an editor (202, the pending change); a newer one
 * replaces the older. Only the partner's fields may change. */
static enum lc_tx_result partner_change(struct lc_db *db, struct org_ctx *c, const char *etag)
{
	const char *k;
	json_t *v;
	json_object_foreach(c->patch, k, v)
	{
		bool allowed = false;
		for (int i = 0; partner_fields[i]; i++)
			allowed = allowed || strcmp(k, partner_fields[i]) == 0;
		if (!allowed)
			return lc_outcome_field(&c->out, k, "not_allowed",
			                        "Only an editor may change this field.");
	}
	char cid[37];
	lc_uuid_v4(cid);
	char *changes = json_dumps(c->patch, JSON_COMPACT);
	const char *ps[] = {c->id};
	const char *pi[] = {cid, c->id, caller_id(c->rq), changes};
	int rc = lc_db_run(db, "chg_supersede", 1, ps);
	rc = rc < 0 ? rc : lc_db_run(db, "chg_insert", 4, pi);
	free(changes);
	if (rc < 0 || lc_audit(db, c->rq, "directory.submit", "organisation", c->id, NULL) < 0)
		return LC_TX_ERROR;
	const char *pg[] = {cid};
	bool failed;
	json_t *pending = lc_db_json(db, "chg_get", 1, pg, &failed);
	if (!pending)
		return LC_TX_ERROR;
	lc_outcome_set_etag(&c->out, etag);
	return lc_outcome_ok(&c->out, 202, pending);
}

static enum lc_tx_result org_update_tx(struct lc_db *db, void *arg)
{
	struct org_ctx *c = arg;
	lc_outcome_reset(&c->out);
	const char *p[] = {c->id, caller_id(c->rq)};
	const struct lc_lock lock = {.stmt = "org_lock",
	                             .nparams = 2,
	                             .params = p,
	                             .etag_col = 1,
	                             .etag_prefix = "r",
	                             .not_found = "No such organisation.",
	                             .if_match = LC_IF_MATCH_IGNORED};
	enum lc_tx_result stop;
	char etag[64];
	PGresult *r = lc_lock_if_match(db, c->rq, &lock, &c->out, etag, &stop);
	if (!r)
		return stop;
	bool editor = caller_is(c->rq, "editor");
	bool owner = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
	json_t *cur = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	PQclear(r);
	/* Someone else's entry does not exist for a partner. */
	if (!editor && !owner) {
		json_decref(cur);
		return lc_outcome_fail(&c->out, 404, "not_found", "No such organisation.");
	}
	if (!cur)
		return LC_TX_ERROR;
	if (!lc_if_match(c->rq, etag, &c->out)) {
		json_decref(cur);
		return LC_TX_ROLLBACK;
	}
	if (!editor) {
		json_decref(cur);
		return partner_change(db, c, etag);
	}
	json_object_update(cur, c->patch);
	int rc = org_store(db, "org_update", c->id, cur);
	json_decref(cur);
	if (rc < 0) {
		if (strcmp(lc_db_sqlstate(db), "23505") == 0)
			return lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
		return LC_TX_ERROR;
	}
	if (lc_audit(db, c->rq, "directory.update", "organisation", c->id, NULL) < 0)
		return LC_TX_ERROR;
	c->out.status = 200;
	return changed(db, c, c->id, "updated");
}

int h_directory_update(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "partner"))
		return LC_REPLIED;
	const struct lc_field spec[] = {ORG_SPEC(false)};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	const char *id = lc_rq_param(rq, "id");
	json_t *patch = lc_rq_json(rq);
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such organisation.");
	if (!patch || json_object_size(patch) == 0)
		return lc_reply_field(rq, "", "required", "Nothing to change.");
	if (!email_field_ok(patch))
		return lc_reply_field(rq, "email", "invalid_format", "Not an e-mail address.");
	if (json_object_get(patch, "owner_user_ids") && !owners_ok(json_object_get(patch, "owner_user_ids")))
		return lc_reply_field(rq, "owner_user_ids", "invalid_format",
		                      "owner_user_ids are user UUIDs.");
	struct org_ctx c = {.rq = rq, .id = id, .patch = patch};
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), org_update_tx, &c), &c.out);
}

int h_moderation_list(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	return content_keyset_list(rq, "chg_queue", NULL, 0, NULL, NULL);
}

/* The partner who proposed the change learns the decision, with the reason of a refusal
 * (account's templates directory_change_approved / _rejected, through a notify.* event). */
static int tell_partner(struct lc_db *db, const char *user_id, const char *name, const char *comment)
{
	const char *tpl = comment ? "directory_change_rejected" : "directory_change_approved";
	char topic[64];
	snprintf(topic, sizeof(topic), "notify.%s", tpl);
	json_t *ev = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "user_id", user_id, "template", tpl, "link",
	                       "/ma-structure.html", "data", "name", name, "comment", comment ? comment : "");
	int rc = ev ? lc_outbox_emit(db, topic, ev, NULL) : -1;
	json_decref(ev);
	return rc;
}

static enum lc_tx_result decide_tx(struct lc_db *db, void *arg)
{
	struct org_ctx *c = arg;
	lc_outcome_reset(&c->out);
	const char *p[] = {c->id};
	PGresult *r = lc_db_exec(db, "chg_lock", 1, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_outcome_fail(&c->out, 404, "not_found", "No such pending change.");
	}
	char org[37], by[37];
	snprintf(org, sizeof(org), "%s", PQgetvalue(r, 0, 0));
	snprintf(by, sizeof(by), "%s", PQgetvalue(r, 0, 2));
	json_t *changes = json_loads(PQgetvalue(r, 0, 1), 0, NULL);
	bool approve = c->comment == NULL;
	int told = changes ? tell_partner(db, by, PQgetvalue(r, 0, 3), c->comment) : -1;
	PQclear(r);
	if (told < 0) {
		json_decref(changes);
		return LC_TX_ERROR;
	}
	const char *pd[] = {c->id, approve ? "approved" : "rejected", caller_id(c->rq), c->comment};
	if (lc_db_run(db, "chg_decide", 4, pd) < 0) {
		json_decref(changes);
		return LC_TX_ERROR;
	}
	if (lc_audit(db, c->rq, approve ? "directory.approve" : "directory.reject", "organisation", org,
	             NULL) < 0) {
		json_decref(changes);
		return LC_TX_ERROR;
	}
	if (!approve) {
		json_decref(changes);
		c->out.status = 200;
		bool failed;
		c->out.body = lc_db_json(db, "chg_get", 1, p, &failed);
		return c->out.body ? LC_TX_COMMIT : LC_TX_ERROR;
	}
	const char *po[] = {org};
	bool failed;
	json_t *cur = lc_db_json(db, "org_get_full", 1, po, &failed);
	if (!cur) {
		json_decref(changes);
		return LC_TX_ERROR;
	}
	json_object_update(cur, changes);
	json_decref(changes);
	int rc = org_store(db, "org_update", org, cur);
	json_decref(cur);
	if (rc < 0)
		return LC_TX_ERROR;
	c->out.status = 200;
	return changed(db, c, org, "approved");
}

int h_moderation_approve(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	const struct lc_field spec[] = {{0}};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct org_ctx c = {.rq = rq, .id = lc_rq_param(rq, "id")};
	if (!lc_json_is_uuid(c.id))
		return lc_reply_problem(rq, 404, "not_found", "No such pending change.");
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), decide_tx, &c), &c.out);
}

int h_moderation_reject(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	struct org_ctx c = {.rq = rq, .id = lc_rq_param(rq, "id")};
	const struct lc_field spec[] = {
	    LC_F_STRING("comment", 1, 1000, &c.comment, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!lc_json_is_uuid(c.id))
		return lc_reply_problem(rq, 404, "not_found", "No such pending change.");
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), decide_tx, &c), &c.out);
}

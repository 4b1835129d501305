/* h_procedures.c — the catalogue: procedures are data (fields, documents, audience, SLA) that
 * admins create and edit; a change to a published procedure makes a new version so running
 * requests keep the one they were made with. */
#include "h_procedures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/cache_reply.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "ts.h"

/* Browsers revalidate the catalogue each time (its ETag answers 304). */
#define PROCEDURES_CC "public, no-cache"

static const char *const editable[] = {"slug",
                                       "title",
                                       "description_md",
                                       "service",
                                       "life_event",
                                       "audience",
                                       "member_filter",
                                       "fields",
                                       "required_documents",
                                       "fee_cents",
                                       "sla_days",
                                       "status",
                                       NULL};

static void etag_of(const char *text, char out[40])
{
	char hex[65];
	lc_sha256_hex(text, strlen(text), hex);
	snprintf(out, 40, "\"%.32s\"", hex);
}

/* member_filter {relation?, min_age?, max_age?}: only for procedures about members. */
static void check_member_filter(const json_t *obj, json_t *errors)
{
	const json_t *mf = json_object_get(obj, "member_filter");
	const char *aud = json_string_value(json_object_get(obj, "audience"));
	if (json_is_object(mf)) {
		static const char *const rels[] = {"adult", "child", "other", NULL};
		const struct lc_field fspec[] = {
		    LC_F_ENUM("relation", rels, NULL),
		    LC_F_INT("min_age", 0, 120, NULL),
		    LC_F_INT("max_age", 0, 120, NULL),
		    {0},
		};
		json_t *ferr = lc_json_check((json_t *)mf, fspec);
		if (ferr) {
			size_t i;
			json_t *e;
			json_array_foreach(ferr, i, e)
			{
				char name[96];
				snprintf(name, sizeof(name), "member_filter.%s",
				         json_string_value(json_object_get(e, "field")));
				json_object_set_new(e, "field", json_string(name));
			}
			json_array_extend(errors, ferr);
			json_decref(ferr);
		}
		if (aud && strcmp(aud, "self") == 0)
			json_array_append_new(errors,
			                      json_pack("{s:s, s:s, s:s}", "field", "member_filter", "code",
			                                "not_allowed", "message",
			                                "a procedure for oneself has no member filter"));
	}
}

/* Validates a whole procedure object (editable keys only). Returns NULL or errors (new ref). */
static json_t *check_procedure(json_t *obj)
{
	static const char *const audiences[] = {"self", "member", "household", NULL};
	static const char *const statuses[] = {"draft", "published", NULL};
	const struct lc_field spec[] = {
	    {.name = "slug", .type = LC_J_STRING, .required = true, .pattern = "^[a-z0-9][a-z0-9-]{1,79}$"},
	    LC_F_STRING("title", 1, 200, NULL, .required = true),
	    LC_F_STRING("description_md", 0, 20000, NULL),
	    {.name = "service", .type = LC_J_STRING, .required = true, .pattern = "^[a-z][a-z0-9-]{1,31}$"},
	    LC_F_STRING("life_event", 0, 64, NULL, .nullable = true),
	    LC_F_ENUM("audience", audiences, NULL, .required = true),
	    LC_F_OBJECT("member_filter", NULL, .nullable = true),
	    LC_F_ARRAY("fields", 0, 60, NULL, .required = true),
	    LC_F_ARRAY("required_documents", 0, 20, NULL),
	    LC_F_INT("fee_cents", 0, 10000000, NULL, .nullable = true),
	    LC_F_INT("sla_days", 1, 365, NULL),
	    LC_F_ENUM("status", statuses, NULL),
	    {0},
	};
	json_t *errors = lc_json_check(obj, spec);
	if (!errors)
		errors = json_array();
	json_t *more = ts_check_field_defs(json_object_get(obj, "fields"));
	if (more && json_is_array(json_object_get(obj, "fields")))
		json_array_extend(errors, more);
	json_decref(more);
	json_t *docs = json_object_get(obj, "required_documents");
	if (json_is_array(docs)) {
		more = ts_check_document_defs(docs);
		if (more)
			json_array_extend(errors, more);
		json_decref(more);
	}
	check_member_filter(obj, errors);
	if (json_array_size(errors) == 0) {
		json_decref(errors);
		return NULL;
	}
	return errors;
}

static const char *json_text(struct lc_request *rq, const json_t *v)
{
	if (!v || json_is_null(v))
		return NULL;
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	char *copy = s ? lc_rq_strdup(rq, s) : NULL;
	free(s);
	return copy;
}

static const char *int_text(struct lc_request *rq, const json_t *v, const char *dflt)
{
	if (!json_is_integer(v))
		return dflt;
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	return lc_rq_strdup(rq, buf);
}

struct save {
	struct lc_request *rq;
	json_t *obj;      /* merged editable fields */
	const char *slug; /* PATCH: path slug */
	bool create;
	struct lc_outcome o;
};

/* A procedure's editable fields as the text parameters of proc_insert and proc_update. */
struct proc_text {
	const char *slug, *title, *desc, *service, *life, *audience, *mf, *fields, *docs, *fee, *sla, *status;
};

static void proc_text_of(struct lc_request *rq, const json_t *o, struct proc_text *t)
{
	const char *desc = json_string_value(json_object_get(o, "description_md"));
	const char *life = json_string_value(json_object_get(o, "life_event"));
	const char *docs = json_text(rq, json_object_get(o, "required_documents"));
	*t = (struct proc_text){
	    .slug = json_string_value(json_object_get(o, "slug")),
	    .title = json_string_value(json_object_get(o, "title")),
	    .desc = desc ? desc : "",
	    .service = json_string_value(json_object_get(o, "service")),
	    .life = life ? life : "",
	    .audience = json_string_value(json_object_get(o, "audience")),
	    .mf = json_text(rq, json_object_get(o, "member_filter")),
	    .fields = json_text(rq, json_object_get(o, "fields")),
	    .docs = docs ? docs : "[]",
	    .fee = int_text(rq, json_object_get(o, "fee_cents"), NULL),
	    .sla = int_text(rq, json_object_get(o, "sla_days"), "6"),
	    .status = json_string_value(json_object_get(o, "status")),
	};
}

/* proc_insert (key = slug, with a version) or proc_update (key = id, version NULL); status
 * when the body gives none. */
static PGresult *proc_write(struct lc_db *db, const char *key, const char *version, const struct proc_text *t,
                            const char *status)
{
	const char *p[13] = {key};
	int n = 1;
	if (version)
		p[n++] = version;
	const char *rest[] = {t->title,
	                      t->desc,
	                      t->service,
	                      t->life,
	                      t->audience,
	                      t->mf,
	                      t->fields,
	                      t->docs,
	                      t->fee,
	                      t->sla,
	                      t->status ? t->status : status};
	memcpy(p + n, rest, sizeof(rest));
	return lc_db_exec(db, version ? "proc_insert" : "proc_update", n + 11, p);
}

static enum lc_tx_result save_create(struct lc_db *db, struct save *s, const struct proc_text *t,
                                     PGresult **out)
{
	const char *p0[] = {t->slug};
	PGresult *r = lc_db_exec(db, "proc_exists", 1, p0);
	if (!r)
		return LC_TX_ERROR;
	bool exists = PQntuples(r) > 0;
	PQclear(r);
	if (exists) {
		return lc_outcome_fail(&s->o, 409, "conflict", "A procedure with this slug exists.");
	}
	*out = proc_write(db, t->slug, "1", t, "draft");
	return *out ? LC_TX_COMMIT : LC_TX_ERROR;
}

/* A draft is edited in place; a published procedure gets a new version and the old one stays
 * for the requests made with it. */
static enum lc_tx_result save_update(struct lc_db *db, struct save *s, const struct proc_text *t,
                                     PGresult **out)
{
	const char *p0[] = {s->slug};
	PGresult *r = lc_db_exec(db, "proc_get_current", 1, p0);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return lc_outcome_fail(&s->o, 404, "not_found", "No such procedure.");
	}
	char etag[40], id[37], cur_status[16], version[16];
	etag_of(PQgetvalue(r, 0, 0), etag);
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 1));
	snprintf(cur_status, sizeof(cur_status), "%s", PQgetvalue(r, 0, 2));
	snprintf(version, sizeof(version), "%d", atoi(PQgetvalue(r, 0, 3)) + 1);
	PQclear(r);
	if (!lc_if_match(s->rq, etag, &s->o))
		return LC_TX_ROLLBACK;
	if (strcmp(t->slug, s->slug) != 0)
		return lc_outcome_fail(&s->o, 422, "validation_failed",
		                       "The slug of a procedure cannot change.");
	if (strcmp(cur_status, "draft") == 0) {
		*out = proc_write(db, id, NULL, t, "draft");
	} else {
		const char *ps[] = {id};
		r = lc_db_exec(db, "proc_supersede", 1, ps);
		PQclear(r);
		*out = r ? proc_write(db, t->slug, version, t, "published") : NULL;
	}
	return *out ? LC_TX_COMMIT : LC_TX_ERROR;
}

static enum lc_tx_result save_tx(struct lc_db *db, void *arg)
{
	struct save *s = arg;
	lc_outcome_reset(&s->o);
	struct proc_text t;
	proc_text_of(s->rq, s->obj, &t);
	PGresult *r = NULL;
	enum lc_tx_result res = s->create ? save_create(db, s, &t, &r) : save_update(db, s, &t, &r);
	if (res != LC_TX_COMMIT)
		return res;
	char etag[40];
	json_t *out = lc_db_cell_json(r, 0, 0);
	if (out)
		etag_of(PQgetvalue(r, 0, 0), etag);
	PQclear(r);
	const char *action = s->create ? "procedure.create" : "procedure.update";
	if (!out || lc_audit(db, s->rq, action, "procedure", t.slug, NULL) < 0) {
		json_decref(out);
		return LC_TX_ERROR;
	}
	lc_outcome_set_etag(&s->o, etag);
	if (s->create)
		snprintf(s->o.location, sizeof(s->o.location), "/api/teleservices/v1/procedures/%s",
		         json_string_value(json_object_get(out, "slug")));
	return lc_outcome_ok(&s->o, s->create ? 201 : 200, out);
}

static int finish_save(struct lc_request *rq, struct save *s)
{
	json_t *errors = check_procedure(s->obj);
	if (errors) {
		json_decref(s->obj);
		return lc_reply_problem_errors(rq, 422, "validation_failed", "The procedure is not valid.",
		                               errors);
	}
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), save_tx, s);
	json_decref(s->obj);
	if (t == LC_TX_COMMIT)
		lc_cache_clear(); /* the public catalogue (h_procedure_list) */
	return lc_outcome_reply(rq, t, &s->o);
}

int h_procedure_create(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	json_t *body = lc_rq_json(rq);
	if (!json_is_object(body))
		return lc_reply_problem(rq, 422, "validation_failed", "The body is a procedure object.");
	struct save s = {.rq = rq, .create = true, .obj = json_deep_copy(body)};
	return finish_save(rq, &s);
}

int h_procedure_patch(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	json_t *body = lc_rq_json(rq);
	if (!json_is_object(body))
		return lc_reply_problem(rq, 422, "validation_failed", "The body is an object of changes.");
	const char *slug = lc_rq_param(rq, "slug");
	const char *p[] = {slug};
	/* Read outside the transaction to merge; the transaction re-checks the ETag. */
	PGresult *r = lc_db_exec(lc_rq_db(rq), "proc_get_current", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *cur = lc_db_cell_json(r, 0, 0);
	PQclear(r);
	if (!cur)
		return ts_not_found(rq);
	json_t *merged = json_object();
	for (size_t i = 0; editable[i]; i++) {
		json_t *v = json_object_get(cur, editable[i]);
		if (v && !(json_is_null(v) && strcmp(editable[i], "member_filter") != 0 &&
		           strcmp(editable[i], "fee_cents") != 0 && strcmp(editable[i], "life_event") != 0))
			json_object_set(merged, editable[i], v);
	}
	json_decref(cur);
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v) json_object_set(merged, key, v);
	struct save s = {.rq = rq, .slug = slug, .obj = merged};
	return finish_save(rq, &s);
}

/* The public catalogue is the same for every caller: it comes from the micro-cache (one second,
 * cleared by any change of a procedure made through this process), written from the rows' own
 * JSON text. The admin's list (?all=1, drafts included) is read each time. */
int h_procedure_list(struct lc_request *rq)
{
	const char *service = lc_rq_query(rq, "service");
	bool admin = lc_rq_claims(rq) && lc_claims_at_least(lc_rq_claims(rq), "admin") &&
	             lc_rq_query(rq, "all") && strcmp(lc_rq_query(rq, "all"), "1") == 0;
	static const char *const names[] = {"service", NULL};
	char key[LC_CACHE_KEY_MAX + 1];
	bool keyed = !admin && lc_cache_key(key, "procedures", rq, names);
	int rc;
	if (keyed && lc_cache_hit(rq, key, PROCEDURES_CC, &rc))
		return rc;
	const char *p[] = {service ? service : ""};
	PGresult *r = lc_db_exec(lc_rq_db(rq), admin ? "proc_list_admin" : "proc_list_public", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	size_t len = 0;
	char *body = lc_db_items_text(r, PQntuples(r), 0, NULL, &len);
	PQclear(r);
	if (!body)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	if (!admin)
		rc = lc_cache_store_reply(rq, keyed ? key : NULL, body, len, "application/json",
		                          PROCEDURES_CC);
	else
		rc = lc_reply_bytes(rq, 200, "application/json", body, len);
	free(body);
	return rc;
}

int h_procedure_get(struct lc_request *rq)
{
	const char *slug = lc_rq_param(rq, "slug");
	bool admin = lc_rq_claims(rq) && lc_claims_at_least(lc_rq_claims(rq), "admin");
	const char *p[] = {slug};
	struct lc_db *db = lc_rq_db(rq);
	PGresult *r = lc_db_exec(db, admin ? "proc_get_current" : "proc_get_published", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) == 0) {
		PQclear(r);
		return ts_not_found(rq);
	}
	char etag[40];
	etag_of(PQgetvalue(r, 0, 0), etag);
	json_t *j = lc_db_cell_json(r, 0, 0);
	PQclear(r);
	if (!j)
		return lc_reply_problem(rq, 500, "internal", "Bad stored procedure.");
	lc_rq_add_header(rq, "ETag", etag);
	return lc_reply_json(rq, 200, j);
}

/* h_procedures.c — the catalogue: procedures are data (fields, documents, audience, SLA) that
 * admins create and edit; a change to a published procedure makes a new version so running
 * requests keep the one they were made with. */
#include "h_procedures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "ts.h"

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

/* Validates a whole procedure object (editable keys only). Returns NULL or errors (new ref). */
static json_t *check_procedure(json_t *obj)
{
	static const char *const audiences[] = {"self", "member", "household", NULL};
	static const char *const statuses[] = {"draft", "published", NULL};
	const struct lc_field spec[] = {
	    {.name = "slug", .type = LC_J_STRING, .required = true, .pattern = "^[a-z0-9][a-z0-9-]{1,79}$"},
	    {.name = "title",
	     .type = LC_J_STRING,
	     .required = true,
	     .has_min = true,
	     .min = 1,
	     .has_max = true,
	     .max = 200},
	    {.name = "description_md", .type = LC_J_STRING, .has_max = true, .max = 20000},
	    {.name = "service", .type = LC_J_STRING, .required = true, .pattern = "^[a-z][a-z0-9-]{1,31}$"},
	    {.name = "life_event", .type = LC_J_STRING, .nullable = true, .has_max = true, .max = 64},
	    {.name = "audience", .type = LC_J_ENUM, .required = true, .enum_values = audiences},
	    {.name = "member_filter", .type = LC_J_OBJECT, .nullable = true},
	    {.name = "fields", .type = LC_J_ARRAY, .required = true, .has_max = true, .max = 60},
	    {.name = "required_documents", .type = LC_J_ARRAY, .has_max = true, .max = 20},
	    {.name = "fee_cents",
	     .type = LC_J_INT,
	     .nullable = true,
	     .has_min = true,
	     .min = 0,
	     .has_max = true,
	     .max = 10000000},
	    {.name = "sla_days", .type = LC_J_INT, .has_min = true, .min = 1, .has_max = true, .max = 365},
	    {.name = "status", .type = LC_J_ENUM, .enum_values = statuses},
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
	const json_t *mf = json_object_get(obj, "member_filter");
	const char *aud = json_string_value(json_object_get(obj, "audience"));
	if (json_is_object(mf)) {
		static const char *const rels[] = {"adult", "child", "other", NULL};
		const struct lc_field fspec[] = {
		    {.name = "relation", .type = LC_J_ENUM, .enum_values = rels},
		    {.name = "min_age",
		     .type = LC_J_INT,
		     .has_min = true,
		     .min = 0,
		     .has_max = true,
		     .max = 120},
		    {.name = "max_age",
		     .type = LC_J_INT,
		     .has_min = true,
		     .min = 0,
		     .has_max = true,
		     .max = 120},
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
	json_t *out;
	int http; /* 0 ok, else a status for the problem below */
	const char *code, *detail;
	char etag[40];
};

static enum lc_tx_result save_tx(struct lc_db *db, void *arg)
{
	struct save *s = arg;
	struct lc_request *rq = s->rq;
	json_t *o = s->obj;
	json_decref(s->out);
	s->out = NULL;
	const char *slug = json_string_value(json_object_get(o, "slug"));
	const char *status = json_string_value(json_object_get(o, "status"));
	const char *mf = json_text(rq, json_object_get(o, "member_filter"));
	const char *fields = json_text(rq, json_object_get(o, "fields"));
	const char *docs = json_text(rq, json_object_get(o, "required_documents"));
	const char *desc = json_string_value(json_object_get(o, "description_md"));
	const char *life = json_string_value(json_object_get(o, "life_event"));
	const char *fee = int_text(rq, json_object_get(o, "fee_cents"), NULL);
	const char *sla = int_text(rq, json_object_get(o, "sla_days"), "6");
	if (!docs)
		docs = "[]";
	PGresult *r;
	if (s->create) {
		const char *p0[] = {slug};
		r = lc_db_exec(db, "proc_exists", 1, p0);
		if (!r)
			return LC_TX_ERROR;
		bool exists = PQntuples(r) > 0;
		PQclear(r);
		if (exists) {
			s->http = 409, s->code = "conflict", s->detail = "A procedure with this slug exists.";
			return LC_TX_ROLLBACK;
		}
		const char *p[] = {slug,
		                   "1",
		                   json_string_value(json_object_get(o, "title")),
		                   desc ? desc : "",
		                   json_string_value(json_object_get(o, "service")),
		                   life ? life : "",
		                   json_string_value(json_object_get(o, "audience")),
		                   mf,
		                   fields,
		                   docs,
		                   fee,
		                   sla,
		                   status ? status : "draft"};
		r = lc_db_exec(db, "proc_insert", 13, p);
	} else {
		const char *p0[] = {s->slug};
		r = lc_db_exec(db, "proc_get_current", 1, p0);
		if (!r)
			return LC_TX_ERROR;
		if (PQntuples(r) == 0) {
			PQclear(r);
			s->http = 404, s->code = "not_found", s->detail = "No such procedure.";
			return LC_TX_ROLLBACK;
		}
		char etag[40], id[37], cur_status[16], version[16];
		etag_of(PQgetvalue(r, 0, 0), etag);
		snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 1));
		snprintf(cur_status, sizeof(cur_status), "%s", PQgetvalue(r, 0, 2));
		snprintf(version, sizeof(version), "%d", atoi(PQgetvalue(r, 0, 3)) + 1);
		PQclear(r);
		const char *im = lc_rq_header(rq, "If-Match");
		if (!im) {
			s->http = 428, s->code = "precondition_required",
			s->detail = "Send If-Match with the ETag you read.";
			return LC_TX_ROLLBACK;
		}
		if (strcmp(im, "*") != 0 && !strstr(im, etag)) {
			s->http = 412, s->code = "precondition_failed",
			s->detail = "The procedure changed since you read it.";
			return LC_TX_ROLLBACK;
		}
		if (strcmp(slug, s->slug) != 0) {
			s->http = 422, s->code = "validation_failed",
			s->detail = "The slug of a procedure cannot change.";
			return LC_TX_ROLLBACK;
		}
		if (strcmp(cur_status, "draft") == 0) {
			const char *p[] = {id,
			                   json_string_value(json_object_get(o, "title")),
			                   desc ? desc : "",
			                   json_string_value(json_object_get(o, "service")),
			                   life ? life : "",
			                   json_string_value(json_object_get(o, "audience")),
			                   mf,
			                   fields,
			                   docs,
			                   fee,
			                   sla,
			                   status ? status : "draft"};
			r = lc_db_exec(db, "proc_update", 12, p);
		} else {
			/* Published: the old version stays for the requests made with it. */
			const char *ps[] = {id};
			r = lc_db_exec(db, "proc_supersede", 1, ps);
			if (!r)
				return LC_TX_ERROR;
			PQclear(r);
			const char *p[] = {slug,
			                   version,
			                   json_string_value(json_object_get(o, "title")),
			                   desc ? desc : "",
			                   json_string_value(json_object_get(o, "service")),
			                   life ? life : "",
			                   json_string_value(json_object_get(o, "audience")),
			                   mf,
			                   fields,
			                   docs,
			                   fee,
			                   sla,
			                   status ? status : "published"};
			r = lc_db_exec(db, "proc_insert", 13, p);
		}
	}
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) == 1) {
		etag_of(PQgetvalue(r, 0, 0), s->etag);
		s->out = ts_row_json(r, 0, 0);
	}
	PQclear(r);
	const char *action = s->create ? "procedure.create" : "procedure.update";
	if (lc_audit(db, rq, action, "procedure", slug, NULL) < 0)
		return LC_TX_ERROR;
	return s->out ? LC_TX_COMMIT : LC_TX_ERROR;
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
	if (t == LC_TX_ROLLBACK) {
		json_decref(s->out);
		return lc_reply_problem(rq, (unsigned)s->http, s->code, s->detail);
	}
	if (t != LC_TX_COMMIT) {
		json_decref(s->out);
		return lc_db_fail_reply(rq);
	}
	lc_rq_add_header(rq, "ETag", s->etag);
	if (s->create) {
		char loc[160];
		snprintf(loc, sizeof(loc), "/api/teleservices/v1/procedures/%s",
		         json_string_value(json_object_get(s->out, "slug")));
		lc_rq_add_header(rq, "Location", loc);
	}
	return lc_reply_json(rq, s->create ? 201 : 200, s->out);
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
	json_t *cur = ts_row_json(r, 0, 0);
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

int h_procedure_list(struct lc_request *rq)
{
	const char *service = lc_rq_query(rq, "service");
	bool admin = lc_rq_claims(rq) && lc_claims_at_least(lc_rq_claims(rq), "admin") &&
	             lc_rq_query(rq, "all") && strcmp(lc_rq_query(rq, "all"), "1") == 0;
	const char *p[] = {service ? service : ""};
	PGresult *r = lc_db_exec(lc_rq_db(rq), admin ? "proc_list_admin" : "proc_list_public", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *j = ts_row_json(r, i, 0);
		if (j)
			json_array_append_new(items, j);
	}
	PQclear(r);
	return lc_reply_json(rq, 200, lc_page_body(items, NULL));
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
	json_t *j = ts_row_json(r, 0, 0);
	PQclear(r);
	if (!j)
		return lc_reply_problem(rq, 500, "internal", "Bad stored procedure.");
	lc_rq_add_header(rq, "ETag", etag);
	return lc_reply_json(rq, 200, j);
}

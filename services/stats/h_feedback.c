/* h_feedback.c — « Cette information vous a-t-elle été utile ? » and its two sisters: answers
 * (one per question, page and visitor per day), the review queue of comments for the editors of
 * the page's section, and the citizen's rating of a request that reached its final status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/outcome.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "stats.h"

/* A reader's optional free text (scrubbed of personal data before it is stored). */
#define COMMENT_FIELD(dest) LC_F_STRING("comment", 0, 1000, (dest), .nullable = true)

static const char *const questions[] = {"useful", "relevant", "easy_to_find", NULL};

/* GET base + path with the caller's Authorization (may be NULL); the parsed JSON of a 200, else
 * NULL. *status gets the HTTP status (0 when the service was not reached). */
static json_t *peer_get(const char *service, const char *path, const char *authorization, long *status)
{
	char var[48], url[512];
	snprintf(var, sizeof(var), "CIVITAS_%s_URL", service);
	const char *base = getenv(var);
	*status = 0;
	if (!base || !*base)
		return NULL;
	snprintf(url, sizeof(url), "%s%s", base, path);
	char auth[2200];
	const char *headers[] = {auth, NULL};
	if (authorization)
		snprintf(auth, sizeof(auth), "Authorization: %s", authorization);
	struct lc_http_resp resp = {0};
	json_t *out = NULL;
	if (lc_http_request("GET", url, authorization ? headers : NULL, NULL, 0, 3, &resp) == 0) {
		*status = resp.status;
		if (resp.status == 200 && resp.json)
			out = json_incref(resp.json);
	}
	lc_http_resp_free(&resp);
	return out;
}

/* Whose page is it: the article's section (content) or the procedure's treating service
 * (teleservices). Asked of the public APIs, never taken from the reader. Empty when unknown. */
void stats_page_owner(const char *path, char kind[16], char id[65])
{
	kind[0] = id[0] = '\0';
	const char *q = strstr(path, "?slug=");
	if (!q)
		return;
	char p[200];
	long st;
	if (strncmp(path, "/page.html?", 11) == 0) {
		snprintf(p, sizeof(p), "/api/content/v1/articles/%s", q + 6);
		json_t *a = peer_get("CONTENT", p, NULL, &st);
		/* the public article names its section as {id, slug, title} */
		const char *s = json_string_value(json_object_get(json_object_get(a, "section"), "id"));
		if (s && lc_json_is_uuid(s)) {
			snprintf(kind, 16, "section");
			snprintf(id, 65, "%s", s);
		}
		json_decref(a);
	} else if (strncmp(path, "/demarche.html?", 15) == 0) {
		snprintf(p, sizeof(p), "/api/teleservices/v1/procedures/%s", q + 6);
		json_t *a = peer_get("TELESERVICES", p, NULL, &st);
		const char *s = json_string_value(json_object_get(a, "service"));
		if (s && strlen(s) < 64) {
			snprintf(kind, 16, "service");
			snprintf(id, 65, "%s", s);
		}
		json_decref(a);
	}
}

int h_feedback(struct lc_request *rq)
{
	const char *path = NULL, *question = NULL, *comment = NULL;
	bool answer = false;
	const struct lc_field spec[] = {
	    LC_F_STRING("path", 0, 320, &path, .required = true),
	    LC_F_ENUM("question", questions, &question, .required = true),
	    LC_F_BOOL("answer", &answer, .required = true),
	    COMMENT_FIELD(&comment),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!stats_path_ok(path))
		return stats_format_problem(rq, "path");
	if (stats_is_robot(lc_rq_header(rq, "User-Agent")))
		return lc_reply_problem(rq, 422, "validation_failed", "Automated clients cannot answer.");
	int64_t now = stats_now_ms();
	char visitor[2 * STATS_VISITOR_LEN + 1], day[11], id[37], kind[16], owner[65];
	if (!stats_visitor_or_reply(rq, now, visitor))
		return LC_REPLIED;
	stats_format_day(stats_town_day(now / 1000), day);
	lc_uuid_v4(id);
	char *clean = NULL;
	if (comment) {
		clean = stats_scrub_comment(comment);
		if (!clean)
			return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	}
	stats_page_owner(path, kind, owner);
	const char *p[] = {id,   day,   visitor, path, question, answer ? "t" : "f", clean ? clean : "",
	                   kind, owner, "f",     NULL};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "feedback_insert", 11, p);
	free(clean);
	if (!r)
		return lc_db_fail_reply(rq);
	bool fresh = PQntuples(r) == 1;
	PQclear(r);
	if (!fresh)
		return lc_reply_problem(rq, 409, "conflict",
		                        "This question was already answered for this page today.");
	return lc_reply_json(
	    rq, 201, json_pack("{s:s, s:s, s:b}", "path", path, "question", question, "answer", answer));
}

/* --- the review queue --- */

struct scope {
	bool all;
	char sections[2048]; /* "{uuid,uuid}" array literals */
	char services[600];
};

/* What the caller may read: editors and admins everything; an agent the comments on the pages of
 * the sections they contribute to (asked of content with their own token) and on the
 * procedures of their services. Others get 404. */
static bool scope_or_reply(struct lc_request *rq, struct scope *s)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return false;
	const struct lc_claims *c = lc_rq_claims(rq);
	s->all = lc_claims_at_least(c, "editor");
	snprintf(s->sections, sizeof(s->sections), "{}");
	size_t o = 1;
	snprintf(s->services, sizeof(s->services), "{");
	for (size_t i = 0; i < c->nservices; i++) {
		size_t n = strlen(s->services);
		snprintf(s->services + n, sizeof(s->services) - n, "%s\"%s\"", i ? "," : "", c->services[i]);
	}
	size_t n = strlen(s->services);
	snprintf(s->services + n, sizeof(s->services) - n, "}");
	if (s->all)
		return true;
	long st;
	json_t *tree =
	    peer_get("CONTENT", "/api/content/v1/sections", lc_rq_header(rq, "Authorization"), &st);
	size_t i;
	json_t *sec;
	json_array_foreach(json_object_get(tree, "flat"), i, sec)
	{
		const char *id = json_string_value(json_object_get(sec, "id"));
		size_t j;
		json_t *who;
		bool mine = false;
		json_array_foreach(json_object_get(sec, "contributor_ids"), j,
		                   who) if (json_is_string(who) &&
		                            strcmp(json_string_value(who), c->sub) == 0) mine = true;
		if (mine && id && lc_json_is_uuid(id) && o + 40 < sizeof(s->sections)) {
			o += (size_t)snprintf(s->sections + o, sizeof(s->sections) - o, "%s%s",
			                      o > 1 ? "," : "", id);
			snprintf(s->sections + o, sizeof(s->sections) - o, "}");
		}
	}
	json_decref(tree);
	return true;
}

static const char *const review_states[] = {"pending", "read", "dismissed", NULL};

int h_comments_list(struct lc_request *rq)
{
	struct scope s;
	if (!scope_or_reply(rq, &s))
		return LC_REPLIED;
	const char *status = lc_rq_query(rq, "status") ? lc_rq_query(rq, "status") : "pending";
	bool known = false;
	for (size_t i = 0; review_states[i]; i++)
		known |= strcmp(status, review_states[i]) == 0;
	long limit = lc_rq_query(rq, "limit") ? strtol(lc_rq_query(rq, "limit"), NULL, 10) : 20;
	const char *cursor = lc_rq_query(rq, "cursor");
	char at[40] = "", cid[37] = "";
	if (cursor && (strlen(cursor) > 80 || sscanf(cursor, "%39[^_]_%36s", at, cid) != 2 ||
	               !lc_json_is_uuid(cid) || !lc_json_is_timestamp(at)))
		return lc_reply_problem(rq, 422, "validation_failed", "cursor is not one this API gave.");
	if (!known || limit < 1 || limit > 100)
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "status must be pending, read or dismissed; limit 1-100.");
	char lim[16];
	snprintf(lim, sizeof(lim), "%ld", limit + 1);
	const char *p[] = {
	    status, s.all ? "t" : "f", s.sections, s.services, cursor ? at : NULL, cursor ? cid : NULL, lim};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "comments_list", 7, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = json_array();
	int n = PQntuples(r);
	for (int i = 0; i < n && i < limit; i++) {
		json_t *owner = PQgetisnull(r, i, 6) ? json_null()
		                                     : json_pack("{s:s, s:s}", "kind", PQgetvalue(r, i, 6),
		                                                 "id", PQgetvalue(r, i, 7));
		json_array_append_new(items,
		                      json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:o, s:s, s:b}", "id",
		                                PQgetvalue(r, i, 0), "at", PQgetvalue(r, i, 1), "path",
		                                PQgetvalue(r, i, 2), "question", PQgetvalue(r, i, 3),
		                                "answer", PQgetvalue(r, i, 4)[0] == 't', "comment",
		                                PQgetvalue(r, i, 5), "owner", owner, "status",
		                                PQgetvalue(r, i, 8), "demo", PQgetvalue(r, i, 9)[0] == 't'));
	}
	json_t *next = json_null();
	if (n > limit) {
		char c[120];
		snprintf(c, sizeof(c), "%s_%s", PQgetvalue(r, (int)limit - 1, 1),
		         PQgetvalue(r, (int)limit - 1, 0));
		next = json_string(c);
	}
	PQclear(r);
	return lc_reply_json(rq, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

struct review {
	struct lc_request *rq;
	const struct scope *s;
	const char *id, *status;
	struct lc_outcome out;
};

static bool in_literal(const char *lit, const char *v)
{
	const char *p = strstr(lit, v);
	return p && (p[-1] == '{' || p[-1] == ',' || p[-1] == '"') && strlen(v) > 0;
}

static enum lc_tx_result review_tx(struct lc_db *db, void *arg)
{
	struct review *v = arg;
	lc_outcome_reset(&v->out);
	const char *p[] = {v->id};
	PGresult *r = lc_db_exec(db, "comment_get", 1, p);
	if (!r)
		return LC_TX_ERROR;
	bool found = PQntuples(r) == 1;
	if (found && !v->s->all) { /* outside the caller's sections and services: not theirs to see */
		const char *kind = PQgetvalue(r, 0, 0), *owner = PQgetvalue(r, 0, 1);
		found = (strcmp(kind, "section") == 0 && in_literal(v->s->sections, owner)) ||
		        (strcmp(kind, "service") == 0 && in_literal(v->s->services, owner));
	}
	PQclear(r);
	if (!found)
		return lc_outcome_fail(&v->out, 404, "not_found", "No such comment.");
	const char *u[] = {v->id, v->status};
	if (lc_db_run(db, "comment_review", 2, u) < 0)
		return LC_TX_ERROR;
	json_t *d = json_pack("{s:s}", "status", v->status);
	int rc = lc_audit(db, v->rq, "feedback.review", "feedback", v->id, d);
	json_decref(d);
	if (rc < 0)
		return LC_TX_ERROR;
	return lc_outcome_ok(&v->out, 200, json_pack("{s:s, s:s}", "id", v->id, "status", v->status));
}

int h_comment_review(struct lc_request *rq)
{
	struct scope s;
	if (!scope_or_reply(rq, &s))
		return LC_REPLIED;
	static const char *const targets[] = {"read", "dismissed", "pending", NULL};
	const char *status = NULL;
	const struct lc_field spec[] = {
	    LC_F_ENUM("status", targets, &status, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such comment.");
	struct review v = {.rq = rq, .s = &s, .id = id, .status = status};
	return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), review_tx, &v), &v.out);
}

/* --- ratings --- */

int h_rating(struct lc_request *rq)
{
	const char *request_id = NULL, *comment = NULL;
	int64_t rating = 0;
	const struct lc_field spec[] = {
	    LC_F_UUID("request_id", &request_id, .required = true),
	    LC_F_INT("rating", 1, 5, &rating, .required = true),
	    COMMENT_FIELD(&comment),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	const struct lc_claims *c = lc_rq_claims(rq);
	/* The request as teleservices shows it to this caller: only its author may rate it, once, and
	 * only once it is decided. Anything else is "no such request" for this caller. */
	char path[128];
	snprintf(path, sizeof(path), "/api/teleservices/v1/requests/%s", request_id);
	long st;
	json_t *req = peer_get("TELESERVICES", path, lc_rq_header(rq, "Authorization"), &st);
	if (st == 0 || st >= 500) {
		json_decref(req);
		lc_rq_add_header(rq, "Retry-After", "5");
		return lc_reply_problem(rq, 503, "unavailable", "The procedures service cannot be reached.");
	}
	const char *owner = json_string_value(json_object_get(req, "user_id"));
	const char *status = json_string_value(json_object_get(req, "status"));
	if (!req || !owner || strcmp(owner, c->sub) != 0) {
		json_decref(req);
		return lc_reply_problem(rq, 404, "not_found", "No such request.");
	}
	if (!status || (strcmp(status, "accepted") != 0 && strcmp(status, "rejected") != 0)) {
		json_decref(req);
		return lc_reply_problem(rq, 409, "conflict", "The request is not decided yet.");
	}
	const char *service = json_string_value(json_object_get(req, "service"));
	const char *procedure = json_string_value(json_object_get(json_object_get(req, "procedure"), "slug"));
	json_t *secs = json_object_get(req, "processing_seconds");
	char ps[32] = "", rt[8];
	if (json_is_number(secs))
		snprintf(ps, sizeof(ps), "%.0f", json_number_value(secs));
	snprintf(rt, sizeof(rt), "%d", (int)rating);
	char *clean = comment ? stats_scrub_comment(comment) : NULL;
	const char *p[] = {
	    request_id, rt, clean ? clean : "", service ? service : "", procedure ? procedure : "", ps};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "rating_insert", 6, p);
	free(clean);
	json_decref(req);
	if (!r)
		return lc_db_fail_reply(rq);
	bool fresh = PQntuples(r) == 1;
	PQclear(r);
	if (!fresh)
		return lc_reply_problem(rq, 409, "conflict", "This request was already rated.");
	return lc_reply_json(rq, 201,
	                     json_pack("{s:s, s:i}", "request_id", request_id, "rating", (int)rating));
}

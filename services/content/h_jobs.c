/* h_jobs.c — the job board. Employers post through the public form (no account: a honeypot
 * field and a per-address rate limit keep robots out) and receive by e-mail a secret link to
 * edit or withdraw; every offer waits for an editor, and leaves the board at expires_at. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "common.h"
#include "handlers.h"
#include "markdown.h"

#define JOB_POSTS_PER_HOUR "5"

static const char *const contracts[] = {"cdi",        "cdd",       "interim", "stage", "apprentissage",
                                        "saisonnier", "benevolat", "autre",   NULL};

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int h_jobs_list(struct lc_request *rq)
{
	const char *contract = lc_rq_query(rq, "contract");
	bool ok = !contract;
	for (int i = 0; contract && contracts[i]; i++)
		ok = ok || strcmp(contract, contracts[i]) == 0;
	if (!ok)
		return lc_reply_field(rq, "contract", "not_allowed", "Unknown contract type.");
	const char *p[] = {contract};
	static const char *const names[] = {"contract", "limit", "cursor", NULL};
	return content_keyset_list(rq, "job_list", p, 1, "jobs", names);
}

/* The employer's secret from X-Job-Token, hashed; "" when absent. */
static void token_hash(struct lc_request *rq, char out[65])
{
	const char *t = lc_rq_header(rq, "X-Job-Token");
	out[0] = '\0';
	if (t && strlen(t) >= 20 && strlen(t) <= 100)
		lc_sha256_hex(t, strlen(t), out);
}

int h_job_get(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such offer.");
	char th[65];
	token_hash(rq, th);
	bool failed;
	if (th[0] || caller_is(rq, "editor")) {
		const char *p[] = {id, th[0] ? th : NULL, caller_is(rq, "editor") ? "true" : "false"};
		json_t *j = lc_db_json(lc_rq_db(rq), "job_get_manage", 3, p, &failed);
		if (failed)
			return lc_db_fail_reply(rq);
		if (!j)
			return lc_reply_problem(rq, 404, "not_found", "No such offer.");
		char etag[40];
		content_etag(etag, json_integer_value(json_object_get(j, "revision")));
		lc_rq_add_header(rq, "ETag", etag);
		return lc_reply_json(rq, 200, j);
	}
	const char *p[] = {id};
	json_t *j = lc_db_json(lc_rq_db(rq), "job_get_public", 1, p, &failed);
	if (failed)
		return lc_db_fail_reply(rq);
	if (!j)
		return lc_reply_problem(rq, 404, "not_found", "No such offer.");
	return lc_reply_json_cached(rq, j, PUBLIC_CC);
}

struct job_ctx {
	struct lc_request *rq;
	struct lc_outcome out;
	const char *id;
	json_t *patch;
	const char *action, *comment;
	char token[64];
};

/* expires_at in the future and within a year. Returns 1, 0 (outcome set), -1. The day in
 * French form (DD/MM/YYYY, Paris) goes to day when not NULL. */
static int expiry_ok(struct lc_db *db, const char *ts, struct lc_outcome *o, char day[16])
{
	const char *p[] = {ts};
	PGresult *r = lc_db_exec(db, "job_expiry_ok", 1, p);
	if (!r)
		return -1;
	bool ok = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	if (day)
		snprintf(day, 16, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	if (!ok)
		lc_outcome_field(o, "expires_at", "out_of_range",
		                 "expires_at must be in the future, within a year.");
	return ok;
}

static enum lc_tx_result post_tx(struct lc_db *db, void *arg)
{
	struct job_ctx *c = arg;
	lc_outcome_reset(&c->out);
	const char *ip = lc_rq_client_ip(c->rq);
	const char *pr[] = {ip, JOB_POSTS_PER_HOUR};
	PGresult *r = lc_db_exec(db, "job_rate", 2, pr);
	if (!r)
		return LC_TX_ERROR;
	bool limited = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (limited) {
		lc_rq_add_header(c->rq, "Retry-After", "3600");
		return lc_outcome_fail(&c->out, 429, "rate_limited",
		                       "Too many offers from this address; retry later.");
	}
	char day[16];
	int ok = expiry_ok(db, jstr(c->patch, "expires_at"), &c->out, day);
	if (ok <= 0)
		return ok < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
	const char *pa[] = {ip};
	if (lc_db_run(db, "job_attempt", 1, pa) < 0)
		return LC_TX_ERROR;
	char id[37], hash[65];
	lc_uuid_v4(id);
	if (!lc_random_token(c->token, sizeof(c->token), 32))
		return LC_TX_ERROR;
	lc_sha256_hex(c->token, strlen(c->token), hash);
	const char *md = jstr(c->patch, "description_md");
	char *html = md_render(md, strlen(md));
	if (!html)
		return LC_TX_ERROR;
	const char *p[] = {id,
	                   jstr(c->patch, "title"),
	                   jstr(c->patch, "employer"),
	                   jstr(c->patch, "contract"),
	                   jstr(c->patch, "location"),
	                   md,
	                   html,
	                   jstr(c->patch, "contact_email"),
	                   jstr(c->patch, "expires_at"),
	                   hash};
	int rc = lc_db_run(db, "job_insert", 10, p);
	free(html);
	if (rc < 0)
		return LC_TX_ERROR;
	/* The edit link goes by e-mail through the account service (templates/job_edit_link.txt).
	 * The secret sits after '#': it never reaches a server log. */
	char link[600];
	snprintf(link, sizeof(link), "%s/emploi.html?offre=%s#cle=%s", content_public_url(), id, c->token);
	json_t *mail =
	    json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:s}", "email", jstr(c->patch, "contact_email"),
	              "template", "job_edit_link", "data", "title", jstr(c->patch, "title"), "employer",
	              jstr(c->patch, "employer"), "link", link, "expires_at", day, "idempotency_key", id);
	json_t *ev = json_pack("{s:s, s:s}", "job_id", id, "contract", jstr(c->patch, "contract"));
	rc = lc_outbox_emit(db, "mail.job_edit_link", mail, NULL);
	rc = rc < 0 ? rc : lc_outbox_emit(db, "job.posted", ev, NULL);
	json_decref(mail);
	json_decref(ev);
	if (rc < 0)
		return LC_TX_ERROR;
	c->out.status = 201;
	c->out.body = json_pack("{s:s, s:s, s:s}", "id", id, "status", "pending", "expires_at",
	                        jstr(c->patch, "expires_at"));
	content_etag(c->out.etag, 1);
	snprintf(c->out.location, sizeof(c->out.location), "/api/content/v1/jobs/%s", id);
	return LC_TX_COMMIT;
}

#define JOB_SPEC(create)                                                                                     \
	LC_F_STRING("title", 3, 200, NULL, .required = (create)),                                            \
	    LC_F_STRING("employer", 2, 200, NULL, .required = (create)),                                     \
	    LC_F_ENUM("contract", contracts, NULL, .required = (create)),                                    \
	    LC_F_STRING("location", 2, 200, NULL, .required = (create)),                                     \
	    LC_F_STRING("description_md", 20, 20000, NULL, .required = (create)),                            \
	    LC_F_EMAIL("contact_email", NULL, .required = (create)),                                         \
	    LC_F_TIMESTAMP("expires_at", NULL, .required = (create))

int h_job_post(struct lc_request *rq)
{
	const char *website = NULL;
	const struct lc_field spec[] = {
	    JOB_SPEC(true),
	    /* The honeypot: hidden from people by the form, filled in by robots. */
	    LC_F_STRING("website", 0, 500, &website),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (website && *website) {
		lc_security(lc_rq_id(rq), "job offer refused: honeypot filled from %s", lc_rq_client_ip(rq));
		return lc_reply_field(rq, "website", "not_allowed", "This field must stay empty.");
	}
	struct job_ctx c = {.rq = rq, .patch = lc_rq_json(rq)};
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), post_tx, &c);
	return content_reply(rq, tx, &c.out);
}

/* Locks the offer the caller may manage (its token, or an editor): its row (json, revision,
 * status; PQclear it), or NULL with *stop set (404 no such offer, 412/428 under rule). */
static PGresult *lock_job(struct lc_db *db, struct job_ctx *c, enum lc_if_match_rule rule,
                          enum lc_tx_result *stop)
{
	char th[65];
	token_hash(c->rq, th);
	const char *p[] = {c->id, th[0] ? th : NULL, caller_is(c->rq, "editor") ? "true" : "false"};
	const struct lc_lock lock = {.stmt = "job_lock",
	                             .nparams = 3,
	                             .params = p,
	                             .etag_col = 1,
	                             .etag_prefix = "r",
	                             .not_found = "No such offer.",
	                             .if_match = rule};
	return lc_lock_if_match(db, c->rq, &lock, &c->out, NULL, stop);
}

static enum lc_tx_result job_update_tx(struct lc_db *db, void *arg)
{
	struct job_ctx *c = arg;
	lc_outcome_reset(&c->out);
	enum lc_tx_result stop;
	PGresult *r = lock_job(db, c, LC_IF_MATCH_REQUIRED, &stop);
	if (!r)
		return stop;
	char status[16];
	json_t *cur = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	snprintf(status, sizeof(status), "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	if (!cur)
		return LC_TX_ERROR;
	if (strcmp(status, "withdrawn") == 0) {
		json_decref(cur);
		return lc_outcome_fail(&c->out, 409, "conflict", "A withdrawn offer cannot change.");
	}
	json_object_update(cur, c->patch);
	if (json_object_get(c->patch, "expires_at")) {
		int ok = expiry_ok(db, jstr(cur, "expires_at"), &c->out, NULL);
		if (ok <= 0) {
			json_decref(cur);
			return ok < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
		}
	}
	const char *md = jstr(cur, "description_md");
	char *html = md_render(md, strlen(md));
	/* An employer's change goes back to moderation; an editor's stays as it is. */
	const char *to = caller_is(c->rq, "editor") ? status : "pending";
	const char *p[] = {c->id,
	                   jstr(cur, "title"),
	                   jstr(cur, "employer"),
	                   jstr(cur, "contract"),
	                   jstr(cur, "location"),
	                   md,
	                   html,
	                   jstr(cur, "contact_email"),
	                   jstr(cur, "expires_at"),
	                   to};
	int rc = html ? lc_db_run(db, "job_update", 10, p) : -1;
	free(html);
	json_decref(cur);
	if (rc < 0)
		return LC_TX_ERROR;
	const char *pg[] = {c->id, NULL, "true"};
	bool failed;
	c->out.body = lc_db_json(db, "job_get_manage", 3, pg, &failed);
	if (!c->out.body)
		return LC_TX_ERROR;
	content_etag(c->out.etag, json_integer_value(json_object_get(c->out.body, "revision")));
	c->out.status = 200;
	if (caller_is(c->rq, "agent") && lc_audit(db, c->rq, "job.update", "job", c->id, NULL) < 0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

int h_job_update(struct lc_request *rq)
{
	const struct lc_field spec[] = {JOB_SPEC(false), {0}};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct job_ctx c = {.rq = rq, .id = lc_rq_param(rq, "id"), .patch = lc_rq_json(rq)};
	if (!lc_json_is_uuid(c.id))
		return lc_reply_problem(rq, 404, "not_found", "No such offer.");
	if (!c.patch || json_object_size(c.patch) == 0)
		return lc_reply_field(rq, "", "required", "Nothing to change.");
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), job_update_tx, &c), &c.out);
}

/* The employer learns the editor's decision by e-mail (templates job_published, job_rejected of
 * the account service, which sends mail.* events), with the reason when it is a refusal. */
static int decision_mail(struct lc_db *db, const json_t *job, const char *to, const char *comment)
{
	char day[16] = "", link[600];
	struct lc_outcome scratch = {0}; /* an offer past its date is still decided: only the day is read */
	int ok = expiry_ok(db, jstr(job, "expires_at"), &scratch, day);
	lc_outcome_reset(&scratch);
	if (ok < 0)
		return -1;
	bool published = strcmp(to, "published") == 0;
	snprintf(link, sizeof(link), "%s%s", content_public_url(),
	         published ? jstr(job, "url") : "/emploi.html");
	json_t *mail = json_pack(
	    "{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}}", "email", jstr(job, "contact_email"), "template",
	    published ? "job_published" : "job_rejected", "data", "title", jstr(job, "title"), "employer",
	    jstr(job, "employer"), "link", link, "expires_at", day, "comment", comment ? comment : "");
	int rc = mail ? lc_outbox_emit(db, published ? "mail.job_published" : "mail.job_rejected", mail, NULL)
	              : -1;
	json_decref(mail);
	return rc;
}

static enum lc_tx_result job_status_tx(struct lc_db *db, void *arg)
{
	struct job_ctx *c = arg;
	lc_outcome_reset(&c->out);
	enum lc_tx_result stop;
	PGresult *r = lock_job(db, c, LC_IF_MATCH_IGNORED, &stop);
	if (!r)
		return stop;
	char status[16];
	snprintf(status, sizeof(status), "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	const char *a = c->action, *to;
	if (strcmp(a, "withdraw") == 0) {
		if (strcmp(status, "withdrawn") == 0)
			return lc_outcome_fail(&c->out, 409, "conflict", "The offer is already withdrawn.");
		to = "withdrawn";
	} else if (strcmp(a, "publish") == 0) {
		if (strcmp(status, "pending") != 0)
			return lc_outcome_fail(&c->out, 409, "conflict",
			                       "Only a pending offer can be published.");
		to = "published";
	} else {
		if (strcmp(status, "pending") != 0)
			return lc_outcome_fail(&c->out, 409, "conflict",
			                       "Only a pending offer can be rejected.");
		to = "rejected";
	}
	const char *p[] = {c->id, to, c->comment};
	r = lc_db_exec(db, "job_set_status", 3, p);
	if (!r)
		return LC_TX_ERROR;
	bool expired = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (strcmp(to, "published") == 0) {
		if (expired)
			return lc_outcome_fail(&c->out, 409, "conflict", "The offer has already expired.");
		json_t *ev = json_pack("{s:s}", "job_id", c->id);
		int rc = lc_outbox_emit(db, "job.published", ev, NULL);
		json_decref(ev);
		if (rc < 0)
			return LC_TX_ERROR;
	}
	if (caller_is(c->rq, "agent")) {
		char what[32];
		snprintf(what, sizeof(what), "job.%s", a);
		if (lc_audit(db, c->rq, what, "job", c->id, NULL) < 0)
			return LC_TX_ERROR;
	}
	const char *pg[] = {c->id, NULL, "true"};
	bool failed;
	c->out.body = lc_db_json(db, "job_get_manage", 3, pg, &failed);
	if (!c->out.body)
		return LC_TX_ERROR;
	content_etag(c->out.etag, json_integer_value(json_object_get(c->out.body, "revision")));
	c->out.status = 200;
	if (strcmp(to, "withdrawn") != 0 && decision_mail(db, c->out.body, to, c->comment) < 0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

static int job_status(struct lc_request *rq, const char *action, bool editor_only)
{
	if (editor_only && !lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	struct job_ctx c = {.rq = rq, .id = lc_rq_param(rq, "id"), .action = action};
	const struct lc_field reject_spec[] = {
	    LC_F_STRING("comment", 1, 1000, &c.comment, .required = true),
	    {0},
	};
	const struct lc_field empty[] = {{0}};
	if (!lc_json_parse_or_reply(rq, strcmp(action, "reject") == 0 ? reject_spec : empty))
		return LC_REPLIED;
	if (!lc_json_is_uuid(c.id))
		return lc_reply_problem(rq, 404, "not_found", "No such offer.");
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), job_status_tx, &c), &c.out);
}

int h_job_withdraw(struct lc_request *rq)
{
	return job_status(rq, "withdraw", false);
}
int h_job_publish(struct lc_request *rq)
{
	return job_status(rq, "publish", true);
}
int h_job_reject(struct lc_request *rq)
{
	return job_status(rq, "reject", true);
}

int h_jobs_admin(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	const char *status = lc_rq_query(rq, "status");
	static const char *const st[] = {"pending", "published", "rejected", "withdrawn", NULL};
	bool ok = !status;
	for (int i = 0; status && st[i]; i++)
		ok = ok || strcmp(status, st[i]) == 0;
	if (!ok)
		return lc_reply_field(rq, "status", "not_allowed", "Unknown status.");
	const char *p[] = {status};
	return content_keyset_list(rq, "job_admin_list", p, 1, NULL, NULL);
}

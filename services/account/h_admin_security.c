/* h_admin_security.c — what an administrator does for someone else's security: reset their
 * double authentification (never one's own), see and end their open sessions, and export the
 * audit trail of a period as CSV. Every action here is audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/buf.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "account.h"
#include "notify.h"

#define EXPORT_MAX_ROWS 100000

static int no_user(struct lc_request *rq)
{
	return lc_reply_problem(rq, 404, "not_found", "No such user.");
}

/* --- POST /admin/users/{id}/totp/reset --- */

struct reset {
	struct lc_request *rq;
	const char *id;
	PGresult *row;
	bool found;
};

static enum lc_tx_result reset_tx(struct lc_db *db, void *arg)
{
	struct reset *x = arg;
	PQclear(x->row);
	x->row = NULL;
	const char *p[] = {x->id};
	const char *q[] = {x->id, "totp_reset", NULL};
	const char *e[] = {x->id, "totp_enrol"};
	int n = lc_db_run(db, "totp_reset", 1, p);
	if (n < 0)
		return LC_TX_ERROR;
	x->found = n == 1;
	if (!x->found)
		return LC_TX_ROLLBACK;
	/* The lost phone may be in someone else's hands: its sessions end with it. */
	if (lc_db_run(db, "recovery_codes_delete", 1, p) < 0 ||
	    lc_db_run(db, "email_tokens_void", 2, e) < 0 || lc_db_run(db, "sessions_revoke_user", 3, q) < 0)
		return LC_TX_ERROR;
	x->row = lc_db_exec(db, "user_by_id", 1, p);
	if (!x->row || PQntuples(x->row) != 1)
		return LC_TX_ERROR;
	json_t *d = json_pack("{s:s}", "given_name", PQgetvalue(x->row, 0, UC_GIVEN));
	int rc = account_mail_to(db, PQgetvalue(x->row, 0, UC_EMAIL), "totp_reset", d, NULL);
	json_decref(d);
	if (rc < 0)
		return LC_TX_ERROR;
	return lc_audit(db, x->rq, "user.totp_reset", "user", x->id, NULL) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_admin_totp_reset(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	struct reset x = {.rq = rq, .id = lc_rq_param(rq, "id")};
	if (!lc_json_is_uuid(x.id))
		return no_user(rq);
	/* One's own reset would turn a stolen admin session into a new authenticator. */
	if (strcmp(x.id, lc_rq_claims(rq)->sub) == 0)
		return lc_reply_problem(rq, 409, "conflict",
		                        "Another administrator must reset your own double authentication.");
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), reset_tx, &x);
	int rc;
	if (tx == LC_TX_ROLLBACK)
		rc = no_user(rq);
	else if (tx != LC_TX_COMMIT)
		rc = lc_db_fail_reply(rq);
	else {
		json_t *u = user_json(x.row, 0, true);
		json_object_set_new(u, "etag", json_string(PQgetvalue(x.row, 0, UC_ETAG)));
		rc = lc_reply_json(rq, 200, u);
	}
	PQclear(x.row);
	return rc;
}

/* --- GET /admin/users/{id}/sessions --- */

int h_admin_sessions_list(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	const char *uid = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(uid))
		return no_user(rq);
	struct lc_page pg;
	const char *t, *id;
	if (!page_keyset_or_reply(rq, &pg, &t, &id))
		return LC_REPLIED;
	const char *u[] = {uid};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "user_by_id", 1, u);
	if (!r)
		return lc_db_fail_reply(rq);
	bool exists = PQntuples(r) == 1;
	PQclear(r);
	if (!exists)
		return no_user(rq);
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", pg.limit + 1);
	const char *p[] = {uid, t, id, lim};
	r = lc_db_exec(lc_rq_db(rq), "sessions_list", 4, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = json_array();
	int n = PQntuples(r) < pg.limit ? PQntuples(r) : pg.limit;
	for (int i = 0; i < n; i++)
		json_array_append_new(
		    items,
		    json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}", "id", PQgetvalue(r, i, 0), "created_at",
		              PQgetvalue(r, i, 1), "last_used_at", PQgetvalue(r, i, 2), "expires_at",
		              PQgetvalue(r, i, 3), "ip", PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4),
		              "user_agent", PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5)));
	json_t *next = page_next(r, pg.limit, 6, 0);
	PQclear(r);
	return lc_reply_json(rq, 200, lc_page_body(items, next));
}

/* --- DELETE /admin/users/{id}/sessions/{sid} --- */

struct end {
	struct lc_request *rq;
	const char *uid, *sid;
	bool found;
};

static enum lc_tx_result end_tx(struct lc_db *db, void *arg)
{
	struct end *e = arg;
	const char *p[] = {e->sid, e->uid};
	int n = lc_db_run(db, "session_revoke_by_admin", 2, p);
	if (n < 0)
		return LC_TX_ERROR;
	e->found = n == 1;
	if (!e->found)
		return LC_TX_ROLLBACK;
	json_t *d = json_pack("{s:s}", "user_id", e->uid);
	int rc = lc_audit(db, e->rq, "session.end_by_admin", "session", e->sid, d);
	json_decref(d);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_admin_session_delete(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	struct end e = {.rq = rq, .uid = lc_rq_param(rq, "id"), .sid = lc_rq_param(rq, "sid")};
	if (!lc_json_is_uuid(e.uid) || !lc_json_is_uuid(e.sid))
		return lc_reply_problem(rq, 404, "not_found", "No such session.");
	if (lc_db_tx(lc_rq_db(rq), end_tx, &e) == LC_TX_ERROR)
		return lc_db_fail_reply(rq);
	if (!e.found)
		return lc_reply_problem(rq, 404, "not_found", "No such session.");
	return lc_reply_empty(rq, 204);
}

/* --- GET /admin/audit/export?from=&to= --- */

static bool when_or_reply(struct lc_request *rq, const char *name, const char **out)
{
	const char *v = lc_rq_query(rq, name);
	if (!v || !*v)
		reply_field_error(rq, name, "required", "The period needs a start and an end.");
	else if (!lc_json_is_timestamp(v) && !lc_json_is_date(v))
		reply_field_error(rq, name, "invalid_format", "An RFC 3339 timestamp or a date.");
	else {
		*out = v;
		return true;
	}
	return false;
}

int h_admin_audit_export(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	const char *from, *to;
	if (!when_or_reply(rq, "from", &from) || !when_or_reply(rq, "to", &to))
		return LC_REPLIED;
	struct lc_db *db = lc_rq_db(rq);
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", EXPORT_MAX_ROWS + 1);
	const char *p[] = {from, to, lim};
	PGresult *r = lc_db_exec(db, "audit_export", 3, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) > EXPORT_MAX_ROWS) {
		PQclear(r);
		return lc_reply_problem(rq, 413, "payload_too_large", "Export a shorter period.");
	}
	static const char *const head[] = {"at",         "service",    "actor_id",    "actor_email",
	                                   "actor_role", "action",     "target_type", "target_id",
	                                   "ip",         "request_id", "details"};
	enum { NCOL = sizeof(head) / sizeof(head[0]) };
	struct lc_buf b;
	lc_buf_init(&b, 256u * 1024 * 1024);
	for (int c = 0; c < NCOL; c++)
		lc_buf_csv_cell(&b, head[c], c == NCOL - 1);
	for (int i = 0; i < PQntuples(r); i++)
		for (int c = 0; c < NCOL; c++)
			lc_buf_csv_cell(&b, PQgetvalue(r, i, c), c == NCOL - 1);
	int rows = PQntuples(r);
	PQclear(r);
	if (b.overflow) {
		lc_buf_free(&b);
		return lc_reply_problem(rq, 413, "payload_too_large", "Export a shorter period.");
	}
	/* Who took a copy of the trail is part of the trail. */
	json_t *d = json_pack("{s:s, s:s, s:i}", "from", from, "to", to, "rows", rows);
	int rc = lc_audit(db, rq, "audit.export", NULL, NULL, d);
	json_decref(d);
	if (rc < 0) {
		lc_buf_free(&b);
		return lc_db_fail_reply(rq);
	}
	size_t len;
	char *text = lc_buf_steal(&b, &len);
	lc_rq_add_header(rq, "Content-Disposition", "attachment; filename=\"journal-audit.csv\"");
	return text ? lc_reply_bytes_owned(rq, 200, "text/csv; charset=utf-8", text, len)
	            : lc_reply_bytes(rq, 200, "text/csv; charset=utf-8", "", 0);
}

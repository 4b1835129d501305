/* h_sessions.c — sessions: one per sign-in, each a family of refresh tokens that rotate at every
 * use (POST /session/refresh); presenting a spent token revokes the family, unless it comes back
 * within the reuse interval of its rotation while its successor is unused (two tabs refreshing
 * at once), when it answers with that same successor. The token travels
 * only in an HttpOnly, SameSite=Strict cookie scoped to /api/account/v1/session. Also the list of
 * one's sessions and ending one (GET /sessions, DELETE /sessions/{id}), and logout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/crypto.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "account.h"

#define COOKIE      "civitas_refresh"
#define COOKIE_PATH API "/session"
#define SESSION_S   (30 * 24 * 3600)

int session_create(struct lc_db *db, const char *user_id, const char *ip, const char *user_agent,
                   char session_id[37], char token[48])
{
	char hash[65], ua[257];
	/* Printable ASCII only (what browsers send), so the column never holds broken UTF-8. */
	size_t n = 0;
	for (const char *s = user_agent; s && *s && n < sizeof(ua) - 1; s++)
		ua[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	ua[n] = '\0';
	if (!tokens_random(token, hash))
		return -1;
	const char *p[] = {user_id, ip, ua[0] ? ua : NULL, hash};
	PGresult *r = lc_db_exec(db, "login_session", 4, p);
	bool ok = r && PQntuples(r) == 1;
	if (ok)
		snprintf(session_id, 37, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return ok ? 0 : -1;
}

void session_set_cookie(struct lc_request *rq, const char *token)
{
	const char *proto = lc_rq_header(rq, "X-Forwarded-Proto");
	bool secure = proto && strcasecmp(proto, "https") == 0;
	char v[320];
	if (token)
		snprintf(v, sizeof(v),
		         COOKIE "=%s; Path=" COOKIE_PATH "; Max-Age=%d; HttpOnly; SameSite=Strict%s", token,
		         SESSION_S, secure ? "; Secure" : "");
	else
		snprintf(v, sizeof(v),
		         COOKIE "=; Path=" COOKIE_PATH "; Max-Age=0; HttpOnly; SameSite=Strict%s",
		         secure ? "; Secure" : "");
	lc_rq_add_header(rq, "Set-Cookie", v);
	/* A readable marker (no secret in it) lets pages skip the refresh call when signed out. */
	snprintf(v, sizeof(v), "civitas_session=%s; Path=/; Max-Age=%d; SameSite=Strict%s", token ? "1" : "",
	         token ? SESSION_S : 0, secure ? "; Secure" : "");
	lc_rq_add_header(rq, "Set-Cookie", v);
}

json_t *session_login_body(const PGresult *user, const char *sid)
{
	json_t *services = pg_text_array(PQgetvalue(user, 0, UC_SERVICES));
	char *tok = tokens_issue(PQgetvalue(user, 0, UC_ID), PQgetvalue(user, 0, UC_ROLE), services, sid, 0);
	json_decref(services);
	if (!tok)
		return NULL;
	json_t *b = json_pack("{s:s, s:s, s:i, s:o}", "access_token", tok, "token_type", "Bearer",
	                      "expires_in", ACCESS_TTL_S, "user", user_json(user, 0, true));
	free(tok);
	return b;
}

/* The refresh token from the Cookie header into out (43 base64url characters), or false. */
static bool cookie_token(struct lc_request *rq, char out[48])
{
	const char *h = lc_rq_header(rq, "Cookie");
	for (const char *p = h; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		size_t n = strcspn(p, ";");
		if (n > sizeof(COOKIE) && strncmp(p, COOKIE "=", sizeof(COOKIE)) == 0) {
			size_t vl = n - sizeof(COOKIE);
			const char *v = p + sizeof(COOKIE);
			if (vl != 43 ||
			    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") <
			        43)
				return false;
			memcpy(out, v, 43);
			out[43] = '\0';
			return true;
		}
		p += n;
	}
	return false;
}

/* A cross-site form or image cannot add this header: refresh and logout require it. */
static bool csrf_or_reply(struct lc_request *rq)
{
	const char *x = lc_rq_header(rq, "X-Requested-With");
	if (x && strcmp(x, "civitas") == 0)
		return true;
	lc_reply_problem(rq, 403, "forbidden", "Send the header X-Requested-With: civitas.");
	return false;
}

enum refresh_outcome { RF_OK, RF_UNKNOWN, RF_REUSED, RF_ENDED };

struct refresh {
	struct lc_request *rq;
	char presented[48]; /* the cookie's token */
	char hash[65], token[48], sid[37];
	bool race; /* answered again within the reuse interval */
	enum refresh_outcome out;
	PGresult *user;
};

static enum lc_tx_result refresh_tx(struct lc_db *db, void *arg)
{
	struct refresh *f = arg;
	PQclear(f->user);
	f->user = NULL;
	const char *p[] = {f->hash};
	PGresult *r = lc_db_exec(db, "refresh_find", 1, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		f->out = RF_UNKNOWN;
		return LC_TX_ROLLBACK;
	}
	bool used = PQgetvalue(r, 0, 0)[0] == 't', ended = PQgetvalue(r, 0, 3)[0] == 't';
	double age = used ? atof(PQgetvalue(r, 0, 4)) : 0;
	char user_id[37], next_hash[65];
	snprintf(f->sid, sizeof(f->sid), "%s", PQgetvalue(r, 0, 1));
	snprintf(user_id, sizeof(user_id), "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	if (ended) {
		f->out = RF_ENDED;
		return LC_TX_ROLLBACK;
	}
	if (!tokens_successor(f->presented, f->token, next_hash))
		return LC_TX_ERROR;
	/* Spent within the reuse interval, and its successor not used yet: another tab of the same
	 * browser refreshed at the same moment. It gets the same successor, and the family lives.
	 * (A two-tab race under load once read as theft here: the age came from the transaction's
	 * start time and was negative, so `age >= 0` revoked the session. The age is now measured
	 * after the lock, and a negative one still counts as "the same moment".) */
	f->race = false;
	if (used && age < (double)account_refresh_reuse_s) {
		const char *q[] = {next_hash, f->sid};
		PGresult *x = lc_db_exec(db, "refresh_unused", 2, q);
		if (!x)
			return LC_TX_ERROR;
		f->race = PQntuples(x) == 1;
		PQclear(x);
	}
	if (used && !f->race) {
		/* A spent token came back: it was stolen, or the thief already used the new one. Either
		 * way nobody can tell the two apart, so the whole family ends. */
		f->out = RF_REUSED;
		const char *q[] = {f->sid, "reuse_detected"};
		if (lc_db_run(db, "session_revoke", 2, q) < 0)
			return LC_TX_ERROR;
		json_t *d = json_pack("{s:s}", "user_id", user_id);
		int rc = lc_audit(db, f->rq, "session.reuse_detected", "session", f->sid, d);
		json_decref(d);
		return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
	}
	const char *u[] = {user_id};
	f->user = lc_db_exec(db, "user_by_id", 1, u);
	if (!f->user)
		return LC_TX_ERROR;
	if (PQntuples(f->user) != 1 || PQgetvalue(f->user, 0, UC_DISABLED)[0] == 't') {
		const char *q[] = {f->sid, "account_disabled"};
		f->out = RF_ENDED;
		return lc_db_run(db, "session_revoke", 2, q) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
	}
	const char *s[] = {f->hash};
	const char *n[] = {next_hash, f->sid};
	const char *t[] = {f->sid};
	if (!f->race &&
	    (lc_db_run(db, "refresh_spend", 1, s) != 1 || lc_db_run(db, "refresh_insert", 2, n) != 1))
		return LC_TX_ERROR;
	if (lc_db_run(db, "session_touch", 1, t) != 1)
		return LC_TX_ERROR;
	f->out = RF_OK;
	return LC_TX_COMMIT;
}

int h_refresh(struct lc_request *rq)
{
	if (!csrf_or_reply(rq))
		return LC_REPLIED;
	struct refresh f = {.rq = rq};
	if (!cookie_token(rq, f.presented)) {
		session_set_cookie(rq, NULL);
		return lc_reply_problem(rq, 401, "unauthorized", "No session.");
	}
	lc_sha256_hex(f.presented, strlen(f.presented), f.hash);
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), refresh_tx, &f);
	if (tx == LC_TX_ERROR) {
		PQclear(f.user);
		return lc_db_fail_reply(rq);
	}
	if (f.out != RF_OK) {
		PQclear(f.user);
		if (f.out == RF_REUSED)
			lc_security(lc_rq_id(rq), "refresh token reused: session %s revoked", f.sid);
		session_set_cookie(rq, NULL);
		return lc_reply_problem(rq, 401, "unauthorized", "The session has ended; sign in again.");
	}
	if (f.race)
		lc_info("refresh of session %s answered again within the reuse interval", f.sid);
	json_t *body = session_login_body(f.user, f.sid);
	PQclear(f.user);
	if (!body)
		return lc_reply_problem(rq, 500, "internal", "Could not sign the token.");
	session_set_cookie(rq, f.token);
	return lc_reply_json(rq, 200, body);
}

/* --- POST /session/logout --- */

struct logout {
	struct lc_request *rq;
	char hash[65];
};

static enum lc_tx_result logout_tx(struct lc_db *db, void *arg)
{
	struct logout *l = arg;
	const char *p[] = {l->hash};
	PGresult *r = lc_db_exec(db, "refresh_find", 1, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return LC_TX_ROLLBACK;
	}
	char sid[37];
	snprintf(sid, sizeof(sid), "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	const char *q[] = {sid, "logout"};
	if (lc_db_run(db, "session_revoke", 2, q) < 0)
		return LC_TX_ERROR;
	return lc_audit(db, l->rq, "logout", "session", sid, NULL) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_logout(struct lc_request *rq)
{
	if (!csrf_or_reply(rq))
		return LC_REPLIED;
	struct logout l = {.rq = rq};
	char token[48];
	if (cookie_token(rq, token)) {
		lc_sha256_hex(token, strlen(token), l.hash);
		if (lc_db_tx(lc_rq_db(rq), logout_tx, &l) == LC_TX_ERROR)
			return lc_db_fail_reply(rq);
	}
	session_set_cookie(rq, NULL);
	return lc_reply_empty(rq, 204);
}

/* --- GET /sessions, DELETE /sessions/{id} --- */

int h_sessions_list(struct lc_request *rq)
{
	struct lc_page pg;
	const char *t, *id;
	if (!page_keyset_or_reply(rq, &pg, &t, &id))
		return LC_REPLIED;
	char lim[16], sid[64];
	snprintf(lim, sizeof(lim), "%d", pg.limit + 1);
	tokens_request_sid(rq, sid);
	const char *p[] = {lc_rq_claims(rq)->sub, t, id, lim};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "sessions_list", 4, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = json_array();
	int n = PQntuples(r) < pg.limit ? PQntuples(r) : pg.limit;
	for (int i = 0; i < n; i++)
		json_array_append_new(
		    items, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:b}", "id", PQgetvalue(r, i, 0),
		                     "created_at", PQgetvalue(r, i, 1), "last_used_at", PQgetvalue(r, i, 2),
		                     "expires_at", PQgetvalue(r, i, 3), "ip",
		                     PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4), "user_agent",
		                     PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5), "current",
		                     strcmp(sid, PQgetvalue(r, i, 0)) == 0));
	json_t *next = page_next(r, pg.limit, 6, 0);
	PQclear(r);
	return lc_reply_json(rq, 200, lc_page_body(items, next));
}

struct end_session {
	struct lc_request *rq;
	const char *id;
	bool found;
};

static enum lc_tx_result end_session_tx(struct lc_db *db, void *arg)
{
	struct end_session *e = arg;
	const char *p[] = {e->id, lc_rq_claims(e->rq)->sub};
	int n = lc_db_run(db, "session_revoke_own", 2, p);
	if (n < 0)
		return LC_TX_ERROR;
	e->found = n == 1;
	if (!e->found)
		return LC_TX_ROLLBACK;
	return lc_audit(db, e->rq, "session.end", "session", e->id, NULL) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_session_delete(struct lc_request *rq)
{
	struct end_session e = {.rq = rq, .id = lc_rq_param(rq, "id")};
	if (!lc_json_is_uuid(e.id))
		return lc_reply_problem(rq, 404, "not_found", "No such session.");
	if (lc_db_tx(lc_rq_db(rq), end_session_tx, &e) == LC_TX_ERROR)
		return lc_db_fail_reply(rq);
	if (!e.found)
		return lc_reply_problem(rq, 404, "not_found", "No such session.");
	return lc_reply_empty(rq, 204);
}

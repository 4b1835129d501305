/* h_me.c — the signed-in person's own account: GET/PATCH /me (names, phone, notification
 * preferences, with ETag/If-Match), POST /me/password and POST /me/email (change confirmed by a
 * link sent to the new address). Also the helpers that turn user rows into JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "account.h"
#include "notify.h"

json_t *pg_text_array(const char *lit)
{
	json_t *a = json_array();
	if (!lit || lit[0] != '{')
		return a;
	const char *p = lit + 1;
	while (*p && *p != '}') {
		size_t n = strcspn(p, ",}");
		/* Our values are [a-z0-9-]: PostgreSQL never quotes them. */
		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p += n;
		if (*p == ',')
			p++;
	}
	return a;
}

char *pg_array_literal(const json_t *arr)
{
	size_t n = json_array_size(arr);
	char *out = malloc(n * 33 + 3);
	if (!out)
		return NULL;
	size_t o = 0;
	out[o++] = '{';
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		size_t l = s ? strlen(s) : 0;
		if (l == 0 || l > 31 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != l) {
			free(out);
			return NULL;
		}
		if (i)
			out[o++] = ',';
		memcpy(out + o, s, l);
		o += l;
	}
	out[o++] = '}';
	out[o] = '\0';
	return out;
}

static json_t *nullable(const PGresult *r, int i, int c)
{
	return PQgetisnull(r, i, c) ? json_null() : json_string(PQgetvalue(r, i, c));
}

json_t *user_json(const PGresult *r, int i, bool full)
{
	json_t *u = json_pack(
	    "{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:b, s:b, s:b}", "id", PQgetvalue(r, i, UC_ID), "email",
	    PQgetvalue(r, i, UC_EMAIL), "given_name", PQgetvalue(r, i, UC_GIVEN), "family_name",
	    PQgetvalue(r, i, UC_FAMILY), "phone", nullable(r, i, UC_PHONE), "role", PQgetvalue(r, i, UC_ROLE),
	    "services", pg_text_array(PQgetvalue(r, i, UC_SERVICES)), "household_id",
	    nullable(r, i, UC_HOUSEHOLD), "email_verified", PQgetvalue(r, i, UC_VERIFIED)[0] == 't',
	    "notify_email", PQgetvalue(r, i, UC_NOTIFY_EMAIL)[0] == 't', "notify_portal",
	    PQgetvalue(r, i, UC_NOTIFY_PORTAL)[0] == 't');
	if (u && full) {
		json_object_set_new(u, "totp_enabled", json_boolean(PQgetvalue(r, i, UC_TOTP)[0] == 't'));
		json_object_set_new(u, "disabled", json_boolean(PQgetvalue(r, i, UC_DISABLED)[0] == 't'));
		json_object_set_new(u, "created_at", json_string(PQgetvalue(r, i, UC_CREATED)));
	}
	return u;
}

PGresult *user_lock(struct lc_db *db, struct lc_request *rq, const char *id, const char *not_found,
                    struct lc_outcome *o, enum lc_tx_result *stop)
{
	const char *p[] = {id};
	const struct lc_lock lock = {
	    .stmt = "user_lock", .nparams = 1, .params = p, .etag_col = UC_ETAG, .not_found = not_found};
	return lc_lock_if_match(db, rq, &lock, o, NULL, stop);
}

/* A cursor time must be what PostgreSQL printed: digits, '-', ':', '.', '+', ' ' only. */
static bool cursor_time_ok(const char *t)
{
	size_t n = strlen(t);
	return n >= 19 && n <= 40 && strspn(t, "0123456789-:.+ ") == n;
}

bool page_keyset_or_reply(struct lc_request *rq, struct lc_page *page, const char **t, const char **id)
{
	*t = *id = NULL;
	if (!lc_page_or_reply(rq, page))
		return false;
	if (!page->cursor)
		return true;
	*t = json_string_value(json_object_get(page->cursor, "t"));
	*id = json_string_value(json_object_get(page->cursor, "id"));
	if (!*t || !*id || !cursor_time_ok(*t) || !lc_json_is_uuid(*id)) {
		lc_reply_problem_errors(rq, 422, "validation_failed", "The cursor is not one this API gave.",
		                        json_pack("[{s:s, s:s, s:s}]", "field", "cursor", "code",
		                                  "invalid_format", "message", "unknown cursor"));
		return false;
	}
	return true;
}

json_t *page_next(const PGresult *r, int limit, int tcol, int idcol)
{
	if (PQntuples(r) <= limit)
		return NULL;
	/* The cursor's fields: lc_page_body encodes them (an already encoded string gave null). */
	return json_pack("{s:s, s:s}", "t", PQgetvalue(r, limit - 1, tcol), "id",
	                 PQgetvalue(r, limit - 1, idcol));
}

/* --- GET /me --- */

int h_me_get(struct lc_request *rq)
{
	const char *p[] = {lc_rq_claims(rq)->sub};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "user_by_id", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_reply_problem(rq, 404, "not_found", "No such account.");
	}
	lc_rq_add_header(rq, "ETag", PQgetvalue(r, 0, UC_ETAG));
	json_t *u = user_json(r, 0, true);
	PQclear(r);
	return lc_reply_json(rq, 200, u);
}

/* --- PATCH /me --- */

struct me_patch {
	struct lc_request *rq;
	struct lc_outcome out;
	const char *sub, *given, *family, *phone;
	bool has_phone, phone_null, has_ne, has_np, ne, np;
};

enum lc_tx_result user_updated(struct lc_outcome *o, PGresult *r)
{
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) { /* cannot happen: the row is locked */
		PQclear(r);
		return LC_TX_ERROR;
	}
	lc_outcome_set_etag(o, PQgetvalue(r, 0, UC_ETAG));
	json_t *u = user_json(r, 0, true);
	PQclear(r);
	return lc_outcome_ok(o, 200, u);
}

static enum lc_tx_result me_patch_tx(struct lc_db *db, void *arg)
{
	struct me_patch *m = arg;
	lc_outcome_reset(&m->out);
	enum lc_tx_result stop;
	PGresult *cur = user_lock(db, m->rq, m->sub, "No such account.", &m->out, &stop);
	if (!cur)
		return stop;
	const char *p[] = {m->sub,
	                   PQgetvalue(cur, 0, UC_ETAG),
	                   m->given,
	                   m->family,
	                   m->has_phone ? "t" : "f",
	                   m->phone_null ? NULL : m->phone,
	                   m->has_ne ? (m->ne ? "t" : "f") : NULL,
	                   m->has_np ? (m->np ? "t" : "f") : NULL};
	PGresult *r = lc_db_exec(db, "me_patch", 8, p);
	PQclear(cur);
	json_t *d = json_pack("{s:b, s:b, s:b}", "names", m->given || m->family, "phone", m->has_phone,
	                      "preferences", m->has_ne || m->has_np);
	int rc = r ? lc_audit(db, m->rq, "account.profile_update", "user", m->sub, d) : -1;
	json_decref(d);
	if (rc < 0) {
		PQclear(r);
		return LC_TX_ERROR;
	}
	return user_updated(&m->out, r);
}

int h_me_patch(struct lc_request *rq)
{
	struct me_patch m = {.rq = rq, .sub = lc_rq_claims(rq)->sub};
	bool has_given = false, has_family = false;
	const struct lc_field spec[] = {
	    ACCOUNT_NAME_FIELD("given_name", false, NULL, &m.given, &has_given),
	    ACCOUNT_NAME_FIELD("family_name", false, NULL, &m.family, &has_family),
	    ACCOUNT_PHONE_FIELD(&m.phone, &m.has_phone),
	    LC_F_BOOL("notify_email", &m.ne, .present = &m.has_ne),
	    LC_F_BOOL("notify_portal", &m.np, .present = &m.has_np),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	m.phone_null = m.has_phone && !m.phone;
	return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), me_patch_tx, &m), &m.out);
}

/* --- POST /me/password --- */

struct me_password {
	struct lc_request *rq;
	const char *sub, *current, *next;
	char phc[ACCOUNT_PHC_MAX];
	char sid[64];
};

static enum lc_tx_result me_password_tx(struct lc_db *db, void *arg)
{
	struct me_password *m = arg;
	const char *p[] = {m->sub, m->phc};
	if (lc_db_run(db, "user_set_password", 2, p) != 1)
		return LC_TX_ERROR;
	/* Every other session ends; the one in use stays so the person is not signed out here. */
	const char *q[] = {m->sub, "password_changed", m->sid[0] ? m->sid : NULL};
	if (lc_db_run(db, "sessions_revoke_user", 3, q) < 0)
		return LC_TX_ERROR;
	json_t *d = json_object();
	int rc = lc_audit(db, m->rq, "password.change", "user", m->sub, d);
	json_decref(d);
	if (rc < 0)
		return LC_TX_ERROR;
	d = json_object();
	rc = account_notify(db, m->sub, "password_changed", d, NULL, "/mot-de-passe-oublie.html");
	json_decref(d);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

static bool policy_or_reply(struct lc_request *rq, const char *field, const char *password, const PGresult *u)
{
	const char *why = account_password_policy(password, PQgetvalue(u, 0, UC_EMAIL),
	                                          PQgetvalue(u, 0, UC_GIVEN), PQgetvalue(u, 0, UC_FAMILY));
	if (!why)
		return true;
	lc_reply_problem_errors(rq, 422, "validation_failed", "The new password does not meet the policy.",
	                        json_pack("[{s:s, s:s, s:s}]", "field", field, "code", why, "message",
	                                  "12 to 128 characters, not the e-mail address or a name"));
	return false;
}

int h_me_password(struct lc_request *rq)
{
	struct me_password m = {.rq = rq, .sub = lc_rq_claims(rq)->sub};
	const struct lc_field spec[] = {
	    LC_F_STRING("current_password", 0, 1024, &m.current, .required = true),
	    LC_F_STRING("new_password", 0, 1024, &m.next, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	const char *p[] = {m.sub};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "user_auth_by_id", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_reply_problem(rq, 404, "not_found", "No such account.");
	}
	bool ok = account_password_verify(PQgetisnull(r, 0, UC_N) ? NULL : PQgetvalue(r, 0, UC_N), m.current);
	if (!ok) {
		PQclear(r);
		return lc_reply_problem_errors(rq, 422, "validation_failed", "The current password is wrong.",
		                               json_pack("[{s:s, s:s, s:s}]", "field", "current_password",
		                                         "code", "wrong_password", "message",
		                                         "wrong password"));
	}
	if (!policy_or_reply(rq, "new_password", m.next, r)) {
		PQclear(r);
		return LC_REPLIED;
	}
	PQclear(r);
	tokens_request_sid(rq, m.sid);
	if (account_password_hash(m.next, m.phc) < 0)
		return lc_reply_problem(rq, 500, "internal", "Could not hash the password.");
	if (lc_db_tx(lc_rq_db(rq), me_password_tx, &m) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	return lc_reply_empty(rq, 204);
}

/* --- POST /me/email --- */

struct me_email {
	struct lc_request *rq;
	const char *sub, *email, *old_email;
	bool taken;
};

static enum lc_tx_result me_email_tx(struct lc_db *db, void *arg)
{
	struct me_email *m = arg;
	const char *p[] = {m->email};
	PGresult *r = lc_db_exec(db, "user_by_email", 1, p);
	if (!r)
		return LC_TX_ERROR;
	m->taken = PQntuples(r) > 0;
	PQclear(r);
	if (m->taken) /* the owner of that address is told, nobody else learns it exists */
		return account_mail_to(db, m->email, "already_registered", NULL, NULL) < 0 ? LC_TX_ERROR
		                                                                           : LC_TX_COMMIT;
	char token[48], hash[65], link[160];
	if (!tokens_random(token, hash))
		return LC_TX_ERROR;
	const char *v[] = {m->sub, "email_change"};
	if (lc_db_run(db, "email_tokens_void", 2, v) < 0)
		return LC_TX_ERROR;
	const char *q[] = {hash, m->sub, "email_change", m->email, "86400"};
	if (lc_db_run(db, "email_token_insert", 5, q) != 1)
		return LC_TX_ERROR;
	snprintf(link, sizeof(link), "/verification.html?token=%s", token);
	json_t *d = json_pack("{s:s, s:s}", "link", link, "email", m->email);
	int rc = account_mail_to(db, m->email, "email_change", d, NULL);
	json_decref(d);
	if (rc < 0)
		return LC_TX_ERROR;
	d = json_pack("{s:s}", "new_email", m->email);
	rc = lc_audit(db, m->rq, "account.email_change_requested", "user", m->sub, d);
	json_decref(d);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_me_email(struct lc_request *rq)
{
	struct me_email m = {.rq = rq, .sub = lc_rq_claims(rq)->sub};
	const char *password = NULL;
	const struct lc_field spec[] = {
	    LC_F_EMAIL("email", &m.email, .required = true),
	    LC_F_STRING("password", 0, 1024, &password, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	const char *p[] = {m.sub};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "user_auth_by_id", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_reply_problem(rq, 404, "not_found", "No such account.");
	}
	bool ok = account_password_verify(PQgetisnull(r, 0, UC_N) ? NULL : PQgetvalue(r, 0, UC_N), password);
	PQclear(r);
	if (!ok)
		return lc_reply_problem_errors(rq, 422, "validation_failed", "The password is wrong.",
		                               json_pack("[{s:s, s:s, s:s}]", "field", "password", "code",
		                                         "wrong_password", "message", "wrong password"));
	if (lc_db_tx(lc_rq_db(rq), me_email_tx, &m) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	/* Same answer whether the address was free or not. */
	return lc_reply_json(rq, 202, json_pack("{s:b}", "accepted", true));
}

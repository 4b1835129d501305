/* h_totp.c — TOTP enrolment: POST /me/totp/setup gives a new secret (as an otpauth:// URI for
 * the authenticator app), POST /me/totp/confirm turns it on once a code from the app checks out
 * and answers the ten recovery codes (shown once); POST /me/totp/recovery-codes renews them.
 * Either a signed-in person calls them, or an admin whose login answered
 * totp_enrolment_required, with the enrolment_token of that answer (valid 15 minutes). */
#include <ctype.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/crypto.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "account.h"
#include "notify.h"

/* Who is enrolling: the token's subject, or the owner of a valid enrolment token. */
static bool enrolling_user_or_reply(struct lc_request *rq, const char *enrol, char user_id[37])
{
	const struct lc_claims *c = lc_rq_claims(rq);
	if (c) {
		snprintf(user_id, 37, "%.36s", c->sub);
		return true;
	}
	if (enrol) {
		char hash[65];
		lc_sha256_hex(enrol, strlen(enrol), hash);
		const char *p[] = {hash};
		PGresult *r = lc_db_exec(lc_rq_db(rq), "enrol_token_check", 1, p);
		if (!r) {
			lc_db_fail_reply(rq);
			return false;
		}
		bool ok = PQntuples(r) == 1;
		if (ok)
			snprintf(user_id, 37, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		if (ok)
			return true;
	}
	lc_rq_add_header(rq, "WWW-Authenticate", "Bearer realm=\"civitas\"");
	lc_reply_problem(rq, 401, "unauthorized", "A valid access token or enrolment token is required.");
	return false;
}

static void uri_escape(const char *s, char *out, size_t outlen)
{
	size_t o = 0;
	for (; *s && o + 4 < outlen; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '.' || c == '-' || c == '_')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "%%%02X", c);
	}
	out[o] = '\0';
}

int h_totp_setup(struct lc_request *rq)
{
	const char *enrol = NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("enrolment_token", 0, 128, &enrol),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	char id[37];
	if (!enrolling_user_or_reply(rq, enrol, id))
		return LC_REPLIED;
	unsigned char raw[TOTP_SECRET_BYTES];
	char secret[40];
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return lc_reply_problem(rq, 500, "internal", "No randomness.");
	totp_base32_encode(raw, sizeof(raw), secret, sizeof(secret));
	const char *u[] = {id};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "user_by_id", 1, u);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_reply_problem(rq, 404, "not_found", "No such account.");
	}
	char label[600], uri[900];
	uri_escape(PQgetvalue(r, 0, UC_EMAIL), label, sizeof(label));
	PQclear(r);
	const char *p[] = {id, secret};
	int n = lc_db_run(lc_rq_db(rq), "totp_pending_set", 2, p);
	if (n < 0)
		return lc_db_fail_reply(rq);
	if (n == 0)
		return lc_reply_problem(rq, 409, "conflict", "An authenticator app is already enrolled.");
	snprintf(uri, sizeof(uri),
	         "otpauth://totp/Civitas:%s?secret=%s&issuer=Civitas&algorithm=SHA1&digits=6&period=30",
	         label, secret);
	return lc_reply_json(rq, 200, json_pack("{s:s, s:s}", "secret", secret, "otpauth_uri", uri));
}

struct confirm {
	struct lc_request *rq;
	const char *code, *enrol;
	char id[37];
	enum { CF_OK, CF_NONE, CF_BAD } out;
	json_t *codes; /* the recovery codes of this enrolment, shown once */
};

static enum lc_tx_result confirm_tx(struct lc_db *db, void *arg)
{
	struct confirm *c = arg;
	const char *p[] = {c->id};
	PGresult *r = lc_db_exec(db, "user_auth_by_id", 1, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, UC_N + 2)) {
		PQclear(r);
		c->out = CF_NONE;
		return LC_TX_ROLLBACK;
	}
	unsigned char secret[64];
	int n = totp_base32_decode(PQgetvalue(r, 0, UC_N + 2), secret, sizeof(secret));
	PQclear(r);
	int64_t step = n > 0 ? totp_check(secret, (size_t)n, c->code, (int64_t)time(NULL), 0) : -1;
	if (step < 0) {
		c->out = CF_BAD;
		return LC_TX_ROLLBACK;
	}
	char st[24];
	snprintf(st, sizeof(st), "%lld", (long long)step);
	const char *q[] = {c->id, st};
	if (lc_db_run(db, "totp_enable", 2, q) != 1)
		return LC_TX_ERROR;
	if (c->enrol) {
		char hash[65];
		lc_sha256_hex(c->enrol, strlen(c->enrol), hash);
		const char *e[] = {hash, "totp_enrol"};
		if (lc_db_run(db, "email_token_take", 2, e) < 0)
			return LC_TX_ERROR;
	}
	json_decref(c->codes);
	if (!(c->codes = recovery_codes_issue(db, c->id)))
		return LC_TX_ERROR;
	c->out = CF_OK;
	return lc_audit(db, c->rq, "totp.enabled", "user", c->id, NULL) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_totp_confirm(struct lc_request *rq)
{
	struct confirm c = {.rq = rq};
	const struct lc_field spec[] = {
	    {.name = "code", .type = LC_J_STRING, .required = true, .pattern = "^[0-9]{6}$", .out = &c.code},
	    LC_F_STRING("enrolment_token", 0, 128, &c.enrol),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!enrolling_user_or_reply(rq, c.enrol, c.id))
		return LC_REPLIED;
	if (lc_db_tx(lc_rq_db(rq), confirm_tx, &c) == LC_TX_ERROR) {
		json_decref(c.codes);
		return lc_db_fail_reply(rq);
	}
	if (c.out == CF_NONE)
		return lc_reply_problem(rq, 409, "conflict", "Call /me/totp/setup first.");
	if (c.out == CF_BAD)
		return reply_field_error(rq, "code", "invalid_totp",
		                         "The code does not match; check the clock of the device.");
	return lc_reply_json(rq, 200,
	                     json_pack("{s:b, s:o}", "totp_enabled", true, "recovery_codes", c.codes));
}

/* --- POST /me/totp/recovery-codes: ten new codes (the old ones stop working). The password is
 * asked again, under the same lockout as a sign-in. --- */

struct regen {
	struct lc_request *rq;
	PGresult *u;
	struct lockout lk;
	bool failed;
	json_t *codes;
};

static enum lc_tx_result regen_tx(struct lc_db *db, void *arg)
{
	struct regen *g = arg;
	const char *id = PQgetvalue(g->u, 0, UC_ID);
	if (g->failed)
		return lockout_failed(db, g->rq, id, PQgetvalue(g->u, 0, UC_EMAIL),
		                      PQgetvalue(g->u, 0, UC_GIVEN), &g->lk, "password")
		           ? LC_TX_ERROR
		           : LC_TX_COMMIT;
	json_decref(g->codes);
	if (!(g->codes = recovery_codes_issue(db, id)))
		return LC_TX_ERROR;
	json_t *d = json_pack("{s:s}", "given_name", PQgetvalue(g->u, 0, UC_GIVEN));
	int rc = account_mail_to(db, PQgetvalue(g->u, 0, UC_EMAIL), "recovery_codes_new", d, NULL);
	json_decref(d);
	if (rc < 0)
		return LC_TX_ERROR;
	return lc_audit(db, g->rq, "totp.recovery_codes_renewed", "user", id, NULL) < 0 ? LC_TX_ERROR
	                                                                                : LC_TX_COMMIT;
}

int h_totp_recovery_codes(struct lc_request *rq)
{
	const char *password = NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("password", 1, 1024, &password, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct lc_db *db = lc_rq_db(rq);
	struct regen g = {.rq = rq};
	const char *p[] = {lc_rq_claims(rq)->sub};
	g.u = lc_db_exec(db, "user_secrets_by_id", 1, p);
	if (!g.u)
		return lc_db_fail_reply(rq);
	int rc;
	if (PQntuples(g.u) != 1) {
		rc = lc_reply_problem(rq, 404, "not_found", "No such account.");
		goto out;
	}
	if (PQgetisnull(g.u, 0, UC_N + 1)) {
		rc = lc_reply_problem(rq, 409, "conflict", "Enrol an authenticator app first.");
		goto out;
	}
	int res = lockout_reserve(db, PQgetvalue(g.u, 0, UC_ID), &g.lk);
	if (res <= 0) {
		if (res == 0) {
			char ra[24];
			snprintf(ra, sizeof(ra), "%ld", g.lk.retry_after);
			lc_rq_add_header(rq, "Retry-After", ra);
		}
		rc = res < 0 ? lc_db_fail_reply(rq)
		             : lc_reply_problem(rq, 429, "rate_limited",
		                                "Too many failed attempts: wait a while.");
		goto out;
	}
	g.failed = !account_password_verify(PQgetvalue(g.u, 0, UC_N), password);
	if (!g.failed && lc_db_run(db, "login_clear", 1, p) < 0) {
		rc = lc_db_fail_reply(rq);
		goto out;
	}
	if (lc_db_tx(db, regen_tx, &g) != LC_TX_COMMIT) {
		rc = lc_db_fail_reply(rq);
		goto out;
	}
	if (g.failed)
		rc = g.lk.locks ? lc_reply_problem(rq, 429, "rate_limited",
		                                   "Too many failed attempts: wait a while.")
		                : reply_field_error(rq, "password", "invalid_credentials", "Wrong password.");
	else {
		rc = lc_reply_json(rq, 200, json_pack("{s:O}", "recovery_codes", g.codes));
	}
out:
	json_decref(g.codes);
	PQclear(g.u);
	return rc;
}

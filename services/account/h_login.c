/* h_login.c — POST /login: password (argon2id), lockout after 5 failures in a row (1, 5, 15 then
 * 60 minutes, the owner is told by e-mail; lockout.c), TOTP or a recovery code when enrolled,
 * and mandatory enrolment for admins and for anyone whose TOTP an administrator reset.
 * Unknown e-mail and wrong password get the same 401 after the same hashing work. The whole
 * login runs on the offload pool, its database work too (an LC_OFFLOAD route): see
 * docs/account.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "account.h"
#include "notify.h"

/* Columns of login_user after USER_COLUMNS: the account's secrets, then the reservation
 * (lockout_read). */
enum { LC_HASH = UC_N, LC_TOTP_SECRET, LC_TOTP_STEP, LC_ENROL_REQUIRED, LC_LOCK_LEFT, LC_RESERVED };

#define ENROL_TTL_S 900

int reply_problem_with(struct lc_request *rq, unsigned status, const char *code, const char *detail,
                       json_t *extra)
{
	json_t *p = lc_problem_new(status, code, detail, lc_rq_id(rq));
	if (p && extra)
		json_object_update(p, extra);
	json_decref(extra);
	char *text = p ? json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(p);
	if (!text)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	return lc_reply_bytes_owned(rq, status, "application/problem+json", text, strlen(text));
}

int reply_field_error(struct lc_request *rq, const char *field, const char *code, const char *detail)
{
	return lc_reply_problem_errors(
	    rq, 422, "validation_failed", detail,
	    json_pack("[{s:s, s:s, s:s}]", "field", field, "code", code, "message", detail));
}

enum login_outcome {
	LO_OK,
	LO_BAD,      /* 401 invalid_credentials */
	LO_BAD_TOTP, /* 401 invalid_totp */
	LO_LOCKED,   /* 429: this failure locked the account */
	LO_ENROL,    /* 403 totp_enrolment_required */
};

struct login {
	struct lc_request *rq;
	const char *email, *password, *totp, *recovery;
	PGresult *u; /* login_user row, or NULL for an unknown address */
	enum login_outcome out;
	struct lockout lk;
	int64_t step;
	int codes_left; /* after a recovery code, how many stay */
	char sid[37], token[48], enrol[48];
};

static int audit_user(struct login *l, struct lc_db *db, const char *action, json_t *details)
{
	int rc = lc_audit(db, l->rq, action, "user", l->u ? PQgetvalue(l->u, 0, UC_ID) : NULL, details);
	json_decref(details);
	return rc;
}

/* A failed attempt: its slot was reserved before the check; write the trail (and the lock). */
static enum lc_tx_result failure_tx(struct lc_db *db, void *arg)
{
	struct login *l = arg;
	if (!l->u) /* unknown address: nothing to count, only the trail */
		return audit_user(l, db, "login.failed", json_pack("{s:s}", "reason", "unknown_account")) < 0
		           ? LC_TX_ERROR
		           : LC_TX_COMMIT;
	const char *reason = l->out != LO_BAD_TOTP ? "password" : l->recovery ? "recovery_code" : "totp";
	if (lockout_failed(db, l->rq, PQgetvalue(l->u, 0, UC_ID), PQgetvalue(l->u, 0, UC_EMAIL),
	                   PQgetvalue(l->u, 0, UC_GIVEN), &l->lk, reason) < 0)
		return LC_TX_ERROR;
	if (l->lk.locks)
		l->out = LO_LOCKED;
	return LC_TX_COMMIT;
}

/* The second factor is spent here, under the transaction: a TOTP step or a recovery code
 * serves once however many sign-ins present it at the same time. */
static enum lc_tx_result success_tx(struct lc_db *db, void *arg)
{
	struct login *l = arg;
	const char *id = PQgetvalue(l->u, 0, UC_ID);
	if (l->step > 0) {
		char step[24];
		snprintf(step, sizeof(step), "%lld", (long long)l->step);
		const char *s[] = {id, step};
		int n = lc_db_run(db, "totp_claim", 2, s);
		if (n < 0)
			return LC_TX_ERROR;
		if (n == 0) {
			l->out = LO_BAD_TOTP;
			return LC_TX_ROLLBACK;
		}
	} else if (l->recovery) {
		int n = recovery_code_use(db, id, l->recovery, &l->codes_left);
		if (n < 0)
			return LC_TX_ERROR;
		if (n == 0) {
			l->out = LO_BAD_TOTP;
			return LC_TX_ROLLBACK;
		}
		json_t *d = json_pack("{s:s, s:i}", "given_name", PQgetvalue(l->u, 0, UC_GIVEN), "left",
		                      l->codes_left);
		/* Security notices go out whatever the person's e-mail preference. */
		int rc = account_mail_to(db, PQgetvalue(l->u, 0, UC_EMAIL), "recovery_code_used", d, NULL);
		json_decref(d);
		if (rc < 0 || audit_user(l, db, "login.recovery_code_used",
		                         json_pack("{s:i}", "codes_left", l->codes_left)) < 0)
			return LC_TX_ERROR;
	}
	/* The failures cleared, the session and its refresh token: one statement. */
	if (session_create(db, id, lc_rq_client_ip(l->rq), lc_rq_header(l->rq, "User-Agent"), l->sid,
	                   l->token) < 0)
		return LC_TX_ERROR;
	/* For the statistics (accounts active per day): the user id only. */
	json_t *ev = json_pack("{s:s}", "user_id", id);
	int rc = ev ? lc_outbox_emit(db, "account.login", ev, NULL) : -1;
	json_decref(ev);
	if (rc < 0)
		return LC_TX_ERROR;
	l->out = LO_OK;
	return audit_user(l, db, "login.succeeded",
	                  json_pack("{s:s, s:s}", "session_id", l->sid, "second_factor",
	                            l->step > 0   ? "totp"
	                            : l->recovery ? "recovery_code"
	                                          : "none")) < 0
	           ? LC_TX_ERROR
	           : LC_TX_COMMIT;
}

/* Someone who must enrol (an admin, or anyone an administrator reset) gets a 15-minute grant
 * that only opens /me/totp/setup and /confirm. */
static enum lc_tx_result enrol_tx(struct lc_db *db, void *arg)
{
	struct login *l = arg;
	char hash[65], ttl[16];
	if (!tokens_random(l->enrol, hash))
		return LC_TX_ERROR;
	snprintf(ttl, sizeof(ttl), "%d", ENROL_TTL_S);
	const char *p[] = {hash, PQgetvalue(l->u, 0, UC_ID), "totp_enrol", NULL, ttl};
	if (lc_db_run(db, "email_token_insert", 5, p) != 1)
		return LC_TX_ERROR;
	return audit_user(l, db, "login.totp_enrolment_required", json_object()) < 0 ? LC_TX_ERROR
	                                                                             : LC_TX_COMMIT;
}

static int reply_retry(struct lc_request *rq, long seconds)
{
	char ra[24];
	snprintf(ra, sizeof(ra), "%ld", seconds > 0 ? seconds : 1);
	lc_rq_add_header(rq, "Retry-After", ra);
	return lc_reply_problem(rq, 429, "rate_limited",
	                        "Too many failed sign-ins: this account is locked for a while.");
}

static int finish(struct login *l, int rc)
{
	PQclear(l->u);
	return rc;
}

/* Admins must have a second factor, and so must anyone whose TOTP an administrator reset. */
static bool must_enrol(const PGresult *u)
{
	return strcmp(PQgetvalue(u, 0, UC_ROLE), "admin") == 0 ||
	       PQgetvalue(u, 0, LC_ENROL_REQUIRED)[0] == 't';
}

/* The answer to a failed attempt, once failure_tx wrote it down. */
static int reply_failure(struct login *l)
{
	struct lc_request *rq = l->rq;
	if (lc_db_tx(lc_rq_db(rq), failure_tx, l) != LC_TX_COMMIT)
		return finish(l, lc_db_fail_reply(rq));
	lc_security(lc_rq_id(rq), "login failed%s", l->out == LO_LOCKED ? ": account locked" : "");
	if (l->out == LO_LOCKED)
		return finish(l, reply_retry(rq, (long)l->lk.minutes * 60));
	if (l->out == LO_BAD_TOTP)
		return finish(l,
		              lc_reply_problem(rq, 401, "invalid_totp",
		                               "The one-time code or recovery code is wrong or was used."));
	return finish(l,
	              lc_reply_problem(rq, 401, "invalid_credentials", "Wrong e-mail address or password."));
}

/* The same argon2id work whether or not the account exists (a dummy hash otherwise); the hash
 * itself runs on a hash thread (password.c). */
static void login_hash(struct login *l)
{
	const char *phc = l->u && !PQgetisnull(l->u, 0, LC_HASH) ? PQgetvalue(l->u, 0, LC_HASH) : NULL;
	bool ok = account_password_verify(phc, l->password) && l->u;
	l->out = ok ? LO_OK : LO_BAD;
}

/* Once the password is checked: second factor, then the session. */
static int login_checked(struct lc_request *rq, void *arg)
{
	struct login *l = arg;
	struct lc_db *db = lc_rq_db(rq);
	bool ok = l->out == LO_OK;

	if (ok && !PQgetisnull(l->u, 0, LC_TOTP_SECRET)) {
		if (!l->totp && !l->recovery) {
			/* The right password alone is not a failure, nor a success. */
			if (lockout_release(db, PQgetvalue(l->u, 0, UC_ID), &l->lk) < 0)
				return finish(l, lc_db_fail_reply(rq));
			lc_security(lc_rq_id(rq), "login: TOTP code required");
			return finish(
			    l, lc_reply_problem(rq, 401, "totp_required",
			                        "This account needs the code of its authenticator app."));
		}
		if (l->totp) {
			unsigned char secret[64];
			int n =
			    totp_base32_decode(PQgetvalue(l->u, 0, LC_TOTP_SECRET), secret, sizeof(secret));
			l->step = n > 0 ? totp_check(secret, (size_t)n, l->totp, (int64_t)time(NULL),
			                             atoll(PQgetvalue(l->u, 0, LC_TOTP_STEP)))
			                : -1;
			if (l->step < 0)
				l->out = LO_BAD_TOTP;
		}
	} else if (ok) {
		l->recovery = NULL; /* no second factor enrolled: a stray code is ignored */
	}
	if (l->out != LO_OK)
		return reply_failure(l);
	/* The right password that opens no session (yet) neither counts nor clears the failures; a
	 * session clears them (session_create). */
	bool opens = PQgetvalue(l->u, 0, UC_DISABLED)[0] != 't' &&
	             PQgetvalue(l->u, 0, UC_VERIFIED)[0] == 't' &&
	             !(PQgetisnull(l->u, 0, LC_TOTP_SECRET) && must_enrol(l->u));
	if (!opens && lockout_release(db, PQgetvalue(l->u, 0, UC_ID), &l->lk) < 0)
		return finish(l, lc_db_fail_reply(rq));
	if (PQgetvalue(l->u, 0, UC_DISABLED)[0] == 't')
		return finish(l, lc_reply_problem(rq, 403, "account_disabled", "This account is disabled."));
	if (PQgetvalue(l->u, 0, UC_VERIFIED)[0] != 't')
		return finish(l,
		              lc_reply_problem(rq, 403, "email_not_verified",
		                               "Confirm your e-mail address with the link we sent first."));
	if (PQgetisnull(l->u, 0, LC_TOTP_SECRET) && must_enrol(l->u)) {
		if (lc_db_tx(db, enrol_tx, l) != LC_TX_COMMIT)
			return finish(l, lc_db_fail_reply(rq));
		return finish(l, reply_problem_with(rq, 403, "totp_enrolment_required",
		                                    "Enrol an authenticator app first.",
		                                    json_pack("{s:s, s:i}", "enrolment_token", l->enrol,
		                                              "expires_in", ENROL_TTL_S)));
	}
	enum lc_tx_result tx = lc_db_tx(db, success_tx, l);
	if (tx == LC_TX_ROLLBACK && l->out == LO_BAD_TOTP) /* the code was spent meanwhile */
		return reply_failure(l);
	if (tx != LC_TX_COMMIT)
		return finish(l, lc_db_fail_reply(rq));
	json_t *body = session_login_body(l->u, l->sid);
	if (!body)
		return finish(l, lc_reply_problem(rq, 500, "internal", "Could not sign the token."));
	if (l->recovery)
		json_object_set_new(body, "recovery_codes_left", json_integer(l->codes_left));
	session_set_cookie(rq, l->token);
	return finish(l, lc_reply_json(rq, 200, body));
}

/* On an offload handler thread (the route is LC_OFFLOAD), with its own database connection: the
 * account, the lockout slot, the hash (on a hash thread), then the second factor and the session.
 * The HTTP thread only sends the reply, so nothing else it serves waits on a login's round trips. */
static int login_run(struct lc_request *rq, struct login *l)
{
	struct lc_db *db = lc_rq_db(rq);
	/* The account and, in the same statement, the attempt's slot, taken before any hashing:
	 * parallel guesses cannot pass the limit. */
	char max[16], sched[64];
	lockout_params(max, sched);
	const char *p[] = {l->email, max, sched};
	l->u = lc_db_exec(db, "login_user", 3, p);
	if (!l->u)
		return lc_db_fail_reply(rq);
	if (PQntuples(l->u) != 1) {
		PQclear(l->u);
		l->u = NULL;
	}
	if (l->u) {
		int rc =
		    lockout_read(db, l->u, LC_RESERVED, LC_LOCK_LEFT, PQgetvalue(l->u, 0, UC_ID), &l->lk);
		if (rc < 0)
			return finish(l, lc_db_fail_reply(rq));
		if (rc == 0)
			return finish(l, reply_retry(rq, l->lk.retry_after));
	}

	/* One hash per CPU at a time; other logins' database work goes on meanwhile. */
	login_hash(l);
	return login_checked(rq, l);
}

int h_login(struct lc_request *rq)
{
	struct login *l = lc_rq_alloc(rq, sizeof(*l));
	if (!l)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	l->rq = rq;
	const struct lc_field spec[] = {
	    LC_F_EMAIL("email", &l->email, .required = true),
	    LC_F_STRING("password", 1, 1024, &l->password, .required = true),
	    {.name = "totp", .type = LC_J_STRING, .pattern = "^[0-9]{6}$", .out = &l->totp},
	    {.name = "recovery_code",
	     .type = LC_J_STRING,
	     .pattern = "^[A-Za-z0-9 -]{16,24}$",
	     .out = &l->recovery},
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (l->totp && l->recovery)
		return reply_field_error(rq, "recovery_code", "not_allowed",
		                         "Send either a one-time code or a recovery code.");
	return login_run(rq, l);
}

/* h_register.c — POST /register (202 whatever the address: no enumeration), POST /verify-email
 * with the single-use link's token, POST /verify-email/resend. Only token hashes are stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/crypto.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "account.h"
#include "notify.h"

#define VERIFY_TTL "172800" /* 48 hours */

/* Sends a fresh verification link for user_id to email (older links stop working). */
static int send_verification(struct lc_db *db, const char *user_id, const char *email, const char *given_name)
{
	char token[48], hash[65], link[120];
	if (!tokens_random(token, hash))
		return -1;
	const char *v[] = {user_id, "verify"};
	if (lc_db_run(db, "email_tokens_void", 2, v) < 0)
		return -1;
	const char *p[] = {hash, user_id, "verify", NULL, VERIFY_TTL};
	if (lc_db_run(db, "email_token_insert", 5, p) != 1)
		return -1;
	snprintf(link, sizeof(link), "/verification.html?token=%s", token);
	json_t *d = json_pack("{s:s, s:s}", "given_name", given_name, "link", link);
	int rc = account_mail_to(db, email, "verify_email", d, NULL);
	json_decref(d);
	return rc < 0 ? -1 : 0;
}

struct reg {
	struct lc_request *rq;
	const char *email, *password, *given, *family, *phone;
	char phc[ACCOUNT_PHC_MAX];
};

static enum lc_tx_result register_tx(struct lc_db *db, void *arg)
{
	struct reg *g = arg;
	const char *e[] = {g->email};
	PGresult *r = lc_db_exec(db, "user_by_email", 1, e);
	if (!r)
		return LC_TX_ERROR;
	bool exists = PQntuples(r) == 1;
	PQclear(r);
	if (exists) {
		json_t *d = json_pack("{s:s}", "link", "/mot-de-passe-oublie.html");
		int rc = account_mail_to(db, g->email, "already_registered", d, NULL);
		json_decref(d);
		return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
	}
	const char *p[] = {g->email, g->phc, g->given, g->family, g->phone};
	r = lc_db_exec(db, "user_insert", 5, p);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return LC_TX_ERROR;
	}
	char id[37];
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	if (send_verification(db, id, g->email, g->given) < 0)
		return LC_TX_ERROR;
	json_t *ev = json_pack("{s:s}", "user_id", id);
	int rc = lc_outbox_emit(db, "account.registered", ev, NULL);
	json_decref(ev);
	if (rc < 0 || lc_audit(db, g->rq, "account.register", "user", id, NULL) < 0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

int h_register(struct lc_request *rq)
{
	struct reg g = {.rq = rq};
	const struct lc_field spec[] = {
	    LC_F_EMAIL("email", &g.email, .required = true),
	    LC_F_STRING("password", 0, 1024, &g.password, .required = true),
	    ACCOUNT_NAME_FIELD("given_name", true, NULL, &g.given, NULL),
	    ACCOUNT_NAME_FIELD("family_name", true, NULL, &g.family, NULL),
	    ACCOUNT_PHONE_FIELD(&g.phone, NULL),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	const char *why = account_password_policy(g.password, g.email, g.given, g.family);
	if (why)
		return reply_field_error(rq, "password", why,
		                         "12 to 128 characters, not the e-mail address or a name.");
	/* Hash before looking the address up: both outcomes take the same time. */
	if (account_password_hash(g.password, g.phc) < 0)
		return lc_reply_problem(rq, 500, "internal", "Could not hash the password.");
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), register_tx, &g);
	if (tx != LC_TX_COMMIT) {
		if (strcmp(lc_db_sqlstate(lc_rq_db(rq)), "23505") == 0) /* a parallel registration won */
			return lc_reply_json(rq, 202, json_pack("{s:b}", "accepted", true));
		return lc_db_fail_reply(rq);
	}
	return lc_reply_json(rq, 202, json_pack("{s:b}", "accepted", true));
}

/* --- POST /verify-email --- */

struct verify {
	struct lc_request *rq;
	char hash[65];
	bool found, taken;
};

static enum lc_tx_result verify_tx(struct lc_db *db, void *arg)
{
	struct verify *v = arg;
	v->found = v->taken = false;
	const char *purposes[] = {"verify", "email_change"};
	for (int i = 0; i < 2 && !v->found; i++) {
		const char *p[] = {v->hash, purposes[i]};
		PGresult *r = lc_db_exec(db, "email_token_take", 2, p);
		if (!r)
			return LC_TX_ERROR;
		if (PQntuples(r) == 1) {
			v->found = true;
			char id[37];
			snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
			int rc;
			if (i == 0) {
				const char *q[] = {id};
				rc = lc_db_run(db, "user_verify", 1, q);
				json_t *ev = json_pack("{s:s}", "user_id", id);
				if (rc == 1 && lc_outbox_emit(db, "account.verified", ev, NULL) < 0)
					rc = -1;
				json_decref(ev);
			} else {
				const char *q[] = {id, PQgetvalue(r, 0, 1)};
				const char *e[] = {PQgetvalue(r, 0, 1)};
				PGresult *t = lc_db_exec(db, "user_by_email", 1, e);
				v->taken = t && PQntuples(t) > 0;
				rc = !t ? -1 : v->taken ? 0 : lc_db_run(db, "user_email_change", 2, q);
				PQclear(t);
			}
			if (rc >= 0 && !v->taken)
				rc = lc_audit(db, v->rq,
				              i == 0 ? "account.email_verified" : "account.email_changed",
				              "user", id, NULL);
			PQclear(r);
			if (rc < 0)
				return LC_TX_ERROR;
			if (v->taken)
				return LC_TX_ROLLBACK;
		} else {
			PQclear(r);
		}
	}
	return v->found ? LC_TX_COMMIT : LC_TX_ROLLBACK;
}

int h_verify_email(struct lc_request *rq)
{
	const char *token = NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("token", 1, 128, &token, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct verify v = {.rq = rq};
	lc_sha256_hex(token, strlen(token), v.hash);
	if (lc_db_tx(lc_rq_db(rq), verify_tx, &v) == LC_TX_ERROR)
		return lc_db_fail_reply(rq);
	if (v.taken)
		return lc_reply_problem(rq, 409, "conflict", "Another account uses this address now.");
	if (!v.found)
		return lc_reply_problem(rq, 400, "invalid_token",
		                        "This link is unknown, was already used or has expired.");
	return lc_reply_json(rq, 200, json_pack("{s:b}", "verified", true));
}

/* --- POST /verify-email/resend --- */

static enum lc_tx_result resend_tx(struct lc_db *db, void *arg)
{
	const char *email = arg;
	const char *p[] = {email};
	PGresult *r = lc_db_exec(db, "user_by_email", 1, p);
	if (!r)
		return LC_TX_ERROR;
	int rc = 0;
	if (PQntuples(r) == 1 && PQgetvalue(r, 0, UC_VERIFIED)[0] != 't' &&
	    PQgetvalue(r, 0, UC_DISABLED)[0] != 't')
		rc = send_verification(db, PQgetvalue(r, 0, UC_ID), PQgetvalue(r, 0, UC_EMAIL),
		                       PQgetvalue(r, 0, UC_GIVEN));
	PQclear(r);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_verify_resend(struct lc_request *rq)
{
	const char *email = NULL;
	const struct lc_field spec[] = {
	    LC_F_EMAIL("email", &email, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (lc_db_tx(lc_rq_db(rq), resend_tx, (void *)email) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	return lc_reply_json(rq, 202, json_pack("{s:b}", "accepted", true));
}

/* h_password.c — forgotten password: POST /password/forgot (202 always) mails a single-use link
 * valid one hour; POST /password/reset sets the new password and ends every session. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/crypto.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "account.h"
#include "notify.h"

#define RESET_TTL "3600"

static enum lc_tx_result forgot_tx(struct lc_db *db, void *arg)
{
	const char *email = arg;
	const char *p[] = {email};
	PGresult *r = lc_db_exec(db, "user_by_email", 1, p);
	if (!r)
		return LC_TX_ERROR;
	int rc = 0;
	if (PQntuples(r) == 1 && PQgetvalue(r, 0, UC_DISABLED)[0] != 't') {
		char token[48], hash[65], link[120];
		const char *id = PQgetvalue(r, 0, UC_ID);
		const char *v[] = {id, "reset"};
		const char *q[] = {hash, id, "reset", NULL, RESET_TTL};
		if (!tokens_random(token, hash) || lc_db_run(db, "email_tokens_void", 2, v) < 0 ||
		    lc_db_run(db, "email_token_insert", 5, q) != 1) {
			rc = -1;
		} else {
			snprintf(link, sizeof(link), "/reinitialisation.html?token=%s", token);
			json_t *d =
			    json_pack("{s:s, s:s}", "given_name", PQgetvalue(r, 0, UC_GIVEN), "link", link);
			rc = account_mail_to(db, PQgetvalue(r, 0, UC_EMAIL), "password_reset", d, NULL);
			json_decref(d);
			if (rc >= 0)
				rc = lc_audit(db, NULL, "password.reset_requested", "user", id, NULL);
		}
	}
	PQclear(r);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_password_forgot(struct lc_request *rq)
{
	const char *email = NULL;
	const struct lc_field spec[] = {
	    LC_F_EMAIL("email", &email, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (lc_db_tx(lc_rq_db(rq), forgot_tx, (void *)email) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	return lc_reply_json(rq, 202, json_pack("{s:b}", "accepted", true));
}

struct reset {
	struct lc_request *rq;
	const char *password;
	char hash[65];
	enum { RS_OK, RS_BAD_TOKEN, RS_POLICY } out;
	const char *why;
};

static enum lc_tx_result reset_tx(struct lc_db *db, void *arg)
{
	struct reset *s = arg;
	const char *p[] = {s->hash, "reset"};
	PGresult *r = lc_db_exec(db, "email_token_take", 2, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		s->out = RS_BAD_TOKEN;
		return LC_TX_ROLLBACK;
	}
	char id[37];
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	const char *u[] = {id};
	r = lc_db_exec(db, "user_by_id", 1, u);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		s->out = RS_BAD_TOKEN;
		return LC_TX_ROLLBACK;
	}
	s->why = account_password_policy(s->password, PQgetvalue(r, 0, UC_EMAIL), PQgetvalue(r, 0, UC_GIVEN),
	                                 PQgetvalue(r, 0, UC_FAMILY));
	PQclear(r);
	if (s->why) { /* the link stays usable: the rollback gives it back */
		s->out = RS_POLICY;
		return LC_TX_ROLLBACK;
	}
	char phc[ACCOUNT_PHC_MAX];
	if (account_password_hash(s->password, phc) < 0)
		return LC_TX_ERROR;
	const char *q[] = {id, phc};
	const char *e[] = {id, "password_reset", NULL};
	/* A reset also proves the address: an unverified account becomes verified. */
	if (lc_db_run(db, "user_set_password", 2, q) != 1 ||
	    lc_db_run(db, "sessions_revoke_user", 3, e) < 0 || lc_db_run(db, "user_verify", 1, u) != 1)
		return LC_TX_ERROR;
	s->out = RS_OK;
	return lc_audit(db, s->rq, "password.reset", "user", id, NULL) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_password_reset(struct lc_request *rq)
{
	struct reset s = {.rq = rq};
	const char *token = NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("token", 1, 128, &token, .required = true),
	    LC_F_STRING("password", 0, 1024, &s.password, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	lc_sha256_hex(token, strlen(token), s.hash);
	if (lc_db_tx(lc_rq_db(rq), reset_tx, &s) == LC_TX_ERROR)
		return lc_db_fail_reply(rq);
	if (s.out == RS_BAD_TOKEN)
		return lc_reply_problem(rq, 400, "invalid_token",
		                        "This link is unknown, was already used or has expired.");
	if (s.out == RS_POLICY)
		return reply_field_error(rq, "password", s.why,
		                         "12 to 128 characters, not the e-mail address or a name.");
	return lc_reply_empty(rq, 204);
}

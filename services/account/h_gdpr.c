/* h_gdpr.c — the person's rights over their data (RGPD): GET /me/export gives everything held
 * about them and their household as one JSON document; DELETE /me {password} erases it, keeping
 * the anonymised account row and the audit trail that the law requires. */
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
#include "civitas/reply.h"

#include "account.h"
#include "family.h"
#include "family_int.h"

/* A statement giving one JSON text column, parsed (new reference), json null when no row. */
static json_t *json_row(struct lc_db *db, const char *stmt, const char *id, bool *err)
{
	const char *p[] = {id};
	PGresult *r = lc_db_exec(db, stmt, 1, p);
	if (!r) {
		*err = true;
		return NULL;
	}
	json_t *j = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? json_loads(PQgetvalue(r, 0, 0), 0, NULL)
	                                                       : json_null();
	PQclear(r);
	if (!j)
		*err = true;
	return j;
}

int h_me_export(struct lc_request *rq)
{
	const char *uid = lc_rq_claims(rq)->sub;
	if (!lc_json_is_uuid(uid))
		return lc_reply_problem(rq, 404, "not_found", "No such account.");
	struct lc_db *db = lc_rq_db(rq);
	bool err = false;
	json_t *user = json_row(db, "fam_user_export", uid, &err);
	if (err) {
		json_decref(user);
		return lc_db_fail_reply(rq);
	}
	if (json_is_null(user)) {
		json_decref(user);
		return lc_reply_problem(rq, 404, "not_found", "No such account.");
	}
	json_t *records = json_row(db, "fam_user_rows_export", uid, &err);
	json_t *family = err ? NULL : family_export(db, uid);
	if (!records || !family) {
		json_decref(user);
		json_decref(records);
		json_decref(family);
		return lc_db_fail_reply(rq);
	}
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char at[32];
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *body =
	    json_pack("{s:s, s:s, s:o, s:o, s:o}", "exported_at", at, "format", "civitas-account-export/1",
	              "user", user, "family", family, "records", records);
	lc_rq_add_header(rq, "Content-Disposition", "attachment; filename=\"civitas-mes-donnees.json\"");
	return lc_reply_json(rq, 200, body);
}

struct erase {
	struct lc_request *rq;
	const char *uid;
};

static enum lc_tx_result erase_tx(struct lc_db *db, void *arg)
{
	struct erase *e = arg;
	if (family_erase(db, e->uid) < 0)
		return LC_TX_ERROR;
	const char *p[] = {e->uid};
	char done[8];
	if (fam_exec_first(db, "fam_erase_identity", 1, p, done, sizeof(done)) != 1)
		return LC_TX_ERROR;
	json_t *details = json_object();
	int rc = lc_audit(db, e->rq, "account.erase", "user", e->uid, details);
	json_decref(details);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_me_delete(struct lc_request *rq)
{
	const char *password = NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("password", 1, 128, &password, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	const char *uid = lc_rq_claims(rq)->sub;
	if (!lc_json_is_uuid(uid))
		return lc_reply_problem(rq, 404, "not_found", "No such account.");
	struct lc_db *db = lc_rq_db(rq);
	const char *p[] = {uid};
	PGresult *r = lc_db_exec(db, "fam_user_get", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	bool live = PQntuples(r) == 1;
	char *hash = live && !PQgetisnull(r, 0, 3) ? strdup(PQgetvalue(r, 0, 3)) : NULL;
	PQclear(r);
	/* Verified even without an account row, so that the answer takes the same time. */
	bool ok = account_password_verify(hash, password);
	free(hash);
	if (!live)
		return lc_reply_problem(rq, 404, "not_found", "No such account.");
	if (!ok) {
		lc_security(lc_rq_id(rq), "account erasure refused: wrong password");
		return lc_reply_problem(rq, 403, "invalid_credentials",
		                        "The password is not the account's password.");
	}
	struct erase e = {.rq = rq, .uid = uid};
	if (lc_db_tx(db, erase_tx, &e) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	lc_security(lc_rq_id(rq), "account erased at its owner's request");
	/* The refresh cookie is dead (its session is gone); tell the browser to drop it too. */
	session_set_cookie(rq, NULL);
	return lc_reply_empty(rq, 204);
}

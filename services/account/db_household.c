/* db_household.c — households and members as the family handlers read them: the caller's
 * household (made on first use), row → JSON of the contract, small shared replies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/auth.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "family_int.h"
#include "family_rules.h"

json_t *fam_col(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return json_null();
	return json_string(PQgetvalue(r, row, col));
}

int fam_exec_first(struct lc_db *db, const char *stmt, int n, const char *const *p, char *out, size_t outlen)
{
	PGresult *r = lc_db_exec(db, stmt, n, p);
	if (!r)
		return -1;
	int found = PQntuples(r) > 0;
	if (found && out)
		snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return found;
}

void fam_today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int fam_db_ensure_household(struct lc_db *db, const char *user_id, char out[37])
{
	const char *p[] = {user_id, NULL};
	int found = fam_exec_first(db, "fam_hh_of_user", 1, p, out, 37);
	if (found != 0)
		return found;
	char hh[37];
	if (fam_exec_first(db, "fam_hh_insert", 0, NULL, hh, sizeof(hh)) != 1)
		return -1;
	const char *q[] = {hh, user_id};
	int made = fam_exec_first(db, "fam_member_insert_self", 2, q, NULL, 0);
	if (made < 0)
		return -1;
	if (made == 0) {
		/* No such live user, or another request made their household first. */
		const char *d[] = {hh};
		if (fam_exec_first(db, "fam_hh_delete", 1, d, NULL, 0) < 0)
			return -1;
		return fam_exec_first(db, "fam_hh_of_user", 1, p, out, 37);
	}
	memcpy(out, hh, 37);
	return 1;
}

struct ensure {
	const char *user_id;
	char hh[37];
	int found;
};

static enum lc_tx_result ensure_tx(struct lc_db *db, void *arg)
{
	struct ensure *e = arg;
	e->found = fam_db_ensure_household(db, e->user_id, e->hh);
	return e->found < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

bool fam_my_household_or_reply(struct lc_request *rq, char out[37])
{
	struct ensure e = {.user_id = lc_rq_claims(rq)->sub};
	if (!lc_json_is_uuid(e.user_id)) {
		lc_reply_problem(rq, 404, "not_found", "No household for this account.");
		return false;
	}
	struct lc_db *db = lc_rq_db(rq);
	/* Most calls find the household with one read; only the first one writes. */
	const char *p[] = {e.user_id};
	int found = fam_exec_first(db, "fam_hh_of_user", 1, p, out, 37);
	if (found == 1)
		return true;
	if (found < 0 || lc_db_tx(db, ensure_tx, &e) != LC_TX_COMMIT) {
		lc_db_fail_reply(rq);
		return false;
	}
	if (e.found != 1) {
		lc_reply_problem(rq, 404, "not_found", "No household for this account.");
		return false;
	}
	memcpy(out, e.hh, 37);
	return true;
}

json_t *fam_quotient_row(const PGresult *r, int row, bool full)
{
	if (PQgetisnull(r, row, 5))
		return json_null();
	json_t *q = json_pack("{s:I, s:o, s:o}", "value", (json_int_t)atoll(PQgetvalue(r, row, 5)), "state",
	                      fam_col(r, row, 6), "valid_until", fam_col(r, row, 7));
	if (q && full) {
		json_object_set_new(q, "document_id", fam_col(r, row, 8));
		json_object_set_new(q, "declared_at", fam_col(r, row, 9));
		json_object_set_new(q, "verified_at", fam_col(r, row, 10));
	}
	return q;
}

json_t *fam_member_row(const PGresult *r, int row, const char *today)
{
	json_t *m = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", fam_col(r, row, 0),
	                      "relation", fam_col(r, row, 1), "given_name", fam_col(r, row, 2), "family_name",
	                      fam_col(r, row, 3), "birth_date", fam_col(r, row, 4), "sex", fam_col(r, row, 5),
	                      "school_class", fam_col(r, row, 6), "user_id", fam_col(r, row, 7));
	if (m && today) {
		int age = PQgetisnull(r, row, 4) ? -1 : fam_age_on(PQgetvalue(r, row, 4), today);
		json_object_set_new(m, "age", age >= 0 ? json_integer(age) : json_null());
		char etag[32]; /* what If-Match wants, for clients that cannot read headers */
		snprintf(etag, sizeof(etag), "\"m%s\"", PQgetvalue(r, row, 8));
		json_object_set_new(m, "etag", json_string(etag));
	}
	return m;
}

json_t *fam_db_household_json(struct lc_db *db, const char *household_id, bool full, int *version, bool *err)
{
	*err = false;
	const char *p[] = {household_id};
	PGresult *h = lc_db_exec(db, "fam_hh_get", 1, p);
	if (!h) {
		*err = true;
		return NULL;
	}
	if (PQntuples(h) == 0) {
		PQclear(h);
		return NULL;
	}
	PGresult *m = lc_db_exec(db, "fam_members_list", 1, p);
	if (!m) {
		PQclear(h);
		*err = true;
		return NULL;
	}
	char today[11];
	fam_today(today);
	json_t *members = json_array(), *adults = json_array();
	for (int i = 0; i < PQntuples(m); i++) {
		json_array_append_new(members, fam_member_row(m, i, full ? today : NULL));
		if (!PQgetisnull(m, i, 7))
			json_array_append_new(adults, json_string(PQgetvalue(m, i, 7)));
	}
	json_t *address = json_null();
	if (!PQgetisnull(h, 0, 1))
		address = json_pack("{s:o, s:o, s:o, s:o}", "line1", fam_col(h, 0, 1), "line2",
		                    fam_col(h, 0, 2), "postcode", fam_col(h, 0, 3), "city", fam_col(h, 0, 4));
	json_t *out = json_pack("{s:o, s:o, s:o, s:o, s:o}", "id", fam_col(h, 0, 0), "address", address,
	                        "adult_user_ids", adults, "quotient_familial", fam_quotient_row(h, 0, full),
	                        "members", members);
	if (version)
		*version = atoi(PQgetvalue(h, 0, 11));
	if (out && full) {
		char etag[32];
		snprintf(etag, sizeof(etag), "\"h%s\"", PQgetvalue(h, 0, 11));
		json_object_set_new(out, "etag", json_string(etag));
	}
	PQclear(h);
	PQclear(m);
	if (!out)
		*err = true;
	return out;
}

bool fam_agent_or_reply(struct lc_request *rq)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	if (c && (lc_claims_has_role(c, "agent") || lc_claims_has_role(c, "admin")))
		return true;
	lc_reply_problem(rq, 404, "not_found", "No such resource.");
	return false;
}

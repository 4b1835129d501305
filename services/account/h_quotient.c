/* h_quotient.c — the quotient familial: the citizen declares a value with a qf_certificate from
 * the vault; an agent opens the certificate from the queue and verifies it with the value and
 * the end of validity. State declared → verified (→ expired, computed, once valid_until passed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outcome.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "family_int.h"
#include "family_rules.h"
#include "notify.h"

#define QF_MAX 100000

static const char *const qf_states[] = {"declared", "verified", "expired", NULL};

struct declare {
	const char *hh, *document_id;
	int64_t value;
	struct lc_outcome out;
};

static enum lc_tx_result declare_tx(struct lc_db *db, void *arg)
{
	struct declare *d = arg;
	lc_outcome_reset(&d->out);
	const char *h[] = {d->hh};
	if (fam_exec_first(db, "fam_hh_lock", 1, h, NULL, 0) != 1)
		return LC_TX_ERROR;
	const char *p[] = {d->document_id, d->hh};
	char kind[32];
	int found = fam_exec_first(db, "fam_doc_kind", 2, p, kind, sizeof(kind));
	if (found < 0)
		return LC_TX_ERROR;
	if (!found || strcmp(kind, "qf_certificate") != 0)
		return lc_outcome_field(&d->out, "document_id", "not_allowed",
		                        "document_id must be a qf_certificate document of your household");
	char value[24];
	snprintf(value, sizeof(value), "%lld", (long long)d->value);
	const char *q[] = {d->hh, value, d->document_id};
	return fam_exec_first(db, "fam_qf_declare", 3, q, NULL, 0) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

static int reply_quotient(struct lc_request *rq, const char *hh)
{
	const char *p[] = {hh};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "fam_hh_get", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_reply_problem(rq, 404, "not_found", "No such household.");
	}
	json_t *q = fam_quotient_row(r, 0, true);
	PQclear(r);
	return lc_reply_json(rq, 200, q);
}

int h_quotient_declare(struct lc_request *rq)
{
	struct declare d = {0};
	const struct lc_field spec[] = {
	    LC_F_INT("value", 0, QF_MAX, &d.value, .required = true),
	    LC_F_UUID("document_id", &d.document_id, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	d.hh = hh;
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), declare_tx, &d);
	if (tx != LC_TX_COMMIT || lc_outcome_is_problem(&d.out))
		return lc_outcome_reply(rq, tx, &d.out);
	return reply_quotient(rq, hh);
}

/* --- agents --- */

int h_agent_households(struct lc_request *rq)
{
	if (!fam_agent_or_reply(rq))
		return LC_REPLIED;
	const char *state = lc_rq_query(rq, "quotient");
	if (!state)
		state = "declared";
	if (!fam_in(qf_states, state))
		return lc_reply_field(rq, "quotient", "not_allowed",
		                      "quotient must be declared, verified or expired");
	struct lc_page page;
	if (!lc_page_or_reply(rq, &page))
		return LC_REPLIED;
	const char *after_t = "-infinity", *after_id = "00000000-0000-0000-0000-000000000000";
	if (page.cursor) {
		after_t = json_string_value(json_object_get(page.cursor, "t"));
		after_id = json_string_value(json_object_get(page.cursor, "id"));
		if (!after_t || !lc_json_is_timestamp(after_t) || !after_id || !lc_json_is_uuid(after_id))
			return lc_reply_field(rq, "cursor", "invalid_format",
			                      "cursor is not one this API gave out");
	}
	char limit[16];
	snprintf(limit, sizeof(limit), "%d", page.limit + 1);
	const char *p[] = {state, after_t, after_id, limit};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "fam_qf_queue", 4, p);
	if (!r)
		return lc_db_fail_reply(rq);
	int n = PQntuples(r);
	json_t *items = json_array(), *next = NULL;
	for (int i = 0; i < n && i < page.limit; i++) {
		json_t *address =
		    PQgetisnull(r, i, 1)
		        ? json_null()
		        : json_pack("{s:o, s:o, s:o, s:o}", "line1", fam_col(r, i, 1), "line2",
		                    fam_col(r, i, 2), "postcode", fam_col(r, i, 3), "city", fam_col(r, i, 4));
		json_t *cert = PQgetisnull(r, i, 8)
		                   ? json_null()
		                   : json_pack("{s:o, s:o, s:o}", "id", fam_col(r, i, 8), "filename",
		                               fam_col(r, i, 14), "mime", fam_col(r, i, 15));
		json_array_append_new(items, json_pack("{s:o, s:o, s:o, s:o, s:o}", "id", fam_col(r, i, 0),
		                                       "address", address, "adults", fam_col(r, i, 12),
		                                       "quotient_familial", fam_quotient_row(r, i, true),
		                                       "certificate", cert));
	}
	if (n > page.limit)
		next = json_pack("{s:s, s:s}", "t", PQgetvalue(r, page.limit - 1, 13), "id",
		                 PQgetvalue(r, page.limit - 1, 0));
	PQclear(r);
	return lc_reply_json(rq, 200, lc_page_body(items, next));
}

struct verify {
	struct lc_request *rq;
	const char *hh, *valid_until;
	int64_t value;
	struct lc_outcome out;
};

static enum lc_tx_result verify_tx(struct lc_db *db, void *arg)
{
	struct verify *v = arg;
	lc_outcome_reset(&v->out);
	char value[24], version[16];
	snprintf(value, sizeof(value), "%lld", (long long)v->value);
	const char *h[] = {v->hh};
	int exists = fam_exec_first(db, "fam_hh_lock", 1, h, NULL, 0);
	if (exists <= 0)
		return exists < 0 ? LC_TX_ERROR
		                  : lc_outcome_fail(&v->out, 404, "not_found", "No such household.");
	const char *p[] = {v->hh, value, v->valid_until, lc_rq_claims(v->rq)->sub};
	int done = fam_exec_first(db, "fam_qf_verify", 4, p, version, sizeof(version));
	if (done <= 0)
		return done < 0 ? LC_TX_ERROR
		                : lc_outcome_fail(&v->out, 409, "conflict",
		                                  "This household has declared no quotient familial.");
	json_t *details =
	    json_pack("{s:I, s:s}", "value", (json_int_t)v->value, "valid_until", v->valid_until);
	int rc = lc_audit(db, v->rq, "quotient.verify", "household", v->hh, details);
	if (rc < 0) {
		json_decref(details);
		return LC_TX_ERROR;
	}
	/* Tell every adult with an account, once per verification. */
	PGresult *r = lc_db_exec(db, "fam_hh_adults", 1, h);
	if (!r) {
		json_decref(details);
		return LC_TX_ERROR;
	}
	int y = 0, mo = 0, d = 0;
	sscanf(v->valid_until, "%d-%d-%d", &y, &mo, &d);
	char fr_date[16];
	snprintf(fr_date, sizeof(fr_date), "%02d/%02d/%04d", d, mo, y);
	json_object_set_new(details, "valid_until_fr", json_string(fr_date));
	for (int i = 0; i < PQntuples(r) && rc >= 0; i++) {
		char key[96];
		snprintf(key, sizeof(key), "quotient-verified:%s:%s:%s", v->hh, version, PQgetvalue(r, i, 0));
		rc = account_notify(db, PQgetvalue(r, i, 0), "quotient_verified", details, key,
		                    "/mon-espace-famille.html");
		if (rc == 0)
			rc = 1;
	}
	PQclear(r);
	json_decref(details);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_agent_quotient_verify(struct lc_request *rq)
{
	if (!fam_agent_or_reply(rq))
		return LC_REPLIED;
	struct verify v = {.rq = rq, .hh = lc_rq_param(rq, "id")};
	const struct lc_field spec[] = {
	    LC_F_INT("value", 0, QF_MAX, &v.value, .required = true),
	    LC_F_DATE("valid_until", &v.valid_until, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	char today[11];
	fam_today(today);
	if (strcmp(v.valid_until, today) < 0)
		return lc_reply_field(rq, "valid_until", "out_of_range",
		                      "valid_until must not be in the past");
	if (!lc_json_is_uuid(v.hh))
		return lc_reply_problem(rq, 404, "not_found", "No such household.");
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), verify_tx, &v);
	if (tx != LC_TX_COMMIT || lc_outcome_is_problem(&v.out))
		return lc_outcome_reply(rq, tx, &v.out);
	return reply_quotient(rq, v.hh);
}

struct certificate {
	struct lc_request *rq;
	const char *hh;
	PGresult *r;
};

static enum lc_tx_result certificate_tx(struct lc_db *db, void *arg)
{
	struct certificate *c = arg;
	PQclear(c->r);
	const char *p[] = {c->hh};
	c->r = lc_db_exec(db, "fam_qf_certificate", 1, p);
	if (!c->r)
		return LC_TX_ERROR;
	if (PQntuples(c->r) != 1)
		return LC_TX_ROLLBACK;
	json_t *details = json_pack("{s:s, s:s}", "household_id", c->hh, "kind", "qf_certificate");
	int rc = lc_audit(db, c->rq, "document.download", "document", PQgetvalue(c->r, 0, 3), details);
	json_decref(details);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_agent_quotient_certificate(struct lc_request *rq)
{
	if (!fam_agent_or_reply(rq))
		return LC_REPLIED;
	struct certificate c = {.rq = rq, .hh = lc_rq_param(rq, "id")};
	if (!lc_json_is_uuid(c.hh))
		return lc_reply_problem(rq, 404, "not_found", "No such household or no certificate.");
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), certificate_tx, &c);
	int rc;
	if (tx == LC_TX_COMMIT)
		rc = fam_reply_content(rq, c.r);
	else if (tx == LC_TX_ROLLBACK)
		rc = lc_reply_problem(rq, 404, "not_found", "No such household or no certificate.");
	else
		rc = lc_db_fail_reply(rq);
	PQclear(c.r);
	return rc;
}

/* h_members.c — /me/household/members: the people of the household (adults, children, others)
 * with their birth dates and school classes. Edits use the member's ETag (If-Match). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/auth.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outcome.h"
#include "civitas/reply.h"

#include "account.h"
#include "family_int.h"
#include "family_rules.h"

#define NAME_PATTERN "^[^[:cntrl:]]+$"

struct member {
	struct lc_request *rq;
	const char *hh, *id, *user_id;
	const char *relation, *given_name, *family_name, *birth_date, *sex, *school_class;
	bool has_sex, has_class, has_relation, has_given, has_family, has_birth;
	char new_id[37];
	struct lc_outcome out;
};

static const char NO_MEMBER[] = "No such member in your household.";

static int reply_member(struct lc_request *rq, const char *hh, const char *id, unsigned status)
{
	const char *p[] = {id, hh};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "fam_member_get", 2, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_reply_problem(rq, 404, "not_found", NO_MEMBER);
	}
	char today[11], etag[32];
	fam_today(today);
	snprintf(etag, sizeof(etag), "\"m%s\"", PQgetvalue(r, 0, 8));
	json_t *body = fam_member_row(r, 0, today);
	PQclear(r);
	lc_rq_add_header(rq, "ETag", etag);
	if (status == 201) {
		char loc[160];
		snprintf(loc, sizeof(loc), FAM_API "/me/household/members/%s", id);
		lc_rq_add_header(rq, "Location", loc);
	}
	return lc_reply_json(rq, status, body);
}

static enum lc_tx_result create_tx(struct lc_db *db, void *arg)
{
	struct member *m = arg;
	lc_outcome_reset(&m->out);
	const char *h[] = {m->hh};
	if (fam_exec_first(db, "fam_hh_lock", 1, h, NULL, 0) != 1)
		return LC_TX_ERROR;
	PGresult *r = lc_db_exec(db, "fam_hh_counts", 1, h);
	if (!r)
		return LC_TX_ERROR;
	int n = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (n >= FAM_MAX_MEMBERS)
		return lc_outcome_fail(&m->out, 409, "conflict", "A household has at most 12 members.");
	const char *p[] = {m->hh,         m->relation, m->given_name,  m->family_name,
	                   m->birth_date, m->sex,      m->school_class};
	if (fam_exec_first(db, "fam_member_insert", 7, p, m->new_id, sizeof(m->new_id)) != 1 ||
	    fam_exec_first(db, "fam_hh_bump", 1, h, NULL, 0) < 0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

int h_member_create(struct lc_request *rq)
{
	struct member m = {0};
	const struct lc_field spec[] = {
	    LC_F_ENUM("relation", fam_relations, &m.relation, .required = true),
	    ACCOUNT_NAME_FIELD("given_name", true, NAME_PATTERN, &m.given_name, NULL),
	    ACCOUNT_NAME_FIELD("family_name", true, NAME_PATTERN, &m.family_name, NULL),
	    LC_F_DATE("birth_date", &m.birth_date, .required = true),
	    LC_F_ENUM("sex", fam_sexes, &m.sex, .nullable = true),
	    LC_F_ENUM("school_class", fam_school_classes, &m.school_class, .nullable = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	char today[11];
	fam_today(today);
	const char *code, *message;
	const char *bad =
	    fam_member_check(m.relation, m.birth_date, m.school_class, false, today, &code, &message);
	if (bad)
		return lc_reply_field(rq, bad, code, message);
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	m.hh = hh;
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), create_tx, &m);
	if (tx != LC_TX_COMMIT || lc_outcome_is_problem(&m.out))
		return lc_outcome_reply(rq, tx, &m.out);
	return reply_member(rq, hh, m.new_id, 201);
}

int h_member_get(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", NO_MEMBER);
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	return reply_member(rq, hh, id, 200);
}

static enum lc_tx_result patch_tx(struct lc_db *db, void *arg)
{
	struct member *m = arg;
	lc_outcome_reset(&m->out);
	const char *h[] = {m->hh};
	if (fam_exec_first(db, "fam_hh_lock", 1, h, NULL, 0) != 1)
		return LC_TX_ERROR;
	/* The household's lock guards its members: the member's row is read, not locked again. */
	const char *p[] = {m->id, m->hh};
	const struct lc_lock lock = {.stmt = "fam_member_get",
	                             .nparams = 2,
	                             .params = p,
	                             .etag_col = 8,
	                             .etag_prefix = "m",
	                             .not_found = NO_MEMBER};
	enum lc_tx_result stop;
	PGresult *r = lc_lock_if_match(db, m->rq, &lock, &m->out, NULL, &stop);
	if (!r)
		return stop;
	bool account = !PQgetisnull(r, 0, 7);
	/* Merge the change into what is stored (copies: r is freed before the update). */
	char relation[16], given[512], family[512], birth[16], sex[8], klass[8];
	snprintf(relation, sizeof(relation), "%s", m->has_relation ? m->relation : PQgetvalue(r, 0, 1));
	snprintf(given, sizeof(given), "%s", m->has_given ? m->given_name : PQgetvalue(r, 0, 2));
	snprintf(family, sizeof(family), "%s", m->has_family ? m->family_name : PQgetvalue(r, 0, 3));
	const char *b = m->has_birth ? m->birth_date : (PQgetisnull(r, 0, 4) ? NULL : PQgetvalue(r, 0, 4));
	const char *s = m->has_sex ? m->sex : (PQgetisnull(r, 0, 5) ? NULL : PQgetvalue(r, 0, 5));
	const char *k = m->has_class ? m->school_class : (PQgetisnull(r, 0, 6) ? NULL : PQgetvalue(r, 0, 6));
	snprintf(birth, sizeof(birth), "%s", b ? b : "");
	snprintf(sex, sizeof(sex), "%s", s ? s : "");
	snprintf(klass, sizeof(klass), "%s", k ? k : "");
	PQclear(r);
	if (account &&
	    ((m->has_relation && strcmp(m->relation, "adult") != 0) || m->has_given || m->has_family)) {
		const char *field = m->has_relation && strcmp(m->relation, "adult") != 0 ? "relation"
		                    : m->has_given                                       ? "given_name"
		                                                                         : "family_name";
		return lc_outcome_field(&m->out, field, "not_allowed",
		                        "An adult with an account changes their names on their own profile.");
	}
	char today[11];
	fam_today(today);
	const char *code, *message;
	const char *bad =
	    fam_member_check(relation, b ? birth : NULL, k ? klass : NULL, account, today, &code, &message);
	if (bad)
		return lc_outcome_field(&m->out, bad, code, message);
	const char *q[] = {m->id,          m->hh,           relation, given, family, b ? birth : NULL,
	                   s ? sex : NULL, k ? klass : NULL};
	if (fam_exec_first(db, "fam_member_update", 8, q, NULL, 0) != 1 ||
	    fam_exec_first(db, "fam_hh_bump", 1, h, NULL, 0) < 0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

int h_member_patch(struct lc_request *rq)
{
	struct member m = {.id = lc_rq_param(rq, "id")};
	const struct lc_field spec[] = {
	    LC_F_ENUM("relation", fam_relations, &m.relation, .present = &m.has_relation),
	    ACCOUNT_NAME_FIELD("given_name", false, NAME_PATTERN, &m.given_name, &m.has_given),
	    ACCOUNT_NAME_FIELD("family_name", false, NAME_PATTERN, &m.family_name, &m.has_family),
	    LC_F_DATE("birth_date", &m.birth_date, .present = &m.has_birth),
	    LC_F_ENUM("sex", fam_sexes, &m.sex, .nullable = true, .present = &m.has_sex),
	    LC_F_ENUM("school_class", fam_school_classes, &m.school_class, .nullable = true,
	              .present = &m.has_class),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!lc_json_is_uuid(m.id))
		return lc_reply_problem(rq, 404, "not_found", NO_MEMBER);
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	m.rq = rq;
	m.hh = hh;
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), patch_tx, &m);
	if (tx != LC_TX_COMMIT || lc_outcome_is_problem(&m.out))
		return lc_outcome_reply(rq, tx, &m.out);
	return reply_member(rq, hh, m.id, 200);
}

static enum lc_tx_result delete_tx(struct lc_db *db, void *arg)
{
	struct member *m = arg;
	lc_outcome_reset(&m->out);
	const char *h[] = {m->hh};
	if (fam_exec_first(db, "fam_hh_lock", 1, h, NULL, 0) != 1)
		return LC_TX_ERROR;
	const char *p[] = {m->id, m->hh};
	PGresult *r = lc_db_exec(db, "fam_member_get", 2, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_outcome_fail(&m->out, 404, "not_found", NO_MEMBER);
	}
	char linked[37] = "";
	if (!PQgetisnull(r, 0, 7))
		snprintf(linked, sizeof(linked), "%s", PQgetvalue(r, 0, 7));
	PQclear(r);
	if (linked[0]) {
		if (strcmp(linked, m->user_id) != 0)
			return lc_outcome_fail(
			    &m->out, 409, "conflict",
			    "An adult with an account leaves the household by themselves.");
		r = lc_db_exec(db, "fam_hh_counts", 1, h);
		if (!r)
			return LC_TX_ERROR;
		int accounts = atoi(PQgetvalue(r, 0, 1));
		PQclear(r);
		if (accounts < 2)
			return lc_outcome_fail(
			    &m->out, 409, "conflict",
			    "You are the only adult with an account here; delete your account instead.");
	}
	if (fam_exec_first(db, "fam_member_delete", 2, p, NULL, 0) < 0 ||
	    fam_exec_first(db, "fam_hh_bump", 1, h, NULL, 0) < 0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

int h_member_delete(struct lc_request *rq)
{
	struct member m = {.id = lc_rq_param(rq, "id"), .user_id = lc_rq_claims(rq)->sub};
	if (!lc_json_is_uuid(m.id))
		return lc_reply_problem(rq, 404, "not_found", NO_MEMBER);
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	m.hh = hh;
	return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), delete_tx, &m), &m.out);
}

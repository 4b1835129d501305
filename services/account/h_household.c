/* h_household.c — /me/household: the citizen's household (address, members, quotient familial)
 * and the invitation of another adult by e-mail, who joins the household when they accept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civitas/auth.h"
#include "civitas/crypto.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outcome.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "family_int.h"
#include "family_rules.h"
#include "notify.h"

static int reply_household(struct lc_request *rq, const char *hh, unsigned status)
{
	bool err;
	int version = 0;
	json_t *body = fam_db_household_json(lc_rq_db(rq), hh, true, &version, &err);
	if (!body)
		return err ? lc_db_fail_reply(rq)
		           : lc_reply_problem(rq, 404, "not_found", "No such household.");
	char etag[32];
	snprintf(etag, sizeof(etag), "\"h%d\"", version);
	lc_rq_add_header(rq, "ETag", etag);
	return lc_reply_json(rq, status, body);
}

int h_household_get(struct lc_request *rq)
{
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	return reply_household(rq, hh, 200);
}

struct address {
	struct lc_request *rq;
	const char *hh, *line1, *line2, *postcode, *city;
	struct lc_outcome out;
};

static enum lc_tx_result address_tx(struct lc_db *db, void *arg)
{
	struct address *a = arg;
	lc_outcome_reset(&a->out);
	const char *p[] = {a->hh};
	/* The household exists (fam_my_household_or_reply found it): a missing row is an error. */
	const struct lc_lock lock = {.stmt = "fam_hh_lock",
	                             .nparams = 1,
	                             .params = p,
	                             .etag_col = 0,
	                             .etag_prefix = "h",
	                             .not_found = "No such household."};
	enum lc_tx_result stop;
	PGresult *r = lc_lock_if_match(db, a->rq, &lock, &a->out, NULL, &stop);
	if (!r)
		return stop;
	PQclear(r);
	const char *q[] = {a->hh, a->line1, a->line2, a->postcode, a->city};
	return fam_exec_first(db, "fam_hh_address", 5, q, NULL, 0) == 1 ? LC_TX_COMMIT : LC_TX_ERROR;
}

int h_household_patch(struct lc_request *rq)
{
	json_t *address = NULL;
	bool present = false;
	const struct lc_field spec[] = {
	    LC_F_OBJECT("address", &address, .required = true, .nullable = true, .present = &present),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct address a = {0};
	if (address) {
		const struct lc_field aspec[] = {
		    LC_F_STRING("line1", 1, 200, &a.line1, .required = true, .pattern = LC_PATTERN_LINE),
		    LC_F_STRING("line2", 1, 200, &a.line2, .nullable = true, .pattern = LC_PATTERN_LINE),
		    {.name = "postcode",
		     .type = LC_J_STRING,
		     .required = true,
		     .pattern = "^[0-9]{5}$",
		     .out = &a.postcode},
		    LC_F_STRING("city", 1, 100, &a.city, .required = true, .pattern = LC_PATTERN_LINE),
		    {0},
		};
		json_t *errors = lc_json_check(address, aspec);
		if (errors) {
			size_t i;
			json_t *e;
			json_array_foreach(errors, i, e)
			{
				char field[64];
				snprintf(field, sizeof(field), "address.%s",
				         json_string_value(json_object_get(e, "field")));
				json_object_set_new(e, "field", json_string(field));
			}
			return lc_reply_problem_errors(rq, 422, "validation_failed",
			                               "The address is invalid.", errors);
		}
	}
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	a.rq = rq;
	a.hh = hh;
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), address_tx, &a);
	if (tx != LC_TX_COMMIT || lc_outcome_is_problem(&a.out))
		return lc_outcome_reply(rq, tx, &a.out);
	return reply_household(rq, hh, 200);
}

/* --- invitations --- */

struct invite {
	const char *hh, *user_id, *email, *rid;
	char token[64], id[37], created_at[32], expires_at[32];
	struct lc_outcome out;
};

static enum lc_tx_result invite_tx(struct lc_db *db, void *arg)
{
	struct invite *v = arg;
	lc_outcome_reset(&v->out);
	const char *p[] = {v->hh};
	if (fam_exec_first(db, "fam_hh_lock", 1, p, NULL, 0) != 1)
		return LC_TX_ERROR;
	PGresult *r = lc_db_exec(db, "fam_hh_counts", 1, p);
	if (!r)
		return LC_TX_ERROR;
	int accounts = atoi(PQgetvalue(r, 0, 1));
	PQclear(r);
	if (accounts >= FAM_MAX_ACCOUNTS)
		return lc_outcome_fail(&v->out, 409, "conflict",
		                       "This household already has two adults with an account.");
	char pending[16];
	if (fam_exec_first(db, "fam_inv_pending_count", 1, p, pending, sizeof(pending)) != 1)
		return LC_TX_ERROR;
	if (atoi(pending) >= 5)
		return lc_outcome_fail(&v->out, 429, "rate_limited",
		                       "Too many pending invitations; cancel one first.");
	if (!lc_random_token(v->token, sizeof(v->token), 32))
		return LC_TX_ERROR;
	char hash[65];
	lc_sha256_hex(v->token, strlen(v->token), hash);
	const char *q[] = {v->hh, v->email, hash, v->user_id};
	r = lc_db_exec(db, "fam_inv_insert", 4, q);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return LC_TX_ERROR;
	}
	snprintf(v->id, sizeof(v->id), "%s", PQgetvalue(r, 0, 0));
	snprintf(v->created_at, sizeof(v->created_at), "%s", PQgetvalue(r, 0, 1));
	snprintf(v->expires_at, sizeof(v->expires_at), "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	/* Who invites, for the message. */
	const char *u[] = {v->user_id};
	r = lc_db_exec(db, "fam_user_get", 1, u);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return LC_TX_ERROR;
	}
	char link[160], key[64];
	snprintf(link, sizeof(link), "/mon-espace-famille.html?invitation=%s", v->token);
	snprintf(key, sizeof(key), "household-invitation:%s", v->id);
	char expires_on[16];
	snprintf(expires_on, sizeof(expires_on), "%.2s/%.2s/%.4s", v->expires_at + 8, v->expires_at + 5,
	         v->expires_at);
	json_t *data =
	    json_pack("{s:s, s:s, s:s, s:s}", "inviter_given_name", PQgetvalue(r, 0, 0),
	              "inviter_family_name", PQgetvalue(r, 0, 1), "expires_on", expires_on, "link", link);
	PQclear(r);
	if (!data)
		return LC_TX_ERROR;
	/* The invited person may have an account already: they then also see it in the portal. */
	char invitee[37];
	const char *e[] = {v->email};
	int has_account = fam_exec_first(db, "fam_user_by_email", 1, e, invitee, sizeof(invitee));
	int rc = has_account < 0 ? -1
	         : has_account   ? account_notify(db, invitee, "household_invitation", data, key, link)
	                         : account_mail_to(db, v->email, "household_invitation", data, key);
	json_decref(data);
	if (rc == -2)
		return lc_outcome_fail(&v->out, 500, "internal", "The invitation template is missing.");
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_invitation_create(struct lc_request *rq)
{
	struct invite v = {.user_id = lc_rq_claims(rq)->sub, .rid = lc_rq_id(rq)};
	const struct lc_field spec[] = {
	    LC_F_EMAIL("email", &v.email, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	v.hh = hh;
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), invite_tx, &v);
	if (tx == LC_TX_COMMIT && !lc_outcome_is_problem(&v.out)) {
		snprintf(v.out.location, sizeof(v.out.location), FAM_API "/me/household/invitations/%s",
		         v.id);
		lc_outcome_ok(&v.out, 201,
		              json_pack("{s:s, s:s, s:s, s:s}", "id", v.id, "email", v.email, "created_at",
		                        v.created_at, "expires_at", v.expires_at));
	}
	return lc_outcome_reply(rq, tx, &v.out);
}

int h_invitation_list(struct lc_request *rq)
{
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	const char *p[] = {hh};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "fam_inv_list", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(items, json_pack("{s:o, s:o, s:o, s:o}", "id", fam_col(r, i, 0),
		                                       "email", fam_col(r, i, 1), "created_at",
		                                       fam_col(r, i, 2), "expires_at", fam_col(r, i, 3)));
	PQclear(r);
	return lc_reply_json(rq, 200, lc_page_body(items, NULL));
}

int h_invitation_delete(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such invitation.");
	char hh[37];
	if (!fam_my_household_or_reply(rq, hh))
		return LC_REPLIED;
	const char *p[] = {id, hh};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "fam_inv_delete", 2, p);
	if (!r)
		return lc_db_fail_reply(rq);
	bool gone = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (!gone)
		return lc_reply_problem(rq, 404, "not_found", "No such invitation.");
	return lc_reply_empty(rq, 204);
}

struct join {
	const char *user_id, *token;
	char hh[37];
	struct lc_outcome out;
};

static const char NO_INVITATION[] =
    "No pending invitation with this token for this account (it may have expired).";
static const char CANNOT_JOIN[] = "You belong to a household with other members, or that household "
                                  "is full: leave yours first.";

/* Joining from a household of one's own: brings one's documents and member entry along and
 * deletes the old household. LC_TX_COMMIT to go on, or what join_tx returns. */
static enum lc_tx_result move_in(struct lc_db *db, struct join *j, const char *old)
{
	/* One may bring one's own documents along, not other people: a household of more than
	 * oneself is left first (delete one's member entry there). */
	const char *o[] = {old};
	PGresult *r = lc_db_exec(db, "fam_hh_counts", 1, o);
	if (!r)
		return LC_TX_ERROR;
	int others = atoi(PQgetvalue(r, 0, 0)) - 1;
	PQclear(r);
	if (others > 0)
		return lc_outcome_fail(&j->out, 409, "conflict", CANNOT_JOIN);
	long long used_new = fam_db_documents_used(db, j->hh), used_old = fam_db_documents_used(db, old);
	if (used_new < 0 || used_old < 0)
		return LC_TX_ERROR;
	if (fam_quota_check((uint64_t)used_new, (uint64_t)used_old) != 0)
		return lc_outcome_fail(&j->out, 413, "payload_too_large",
		                       "Your documents would not fit in the household's vault (100 MiB).");
	const char *mv[] = {old, j->hh};
	if (fam_exec_first(db, "fam_docs_move", 2, mv, NULL, 0) < 0)
		return LC_TX_ERROR;
	const char *mm[] = {j->user_id, j->hh};
	if (fam_exec_first(db, "fam_member_move", 2, mm, NULL, 0) < 0 ||
	    fam_exec_first(db, "fam_hh_delete", 1, o, NULL, 0) < 0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

static enum lc_tx_result join_tx(struct lc_db *db, void *arg)
{
	struct join *j = arg;
	lc_outcome_reset(&j->out);
	char hash[65];
	lc_sha256_hex(j->token, strlen(j->token), hash);
	const char *p[] = {hash};
	PGresult *r = lc_db_exec(db, "fam_inv_by_token", 1, p);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_outcome_fail(&j->out, 404, "not_found", NO_INVITATION);
	}
	char inv[37], email[256];
	snprintf(inv, sizeof(inv), "%s", PQgetvalue(r, 0, 0));
	snprintf(j->hh, sizeof(j->hh), "%s", PQgetvalue(r, 0, 1));
	snprintf(email, sizeof(email), "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	/* The link was sent to one address: only the account with that address may use it. */
	const char *u[] = {j->user_id};
	r = lc_db_exec(db, "fam_user_get", 1, u);
	if (!r)
		return LC_TX_ERROR;
	bool same = PQntuples(r) == 1 && strcasecmp(PQgetvalue(r, 0, 2), email) == 0;
	PQclear(r);
	if (!same)
		return lc_outcome_fail(&j->out, 404, "not_found", NO_INVITATION);
	const char *h[] = {j->hh};
	if (fam_exec_first(db, "fam_hh_lock", 1, h, NULL, 0) != 1)
		return LC_TX_ERROR;
	r = lc_db_exec(db, "fam_hh_counts", 1, h);
	if (!r)
		return LC_TX_ERROR;
	int accounts = atoi(PQgetvalue(r, 0, 1)), members = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	char old[37];
	int had = fam_exec_first(db, "fam_hh_of_user", 1, u, old, sizeof(old));
	if (had < 0)
		return LC_TX_ERROR;
	if (had && strcmp(old, j->hh) == 0) { /* already in: accepting twice is harmless */
		const char *a[] = {inv, j->user_id};
		return fam_exec_first(db, "fam_inv_accept", 2, a, NULL, 0) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
	}
	if (accounts >= FAM_MAX_ACCOUNTS || members >= FAM_MAX_MEMBERS)
		return lc_outcome_fail(&j->out, 409, "conflict", CANNOT_JOIN);
	if (had) {
		enum lc_tx_result moved = move_in(db, j, old);
		if (moved != LC_TX_COMMIT)
			return moved;
	} else {
		const char *q[] = {j->hh, j->user_id};
		if (fam_exec_first(db, "fam_member_insert_self", 2, q, NULL, 0) != 1)
			return LC_TX_ERROR;
	}
	const char *a[] = {inv, j->user_id};
	if (fam_exec_first(db, "fam_inv_accept", 2, a, NULL, 0) < 0 ||
	    fam_exec_first(db, "fam_hh_bump", 1, h, NULL, 0) < 0)
		return LC_TX_ERROR;
	return LC_TX_COMMIT;
}

int h_invitation_accept(struct lc_request *rq)
{
	struct join j = {.user_id = lc_rq_claims(rq)->sub};
	const struct lc_field spec[] = {
	    LC_F_STRING("token", 16, 128, &j.token, .required = true, .pattern = "^[A-Za-z0-9_-]+$"),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!lc_json_is_uuid(j.user_id))
		return lc_reply_problem(rq, 404, "not_found", "No such invitation.");
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), join_tx, &j);
	if (tx != LC_TX_COMMIT || lc_outcome_is_problem(&j.out))
		return lc_outcome_reply(rq, tx, &j.out);
	return reply_household(rq, j.hh, 200);
}

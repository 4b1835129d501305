/* h_admin.c — administrators' screens: the people of the portal with their role and services
 * (list, create an agent account, change role, services, disable), and the audit trail that
 * every service feeds (GET /admin/audit). The audit sink of this process writes here too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/cell_json.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "account.h"
#include "notify.h"

static const char *const roles[] = {"citizen", "partner", "agent", "editor", "admin", NULL};

int account_audit_sink(struct lc_db *db, const json_t *e)
{
	const char *actor = json_string_value(json_object_get(e, "actor_id"));
	json_t *details = json_object_get(e, "details");
	char *d = json_dumps(json_is_object(details) ? details : json_object(), JSON_COMPACT);
	if (!d)
		return -1;
	const char *p[] = {json_string_value(json_object_get(e, "at")),
	                   json_string_value(json_object_get(e, "service")) ?: "unknown",
	                   actor && lc_json_is_uuid(actor) ? actor : NULL,
	                   json_string_value(json_object_get(e, "actor_role")),
	                   json_string_value(json_object_get(e, "action")) ?: "unknown",
	                   json_string_value(json_object_get(e, "target_type")),
	                   json_string_value(json_object_get(e, "target_id")),
	                   json_string_value(json_object_get(e, "ip")),
	                   json_string_value(json_object_get(e, "request_id")),
	                   d};
	int rc = lc_db_run(db, "audit_insert", 10, p);
	free(d);
	return rc == 1 ? 0 : -1;
}

/* --- the admins' lists, written from binary rows (cell_json.h) --- */

/* The next page's cursor when the statement found more than a page ({"t", "id"} of the page's
 * last row, text columns), encoded; NULL when this page is the last (or out of memory). */
static char *next_cursor(const PGresult *r, int limit, int tcol, int idcol)
{
	json_t *c = page_next(r, limit, tcol, idcol);
	if (!c)
		return NULL;
	char *enc = lc_cursor_encode(c);
	json_decref(c);
	return enc;
}

/* The page of a list statement's rows, each item written by item from the binary row. */
static int reply_page(struct lc_request *rq, PGresult *r, int limit, lc_db_item_fn *item, int tcol, int idcol)
{
	char *next = next_cursor(r, limit, tcol, idcol);
	int rc = lc_reply_items(rq, r, limit, item, NULL, next);
	free(next);
	return rc;
}

/* The list statements' columns (db_identity.c, USERS_LIST_COLUMNS): USER_COLUMNS' order, then
 * the cursor's time and id as text. */
enum { ADMIN_UC_CURSOR_T = UC_N, ADMIN_UC_CURSOR_ID };

/* A User object as user_json(…, true) builds it, with its etag. */
static const struct lc_json_key user_keys[] = {
    {"{\"id\": ", UC_ID},
    {", \"email\": ", UC_EMAIL},
    {", \"given_name\": ", UC_GIVEN},
    {", \"family_name\": ", UC_FAMILY},
    {", \"phone\": ", UC_PHONE},
    {", \"role\": ", UC_ROLE},
    {", \"services\": ", UC_SERVICES},
    {", \"household_id\": ", UC_HOUSEHOLD},
    {", \"email_verified\": ", UC_VERIFIED},
    {", \"notify_email\": ", UC_NOTIFY_EMAIL},
    {", \"notify_portal\": ", UC_NOTIFY_PORTAL},
    {", \"totp_enabled\": ", UC_TOTP},
    {", \"disabled\": ", UC_DISABLED},
    {", \"created_at\": ", UC_CREATED},
    {", \"etag\": ", UC_ETAG},
    {"}", LC_JSON_NONE},
};

static bool user_item(struct lc_buf *b, const PGresult *r, int row, void *arg)
{
	(void)arg;
	return lc_json_write_keys(b, r, row, user_keys, sizeof(user_keys) / sizeof(user_keys[0]), NULL, NULL);
}

int h_admin_users_list(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	struct lc_page pg;
	const char *t, *id;
	if (!page_keyset_or_reply(rq, &pg, &t, &id))
		return LC_REPLIED;
	const char *role = lc_rq_query(rq, "role"), *q = lc_rq_query(rq, "q");
	if (role && *role) {
		bool known = false;
		for (int i = 0; roles[i]; i++)
			known |= strcmp(roles[i], role) == 0;
		if (!known)
			return reply_field_error(rq, "role", "not_allowed", "Unknown role.");
	} else {
		role = NULL;
	}
	if (q && (!*q || strlen(q) > 100))
		q = NULL;
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", pg.limit + 1);
	/* The first page starts above every account: the index range is then the same on any page. */
	const char *p[] = {role, t ? t : "infinity", id ? id : "ffffffff-ffff-ffff-ffff-ffffffffffff", lim,
	                   q};
	/* One statement per shape (db_identity.c says why). */
	const char *stmt = q ? (role ? "admin_users_q_role" : "admin_users_q")
	                     : (role ? "admin_users_role" : "admin_users_list");
	/* Under the generic plan: PostgreSQL kept planning these statements anew on each call (the
	 * q= ones ~0.35 ms, more than their execution at the fixture; the plain list ~0.05 ms, as
	 * much as its execution), and their generic plan is as good for every term and role (the
	 * EXPLAIN test checks it). No q: $5 is not in the text. */
	const unsigned flags = LC_DB_GENERIC | LC_DB_BINARY;
	PGresult *r = lc_db_exec_with(lc_rq_db(rq), stmt, q ? 5 : 4, p, flags);
	/* q=: the walk of the head of the list found less than a page and what follows (USERS_Q):
	 * the term is rare, or the list ends there; the second statement answers exactly. */
	if (r && q && PQntuples(r) <= pg.limit) {
		PQclear(r);
		r = lc_db_exec_with(lc_rq_db(rq), role ? "admin_users_q_rare_role" : "admin_users_q_rare", 5,
		                    p, flags);
	}
	if (!r)
		return lc_db_fail_reply(rq);
	return reply_page(rq, r, pg.limit, user_item, ADMIN_UC_CURSOR_T, ADMIN_UC_CURSOR_ID);
}

/* --- POST /admin/users --- */

struct create {
	struct lc_request *rq;
	const char *email, *given, *family, *phone, *role;
	char *services;
	PGresult *row;
	bool exists;
};

static enum lc_tx_result create_tx(struct lc_db *db, void *arg)
{
	struct create *c = arg;
	PQclear(c->row);
	c->row = NULL;
	const char *e[] = {c->email};
	PGresult *r = lc_db_exec(db, "user_by_email", 1, e);
	if (!r)
		return LC_TX_ERROR;
	c->exists = PQntuples(r) > 0;
	PQclear(r);
	if (c->exists)
		return LC_TX_ROLLBACK;
	const char *p[] = {c->email, c->given, c->family, c->phone, c->role, c->services};
	c->row = lc_db_exec(db, "admin_user_insert", 6, p);
	if (!c->row || PQntuples(c->row) != 1)
		return LC_TX_ERROR;
	const char *id = PQgetvalue(c->row, 0, UC_ID);
	/* The new person chooses a password through a link valid three days. */
	char token[48], hash[65], link[120];
	const char *q[] = {hash, id, "reset", NULL, "259200"};
	if (!tokens_random(token, hash) || lc_db_run(db, "email_token_insert", 5, q) != 1)
		return LC_TX_ERROR;
	snprintf(link, sizeof(link), "/reinitialisation.html?token=%s", token);
	json_t *d = json_pack("{s:s, s:s, s:s}", "given_name", c->given, "link", link, "role", c->role);
	int rc = account_mail_to(db, c->email, "account_created", d, NULL);
	json_decref(d);
	if (rc < 0)
		return LC_TX_ERROR;
	d = json_pack("{s:s, s:s}", "role", c->role, "services", c->services);
	rc = lc_audit(db, c->rq, "user.create", "user", id, d);
	json_decref(d);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_admin_user_create(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	struct create c = {.rq = rq};
	json_t *services = NULL;
	const struct lc_field spec[] = {
	    LC_F_EMAIL("email", &c.email, .required = true),
	    ACCOUNT_NAME_FIELD("given_name", true, NULL, &c.given, NULL),
	    ACCOUNT_NAME_FIELD("family_name", true, NULL, &c.family, NULL),
	    ACCOUNT_PHONE_FIELD(&c.phone, NULL),
	    LC_F_ENUM("role", roles, &c.role, .required = true),
	    LC_F_ARRAY("services", 0, LC_MAX_SERVICES, &services),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	json_t *empty = json_array();
	c.services = pg_array_literal(services ? services : empty);
	json_decref(empty);
	if (!c.services)
		return reply_field_error(rq, "services", "invalid_format",
		                         "Services are short lower-case names.");
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), create_tx, &c);
	free(c.services);
	if (tx == LC_TX_ROLLBACK ||
	    (tx == LC_TX_ERROR && strcmp(lc_db_sqlstate(lc_rq_db(rq)), "23505") == 0)) {
		PQclear(c.row);
		return lc_reply_problem(rq, 409, "conflict", "An account already uses this e-mail address.");
	}
	if (tx != LC_TX_COMMIT) {
		PQclear(c.row);
		return lc_db_fail_reply(rq);
	}
	char loc[160];
	snprintf(loc, sizeof(loc), API "/admin/users/%s", PQgetvalue(c.row, 0, UC_ID));
	lc_rq_add_header(rq, "Location", loc);
	lc_rq_add_header(rq, "ETag", PQgetvalue(c.row, 0, UC_ETAG));
	json_t *u = user_json(c.row, 0, true);
	PQclear(c.row);
	return lc_reply_json(rq, 201, u);
}

/* --- PATCH /admin/users/{id} --- */

struct patch {
	struct lc_request *rq;
	struct lc_outcome out;
	const char *id, *role;
	char *services;
	bool has_disabled, disabled;
};

/* The audit of a change of rights: role, services and disabled, before and after. */
static int audit_rights(struct lc_db *db, const struct patch *m, const PGresult *before,
                        const PGresult *after)
{
	json_t *d = json_pack(
	    "{s:{s:s, s:o, s:b}, s:{s:s, s:o, s:b}}", "before", "role", PQgetvalue(before, 0, UC_ROLE),
	    "services", pg_text_array(PQgetvalue(before, 0, UC_SERVICES)), "disabled",
	    PQgetvalue(before, 0, UC_DISABLED)[0] == 't', "after", "role", PQgetvalue(after, 0, UC_ROLE),
	    "services", pg_text_array(PQgetvalue(after, 0, UC_SERVICES)), "disabled",
	    PQgetvalue(after, 0, UC_DISABLED)[0] == 't');
	const char *action = m->has_disabled && !m->role && !m->services
	                         ? (m->disabled ? "user.disable" : "user.enable")
	                         : "user.role_change";
	int rc = lc_audit(db, m->rq, action, "user", m->id, d);
	json_decref(d);
	return rc;
}

/* A disabled account, or one whose role or services changed, has its sessions ended: its access
 * tokens still carry the old rights until they expire, and ending the session puts them on the
 * revocation list every daemon checks (within seconds). The person signs in again and gets a
 * token with the new rights. False when the statement failed. */
static bool end_sessions_if_rights_changed(struct lc_db *db, const struct patch *m, const PGresult *before,
                                           const PGresult *after)
{
	const char *why = NULL;
	if (m->has_disabled && m->disabled)
		why = "account_disabled";
	else if (strcmp(PQgetvalue(before, 0, UC_ROLE), PQgetvalue(after, 0, UC_ROLE)) != 0 ||
	         strcmp(PQgetvalue(before, 0, UC_SERVICES), PQgetvalue(after, 0, UC_SERVICES)) != 0)
		why = "rights_changed";
	const char *q[] = {m->id, why, NULL};
	return !why || lc_db_run(db, "sessions_revoke_user", 3, q) >= 0;
}

static enum lc_tx_result patch_tx(struct lc_db *db, void *arg)
{
	struct patch *m = arg;
	lc_outcome_reset(&m->out);
	enum lc_tx_result stop;
	PGresult *before = user_lock(db, m->rq, m->id, "No such user.", &m->out, &stop);
	if (!before)
		return stop;
	/* An administrator cannot lock themselves out. */
	if (strcmp(m->id, lc_rq_claims(m->rq)->sub) == 0 &&
	    ((m->role && strcmp(m->role, "admin") != 0) || (m->has_disabled && m->disabled))) {
		PQclear(before);
		return lc_outcome_fail(&m->out, 409, "conflict",
		                       "You cannot remove your own administrator rights.");
	}
	const char *p[] = {m->id, PQgetvalue(before, 0, UC_ETAG), m->role, m->services,
	                   m->has_disabled ? (m->disabled ? "t" : "f") : NULL};
	PGresult *r = lc_db_exec(db, "admin_user_patch", 5, p);
	bool ok = r && PQntuples(r) == 1 && end_sessions_if_rights_changed(db, m, before, r) &&
	          audit_rights(db, m, before, r) >= 0;
	PQclear(before);
	if (!ok) {
		PQclear(r);
		return LC_TX_ERROR;
	}
	return user_updated(&m->out, r);
}

int h_admin_user_patch(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	struct patch m = {.rq = rq, .id = lc_rq_param(rq, "id")};
	json_t *services = NULL;
	const struct lc_field spec[] = {
	    LC_F_ENUM("role", roles, &m.role),
	    LC_F_ARRAY("services", 0, LC_MAX_SERVICES, &services),
	    LC_F_BOOL("disabled", &m.disabled, .present = &m.has_disabled),
	    {0},
	};
	if (!lc_json_is_uuid(m.id))
		return lc_reply_problem(rq, 404, "not_found", "No such user.");
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (services && !(m.services = pg_array_literal(services)))
		return reply_field_error(rq, "services", "invalid_format",
		                         "Services are short lower-case names.");
	int rc = lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), patch_tx, &m), &m.out);
	free(m.services);
	return rc;
}

/* --- GET /admin/audit --- */

/* The audit statements' columns (db_identity.c, AUDIT_COLUMNS). */
enum {
	AC_ID,
	AC_AT,
	AC_SERVICE,
	AC_ACTOR_ID,
	AC_ACTOR_ROLE,
	AC_ACTION,
	AC_TARGET_TYPE,
	AC_TARGET_ID,
	AC_IP,
	AC_REQUEST_ID,
	AC_DETAILS,
	AC_CURSOR_T,
	AC_ACTOR_EMAIL,
	AC_CURSOR_ID,
};

static const struct lc_json_key audit_keys[] = {
    {"{\"id\": ", AC_ID},
    {", \"at\": ", AC_AT},
    {", \"service\": ", AC_SERVICE},
    {", \"actor_id\": ", AC_ACTOR_ID},
    {", \"actor_email\": ", AC_ACTOR_EMAIL},
    {", \"actor_role\": ", AC_ACTOR_ROLE},
    {", \"action\": ", AC_ACTION},
    {", \"target_type\": ", AC_TARGET_TYPE},
    {", \"target_id\": ", AC_TARGET_ID},
    {", \"ip\": ", AC_IP},
    {", \"request_id\": ", AC_REQUEST_ID},
    {", \"details\": ", AC_DETAILS},
    {"}", LC_JSON_NONE},
};

static bool audit_item(struct lc_buf *b, const PGresult *r, int row, void *arg)
{
	(void)arg;
	return lc_json_write_keys(b, r, row, audit_keys, sizeof(audit_keys) / sizeof(audit_keys[0]), NULL,
	                          NULL);
}

int h_admin_audit(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "admin"))
		return LC_REPLIED;
	struct lc_page pg;
	const char *t, *id;
	if (!page_keyset_or_reply(rq, &pg, &t, &id))
		return LC_REPLIED;
	const char *actor = lc_rq_query(rq, "actor"), *action = lc_rq_query(rq, "action");
	const char *from = lc_rq_query(rq, "from"), *to = lc_rq_query(rq, "to");
	actor = actor && *actor ? actor : NULL;
	action = action && *action ? action : NULL;
	from = from && *from ? from : NULL;
	to = to && *to ? to : NULL;
	if (actor && strlen(actor) > 254)
		return reply_field_error(rq, "actor", "out_of_range", "Too long.");
	if (action && strlen(action) > 100)
		return reply_field_error(rq, "action", "out_of_range", "Too long.");
	if (from && !lc_json_is_timestamp(from) && !lc_json_is_date(from))
		return reply_field_error(rq, "from", "invalid_format", "An RFC 3339 timestamp or a date.");
	if (to && !lc_json_is_timestamp(to) && !lc_json_is_date(to))
		return reply_field_error(rq, "to", "invalid_format", "An RFC 3339 timestamp or a date.");
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", pg.limit + 1);
	/* The first page starts above every row; one statement per filter (db_identity.c says why). */
	const char *p[] = {
	    actor, t ? t : "infinity", id ? id : "ffffffff-ffff-ffff-ffff-ffffffffffff", lim, action, from,
	    to};
	const char *stmt = actor    ? (action ? "audit_actor_action" : "audit_actor")
	                   : action ? "audit_action"
	                            : "audit_list";
	PGresult *r = lc_db_exec_with(lc_rq_db(rq), stmt, 7, p, LC_DB_BINARY);
	if (!r)
		return lc_db_fail_reply(rq);
	return reply_page(rq, r, pg.limit, audit_item, AC_CURSOR_T, AC_CURSOR_ID);
}

/* db_identity.c — the SQL of the identity side of civitas-account: users, one-time tokens,
 * sessions and refresh tokens, notifications, the audit trail. Every statement is prepared on
 * each connection; parameters are text ($n) and cast here. */
#include <stddef.h>

#include "account.h"

/* Keyset paging on (created_at, id) newest first: $2 the cursor time (NULL on the first page),
 * $3 its id, $4 the limit + 1. */
#define PAGE_AFTER(t, id) " AND ($2::timestamptz IS NULL OR (" t ", " id ") < ($2::timestamptz, $3::uuid))"

/* --- the admins' list of accounts (issue 11) --- */
/* Read in binary (h_admin.c writes the items, cell_json.h): USER_COLUMNS' values as plain
 * columns in the same order (created_at, household_id as they are), then the cursor's time and id
 * as text (ADMIN_UC_CURSOR_T, ADMIN_UC_CURSOR_ID). */
#define USERS_LIST_COLUMNS(u)                                                                                \
	u "id, " u "email, " u "given_name, " u "family_name, " u "phone, " u "role, " u "services, " u      \
	  "household_id, " u "email_verified_at IS NOT NULL, " u "notify_email, " u "notify_portal, " u      \
	  "totp_enabled_at IS NOT NULL, " u "created_at, " u "disabled_at IS NOT NULL, '\"' || md5(" u       \
	  "updated_at::text) || '\"', " u "created_at::text, " u "id::text"
#define USERS_ALL        "$1::text IS NULL"
#define USERS_ROLE       "role = $1"
#define USERS_LIVE(role) " erased_at IS NULL AND " role " AND (created_at, id) < ($2::timestamptz, $3::uuid)"
#define USERS_ORDER      " ORDER BY created_at DESC, id DESC"
#define USERS_PAGE(role)                                                                                     \
	"SELECT " USERS_LIST_COLUMNS("") " FROM users WHERE" USERS_LIVE(                                     \
	    role) " ORDER BY users.created_at DESC, users.id DESC LIMIT $4::int" /* not the text column of   \
	                                                                            the list */
/* q= is a substring of e-mail and names (LIKE with its wildcards escaped, computed once: a
 * subquery, run once as an InitPlan) of the stored search_text (0195_users_search_text.sql:
 * lower(email || ' ' || given_name || ' ' || family_name)). Neither index alone fits every term:
 * the trigram index finds a rare term's few rows but gives them unordered, so a common one
 * ("martin": 3,340 of 50,000) would be fetched and sorted whole; the walk of the list's order
 * finds a common term's page in a few hundred rows but would read the whole table for a term that
 * matches nobody. So two statements, the second only when the first falls short (h_admin.c):
 * USERS_Q walks at most the first USERS_HEAD accounts in order (the list's index alone, which
 * INCLUDEs search_text — no read of the accounts but the page's) and keeps the first $4 matches:
 * when it finds $4, they are the answer. Otherwise the term is rare (< $4 in USERS_HEAD, so about
 * ≤ $4/USERS_HEAD of the table) or the list ends within the head, and USERS_Q_RARE answers
 * exactly: the matches from the trigram index, then sorted (a fence, OFFSET 0, keeps the planner
 * from turning that branch into a walk). The balance point of both costs is
 * USERS_HEAD ≈ √(page × accounts): 1,000 for 50,000 accounts. A term under three characters has
 * no trigram: the index would read all of itself, so that case walks the order to the end. (One
 * statement with both, chosen inside by CTEs, cost PostgreSQL twice the CPU of the walk alone.) */
#define USERS_HEAD "1000"
#define USERS_PATTERN                                                                                        \
	"(SELECT '%' || replace(replace(replace(lower($5), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')"
#define USERS_SEARCH "search_text LIKE " USERS_PATTERN
/* f keeps the walk's order (its ORDER BY is the index's, no sort) and the page is read in it by
 * the join: the outer ORDER BY, on f's columns, needs no Sort either. */
#define USERS_Q(role)                                                                                        \
	"SELECT " USERS_LIST_COLUMNS("u.") " FROM (SELECT id, created_at FROM (SELECT id, created_at,"       \
	                                   " search_text FROM users WHERE" USERS_LIVE(role) USERS_ORDER      \
	    " LIMIT " USERS_HEAD ") h WHERE " USERS_SEARCH USERS_ORDER                                       \
	    " LIMIT $4::int) f JOIN users u ON u.id = f.id"                                                  \
	    " ORDER BY f.created_at DESC, f.id DESC"
#define USERS_Q_RARE(role)                                                                                   \
	"SELECT " USERS_LIST_COLUMNS(                                                                        \
	    "x.") " FROM ((SELECT * FROM (SELECT u.* FROM users u WHERE"                                     \
	          " length($5) >= 3 AND erased_at IS NULL AND " role " AND " USERS_SEARCH " OFFSET 0) g"     \
	          " WHERE (created_at, id) < ($2::timestamptz, $3::uuid)" USERS_ORDER " LIMIT $4::int)"      \
	          " UNION ALL (SELECT u.* FROM users u WHERE length($5) < 3 AND" USERS_LIVE(                 \
	              role) " AND " USERS_SEARCH USERS_ORDER                                                 \
	                    " LIMIT $4::int)) x ORDER BY x.created_at DESC, x.id DESC"

/* --- the audit trail (issue 11) --- */
/* Read in binary (h_admin.c writes the items, cell_json.h); the cursor's time and id as text. */
#define AUDIT_COLUMNS                                                                                        \
	"a.id, a.at, a.service, a.actor_id, a.actor_role, a.action, a.target_type, a.target_id, a.ip,"       \
	" a.request_id, a.details, a.at::text, (SELECT email FROM users u WHERE u.id = a.actor_id),"         \
	" a.id::text"
/* Keyset on (at, id) and the period: with the cursor always passed (infinity on the first page)
 * and the open ends of the period as ±infinity, all are bounds of the index range in any plan.
 * The end of the period, when before the cursor, is the cursor (to, the smallest id): the index
 * scan starts from one row bound only, so it starts there and not at the cursor. */
#define AUDIT_RANGE                                                                                          \
	" (a.at, a.id) < (least($2::timestamptz, coalesce($7::timestamptz, 'infinity')), CASE WHEN"          \
	" $7::timestamptz <= $2::timestamptz THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE "        \
	"$3::uuid END)"                                                                                      \
	" AND a.at >= coalesce($6::timestamptz, '-infinity') AND a.at < coalesce($7::timestamptz, "          \
	"'infinity')"
#define AUDIT_ORDER " ORDER BY a.at DESC, a.id DESC LIMIT $4::int"
/* The actor is an id or a live account's e-mail, found before the walk of its index; the order
 * names actor_id (one value) so that no plan prefers the walk of the whole trail by date. With
 * and without an action: a filter of unknown selectivity would make a generic plan expect a long
 * walk and sort the actor's whole history instead. */
#define AUDIT_ACTOR(action)                                                                                  \
	"SELECT " AUDIT_COLUMNS " FROM audit a WHERE a.actor_id = (SELECT coalesce(CASE WHEN $1 ~"           \
	" '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN $1::uuid END,"               \
	" (SELECT id FROM users WHERE lower(email) = lower($1) AND erased_at IS NULL))) AND" AUDIT_RANGE     \
	" AND " action " ORDER BY a.actor_id, a.at DESC, a.id DESC LIMIT $4::int"
/* action= names an action or its family ("request" is request.status, request.assign…). */
#define AUDIT_FAMILY "(a.action = $5 OR starts_with(a.action, $5 || '.'))"
/* The family's actions, one probe each of the action index in "C" order, where the family of x
 * lies between x and "x/" (with neighbours such as "x-y", skipped): each then gives its newest
 * page from the same index and the pages are merged — a rare action costs what a common one
 * does, with no walk of the trail. The values come from the probes, never from $5 itself: given
 * a constant, the planner estimates it from the statistics and may walk the whole trail by date. */
#define AUDIT_IN_FAMILY(from) "action COLLATE \"C\" " from " AND action COLLATE \"C\" < $5 || '/'"
/* Within one action the order (action, at DESC, id DESC) is the list's order; written as a range
 * of one value, not "=", it stays in the ORDER BY, which only audit_action then fits (with "=" a
 * plan may walk audit_at by date and drop the other actions: 200,000 rows in the EXPLAIN test). */
#define AUDIT_FAMILY_PAGES                                                                                   \
	"WITH RECURSIVE fam(act) AS (SELECT min(action COLLATE \"C\") FROM audit WHERE " AUDIT_IN_FAMILY(    \
	    ">= $5") " UNION ALL SELECT (SELECT min(action COLLATE \"C\") FROM audit "                       \
	             "WHERE " AUDIT_IN_FAMILY("> fam.act") ")"                                               \
	                                                   " FROM fam WHERE fam.act IS NOT NULL)"            \
	                                                   " SELECT " AUDIT_COLUMNS                          \
	                                                   " FROM fam f CROSS JOIN LATERAL (SELECT * FROM "  \
	                                                   "audit a"                                         \
	                                                   " WHERE a.action COLLATE \"C\" >= f.act AND "     \
	                                                   "a.action COLLATE \"C\" <= f.act AND" AUDIT_RANGE \
	                                                   " ORDER BY a.action COLLATE \"C\", a.at DESC, "   \
	                                                   "a.id DESC LIMIT $4::int) a"                      \
	                                                   " WHERE $1::text IS NULL AND (f.act = $5 OR "     \
	                                                   "starts_with(f.act, $5 || '.'))" AUDIT_ORDER

/* --- sign-in: the reservation of an attempt (lockout.c), on users --- */
#define LOGIN_RESERVE                                                                                        \
	"failed_logins = CASE WHEN users.failed_logins + 1 >= $2::int THEN 0"                                \
	" ELSE users.failed_logins + 1 END,"                                                                 \
	" lock_level = CASE WHEN users.failed_logins + 1 >= $2::int THEN users.lock_level + 1"               \
	" ELSE users.lock_level END,"                                                                        \
	" locked_until = CASE WHEN users.failed_logins + 1 >= $2::int THEN now() + ($3::int[])"              \
	"[least(users.lock_level + 1, cardinality($3::int[]))] * interval '1 minute'"                        \
	" ELSE users.locked_until END"
#define LOGIN_UNLOCKED "(users.locked_until IS NULL OR users.locked_until <= now())"
#define LOGIN_RESERVED                                                                                       \
	"users.failed_logins = 0 AND users.locked_until > now() AS locks, users.lock_level,"                 \
	" users.failed_logins"

const struct lc_sql identity_sql[] = {
    /* users */
    {"user_by_id", "SELECT " USER_COLUMNS " FROM users WHERE id = $1::uuid AND erased_at IS NULL"},
    {"user_lock", "SELECT " USER_COLUMNS " FROM users WHERE id = $1::uuid AND erased_at IS NULL FOR UPDATE"},
    {"user_by_email",
     "SELECT " USER_COLUMNS " FROM users WHERE lower(email) = lower($1) AND erased_at IS NULL"},
    /* One attempt reserved before hashing ($2 the limit, $3 the lock schedule in minutes): the
     * attempt that reaches the limit locks the account in the same statement. No row: locked. */
    {"login_reserve", "UPDATE users SET " LOGIN_RESERVE " WHERE id = $1::uuid AND " LOGIN_UNLOCKED
                      " RETURNING " LOGIN_RESERVED},
    /* A sign-in's account and its attempt's reservation in one round trip (login_reserve on the
     * row found; it waits for and rechecks a concurrent attempt's update as login_reserve alone
     * does): the account's columns and secrets, the seconds of a lock seen at the start, then
     * reserved (false: locked, nothing to check; lock_level is never NULL in a row of r), locks,
     * level, in a row. No row: no such account. */
    {"login_user",
     "WITH u AS (SELECT " USER_COLUMNS ", password_hash, totp_secret, totp_last_step, totp_enrol_required,"
     " ceil(extract(epoch FROM locked_until - now()))::bigint AS lock_left"
     " FROM users WHERE lower(email) = lower($1) AND erased_at IS NULL),"
     " r AS (UPDATE users SET " LOGIN_RESERVE " FROM u WHERE users.id = u.id AND " LOGIN_UNLOCKED
     " RETURNING " LOGIN_RESERVED ")"
     " SELECT u.*, r.lock_level IS NOT NULL, r.locks, r.lock_level, r.failed_logins"
     " FROM u LEFT JOIN r ON true"},
    {"login_lock_left", "SELECT ceil(extract(epoch FROM locked_until - now()))::bigint FROM users"
                        " WHERE id = $1::uuid AND locked_until > now()"},
    /* $2: the reservation had locked ($3 = the count before it); else one failure less. */
    {"login_release",
     "UPDATE users SET failed_logins = CASE WHEN $2::boolean THEN $3::int"
     " ELSE greatest(failed_logins - 1, 0) END,"
     " lock_level = CASE WHEN $2::boolean THEN greatest(lock_level - 1, 0) ELSE lock_level END,"
     " locked_until = CASE WHEN $2::boolean THEN NULL ELSE locked_until END WHERE id = $1::uuid"},
    /* A TOTP step is spent once: 0 rows when it (or a later one) was already used. */
    {"totp_claim",
     "UPDATE users SET totp_last_step = $2::bigint WHERE id = $1::uuid AND totp_last_step < $2::bigint"},
    {"user_auth_by_id", "SELECT " USER_COLUMNS ", password_hash, totp_secret, totp_pending, totp_last_step"
                        " FROM users WHERE id = $1::uuid AND erased_at IS NULL FOR UPDATE"},
    {"user_secrets_by_id", "SELECT " USER_COLUMNS ", password_hash, totp_secret"
                           " FROM users WHERE id = $1::uuid AND erased_at IS NULL"},
    {"user_insert", "INSERT INTO users (email, password_hash, given_name, family_name, phone)"
                    " VALUES ($1, $2, $3, $4, $5) RETURNING id"},
    {"login_clear",
     "UPDATE users SET failed_logins = 0, lock_level = 0, locked_until = NULL WHERE id = $1::uuid"},
    {"user_verify",
     "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()"
     " WHERE id = $1::uuid AND erased_at IS NULL"},
    {"user_email_change", "UPDATE users SET email = $2, email_verified_at = now(), updated_at = now()"
                          " WHERE id = $1::uuid AND erased_at IS NULL"},
    {"user_set_password",
     "UPDATE users SET password_hash = $2, updated_at = now(), failed_logins = 0, lock_level = 0,"
     " locked_until = NULL WHERE id = $1::uuid AND erased_at IS NULL"},
    {"me_patch",
     "UPDATE users SET given_name = coalesce($3, given_name), family_name = coalesce($4, family_name),"
     " phone = CASE WHEN $5::boolean THEN $6 ELSE phone END,"
     " notify_email = coalesce($7::boolean, notify_email), notify_portal = coalesce($8::boolean, "
     "notify_portal),"
     " updated_at = now() WHERE id = $1::uuid AND erased_at IS NULL AND '\"' || md5(updated_at::text) || "
     "'\"' = $2"
     " RETURNING " USER_COLUMNS},
    /* one-time tokens */
    {"email_token_insert", "INSERT INTO email_tokens (token_hash, user_id, purpose, new_email, expires_at)"
                           " VALUES ($1, $2::uuid, $3, $4, now() + $5::int * interval '1 second')"},
    {"email_token_take", "UPDATE email_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = $2"
                         " AND used_at IS NULL AND expires_at > now() RETURNING user_id, new_email"},
    {"email_tokens_void", "UPDATE email_tokens SET used_at = now() WHERE user_id = $1::uuid AND purpose = $2"
                          " AND used_at IS NULL"},
    {"enrol_token_check", "SELECT user_id FROM email_tokens WHERE token_hash = $1 AND purpose = 'totp_enrol'"
                          " AND used_at IS NULL AND expires_at > now()"},
    /* sessions */
    /* A sign-in's session in one round trip: the account's failures cleared and its last sign-in
     * stamped, the session ($2 ip, $3 user agent), its first refresh token ($4 its hash). */
    {"login_session",
     "WITH ok AS (UPDATE users SET failed_logins = 0, lock_level = 0, locked_until = NULL,"
     " last_login_at = now() WHERE id = $1::uuid RETURNING id),"
     " s AS (INSERT INTO sessions (user_id, ip, user_agent) SELECT id, $2, $3 FROM ok RETURNING id)"
     " INSERT INTO refresh_tokens (token_hash, session_id) SELECT $4, id FROM s RETURNING session_id"},
    {"refresh_insert", "INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2::uuid)"},
    {"refresh_find",
     "SELECT rt.used_at IS NOT NULL, s.id, s.user_id, s.revoked_at IS NOT NULL OR s.expires_at <= now(),"
     /* clock_timestamp(), not now(): now() is when this transaction began, which can be before
      * the concurrent refresh that spent the token (and that we waited for) — a negative age. */
     " extract(epoch FROM clock_timestamp() - rt.used_at)"
     " FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id WHERE rt.token_hash = $1"
     " FOR UPDATE OF rt, s"},
    {"refresh_unused", "SELECT 1 FROM refresh_tokens WHERE token_hash = $1 AND session_id = $2::uuid"
                       " AND used_at IS NULL"},
    {"refresh_spend", "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1"},
    {"session_touch", "UPDATE sessions SET last_used_at = now() WHERE id = $1::uuid"},
    {"session_revoke", "UPDATE sessions SET revoked_at = now(), revoked_why = $2 WHERE id = $1::uuid"
                       " AND revoked_at IS NULL"},
    {"session_revoke_own", "UPDATE sessions SET revoked_at = now(), revoked_why = 'ended' WHERE id = $1::uuid"
                           " AND user_id = $2::uuid AND revoked_at IS NULL AND expires_at > now()"},
    {"sessions_revoke_user",
     "UPDATE sessions SET revoked_at = now(), revoked_why = $2 WHERE user_id = $1::uuid"
     " AND revoked_at IS NULL AND id IS DISTINCT FROM $3::uuid"},
    {"revocations_recent", "SELECT session_id::text FROM session_revocations WHERE revoked_at > now()"
                           " - make_interval(secs => $1::int) ORDER BY revoked_at DESC LIMIT 100000"},
    {"session_revoke_by_admin",
     "UPDATE sessions SET revoked_at = now(), revoked_why = 'ended_by_admin' WHERE id = $1::uuid"
     " AND user_id = $2::uuid AND revoked_at IS NULL AND expires_at > now()"},
    {"sessions_list",
     "SELECT id, " TS("created_at") ", " TS("last_used_at") ", " TS(
         "expires_at") ", ip, user_agent,"
                       " created_at::text FROM sessions WHERE user_id = $1::uuid AND revoked_at IS NULL"
                       " AND expires_at > now()" PAGE_AFTER(
                           "created_at", "id") " ORDER BY created_at DESC, id DESC LIMIT $4::int"},
    /* notifications */
    {"notify_key_claim", "INSERT INTO notify_keys (key) VALUES ($1) ON CONFLICT DO NOTHING"},
    {"notify_user",
     "SELECT email, notify_email, notify_portal FROM users WHERE id = $1::uuid AND erased_at IS NULL"},
    {"agents_of_service", "SELECT id FROM users WHERE role = 'agent' AND $1 = ANY (services)"
                          " AND disabled_at IS NULL AND erased_at IS NULL ORDER BY id"},
    {"notification_insert",
     "INSERT INTO notifications (user_id, template, subject, body, link, idempotency_key)"
     " VALUES ($1::uuid, $2, $3, $4, $5, $6)"},
    {"notification_by_key", "SELECT id FROM notifications WHERE idempotency_key = $1"},
    {"notifications_list",
     "SELECT id, template, subject, body, link, " TS(
         "created_at") ", read_at IS NOT NULL,"
                       " created_at::text FROM notifications WHERE user_id = $1::uuid" PAGE_AFTER(
                           "created_at", "id") " ORDER BY created_at DESC, id DESC LIMIT $4::int"},
    {"notifications_unread",
     "SELECT count(*) FROM notifications WHERE user_id = $1::uuid AND read_at IS NULL"},
    {"notification_read", "UPDATE notifications SET read_at = coalesce(read_at, now())"
                          " WHERE id = $1::uuid AND user_id = $2::uuid RETURNING id"},
    /* TOTP */
    {"totp_pending_set",
     "UPDATE users SET totp_pending = $2 WHERE id = $1::uuid AND totp_enabled_at IS NULL"},
    {"totp_enable",
     "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_enabled_at = now(),"
     " totp_last_step = $2::bigint, totp_enrol_required = false, updated_at = now() WHERE id = $1::uuid AND "
     "totp_pending IS NOT NULL"},
    {"recovery_codes_delete", "DELETE FROM recovery_codes WHERE user_id = $1::uuid"},
    {"recovery_code_insert", "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1::uuid, $2)"},
    /* The count in RETURNING sees the rows as they were: this code is still among them. */
    {"recovery_code_use",
     "UPDATE recovery_codes SET used_at = now() WHERE user_id = $1::uuid AND code_hash = $2 AND used_at IS "
     "NULL"
     " RETURNING (SELECT count(*) - 1 FROM recovery_codes WHERE user_id = $1::uuid AND used_at IS NULL)"},
    {"recovery_codes_left",
     "SELECT count(*) FROM recovery_codes WHERE user_id = $1::uuid AND used_at IS NULL"},
    /* an administrator's reset: no secret, no codes, enrol again at the next sign-in */
    {"totp_reset",
     "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_enabled_at = NULL, totp_last_step = 0,"
     " totp_enrol_required = true, updated_at = now() WHERE id = $1::uuid AND erased_at IS NULL"},
    /* admin */
    /* Accounts newest first, keyset on (created_at, id): the handler always passes a cursor
     * (infinity on the first page), so the index range starts at it whatever the plan. One
     * statement per shape (every role or one, with or without q=): each has fixed predicates, so
     * a generic plan (PostgreSQL's choice after five calls) walks the right index too. The
     * every-role statements are called with $1 NULL (a one-time filter). */
    {"admin_users_list", USERS_PAGE(USERS_ALL)},
    {"admin_users_role", USERS_PAGE(USERS_ROLE)},
    {"admin_users_q", USERS_Q(USERS_ALL)},
    {"admin_users_q_role", USERS_Q(USERS_ROLE)},
    {"admin_users_q_rare", USERS_Q_RARE(USERS_ALL)},
    {"admin_users_q_rare_role", USERS_Q_RARE(USERS_ROLE)},
    {"admin_user_insert",
     "INSERT INTO users (email, given_name, family_name, phone, role, services, email_verified_at)"
     " VALUES ($1, $2, $3, $4, $5, $6::text[], now()) RETURNING " USER_COLUMNS},
    {"admin_user_patch",
     "UPDATE users SET role = coalesce($3, role), services = coalesce($4::text[], services),"
     " disabled_at = CASE WHEN $5::boolean IS NULL THEN disabled_at WHEN $5::boolean THEN "
     "coalesce(disabled_at, now())"
     " ELSE NULL END, updated_at = now() WHERE id = $1::uuid AND erased_at IS NULL"
     " AND '\"' || md5(updated_at::text) || '\"' = $2 RETURNING " USER_COLUMNS},
    {"audit_insert",
     "INSERT INTO audit (at, service, actor_id, actor_role, action, target_type, target_id, ip, request_id, "
     "details)"
     " VALUES (coalesce($1::timestamptz, now()), $2, $3::uuid, $4, $5, $6, $7, $8, $9, $10::jsonb)"},
    /* The audit trail newest first: every row, one actor's, or one action's family. */
    {"audit_list", "SELECT " AUDIT_COLUMNS " FROM audit a WHERE" AUDIT_RANGE
                   " AND $1::text IS NULL AND $5::text IS NULL" AUDIT_ORDER},
    {"audit_actor", AUDIT_ACTOR("$5::text IS NULL")},
    {"audit_actor_action", AUDIT_ACTOR(AUDIT_FAMILY)},
    {"audit_action", AUDIT_FAMILY_PAGES},
    {"audit_export",
     "SELECT " TS(
         "at") ", service, actor_id, (SELECT email FROM users u WHERE u.id = a.actor_id), actor_role,"
               " action, target_type, target_id, ip, request_id, details::text FROM audit a"
               " WHERE at >= $1::timestamptz AND at < $2::timestamptz ORDER BY a.at, a.id LIMIT $3::int"},
    /* demo */
    {"demo_user_insert",
     "INSERT INTO users (email, password_hash, given_name, family_name, role, services, email_verified_at)"
     " VALUES ($1, $2, $3, $4, $5, $6::text[], now()) ON CONFLICT (lower(email)) WHERE erased_at IS NULL"
     " DO NOTHING"},
    {NULL, NULL},
};

/* account.h — what the identity files of civitas-account share: the handlers the route table
 * names, and the small helpers (passwords, tokens, TOTP, mail, cookies, users as JSON). */
#ifndef CIVITAS_ACCOUNT_H
#define CIVITAS_ACCOUNT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civitas/db.h"
#include "civitas/outcome.h"

struct lc_request;

#define API "/api/account/v1"

/* --- password.c --- */
#define ACCOUNT_PHC_MAX 128
/* The argon2id cost of new hashes (OWASP's first choice); the bench's ceiling probe
 * (tests/bench/argon2_ceiling.c) measures one hash at this cost. */
#define ACCOUNT_ARGON2_M_KIB 19456
#define ACCOUNT_ARGON2_T     2
#define ACCOUNT_ARGON2_P     1

/* A person's given or family name, and a phone number: one rule for every form that takes them
 * (registration, profile, admin creation, household members). pattern may be NULL. */
#define ACCOUNT_NAME_FIELD(field, req, pat, outp, presentp)                                                  \
	LC_F_STRING(field, 1, 100, outp, .required = (req), .pattern = (pat), .present = (presentp))
#define ACCOUNT_PHONE_FIELD(outp, presentp)                                                                  \
	LC_F_STRING("phone", 0, 32, outp, .nullable = true, .pattern = "^\\+?[0-9 .()-]{6,32}$",             \
	            .present = (presentp))
/* argon2id m=19456 KiB t=2 p=1 with a random 16-byte salt, PHC string in out. 0 or -1. */
int account_password_hash(const char *password, char out[ACCOUNT_PHC_MAX]);
/* true when password matches the PHC string. A NULL or malformed hash still costs one hash
 * (a dummy one), so that unknown accounts take as long as known ones. */
bool account_password_verify(const char *phc, const char *password);
/* The offload pool's idle hook: gives back the hash memory a hash thread kept during a busy spell. */
void account_password_idle(int slot);
/* NULL when the password is acceptable, else the field error code: "out_of_range" (length in
 * code points outside 12..128), "same_as_email", "same_as_name". email/names may be NULL. */
const char *account_password_policy(const char *password, const char *email, const char *given_name,
                                    const char *family_name);

/* --- totp.c (RFC 6238: SHA-1, 30 s, 6 digits) --- */
#define TOTP_SECRET_BYTES 20
/* The code for a time step. */
unsigned totp_code(const unsigned char *secret, size_t len, uint64_t step);
/* Checks a 6-digit code at unix time now with ±1 step. Steps <= last_step are refused (replay).
 * Returns the matched step, or -1. */
int64_t totp_check(const unsigned char *secret, size_t len, const char *code, int64_t now, int64_t last_step);
/* RFC 4648 base32 without padding: encode into out (needs 8*len/5+2), decode returns length or -1. */
void totp_base32_encode(const unsigned char *data, size_t len, char *out, size_t outlen);
int totp_base32_decode(const char *s, unsigned char *out, size_t outlen);

/* --- recovery.c: single-use codes that stand in for a TOTP code. --- */
#define RECOVERY_CODES      10
#define RECOVERY_CODE_CHARS 16
/* The stored hash of a code typed by user_id (dashes, spaces and case ignored); false when it
 * cannot be a code at all. */
bool recovery_code_hash(const char *user_id, const char *code, char hash[65]);
/* Inside a transaction: replaces the person's codes with ten new ones; returns them (new
 * reference, shown once) or NULL. */
json_t *recovery_codes_issue(struct lc_db *db, const char *user_id);
/* Spends a code: 1 (left = how many stay unused), 0 no such unused code, -1 database error. */
int recovery_code_use(struct lc_db *db, const char *user_id, const char *code, int *left);

/* --- lockout (password.c): minutes of the n-th lock in a row (1, 5, 15, 60, 60...). --- */
int account_lock_minutes(int level);
#define ACCOUNT_MAX_FAILURES 5

/* --- lockout.c: one attempt at a secret (password, TOTP, recovery code) reserved before it is
 * checked. --- */
struct lockout {
	bool reserved; /* this attempt holds a slot (false: the account was locked, nothing checked) */
	bool locks;    /* this attempt reached the limit: the account is locked from now on */
	int in_a_row, level, minutes;
	long retry_after; /* seconds, when not reserved */
};
/* Reserves an attempt for user_id in one statement. 1 reserved, 0 locked (retry_after set),
 * -1 database error. Call before hashing anything. */
int lockout_reserve(struct lc_db *db, const char *user_id, struct lockout *lk);
/* The parameters $2 (the limit) and $3 (the lock schedule) of the statements that reserve. */
void lockout_params(char max[16], char sched[64]);
/* The same outcome from a statement that reserved along with other work (login_user): row 0 of
 * r holds reserved, locks, level, in a row from column col, and at column left the seconds of
 * the lock it saw (NULL or < 1: none seen, asked again when not reserved). */
int lockout_read(struct lc_db *db, const PGresult *r, int col, int left, const char *user_id,
                 struct lockout *lk);
/* Gives the reservation back when the attempt was not a failure after all (and undoes the lock
 * it set). 0 or -1. */
int lockout_release(struct lc_db *db, const char *user_id, const struct lockout *lk);
/* Inside a transaction: the trail of a failed attempt (reason "password", "totp", ...) and, when
 * it locked the account, the owner's e-mail and the account.locked entry. 0 or -1. */
int lockout_failed(struct lc_db *db, struct lc_request *rq, const char *user_id, const char *email,
                   const char *given_name, const struct lockout *lk, const char *reason);

/* --- tokens.c --- */
#define ACCESS_TTL_S 600
/* Sessions ended this recently are listed for the other daemons: longer than any access token
 * issued before the end (ACCESS_TTL_S) plus libcommon's 30 s clock leeway and a margin. */
#define REVOCATION_WINDOW_S (ACCESS_TTL_S + 90)
/* Reads the ES256 private key (PEM file). 0 or -1 with err. */
int tokens_init(const char *private_key_path, char *err, size_t errlen);
int tokens_init_pem(const char *pem, size_t len, char *err, size_t errlen);
void tokens_free(void);
/* Signs an access token for sub with role, services (JSON array, borrowed) and session id sid
 * (may be NULL). Returns a malloc'd compact JWT (caller frees) or NULL. */
char *tokens_issue(const char *sub, const char *role, const json_t *services, const char *sid, int64_t now);
/* The JWKS document of the signing key (new reference). */
json_t *tokens_jwks(void);
/* The session id ("sid") of the verified bearer token of rq into out, or false. */
bool tokens_request_sid(struct lc_request *rq, char out[64]);
/* A random token of 32 bytes (base64url, 43 characters) and its SHA-256 hex. */
bool tokens_random(char token[48], char hash[65]);
/* The refresh token that follows token (same form, derived with a key only this service has)
 * and its SHA-256 hex: a rotation can be answered again, identically, during the reuse interval. */
bool tokens_successor(const char *token, char next[48], char hash[65]);
/* Seconds after a rotation during which the spent token still answers with its successor
 * (CIVITAS_REFRESH_REUSE_S, 0 to 60). */
extern long account_refresh_reuse_s;
extern long account_mail_merge_s; /* CIVITAS_MAIL_MERGE_S (routes.c) */

/* --- mail.c --- */
/* Renders templates/<name>.txt with data ({{key}}) and link ({{link}}) into a subject and a body
 * (malloc'd, caller frees both). Returns 0, -2 when the template does not exist, -1 on error. */
int mail_render(const char *name, const json_t *data, const char *link, char **subject, char **body);
/* The outbox deliver function for topic "mail.send" (data {to, subject, body}). */
int mail_deliver(const char *topic, const json_t *event, char *err, size_t errlen);
/* Builds the RFC 5322 message (malloc'd, caller frees). */
char *mail_message(const char *from, const char *to, const char *subject, const char *body, int64_t now);
/* The absolute URL of a path on the public site (static buffer of the caller). */
void account_public_url(const char *path, char *out, size_t outlen);

/* --- settings (routes.c) --- */
extern char *account_private_key, *account_smtp_url, *account_public_base, *account_mail_from,
    *account_templates_dir, *account_demo_dir;

/* An RFC 3339 UTC rendering of a timestamptz column, in SQL. */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* The statements of the identity side (db_identity.c). */
extern const struct lc_sql identity_sql[];

/* --- users (h_me.c) --- */
/* The columns every user query selects, in this order; user_json reads them from row i. */
#define USER_COLUMNS                                                                                         \
	"id, email, given_name, family_name, phone, role, services, household_id::text,"                     \
	" email_verified_at IS NOT NULL, notify_email, notify_portal, totp_enabled_at IS NOT NULL,"          \
	" to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), disabled_at IS NOT "     \
	"NULL,"                                                                                              \
	" '\"' || md5(updated_at::text) || '\"'"
enum {
	UC_ID,
	UC_EMAIL,
	UC_GIVEN,
	UC_FAMILY,
	UC_PHONE,
	UC_ROLE,
	UC_SERVICES,
	UC_HOUSEHOLD,
	UC_VERIFIED,
	UC_NOTIFY_EMAIL,
	UC_NOTIFY_PORTAL,
	UC_TOTP,
	UC_CREATED,
	UC_DISABLED,
	UC_ETAG,
	UC_N
};
/* The User object of row i (new reference); full adds created_at, totp_enabled, disabled. */
json_t *user_json(const PGresult *r, int i, bool full);
/* Inside a transaction, the opening of an edit of user id: the row (USER_COLUMNS) locked, or
 * NULL with *stop set and o holding the 404 (not_found) or the If-Match problem (428/412). */
PGresult *user_lock(struct lc_db *db, struct lc_request *rq, const char *id, const char *not_found,
                    struct lc_outcome *o, enum lc_tx_result *stop);
/* The outcome of an UPDATE … RETURNING USER_COLUMNS of a user locked by user_lock (r, cleared):
 * 200 with the user and its new ETag; LC_TX_ERROR when the statement failed (r NULL). */
enum lc_tx_result user_updated(struct lc_outcome *o, PGresult *r);
/* A PostgreSQL text[] literal ({a,b}) as a JSON array of strings (new reference). */
json_t *pg_text_array(const char *lit);
/* A JSON array of strings as a PostgreSQL text[] literal (malloc'd) or NULL when an item is
 * not [a-z0-9-]{1,31}. */
char *pg_array_literal(const json_t *arr);

/* Keyset pages on (time, id): reads ?limit and ?cursor ({"t", "id"}); on a bad value replies 422
 * and returns false. t and id are NULL on the first page. */
struct lc_page;
bool page_keyset_or_reply(struct lc_request *rq, struct lc_page *page, const char **t, const char **id);
/* The next cursor's fields {t, id} when the query (run with limit + 1) returned more than limit
 * rows, else NULL: for lc_page_body, which encodes it. */
json_t *page_next(const PGresult *r, int limit, int tcol, int idcol);

/* --- audit (h_admin.c) --- */
int account_audit_sink(struct lc_db *db, const json_t *entry);

/* A problem with extension members (merged from extra, which is stolen). */
int reply_problem_with(struct lc_request *rq, unsigned status, const char *code, const char *detail,
                       json_t *extra);
/* 422 validation_failed with one field error. */
int reply_field_error(struct lc_request *rq, const char *field, const char *code, const char *detail);

/* --- handlers --- */
int h_register(struct lc_request *rq);
int h_verify_email(struct lc_request *rq);
int h_verify_resend(struct lc_request *rq);
int h_login(struct lc_request *rq);
int h_refresh(struct lc_request *rq);
int h_logout(struct lc_request *rq);
int h_sessions_list(struct lc_request *rq);
int h_session_delete(struct lc_request *rq);
int h_password_forgot(struct lc_request *rq);
int h_password_reset(struct lc_request *rq);
int h_me_get(struct lc_request *rq);
int h_me_patch(struct lc_request *rq);
int h_me_password(struct lc_request *rq);
int h_me_email(struct lc_request *rq);
int h_totp_setup(struct lc_request *rq);
int h_totp_confirm(struct lc_request *rq);
int h_totp_qr(struct lc_request *rq); /* h_totp_qr.c */
int h_notifications_list(struct lc_request *rq);
int h_notification_read(struct lc_request *rq);
int h_admin_users_list(struct lc_request *rq);
int h_admin_user_create(struct lc_request *rq);
int h_admin_user_patch(struct lc_request *rq);
int h_admin_audit(struct lc_request *rq);
int h_admin_audit_export(struct lc_request *rq);
int h_admin_totp_reset(struct lc_request *rq);
int h_admin_sessions_list(struct lc_request *rq);
int h_admin_session_delete(struct lc_request *rq);
int h_totp_recovery_codes(struct lc_request *rq);
int h_jwks(struct lc_request *rq);
int h_internal_user(struct lc_request *rq);
int h_internal_user_by_email(struct lc_request *rq);
int h_internal_notify(struct lc_request *rq);
int h_internal_events(struct lc_request *rq);
int h_internal_revocations(struct lc_request *rq);
int h_internal_demo(struct lc_request *rq);

/* --- sessions (h_sessions.c) --- */
/* A sign-in's session for user_id inside a transaction, in one statement: clears the account's
 * failed attempts (the lockout's count and lock) and stamps its last sign-in, opens the session
 * and stores its refresh token's hash; fills session_id and token. Returns 0 or -1. */
int session_create(struct lc_db *db, const char *user_id, const char *ip, const char *user_agent,
                   char session_id[37], char token[48]);
/* Adds the Set-Cookie header carrying token (NULL clears the cookie). */
void session_set_cookie(struct lc_request *rq, const char *token);
/* The login answer {access_token, token_type, expires_in, user} (new reference) or NULL. */
json_t *session_login_body(const PGresult *user, const char *sid);

#endif

/* routes.c — the account service: its route table (identity here; the family side's routes and
 * SQL come from routes_family.c), settings, outbox targets (SMTP for e-mail, stats for account
 * events) and start-up (signing key, audit sink). */
#include "routes.h"

#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/log.h"
#include "civitas/offload.h"

#include "account.h"

/* The family side's tables (routes_family.c). */
extern const struct lc_route family_routes[];
extern const struct lc_sql family_sql[];

#define KB 1024

/* LC_OFFLOAD: the handlers that hash a password run on the offload pool (password.c). */
static const struct lc_route routes[] = {
    {"POST", API "/register", LC_AUTH_NONE, h_register, 4 * KB, LC_OFFLOAD},
    {"POST", API "/verify-email", LC_AUTH_NONE, h_verify_email, 1 * KB, 0},
    {"POST", API "/verify-email/resend", LC_AUTH_NONE, h_verify_resend, 1 * KB, 0},
    {"POST", API "/login", LC_AUTH_NONE, h_login, 4 * KB, LC_OFFLOAD},
    {"POST", API "/session/refresh", LC_AUTH_NONE, h_refresh, 0, 0},
    {"POST", API "/session/logout", LC_AUTH_NONE, h_logout, 0, 0},
    {"GET", API "/sessions", LC_AUTH_USER, h_sessions_list, 0, 0},
    {"DELETE", API "/sessions/{id}", LC_AUTH_USER, h_session_delete, 0, 0},
    {"POST", API "/password/forgot", LC_AUTH_NONE, h_password_forgot, 1 * KB, 0},
    {"POST", API "/password/reset", LC_AUTH_NONE, h_password_reset, 2 * KB, LC_OFFLOAD},
    {"GET", API "/me", LC_AUTH_USER, h_me_get, 0, 0},
    {"PATCH", API "/me", LC_AUTH_USER, h_me_patch, 2 * KB, 0},
    {"POST", API "/me/password", LC_AUTH_USER, h_me_password, 4 * KB, LC_OFFLOAD},
    {"POST", API "/me/email", LC_AUTH_USER, h_me_email, 2 * KB, LC_OFFLOAD},
    {"POST", API "/me/totp/setup", LC_AUTH_NONE, h_totp_setup, 1 * KB, 0},
    {"POST", API "/me/totp/confirm", LC_AUTH_NONE, h_totp_confirm, 1 * KB, 0},
    {"POST", API "/totp/qr", LC_AUTH_NONE, h_totp_qr, 1 * KB, 0},
    {"POST", API "/me/totp/recovery-codes", LC_AUTH_USER, h_totp_recovery_codes, 2 * KB, LC_OFFLOAD},
    {"GET", API "/me/notifications", LC_AUTH_USER, h_notifications_list, 0, 0},
    {"POST", API "/me/notifications/{id}/read", LC_AUTH_USER, h_notification_read, 0, 0},
    {"GET", API "/admin/users", LC_AUTH_USER, h_admin_users_list, 0, 0},
    {"POST", API "/admin/users", LC_AUTH_USER, h_admin_user_create, 4 * KB, 0},
    {"PATCH", API "/admin/users/{id}", LC_AUTH_USER, h_admin_user_patch, 2 * KB, 0},
    {"POST", API "/admin/users/{id}/totp/reset", LC_AUTH_USER, h_admin_totp_reset, 0, 0},
    {"GET", API "/admin/users/{id}/sessions", LC_AUTH_USER, h_admin_sessions_list, 0, 0},
    {"DELETE", API "/admin/users/{id}/sessions/{sid}", LC_AUTH_USER, h_admin_session_delete, 0, 0},
    {"GET", API "/admin/audit", LC_AUTH_USER, h_admin_audit, 0, 0},
    {"GET", API "/admin/audit/export", LC_AUTH_USER, h_admin_audit_export, 0, 0},
    {"GET", API "/.well-known/jwks.json", LC_AUTH_NONE, h_jwks, 0, 0},
    {"GET", "/internal/v1/users/{id}", LC_AUTH_INTERNAL, h_internal_user, 0, 0},
    {"GET", "/internal/v1/users", LC_AUTH_INTERNAL, h_internal_user_by_email, 0, 0},
    {"POST", "/internal/v1/notify", LC_AUTH_INTERNAL, h_internal_notify, 16 * KB, 0},
    {"POST", "/internal/v1/events", LC_AUTH_INTERNAL, h_internal_events, 64 * KB, 0},
    {"GET", "/internal/v1/revocations", LC_AUTH_INTERNAL, h_internal_revocations, 0, 0},
    {"POST", "/internal/v1/demo", LC_AUTH_INTERNAL, h_internal_demo, 1 * KB, LC_OFFLOAD},
    {NULL, NULL, LC_AUTH_NONE, NULL, 0, 0},
};

char *account_private_key, *account_smtp_url, *account_public_base, *account_mail_from,
    *account_templates_dir, *account_demo_dir;
long account_refresh_reuse_s = 10;
long account_mail_merge_s = 60;
static char templates_default[1024], demo_default[1024];

static const struct lc_config_item config[] = {
    {"CIVITAS_JWT_PRIVATE_KEY", LC_CFG_FILE, NULL, true, 0, 0, &account_private_key},
    {"CIVITAS_SMTP_URL", LC_CFG_STRING, "", false, 0, 0, &account_smtp_url},
    {"CIVITAS_PUBLIC_URL", LC_CFG_URL, "http://127.0.0.1:8080", false, 0, 0, &account_public_base},
    {"CIVITAS_MAIL_FROM", LC_CFG_STRING,
     "Mairie de Beaulieu-sur-Loire <ne-pas-repondre@beaulieu-sur-loire.example>", false, 0, 0,
     &account_mail_from},
    {"CIVITAS_TEMPLATES_DIR", LC_CFG_STRING, "", false, 0, 0, &account_templates_dir},
    /* Two tabs refreshing at once present the same token: within this many seconds of the
     * rotation that is a race, not a theft. Bounded: a longer window is a longer replay. */
    {"CIVITAS_REFRESH_REUSE_S", LC_CFG_INT, "10", false, 0, 60, &account_refresh_reuse_s},
    /* Notices about one request this many seconds apart make one e-mail (notify.c); 0 sends
     * each at once. The test stack sets a few seconds. */
    {"CIVITAS_MAIL_MERGE_S", LC_CFG_INT, "60", false, 0, 3600, &account_mail_merge_s},
    {NULL, 0, NULL, false, 0, 0, NULL},
};

static const struct lc_outbox_target targets[] = {
    {.name = "smtp", .topic_prefix = "mail.", .deliver = mail_deliver},
    {.name = "stats", .topic_prefix = "account.", .url_env = "CIVITAS_STATS_URL"},
};

static int on_start(void)
{
	char err[256];
	if (tokens_init(account_private_key, err, sizeof(err)) < 0) {
		lc_error("%s", err);
		return -1;
	}
	/* Templates and the demo's documents sit next to the migrations folder (templates unless
	 * told otherwise). */
	char copy[900];
	snprintf(copy, sizeof(copy), "%s", lc_settings.migrations_dir);
	const char *beside = dirname(copy);
	if (!account_templates_dir || !*account_templates_dir) {
		snprintf(templates_default, sizeof(templates_default), "%s/templates", beside);
		account_templates_dir = templates_default;
	}
	snprintf(demo_default, sizeof(demo_default), "%s/demo-documents", beside);
	account_demo_dir = demo_default;
	if (!account_smtp_url || !*account_smtp_url)
		lc_warn("CIVITAS_SMTP_URL is not set: e-mails stay in the outbox until it is");
	lc_audit_set_sink(account_audit_sink);
	/* A hash thread keeps its 19 MiB of hash memory while logins follow each other; two seconds
	 * without one and it gives it back (password.c). */
	lc_offload_set_idle(account_password_idle, 2000);
	return 0;
}

static void on_stop(void)
{
	lc_audit_set_sink(NULL);
	tokens_free();
}

const struct lc_service account_service = {
    .name = "account",
    .default_port = 8102,
    .routes = routes,
    .statements = identity_sql,
    .more_routes = family_routes,
    .more_statements = family_sql,
    .outbox_targets = targets,
    .noutbox_targets = sizeof(targets) / sizeof(targets[0]),
    .extra_config = config,
    .on_start = on_start,
    .on_stop = on_stop,
};

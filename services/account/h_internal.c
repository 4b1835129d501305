/* h_internal.c — what the other daemons ask of civitas-account over /internal/v1 (internal
 * bearer secret): people by id or e-mail, notifying someone, the audit entries they send as
 * events, and the demo accounts that ./civitas up seeds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/crypto.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "account.h"
#include "family.h"
#include "notify.h"

static int reply_user(struct lc_request *rq, const char *stmt, const char *value)
{
	const char *p[] = {value};
	PGresult *r = lc_db_exec(lc_rq_db(rq), stmt, 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_reply_problem(rq, 404, "not_found", "No such user.");
	}
	json_t *u = user_json(r, 0, false);
	PQclear(r);
	return lc_reply_json(rq, 200, u);
}

int h_internal_user(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such user.");
	return reply_user(rq, "user_by_id", id);
}

int h_internal_user_by_email(struct lc_request *rq)
{
	const char *email = lc_rq_query(rq, "email");
	if (!email || !lc_json_is_email(email))
		return reply_field_error(rq, "email", email ? "invalid_format" : "required",
		                         "An e-mail address.");
	return reply_user(rq, "user_by_email", email);
}

/* --- POST /internal/v1/notify --- */

struct notify {
	const char *user_id, *service, *template_name, *key, *link, *group;
	json_t *data;
	int rc;
	bool unknown;
	char id[37];
};

/* Every agent of a service (the agents of a request nobody has taken yet): each is notified
 * with a key of their own derived from the caller's, so that a retry notifies nobody twice. */
static enum lc_tx_result notify_service_tx(struct lc_db *db, struct notify *n)
{
	const char *p[] = {n->service};
	PGresult *r = lc_db_exec(db, "agents_of_service", 1, p);
	if (!r)
		return LC_TX_ERROR;
	char hash[65];
	lc_sha256_hex(n->key, strlen(n->key), hash);
	n->rc = PQntuples(r) == 0; /* nobody to tell is not a repeat */
	for (int i = 0; i < PQntuples(r) && n->rc != -1 && n->rc != -2; i++) {
		char key[120];
		snprintf(key, sizeof(key), "%s/%s", hash, PQgetvalue(r, i, 0));
		int rc = account_notify_grouped(db, PQgetvalue(r, i, 0), n->template_name, n->data, key,
		                                n->link, n->group);
		n->rc = rc == 1 ? 1 : rc < 0 ? rc : n->rc;
	}
	PQclear(r);
	return n->rc == -1 ? LC_TX_ERROR : n->rc == -2 ? LC_TX_ROLLBACK : LC_TX_COMMIT;
}

static enum lc_tx_result notify_tx(struct lc_db *db, void *arg)
{
	struct notify *n = arg;
	n->id[0] = '\0';
	if (n->service)
		return notify_service_tx(db, n);
	const char *p[] = {n->user_id};
	int found = lc_db_run(db, "notify_user", 1, p);
	if (found < 0)
		return LC_TX_ERROR;
	n->unknown = found == 0;
	if (n->unknown)
		return LC_TX_ROLLBACK;
	n->rc = account_notify_grouped(db, n->user_id, n->template_name, n->data, n->key, n->link, n->group);
	if (n->rc == -1)
		return LC_TX_ERROR;
	if (n->rc == -2)
		return LC_TX_ROLLBACK;
	const char *k[] = {n->key};
	PGresult *r = lc_db_exec(db, "notification_by_key", 1, k);
	if (!r)
		return LC_TX_ERROR;
	if (PQntuples(r) == 1)
		snprintf(n->id, sizeof(n->id), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return LC_TX_COMMIT;
}

int h_internal_notify(struct lc_request *rq)
{
	struct notify n = {0};
	const struct lc_field spec[] = {
	    LC_F_UUID("user_id", &n.user_id),
	    LC_F_STRING("service", 1, 40, &n.service, .pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"),
	    {.name = "template",
	     .type = LC_J_STRING,
	     .required = true,
	     .pattern = "^[a-z0-9_]{1,64}$",
	     .out = &n.template_name},
	    LC_F_OBJECT("data", &n.data),
	    LC_F_STRING("idempotency_key", 1, 200, &n.key, .required = true),
	    LC_F_STRING("link", 0, 1024, &n.link, .pattern = "^/[^[:space:]]*$"),
	    LC_F_STRING("group", 1, 100, &n.group),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!n.user_id == !n.service)
		return reply_field_error(rq, "user_id", "required", "Either user_id or service, not both.");
	if (lc_db_tx(lc_rq_db(rq), notify_tx, &n) == LC_TX_ERROR)
		return lc_db_fail_reply(rq);
	if (n.unknown)
		return lc_reply_problem(rq, 404, "not_found", "No such user.");
	if (n.rc == -2)
		return reply_field_error(rq, "template", "not_allowed", "No template by this name.");
	return lc_reply_json(rq, 202,
	                     json_pack("{s:s?, s:b}", "id", n.id[0] ? n.id : NULL, "duplicate", n.rc == 0));
}

/* --- POST /internal/v1/events --- */

struct event {
	struct lc_event ev;
	bool duplicate;
};

/* Templates other services may send to an address that has no account (mail.* events):
 * a short list, so that no other service can make account send, say, a password reset. */
static const char *const external_templates[] = {"job_edit_link", "job_published", "job_rejected", NULL};

/* true when name is in the NULL-terminated list. */
static bool listed(const char *const *list, const char *name)
{
	for (size_t i = 0; name && list[i]; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

/* A mail.* event {email, template, data, idempotency_key}: e-mail to someone without an account
 * (an employer's edit link), sent from this service's outbox like every other e-mail. */
static enum lc_tx_result mail_event(struct lc_db *db, struct event *e)
{
	const char *email = json_string_value(json_object_get(e->ev.data, "email"));
	const char *tpl = json_string_value(json_object_get(e->ev.data, "template"));
	const char *key = json_string_value(json_object_get(e->ev.data, "idempotency_key"));
	json_t *data = json_object_get(e->ev.data, "data");
	if (!listed(external_templates, tpl) || !email || !lc_json_is_email(email) || !json_is_object(data)) {
		lc_warn("mail event %s refused: template or address not acceptable", e->ev.id);
		return LC_TX_COMMIT; /* a bad event is dropped, not retried for ever */
	}
	int rc = account_mail_to(db, email, tpl, data, key ? key : e->ev.id);
	return rc == -1 ? LC_TX_ERROR : LC_TX_COMMIT;
}

/* Templates other services may send to a person with an account through notify.* events
 * {user_id, template, data, link}: the outcome of what that person asked of them. */
static const char *const event_notify_templates[] = {"directory_change_approved", "directory_change_rejected",
                                                     NULL};

static enum lc_tx_result notify_event(struct lc_db *db, struct event *e)
{
	const char *uid = json_string_value(json_object_get(e->ev.data, "user_id"));
	const char *tpl = json_string_value(json_object_get(e->ev.data, "template"));
	const char *link = json_string_value(json_object_get(e->ev.data, "link"));
	json_t *data = json_object_get(e->ev.data, "data");
	bool link_ok = !link || (link[0] == '/' && strlen(link) <= 1024 && !strpbrk(link, " \t\r\n"));
	if (!listed(event_notify_templates, tpl) || !uid || !lc_json_is_uuid(uid) || !json_is_object(data) ||
	    !link_ok) {
		lc_warn("notify event %s refused: template, person or link not acceptable", e->ev.id);
		return LC_TX_COMMIT; /* a bad event is dropped, not retried for ever */
	}
	const char *p[] = {uid};
	int found = lc_db_run(db, "notify_user", 1, p);
	if (found <= 0) {
		if (found == 0)
			lc_info("notify event %s: the person is gone, nothing sent", e->ev.id);
		return found < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
	}
	return account_notify(db, uid, tpl, data, e->ev.id, link) == -1 ? LC_TX_ERROR : LC_TX_COMMIT;
}

static enum lc_tx_result event_tx(struct lc_db *db, void *arg)
{
	struct event *e = arg;
	int fresh = lc_inbox_claim(db, e->ev.id);
	if (fresh < 0)
		return LC_TX_ERROR;
	e->duplicate = fresh == 0;
	if (e->duplicate)
		return LC_TX_COMMIT;
	if (strncmp(e->ev.topic, "audit.", 6) == 0)
		return account_audit_sink(db, e->ev.data) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
	if (strncmp(e->ev.topic, "mail.", 5) == 0)
		return mail_event(db, e);
	if (strncmp(e->ev.topic, "notify.", 7) == 0)
		return notify_event(db, e);
	return LC_TX_COMMIT; /* other topics are not for this service: acknowledged, ignored */
}

int h_internal_events(struct lc_request *rq)
{
	struct event e = {0};
	if (!lc_event_parse_or_reply(rq, &e.ev))
		return LC_REPLIED;
	if (lc_db_tx(lc_rq_db(rq), event_tx, &e) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	return lc_reply_json(rq, 200, json_pack("{s:s, s:b}", "id", e.ev.id, "duplicate", e.duplicate));
}

/* --- POST /internal/v1/demo --- */

static const struct demo_user {
	const char *email, *given, *family, *role, *services;
} demo_users[] = {
    {"admin@mairie.example", "Claire", "Moreau", "admin", "{}"},
    {"editeur@mairie.example", "Julien", "Lambert", "editor", "{}"},
    {"contributeur@mairie.example", "Nadia", "Benali", "agent", "{communication}"},
    {"agent.etat-civil@mairie.example", "Martine", "Girard", "agent", "{etat-civil}"},
    {"agent.scolaire@mairie.example", "Pascal", "Roux", "agent", "{scolaire}"},
    {"agent.jeunesse@mairie.example", "Inès", "Fontaine", "agent", "{jeunesse}"},
    {"agent.conservatoire@mairie.example", "Hugo", "Mercier", "agent", "{conservatoire}"},
    {"agent.regie@mairie.example", "Karim", "Haddad", "agent", "{regie}"},
    {"partenaire@asso.example", "Élodie", "Perrin", "partner", "{}"},
    {"citoyen@example.org", "Sophie", "Lefèvre", "citizen", "{}"},
};
#define NDEMO (sizeof(demo_users) / sizeof(demo_users[0]))

struct demo {
	char phc[NDEMO][ACCOUNT_PHC_MAX];
	int created;
};

static enum lc_tx_result demo_tx(struct lc_db *db, void *arg)
{
	struct demo *d = arg;
	d->created = 0;
	for (size_t i = 0; i < NDEMO; i++) {
		const struct demo_user *u = &demo_users[i];
		const char *p[] = {u->email, d->phc[i], u->given, u->family, u->role, u->services};
		int n = lc_db_run(db, "demo_user_insert", 6, p);
		if (n < 0)
			return LC_TX_ERROR;
		d->created += n;
	}
	/* The demo citizen's household (family side), idempotent too. */
	const char *e[] = {"citoyen@example.org"};
	PGresult *r = lc_db_exec(db, "user_by_email", 1, e);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return LC_TX_ERROR;
	}
	int rc = family_seed_demo(db, PQgetvalue(r, 0, UC_ID));
	PQclear(r);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_internal_demo(struct lc_request *rq)
{
	const char *password = NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("password", 12, 128, &password, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct demo *d = lc_rq_alloc(rq, sizeof(*d));
	if (!d)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	for (size_t i = 0; i < NDEMO; i++)
		if (account_password_hash(password, d->phc[i]) < 0)
			return lc_reply_problem(rq, 500, "internal", "Could not hash the password.");
	if (lc_db_tx(lc_rq_db(rq), demo_tx, d) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	json_t *accounts = json_array();
	for (size_t i = 0; i < NDEMO; i++)
		json_array_append_new(accounts, json_pack("{s:s, s:s}", "email", demo_users[i].email, "role",
		                                          demo_users[i].role));
	return lc_reply_json(rq, 200, json_pack("{s:i, s:o}", "created", d->created, "accounts", accounts));
}

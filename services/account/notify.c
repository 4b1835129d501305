/* notify.c — notifying a person (notify.h): the idempotency key is claimed, the template rendered,
 * an in-portal notification written and the e-mail queued in the outbox, all in the caller's
 * transaction, so that a rolled-back request notifies nobody and a retried one notifies once. */
#include "notify.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/db.h"
#include "civitas/outbox.h"

#include "account.h"

/* 1 when the key is new (or NULL: no deduplication), 0 when used, -1 on error. */
static int claim_key(struct lc_db *db, const char *key)
{
	if (!key)
		return 1;
	const char *p[] = {key};
	return lc_db_run(db, "notify_key_claim", 1, p);
}

/* group (may be NULL): notices about one thing (a request) for one person. Such a notice waits
 * account_mail_merge_s seconds, and a newer notice of the group sent meanwhile replaces it, so
 * that steps that follow each other (received, then in progress) make one message naming the
 * latest. A notice that shows a person's words (data.message, in its body) is never replaced:
 * it is sent as it is, having replaced what waited before it. */
static int queue_mail(struct lc_db *db, const char *to, const char *subject, const char *body,
                      const char *user_id, const char *group, const json_t *data)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "to", to, "subject", subject, "body", body);
	if (!m)
		return -1;
	int rc;
	if (!group || account_mail_merge_s == 0) {
		rc = lc_outbox_emit(db, "mail.send", m, NULL);
	} else {
		char key[300];
		snprintf(key, sizeof(key), "%s/%s", user_id, group);
		/* Words the message shows (a template may leave data.message out): never replaced. */
		const char *words = json_string_value(json_object_get(data, "message"));
		bool replaceable = !words || !*words || !strstr(body, words);
		rc = lc_outbox_emit_merged(db, "mail.send", m, key, replaceable ? key : NULL,
		                           (unsigned)account_mail_merge_s);
	}
	json_decref(m);
	return rc;
}

int account_notify(struct lc_db *db, const char *user_id, const char *template_name, const json_t *data,
                   const char *idempotency_key, const char *link)
{
	return account_notify_grouped(db, user_id, template_name, data, idempotency_key, link, NULL);
}

int account_notify_grouped(struct lc_db *db, const char *user_id, const char *template_name,
                           const json_t *data, const char *idempotency_key, const char *link,
                           const char *group)
{
	char *subject = NULL, *body = NULL;
	int rc = mail_render(template_name, data, link, &subject, &body);
	if (rc != 0)
		return rc;
	rc = claim_key(db, idempotency_key);
	if (rc <= 0)
		goto out;
	const char *p[] = {user_id};
	PGresult *u = lc_db_exec(db, "notify_user", 1, p);
	if (!u || PQntuples(u) != 1) {
		PQclear(u);
		rc = -1;
		goto out;
	}
	const char *email = PQgetvalue(u, 0, 0);
	bool want_mail = PQgetvalue(u, 0, 1)[0] == 't', want_portal = PQgetvalue(u, 0, 2)[0] == 't';
	rc = 1;
	if (want_portal) {
		const char *q[] = {user_id, template_name, subject, body, link, idempotency_key};
		if (lc_db_run(db, "notification_insert", 6, q) < 0)
			rc = -1;
	}
	if (rc == 1 && want_mail && queue_mail(db, email, subject, body, user_id, group, data) < 0)
		rc = -1;
	PQclear(u);
out:
	free(subject);
	free(body);
	return rc;
}

int account_mail_to(struct lc_db *db, const char *email, const char *template_name, const json_t *data,
                    const char *idempotency_key)
{
	char *subject = NULL, *body = NULL;
	/* No page of the portal is concerned: data.link, when given, is the link. */
	int rc = mail_render(template_name, data, json_string_value(json_object_get(data, "link")), &subject,
	                     &body);
	if (rc != 0)
		return rc;
	rc = claim_key(db, idempotency_key);
	if (rc > 0)
		rc = queue_mail(db, email, subject, body, NULL, NULL, NULL) < 0 ? -1 : 1;
	free(subject);
	free(body);
	return rc;
}

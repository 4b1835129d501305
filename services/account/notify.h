/* notify.h — notifying a person from inside civitas-account: an in-portal notification and,
 * if they accept e-mail, a message rendered from templates/<name>.txt, queued in the outbox of
 * the caller's transaction (see docs/account-internal-api.md). */
#ifndef CIVITAS_ACCOUNT_NOTIFY_H
#define CIVITAS_ACCOUNT_NOTIFY_H

#include <jansson.h>

struct lc_db;

/* Returns 1 when created, 0 when idempotency_key was already used (nothing done), -1 on error
 * (the transaction should roll back), -2 when the template does not exist. link may be NULL. */
int account_notify(struct lc_db *db, const char *user_id, const char *template_name, const json_t *data,
                   const char *idempotency_key, const char *link);
/* The same for a notice about one thing (group: a request id) whose e-mail may be merged with
 * the next notices of that group for that person (see queue_mail in notify.c). */
int account_notify_grouped(struct lc_db *db, const char *user_id, const char *template_name,
                           const json_t *data, const char *idempotency_key, const char *link,
                           const char *group);
/* E-mail to an address with no account behind it (same return values). */
int account_mail_to(struct lc_db *db, const char *email, const char *template_name, const json_t *data,
                    const char *idempotency_key);

#endif

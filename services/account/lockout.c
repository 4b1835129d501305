/* lockout.c — failed sign-ins counted per account, and the lock after ACCOUNT_MAX_FAILURES in a
 * row. Each attempt is reserved in one UPDATE before any hashing, so that parallel guesses can
 * never check more than the limit (the attempt that reaches it locks at once); a success clears
 * the count, an attempt that turns out not to be a failure gives its reservation back. */
#include <stdio.h>
#include <stdlib.h>

#include "civitas/audit.h"
#include "civitas/db.h"

#include "account.h"
#include "notify.h"

/* The lock schedule as a PostgreSQL int[] literal ({1,5,15,60}). */
static void schedule(char out[64])
{
	int n = 0;
	out[n++] = '{';
	for (int level = 1; level <= 4; level++)
		n += snprintf(out + n, (size_t)(64 - n), "%s%d", level > 1 ? "," : "",
		              account_lock_minutes(level));
	snprintf(out + n, (size_t)(64 - n), "}");
}

void lockout_params(char max[16], char sched[64])
{
	snprintf(max, 16, "%d", ACCOUNT_MAX_FAILURES);
	schedule(sched);
}

/* A reservation made: its columns (locks, level, in a row) of row 0 of r from col. 1. */
static int reserved(const PGresult *r, int col, struct lockout *lk)
{
	lk->reserved = true;
	lk->locks = PQgetvalue(r, 0, col)[0] == 't';
	lk->level = atoi(PQgetvalue(r, 0, col + 1));
	lk->in_a_row = lk->locks ? ACCOUNT_MAX_FAILURES : atoi(PQgetvalue(r, 0, col + 2));
	lk->minutes = lk->locks ? account_lock_minutes(lk->level) : 0;
	return 1;
}

/* Locked already, nothing is checked: for how long, as seen (seconds), or asked when the lock
 * was not seen (a parallel attempt set it after the statement's snapshot). 0 or -1. */
static int locked(struct lc_db *db, const char *user_id, long seen, struct lockout *lk)
{
	if (seen < 1) {
		const char *q[] = {user_id};
		PGresult *r = lc_db_exec(db, "login_lock_left", 1, q);
		if (!r)
			return -1;
		seen = PQntuples(r) == 1 ? atol(PQgetvalue(r, 0, 0)) : 60;
		PQclear(r);
	}
	lk->retry_after = seen < 1 ? 1 : seen;
	return 0;
}

int lockout_reserve(struct lc_db *db, const char *user_id, struct lockout *lk)
{
	char max[16], sched[64];
	lockout_params(max, sched);
	const char *p[] = {user_id, max, sched};
	PGresult *r = lc_db_exec(db, "login_reserve", 3, p);
	if (!r)
		return -1;
	*lk = (struct lockout){0};
	int rc = PQntuples(r) == 1 ? reserved(r, 0, lk) : locked(db, user_id, 0, lk);
	PQclear(r);
	return rc;
}

int lockout_read(struct lc_db *db, const PGresult *r, int col, int left, const char *user_id,
                 struct lockout *lk)
{
	*lk = (struct lockout){0};
	if (PQgetvalue(r, 0, col)[0] == 't')
		return reserved(r, col + 1, lk);
	return locked(db, user_id, PQgetisnull(r, 0, left) ? 0 : atol(PQgetvalue(r, 0, left)), lk);
}

int lockout_release(struct lc_db *db, const char *user_id, const struct lockout *lk)
{
	if (!lk->reserved)
		return 0;
	char before[16];
	snprintf(before, sizeof(before), "%d", ACCOUNT_MAX_FAILURES - 1);
	const char *p[] = {user_id, lk->locks ? "t" : "f", before};
	return lc_db_run(db, "login_release", 3, p) < 0 ? -1 : 0;
}

int lockout_failed(struct lc_db *db, struct lc_request *rq, const char *user_id, const char *email,
                   const char *given_name, const struct lockout *lk, const char *reason)
{
	json_t *d = json_pack("{s:s, s:i}", "reason", reason, "in_a_row", lk->in_a_row);
	int rc = lc_audit(db, rq, "login.failed", "user", user_id, d);
	json_decref(d);
	if (rc < 0 || !lk->locks)
		return rc < 0 ? -1 : 0;
	d = json_pack("{s:s, s:i, s:s}", "given_name", given_name, "minutes", lk->minutes, "link",
	              "/mot-de-passe-oublie.html");
	rc = account_mail_to(db, email, "account_locked", d, NULL);
	json_decref(d);
	if (rc < 0)
		return -1;
	d = json_pack("{s:i, s:i}", "level", lk->level, "minutes", lk->minutes);
	rc = lc_audit(db, rq, "account.locked", "user", user_id, d);
	json_decref(d);
	return rc < 0 ? -1 : 0;
}

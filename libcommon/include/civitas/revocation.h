/* revocation.h — sessions ended before their access tokens expire (logout, reuse of a spent
 * refresh token, password reset, an account disabled or erased): every daemon refuses them. */
#ifndef CIVITAS_REVOCATION_H
#define CIVITAS_REVOCATION_H

#include <jansson.h>
#include <stdbool.h>

/* Is this session id (the `sid` claim, a uuid) in the current list? Thread-safe, O(log n). */
bool lc_session_revoked(const char *sid);

/* Replaces the whole list with the uuid strings of the array (others are skipped). Returns the
 * number kept, or -1 (out of memory: the old list stays). For the poller and for tests. */
int lc_revocations_replace(const json_t *sids);

/* Starts a thread that fetches GET <account_url>/internal/v1/revocations (internal bearer)
 * every interval_ms and replaces the list; the first fetch is done before it returns, so a
 * restarted daemon refuses old sessions from its first request when account answers. A failed
 * fetch keeps the previous list. Returns 0, or -1 if the thread could not start. */
int lc_revocation_start(const char *account_url, unsigned interval_ms);
void lc_revocation_stop(void);

#endif

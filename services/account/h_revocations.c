/* h_revocations.c — GET /internal/v1/revocations: the sessions ended within the lifetime of an
 * access token, which every daemon fetches every couple of seconds (libcommon revocation.c). */
#include <stdio.h>
#include <stdlib.h>

#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/reply.h"

#include "account.h"

int h_internal_revocations(struct lc_request *rq)
{
	char window[16];
	snprintf(window, sizeof(window), "%d", REVOCATION_WINDOW_S);
	const char *p[] = {window};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "revocations_recent", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(items, json_string(PQgetvalue(r, i, 0)));
	PQclear(r);
	return lc_reply_json(rq, 200,
	                     json_pack("{s:o, s:i}", "items", items, "window_s", REVOCATION_WINDOW_S));
}

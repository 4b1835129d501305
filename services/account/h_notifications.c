/* h_notifications.c — the in-portal notifications of the signed-in person, newest first with
 * the unread count, and marking one read. Another person's notification answers 404. */
#include <stdio.h>
#include <stdlib.h>

#include "civitas/auth.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "account.h"

int h_notifications_list(struct lc_request *rq)
{
	struct lc_page pg;
	const char *t, *id;
	if (!page_keyset_or_reply(rq, &pg, &t, &id))
		return LC_REPLIED;
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", pg.limit + 1);
	const char *sub = lc_rq_claims(rq)->sub;
	const char *p[] = {sub, t, id, lim};
	struct lc_db *db = lc_rq_db(rq);
	PGresult *r = lc_db_exec(db, "notifications_list", 4, p);
	if (!r)
		return lc_db_fail_reply(rq);
	const char *u[] = {sub};
	PGresult *c = lc_db_exec(db, "notifications_unread", 1, u);
	if (!c) {
		PQclear(r);
		return lc_db_fail_reply(rq);
	}
	json_t *items = json_array();
	int n = PQntuples(r) < pg.limit ? PQntuples(r) : pg.limit;
	for (int i = 0; i < n; i++)
		json_array_append_new(
		    items,
		    json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:b}", "id", PQgetvalue(r, i, 0), "template",
		              PQgetvalue(r, i, 1), "subject", PQgetvalue(r, i, 2), "body",
		              PQgetvalue(r, i, 3), "link", PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4),
		              "created_at", PQgetvalue(r, i, 5), "read", PQgetvalue(r, i, 6)[0] == 't'));
	json_t *body = lc_page_body(items, page_next(r, pg.limit, 7, 0));
	json_object_set_new(body, "unread", json_integer(atoll(PQgetvalue(c, 0, 0))));
	PQclear(r);
	PQclear(c);
	return lc_reply_json(rq, 200, body);
}

int h_notification_read(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such notification.");
	const char *p[] = {id, lc_rq_claims(rq)->sub};
	int n = lc_db_run(lc_rq_db(rq), "notification_read", 2, p);
	if (n < 0)
		return lc_db_fail_reply(rq);
	if (n == 0)
		return lc_reply_problem(rq, 404, "not_found", "No such notification.");
	return lc_reply_empty(rq, 204);
}

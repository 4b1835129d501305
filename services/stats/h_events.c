/* h_events.c — receives one outbox event {id, topic, source, occurred_at, data} and stores it
 * once: a redelivery of the same id answers 200 without a second row (at-least-once upstream). */
#include <stdlib.h>

#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "handlers.h"

struct received {
	struct lc_event ev;
	bool duplicate;
};

static enum lc_tx_result store(struct lc_db *db, void *arg)
{
	struct received *r = arg;
	int fresh = lc_inbox_claim(db, r->ev.id);
	if (fresh < 0)
		return LC_TX_ERROR;
	r->duplicate = fresh == 0;
	if (r->duplicate)
		return LC_TX_COMMIT;
	char *data = json_dumps(r->ev.data, JSON_COMPACT);
	if (!data)
		return LC_TX_ERROR;
	const char *p[] = {r->ev.id, r->ev.topic, r->ev.source, r->ev.occurred_at, data};
	PGresult *res = lc_db_exec(db, "event_insert", 5, p);
	free(data);
	if (!res)
		return LC_TX_ERROR;
	PQclear(res);
	return LC_TX_COMMIT;
}

int h_event_receive(struct lc_request *rq)
{
	struct received r = {0};
	if (!lc_event_parse_or_reply(rq, &r.ev))
		return LC_REPLIED;
	if (lc_db_tx(lc_rq_db(rq), store, &r) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	return lc_reply_json(rq, 200, json_pack("{s:s, s:b}", "id", r.ev.id, "duplicate", r.duplicate));
}

/* h_events.c — receives one outbox event {id, topic, source, occurred_at, data} and stores it
 * once: a redelivery of the same id answers 200 without a second row (at-least-once upstream). */
#include "h_events.h"

#include <stdlib.h>

#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

struct event {
	const char *id, *topic, *source, *occurred_at;
	json_t *data;
	bool duplicate;
};

static enum lc_tx_result store(struct lc_db *db, void *arg)
{
	struct event *e = arg;
	int fresh = lc_inbox_claim(db, e->id);
	if (fresh < 0)
		return LC_TX_ERROR;
	e->duplicate = fresh == 0;
	if (e->duplicate)
		return LC_TX_COMMIT;
	char *data = json_dumps(e->data, JSON_COMPACT);
	if (!data)
		return LC_TX_ERROR;
	const char *p[] = {e->id, e->topic, e->source, e->occurred_at, data};
	PGresult *r = lc_db_exec(db, "event_insert", 5, p);
	free(data);
	if (!r)
		return LC_TX_ERROR;
	PQclear(r);
	return LC_TX_COMMIT;
}

int h_event_receive(struct lc_request *rq)
{
	struct event e = {0};
	const struct lc_field spec[] = {
	    {.name = "id", .type = LC_J_UUID, .required = true, .out = &e.id},
	    {.name = "topic",
	     .type = LC_J_STRING,
	     .required = true,
	     .has_min = true,
	     .min = 1,
	     .has_max = true,
	     .max = 100,
	     .out = &e.topic},
	    {.name = "source",
	     .type = LC_J_STRING,
	     .required = true,
	     .has_min = true,
	     .min = 1,
	     .has_max = true,
	     .max = 32,
	     .out = &e.source},
	    {.name = "occurred_at", .type = LC_J_TIMESTAMP, .required = true, .out = &e.occurred_at},
	    {.name = "data", .type = LC_J_OBJECT, .required = true, .out = &e.data},
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (lc_db_tx(lc_rq_db(rq), store, &e) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	return lc_reply_json(rq, 200, json_pack("{s:s, s:b}", "id", e.id, "duplicate", e.duplicate));
}

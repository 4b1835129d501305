/* outbox.h — events written in the same transaction as the business change, delivered later
 * (at least once) by a background thread, with retries and exponential backoff.
 * Receivers dedupe with lc_inbox_claim inside their own transaction. */
#ifndef CIVITAS_OUTBOX_H
#define CIVITAS_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct lc_db;

/* Where events go. A topic goes to every target whose prefix matches ("request." matches
 * "request.submitted"; "" matches all). url_env names the variable holding the receiver's base
 * URL (CIVITAS_STATS_URL=http://127.0.0.1:8105): events are POSTed to that URL +
 * "/internal/v1/events" with the internal bearer secret. A target whose variable is unset is
 * skipped (that receiver is not part of this deployment).
 * A sink other than HTTP (the account service's SMTP) registers a deliver function instead. It
 * runs on the delivery thread; what it reads from the service's database it reads through
 * lc_db_thread() (that thread's own connection, with the service's named statements, closed
 * when the thread ends), never through a connection of its own. */
typedef int (*lc_outbox_deliver_fn)(const char *topic, const json_t *event, char *err, size_t errlen);

struct lc_outbox_target {
	const char *name;         /* "stats", "smtp", ... stored with each row */
	const char *topic_prefix; /* "" for every topic */
	const char *url_env;      /* HTTP target; NULL when deliver is set */
	lc_outbox_deliver_fn deliver;
};

/* Configures targets (copied) and the backoff base. Call before lc_outbox_start / emit. */
int lc_outbox_setup(const char *service, const struct lc_outbox_target *targets, size_t ntargets,
                    unsigned backoff_base_ms, unsigned max_attempts);
/* Inserts one row per matching target inside the caller's transaction and NOTIFYs the
 * delivery thread at commit. data is borrowed. The event id is written to event_id (37 bytes)
 * when not NULL. Returns 0, or -1 (the transaction should roll back). */
int lc_outbox_emit(struct lc_db *db, const char *topic, const json_t *data, char event_id[37]);
/* For events a newer one may replace while they wait (e-mails about one request a few seconds
 * apart make one message). If a waiting event of this topic (never attempted, not yet due) has
 * the merge key merge_into, its data becomes data and its key becomes key, and it keeps its due
 * time; otherwise a new event is queued under key, due delay_s seconds from now (at once when
 * key is NULL: nothing may replace it, so nothing is worth waiting for). merge_into NULL never
 * merges. Emits of one merge_into are serialised by a transaction-level advisory lock.
 * 0 or -1 (the transaction should roll back). */
int lc_outbox_emit_merged(struct lc_db *db, const char *topic, const json_t *data, const char *merge_into,
                          const char *key, unsigned delay_s);
/* Starts/stops the delivery thread (own connection, LISTEN + poll every second). */
int lc_outbox_start(const char *conninfo);
void lc_outbox_stop(void);
/* Delay before attempt number `attempt` (1 = the first retry): base * 2^(attempt-1), at most
 * one hour. Pure; used by the delivery loop and tested on its own. */
uint64_t lc_outbox_backoff_ms(unsigned attempt, unsigned base_ms);

/* For receivers of POST /internal/v1/events: the envelope lc_outbox_emit writes. */
struct lc_event {
	const char *id, *topic, *source, *occurred_at; /* borrowed from the request body */
	json_t *data;                                  /* the emitter's object, borrowed */
};
struct lc_request;
/* Checks the request body against the envelope (uuid id, topic 1-100, source 1-32, RFC 3339
 * occurred_at, object data); on failure replies 422 and returns false. */
bool lc_event_parse_or_reply(struct lc_request *rq, struct lc_event *ev);

/* For receivers: records event_id in <schema>.inbox inside the current transaction.
 * Returns 1 when new (process it), 0 when already seen (skip, still answer 200), -1 on error. */
int lc_inbox_claim(struct lc_db *db, const char *event_id);

#endif

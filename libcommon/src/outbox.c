/* outbox.c — transactional outbox. Emit writes rows in the caller's transaction; one delivery
 * thread per process claims due rows (FOR UPDATE SKIP LOCKED, so replicas share the work),
 * posts them, and reschedules failures with exponential backoff. At least once, never lost. */
#include "civitas/outbox.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civitas/auth.h"
#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/db.h"
#include "civitas/json.h"
#include "civitas/log.h"

#define MAX_TARGETS 16

static struct {
	char service[32];
	char channel[64];
	struct {
		char name[32], prefix[64], url[256];
		lc_outbox_deliver_fn deliver;
	} t[MAX_TARGETS];
	size_t n;
	unsigned base_ms, max_attempts;
	char *conninfo;
	struct lc_http_keep *http; /* the delivery thread's connections to the receivers */
	pthread_t thread;
	atomic_bool running, stop;
} O = {.base_ms = 1000, .max_attempts = 20};

uint64_t lc_outbox_backoff_ms(unsigned attempt, unsigned base_ms)
{
	const uint64_t cap = 3600ull * 1000;
	if (attempt == 0)
		return 0;
	if (attempt > 40) /* 2^40 ms is far past the cap; avoid shifting out of range */
		return cap;
	uint64_t d = (uint64_t)base_ms << (attempt - 1);
	return d > cap ? cap : d;
}

int lc_outbox_setup(const char *service, const struct lc_outbox_target *targets, size_t ntargets,
                    unsigned backoff_base_ms, unsigned max_attempts)
{
	if (ntargets > MAX_TARGETS)
		return -1;
	snprintf(O.service, sizeof(O.service), "%s", service);
	snprintf(O.channel, sizeof(O.channel), "civitas_outbox_%s", service);
	O.n = 0;
	for (size_t i = 0; i < ntargets; i++) {
		const struct lc_outbox_target *s = &targets[i];
		const char *url = s->url_env ? getenv(s->url_env) : NULL;
		if (!s->deliver && (!url || !*url))
			continue; /* a target without a URL is not configured in this deployment */
		snprintf(O.t[O.n].name, sizeof(O.t[O.n].name), "%s", s->name);
		snprintf(O.t[O.n].prefix, sizeof(O.t[O.n].prefix), "%s",
		         s->topic_prefix ? s->topic_prefix : "");
		snprintf(O.t[O.n].url, sizeof(O.t[O.n].url), "%s", url ? url : "");
		O.t[O.n].deliver = s->deliver;
		O.n++;
	}
	O.base_ms = backoff_base_ms ? backoff_base_ms : 1000;
	O.max_attempts = max_attempts ? max_attempts : 20;
	return 0;
}

/* Queues one row per target matching topic, due after delay_s seconds, replaceable under key
 * (NULL: never). 0 or -1. */
static int emit_rows(struct lc_db *db, const char *topic, const json_t *data, const char *key,
                     unsigned delay_s, char event_id[37])
{
	char id[37];
	lc_uuid_v4(id);
	if (event_id)
		memcpy(event_id, id, 37);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char at[32], delay[16];
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(delay, sizeof(delay), "%u", delay_s);
	json_t *env = json_pack("{s:s, s:s, s:s, s:s, s:O}", "id", id, "topic", topic, "source", O.service,
	                        "occurred_at", at, "data", data ? (json_t *)data : json_null());
	char *text = env ? json_dumps(env, JSON_COMPACT) : NULL;
	json_decref(env);
	if (!text)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < O.n && rc == 0; i++) {
		if (strncmp(topic, O.t[i].prefix, strlen(O.t[i].prefix)) != 0)
			continue;
		const char *p[] = {id, O.t[i].name, topic, text, key, delay, O.channel};
		PGresult *r = lc_db_exec(db, "lc_outbox_insert", 7, p);
		if (!r)
			rc = -1;
		PQclear(r);
	}
	free(text);
	return rc;
}

int lc_outbox_emit(struct lc_db *db, const char *topic, const json_t *data, char event_id[37])
{
	return emit_rows(db, topic, data, NULL, 0, event_id);
}

int lc_outbox_emit_merged(struct lc_db *db, const char *topic, const json_t *data, const char *merge_into,
                          const char *key, unsigned delay_s)
{
	if (merge_into) {
		/* Two emits for the same key at once would each find nothing and queue two events. */
		const char *pl[] = {merge_into};
		PGresult *r = lc_db_exec(db, "lc_outbox_merge_lock", 1, pl);
		if (!r)
			return -1;
		PQclear(r);
		char *text = json_dumps(data, JSON_COMPACT);
		if (!text)
			return -1;
		const char *p[] = {topic, merge_into, text, key};
		r = lc_db_exec(db, "lc_outbox_merge", 4, p);
		free(text);
		if (!r)
			return -1;
		bool merged = atoi(PQcmdTuples(r)) > 0;
		PQclear(r);
		if (merged)
			return 0;
	}
	return emit_rows(db, topic, data, key, key ? delay_s : 0, NULL);
}

bool lc_event_parse_or_reply(struct lc_request *rq, struct lc_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	const struct lc_field spec[] = {
	    {.name = "id", .type = LC_J_UUID, .required = true, .out = &ev->id},
	    {.name = "topic",
	     .type = LC_J_STRING,
	     .required = true,
	     .has_min = true,
	     .min = 1,
	     .has_max = true,
	     .max = 100,
	     .out = &ev->topic},
	    {.name = "source",
	     .type = LC_J_STRING,
	     .required = true,
	     .has_min = true,
	     .min = 1,
	     .has_max = true,
	     .max = 32,
	     .out = &ev->source},
	    {.name = "occurred_at", .type = LC_J_TIMESTAMP, .required = true, .out = &ev->occurred_at},
	    {.name = "data", .type = LC_J_OBJECT, .required = true, .out = &ev->data},
	    {0},
	};
	return lc_json_parse_or_reply(rq, spec);
}

int lc_inbox_claim(struct lc_db *db, const char *event_id)
{
	const char *p[] = {event_id};
	PGresult *r = lc_db_exec(db, "lc_inbox_claim", 1, p);
	if (!r)
		return -1;
	int fresh = atoi(PQcmdTuples(r)) == 1;
	PQclear(r);
	return fresh;
}

/* ---------- delivery ---------- */

static int deliver_http(const char *url, const char *body, const char *event_id, char *err, size_t errlen)
{
	char full[320], auth[300], idh[80];
	snprintf(full, sizeof(full), "%s/internal/v1/events", url);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	         lc_internal_secret() ? lc_internal_secret() : "");
	snprintf(idh, sizeof(idh), "X-Civitas-Event-Id: %s", event_id);
	const char *headers[] = {"Content-Type: application/json", auth, idh, NULL};
	struct lc_http_resp r;
	int rc = O.http ? lc_http_request_kept(O.http, "POST", full, headers, body, strlen(body), 10, &r)
	                : lc_http_request("POST", full, headers, body, strlen(body), 10, &r);
	if (rc < 0)
		snprintf(err, errlen, "%s", r.error);
	else if (r.status < 200 || r.status > 299) {
		snprintf(err, errlen, "receiver answered %ld", r.status);
		rc = -1;
	}
	lc_http_resp_free(&r);
	return rc;
}

static int deliver_row(const char *target, const char *topic, const char *payload, const char *event_id,
                       char *err, size_t errlen)
{
	for (size_t i = 0; i < O.n; i++) {
		if (strcmp(O.t[i].name, target) != 0)
			continue;
		if (O.t[i].deliver) {
			json_t *ev = json_loads(payload, 0, NULL);
			int rc = ev ? O.t[i].deliver(topic, ev, err, errlen) : -1;
			if (!ev)
				snprintf(err, errlen, "stored payload is not JSON");
			json_decref(ev);
			return rc;
		}
		return deliver_http(O.t[i].url, payload, event_id, err, errlen);
	}
	snprintf(err, errlen, "target %s is not configured", target);
	return -1;
}

static bool q(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	return ok;
}

/* The delivery connection's statements, prepared once on it. The claim also tells whether another
 * row is due, so that a lone event costs no second, empty claim. */
static const struct {
	const char *name, *sql;
} delivery_sql[] = {
    {"lc_outbox_claim",
     "SELECT id, event_id, target, topic, payload::text, attempts, EXISTS (SELECT 1 FROM outbox o"
     " WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= now()"
     " AND o.id <> outbox.id) FROM outbox"
     " WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()"
     " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"},
    {"lc_outbox_delivered",
     "UPDATE outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1"},
    {"lc_outbox_retry", "UPDATE outbox SET attempts = attempts + 1, last_error = $3,"
                        " next_attempt_at = now() + $2::bigint * interval '1 millisecond',"
                        " failed_at = CASE WHEN $4::boolean THEN now() END WHERE id = $1"},
};

/* Delivers the oldest due row in its own transaction: the row stays locked (replicas skip it)
 * while it is sent, and is marked sent by a COMMIT of its own, so a connection lost at any point
 * can repeat at most this one message. Returns 2 when a row was handled and another is due, 1
 * when a row was handled, 0 when none is due, -1 when the link failed (the caller reconnects;
 * nothing more is sent on this connection). */
static int deliver_one(PGconn *c)
{
	if (!q(c, "BEGIN"))
		return -1;
	PGresult *r = PQexecPrepared(c, "lc_outbox_claim", 0, NULL, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) == 0) {
		bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
		return q(c, ok ? "COMMIT" : "ROLLBACK") && ok ? 0 : -1;
	}
	const char *id = PQgetvalue(r, 0, 0), *ev = PQgetvalue(r, 0, 1), *target = PQgetvalue(r, 0, 2);
	const char *topic = PQgetvalue(r, 0, 3), *payload = PQgetvalue(r, 0, 4);
	unsigned attempts = (unsigned)atoi(PQgetvalue(r, 0, 5)) + 1;
	bool more = PQgetvalue(r, 0, 6)[0] == 't';
	char err[256] = "";
	PGresult *u;
	if (deliver_row(target, topic, payload, ev, err, sizeof(err)) == 0) {
		const char *p[] = {id};
		u = PQexecPrepared(c, "lc_outbox_delivered", 1, p, NULL, NULL, 0);
	} else {
		char delay[32], give_up[8];
		snprintf(delay, sizeof(delay), "%llu",
		         (unsigned long long)lc_outbox_backoff_ms(attempts, O.base_ms));
		snprintf(give_up, sizeof(give_up), "%s", attempts >= O.max_attempts ? "t" : "f");
		const char *p[] = {id, delay, err, give_up};
		u = PQexecPrepared(c, "lc_outbox_retry", 4, p, NULL, NULL, 0);
		if (attempts >= O.max_attempts)
			lc_error("outbox: event %s to %s given up after %u attempts: %s", ev, target,
			         attempts, err);
		else
			lc_warn("outbox: event %s to %s failed (attempt %u, retry in %s ms): %s", ev, target,
			        attempts, delay, err);
	}
	bool marked = PQresultStatus(u) == PGRES_COMMAND_OK;
	PQclear(u);
	PQclear(r);
	if (!marked) {
		q(c, "ROLLBACK");
		return -1;
	}
	return q(c, "COMMIT") ? (more ? 2 : 1) : -1;
}

/* Delivers up to BATCH due rows, one transaction each; returns how many were handled (BATCH
 * when more may be due), -1 when the link failed. */
#define BATCH 20
static int deliver_batch(PGconn *c)
{
	int n = 0;
	while (n < BATCH && !atomic_load(&O.stop)) {
		int rc = deliver_one(c);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		n++;
		if (rc == 1) /* nothing else was due: wait for the next NOTIFY */
			return n < BATCH ? n : BATCH - 1;
	}
	return n;
}

/* The delivery connection: its schema, its name in pg_stat_activity, the NOTIFY channel and the
 * statements. Its commits do not wait for the disk (synchronous_commit off): a mark lost in a
 * crash of PostgreSQL only sends that message again, which at-least-once delivery allows and
 * receivers dedupe (by event id); the rows themselves were committed by their emitters. */
static PGconn *connect_listen(void)
{
	PGconn *c = PQconnectdb(O.conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		PQfinish(c);
		return NULL;
	}
	lc_db_adopt(c);
	char *sp = PQescapeIdentifier(c, O.service, strlen(O.service));
	char *ch = PQescapeIdentifier(c, O.channel, strlen(O.channel));
	char sql[320];
	snprintf(sql, sizeof(sql),
	         "SET search_path TO %s; SET application_name TO 'civitas-outbox'; SET jit = off;"
	         " SET synchronous_commit TO off; LISTEN %s",
	         sp, ch);
	PQfreemem(sp);
	PQfreemem(ch);
	bool ok = q(c, sql);
	for (size_t i = 0; ok && i < sizeof(delivery_sql) / sizeof(delivery_sql[0]); i++) {
		PGresult *r = PQprepare(c, delivery_sql[i].name, delivery_sql[i].sql, 0, NULL);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			lc_error("outbox: cannot prepare %s: %s", delivery_sql[i].name, PQerrorMessage(c));
		PQclear(r);
	}
	if (!ok) {
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* Delivered rows are kept a day (to answer "was it sent?"), then removed: payloads may carry
 * one-time links, and the table would otherwise only grow. */
static void purge_delivered(PGconn *c)
{
	PGresult *r = PQexec(c, "DELETE FROM outbox WHERE delivered_at < now() - interval '1 day'");
	PQclear(r);
}

static void *delivery_loop(void *arg)
{
	pthread_setname_np(pthread_self(), "outbox");
	O.http = lc_http_keep_new(); /* NULL: each delivery opens its own connection */
	PGconn *c = NULL;
	unsigned wait_ms = O.base_ms < 1000 ? O.base_ms : 1000;
	time_t next_purge = 0;
	while (!atomic_load(&O.stop)) {
		if (!c && !(c = connect_listen())) {
			usleep(500 * 1000);
			continue;
		}
		if (time(NULL) >= next_purge) {
			purge_delivered(c);
			next_purge = time(NULL) + 600;
		}
		int n = deliver_batch(c);
		if (n < 0 && PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			c = NULL;
			continue;
		}
		if (n == BATCH)
			continue; /* more may be due right away */
		/* A NOTIFY that came in with the answer to one of the statements above waits in libpq, not
		 * on the socket: its row may not have been due yet when this batch looked. */
		bool pending = false;
		for (PGnotify *nt; (nt = PQnotifies(c)) != NULL; pending = true)
			PQfreemem(nt);
		if (pending)
			continue;
		/* Sleep until a NOTIFY arrives (an emit committed) or the poll interval passes. */
		struct pollfd pfd = {.fd = PQsocket(c), .events = POLLIN};
		if (poll(&pfd, 1, (int)wait_ms) > 0) {
			PQconsumeInput(c);
			PGnotify *nt;
			while ((nt = PQnotifies(c)) != NULL)
				PQfreemem(nt);
		}
	}
	PQfinish(c);
	lc_http_keep_free(O.http);
	O.http = NULL;
	return NULL;
}

int lc_outbox_start(const char *conninfo)
{
	if (O.n == 0 || atomic_load(&O.running))
		return 0; /* nothing to deliver to in this deployment */
	free(O.conninfo);
	O.conninfo = strdup(conninfo);
	atomic_store(&O.stop, false);
	if (pthread_create(&O.thread, NULL, delivery_loop, NULL) != 0)
		return -1;
	atomic_store(&O.running, true);
	return 0;
}

void lc_outbox_stop(void)
{
	if (!atomic_load(&O.running))
		return;
	atomic_store(&O.stop, true);
	pthread_join(O.thread, NULL);
	atomic_store(&O.running, false);
	free(O.conninfo);
	O.conninfo = NULL;
}

/* h_agent.c — what agents do: the queue of their services (late requests first), assignment,
 * transitions (asking for a missing document, deciding), and the quality index (SLA). */
#include "h_agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/buf.h"
#include "civitas/cache_reply.h"
#include "civitas/cell_json.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/page.h"
#include "civitas/reply.h"

#include "ts.h"

static int bad_query(struct lc_request *rq, const char *field, const char *message)
{
	return lc_reply_problem_errors(
	    rq, 422, "validation_failed", "A query parameter is not valid.",
	    json_pack("[{s:s, s:s, s:s}]", "field", field, "code", "invalid_format", "message", message));
}

/* The services a staff query covers: ?service= (which must be the caller's) or all of theirs.
 * NULL after replying 404. */
static const char *services_or_reply(struct lc_request *rq)
{
	if (!ts_is_staff(rq)) {
		ts_not_found(rq);
		return NULL;
	}
	const char *service = lc_rq_query(rq, "service");
	if (service && *service) {
		if (!ts_agent_of(rq, service) || strlen(service) > 32 || strpbrk(service, "{},\"\\ ")) {
			ts_not_found(rq);
			return NULL;
		}
		char buf[40];
		snprintf(buf, sizeof(buf), "{%s}", service);
		return lc_rq_strdup(rq, buf);
	}
	return ts_staff_services(rq);
}

/* The columns of QUEUE_ITEM (db_teleservices.c). */
enum { Q_STATUS = 1, Q_SLA_DAYS = 9, Q_RECEIVED_AT = 16, Q_PROCESSING_S = 19, Q_CLOCK_SINCE, Q_NOW };
enum { Q_LATE = -1, Q_SECONDS = -2 };

/* A request summary (request_summary_json) as jsonb prints it: keys by length then bytes, ": "
 * and ", " between them; each followed by the value of its column, or of the SLA clock. */
static const struct lc_json_key summary_keys[] = {
    {"{\"id\": ", 0},
    {", \"late\": ", Q_LATE},
    {", \"status\": ", 1},
    {", \"service\": ", 2},
    {", \"user_id\": ", 3},
    {", \"bundle_id\": ", 4},
    {", \"procedure\": {\"id\": ", 5},
    {", \"slug\": ", 6},
    {", \"title\": ", 7},
    {", \"version\": ", 8},
    {", \"sla_days\": ", 9},
    {"}, \"reference\": ", 10},
    {", \"created_at\": ", 11},
    {", \"decided_at\": ", 12},
    {", \"member_ids\": ", 13},
    {", \"updated_at\": ", 14},
    {", \"assignee_id\": ", 15},
    {", \"received_at\": ", 16},
    {", \"submitted_at\": ", 17},
    {", \"beneficiaries\": ", 18},
    {", \"processing_seconds\": ", Q_SECONDS},
    {"}", LC_JSON_NONE},
};

/* late and processing_seconds: running_seconds(processing_s, clock_since, now()), rounded as
 * numeric; late as request_summary_json says. */
static bool summary_clock(struct lc_buf *b, const PGresult *r, int row, int code, void *arg)
{
	(void)arg;
	double secs =
	    ts_running_seconds(lc_cell_float8(r, row, Q_PROCESSING_S), !PQgetisnull(r, row, Q_CLOCK_SINCE),
	                       lc_cell_int(r, row, Q_CLOCK_SINCE), lc_cell_int(r, row, Q_NOW));
	if (code == Q_SECONDS)
		return lc_json_write_int(b, (int64_t)ts_round_numeric(secs));
	bool late = !PQgetisnull(r, row, Q_RECEIVED_AT) &&
	            !(PQgetlength(r, row, Q_STATUS) == 9 &&
	              memcmp(PQgetvalue(r, row, Q_STATUS), "cancelled", 9) == 0) &&
	            secs > (double)lc_cell_int(r, row, Q_SLA_DAYS) * 86400.0;
	return late ? lc_buf_append(b, "true", 4) : lc_buf_append(b, "false", 5);
}

static bool summary_item(struct lc_buf *b, const PGresult *r, int row, void *arg)
{
	(void)arg;
	return lc_json_write_keys(b, r, row, summary_keys, sizeof(summary_keys) / sizeof(summary_keys[0]),
	                          summary_clock, NULL);
}

/* A queue page is the same for every agent who asks it with the same services and filters, and
 * the agents' screens ask it again and again (every open tab, every return to the list): it is
 * kept in this process's micro-cache for TS_QUEUE_CACHE_MS, keyed by the services (the caller's
 * token's, or ?service= after the check that it is theirs), the assignee and the query's filters
 * and page, so one agent never sees a page another's services would give. Any committed change of
 * a request made through this process clears it (ts_requests_changed: an agent who takes or
 * decides a request sees it at once); another replica's change shows within the second, and so do
 * "late" and processing_seconds, which are read at now(). The text filter is not kept: typed,
 * rarely asked twice, and the substring walk is what costs. */
#define TS_QUEUE_CACHE_MS 1000

int h_queue(struct lc_request *rq)
{
	const char *services = services_or_reply(rq);
	if (!services)
		return LC_REPLIED;
	struct lc_page page;
	if (!lc_page_or_reply(rq, &page))
		return LC_REPLIED;
	const char *status = lc_rq_query(rq, "status"), *late = lc_rq_query(rq, "late");
	const char *assignee = lc_rq_query(rq, "assignee"), *q = lc_rq_query(rq, "q");
	if (status && *status && strcmp(status, "all") != 0 &&
	    (!ts_status_known(status) || strcmp(status, "draft") == 0))
		return bad_query(rq, "status", "a request status or all");
	if (late && *late && strcmp(late, "true") != 0 && strcmp(late, "false") != 0)
		return bad_query(rq, "late", "true or false");
	if (assignee && *assignee && strcmp(assignee, "me") != 0 && !lc_json_is_uuid(assignee))
		return bad_query(rq, "assignee", "me or an agent id");
	if (q && lc_utf8_length(q) > 100)
		return bad_query(rq, "q", "at most 100 characters");
	const json_t *o = json_object_get(page.cursor, "o");
	if (page.cursor &&
	    (!json_is_integer(o) || json_integer_value(o) < 0 || json_integer_value(o) > 1000000))
		return bad_query(rq, "cursor", "not a cursor of this list");
	long offset = page.cursor ? (long)json_integer_value(o) : 0;
	char lim[16], off[24];
	snprintf(lim, sizeof(lim), "%d", page.limit + 1);
	snprintf(off, sizeof(off), "%ld", offset);
	const char *who = assignee && strcmp(assignee, "me") == 0 ? lc_rq_claims(rq)->sub : assignee;
	bool open_work = !status || !*status, all = !open_work && strcmp(status, "all") == 0;
	bool mine = who && *who, text = q && *q;
	/* One statement per shape (see QUEUE): without the text filter each runs under its generic
	 * plan, which is the custom plan's walk without the planning. */
	const char *stmt = text                     ? (open_work ? "queue_text" : "queue_text_status")
	                   : open_work              ? (mine ? "queue_open_assignee" : "queue_open")
	                   : all                    ? (mine ? "queue_all_assignee" : "queue_all")
	                   : ts_status_open(status) ? (mine ? "queue_one_assignee" : "queue_one")
	                                            : (mine ? "queue_closed_assignee" : "queue_closed");
	const char *p[] = {services, late ? late : "",       mine ? who : "", text ? q : "", lim,
	                   off,      open_work ? "" : status};
	/* An agent's client that must show the database as it is now asks with Cache-Control:
	 * no-cache (the bench's "live" rows measure that path): it reads, and leaves the kept page as
	 * it is. Only signed-in staff reach this; public answers ignore the header (anyone could make
	 * every read a query). */
	const char *cc = lc_rq_header(rq, "Cache-Control");
	bool live = cc && strcasestr(cc, "no-cache");
	/* Keyed like the SLA figures (lc_cache_key): the caller's services and the assignee as
	 * resolved ("me" is the caller), then the query's own filters and page. */
	static const char *const names[] = {"status", "late", "limit", "cursor", NULL};
	char tag[LC_CACHE_KEY_MAX + 1], key[LC_CACHE_KEY_MAX + 1];
	int tl = snprintf(tag, sizeof(tag), "queue:%s:%s", services, mine ? who : "");
	bool keyed =
	    !text && !live && tl > 0 && (size_t)tl < sizeof(tag) && lc_cache_key(key, tag, rq, names);
	int rc;
	if (keyed && lc_cache_hit(rq, key, "no-store", &rc))
		return rc;
	PGresult *r = lc_db_exec_with(lc_rq_db(rq), stmt, 7, p, LC_DB_BINARY | (text ? 0 : LC_DB_GENERIC));
	if (!r)
		return lc_db_fail_reply(rq);
	/* The page is written from the rows' binary values (summary_item). */
	int n = PQntuples(r);
	char *next = NULL;
	if (n > page.limit) {
		json_t *c = json_pack("{s:I}", "o", (json_int_t)offset + page.limit);
		next = lc_cursor_encode(c);
		json_decref(c);
	}
	rc = lc_reply_items_kept(rq, r, page.limit, summary_item, NULL, next, keyed ? key : NULL, "no-store",
	                         TS_QUEUE_CACHE_MS);
	free(next);
	return rc;
}

struct act {
	struct lc_request *rq;
	const char *id, *to, *comment, *assignee;
	bool assign;
	struct lc_outcome out;
};

static enum lc_tx_result assign_tx(struct lc_db *db, struct act *a)
{
	const char *p[] = {a->id, a->assignee ? a->assignee : ""};
	if (lc_db_run(db, "req_assign", 2, p) < 0)
		return LC_TX_ERROR;
	json_t *details = json_pack("{s:s?}", "assignee_id", a->assignee);
	int rc = lc_audit(db, a->rq, "request.assign", "request", a->id, details);
	json_decref(details);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

static enum lc_tx_result transition_tx(struct lc_db *db, struct act *a, struct ts_req_row *row)
{
	const char *me = lc_rq_claims(a->rq)->sub;
	if (!ts_transition_allowed(row->status, a->to, TS_AGENT))
		return lc_outcome_fail(&a->out, 409, "conflict",
		                       "This change of status is not allowed from the current one.");
	if (ts_transition(db, row, a->to, "agent", me, a->comment) < 0)
		return LC_TX_ERROR;
	/* The request for a missing document is also a message in the thread. */
	const char *p[] = {a->id, me, "agent", "f", a->comment};
	if (a->comment && *a->comment && strcmp(a->to, "incomplete") == 0 &&
	    lc_db_run(db, "msg_insert", 5, p) < 0)
		return LC_TX_ERROR;
	json_t *details = json_pack("{s:s}", "to", a->to);
	json_object_set_new(details, "comment", a->comment ? json_string(a->comment) : json_null());
	int rc = lc_audit(db, a->rq, "request.transition", "request", a->id, details);
	json_decref(details);
	return rc < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

static enum lc_tx_result act_tx(struct lc_db *db, void *arg)
{
	struct act *a = arg;
	lc_outcome_reset(&a->out);
	struct ts_req_row row;
	int found = ts_req_lock(db, a->id, &row);
	if (found < 0)
		return LC_TX_ERROR;
	enum lc_tx_result res;
	if (!found || !ts_agent_of(a->rq, row.service) || strcmp(row.status, "draft") == 0)
		res = lc_outcome_fail(&a->out, 404, "not_found", "No such request.");
	else
		res = a->assign ? assign_tx(db, a) : transition_tx(db, a, &row);
	if (found)
		ts_req_row_free(&row);
	return res;
}

static int run_act(struct lc_request *rq, struct act *a)
{
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), act_tx, a);
	if (t != LC_TX_COMMIT)
		return lc_outcome_reply(rq, t, &a->out);
	ts_requests_changed();
	json_t *j = ts_request_json(lc_rq_db(rq), a->id, true);
	return j ? lc_reply_json(rq, 200, j) : lc_db_fail_reply(rq);
}

/* The request id of an agent's action with its body parsed by spec; NULL after replying (404
 * for a citizen or a bad id: no existence leak). */
static const char *staff_target_or_reply(struct lc_request *rq, const struct lc_field *spec)
{
	if (!ts_is_staff(rq)) {
		ts_not_found(rq);
		return NULL;
	}
	if (!lc_json_parse_or_reply(rq, spec))
		return NULL;
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id)) {
		ts_not_found(rq);
		return NULL;
	}
	return id;
}

int h_request_transition(struct lc_request *rq)
{
	static const char *const targets[] = {"in_progress", "incomplete", "accepted", "rejected", NULL};
	const char *to = NULL, *comment = NULL;
	const struct lc_field spec[] = {
	    LC_F_ENUM("to", targets, &to, .required = true),
	    LC_F_STRING("comment", 0, 4000, &comment),
	    {0},
	};
	const char *id = staff_target_or_reply(rq, spec);
	if (!id)
		return LC_REPLIED;
	if ((strcmp(to, "incomplete") == 0 || strcmp(to, "rejected") == 0) && (!comment || !*comment))
		return lc_reply_problem_errors(rq, 422, "validation_failed", "Say what is missing or why.",
		                               json_pack("[{s:s, s:s, s:s}]", "field", "comment", "code",
		                                         "required", "message",
		                                         "a comment is required for this status"));
	struct act a = {.rq = rq, .id = id, .to = to, .comment = comment};
	return run_act(rq, &a);
}

int h_request_assign(struct lc_request *rq)
{
	const char *assignee = NULL;
	bool present = false;
	const struct lc_field spec[] = {
	    LC_F_UUID("assignee_id", &assignee, .nullable = true, .present = &present),
	    {0},
	};
	const char *id = staff_target_or_reply(rq, spec);
	if (!id)
		return LC_REPLIED;
	struct act a = {
	    .rq = rq, .id = id, .assign = true, .assignee = present ? assignee : lc_rq_claims(rq)->sub};
	return run_act(rq, &a);
}

/* A from/to query value: YYYY-MM-DD (start of that day, UTC) or an RFC 3339 timestamp. */
static bool time_param(const char *v, char *out, size_t outlen)
{
	if (lc_json_is_date(v)) {
		snprintf(out, outlen, "%sT00:00:00Z", v);
		return true;
	}
	if (lc_json_is_timestamp(v)) {
		snprintf(out, outlen, "%s", v);
		return true;
	}
	return false;
}

/* Reads ?from=&to= (defaults: the last 30 days up to now). false after replying 422. */
bool ts_period_or_reply(struct lc_request *rq, char from[40], char to[40])
{
	const char *f = lc_rq_query(rq, "from"), *t = lc_rq_query(rq, "to");
	time_t now = time(NULL);
	struct tm tm;
	if (t && *t) {
		if (!time_param(t, to, 40)) {
			bad_query(rq, "to", "a date YYYY-MM-DD or an RFC 3339 timestamp");
			return false;
		}
		if (lc_json_is_date(t)) { /* a date "to" includes that day */
			snprintf(to, 40, "%sT23:59:59Z", t);
		}
	} else {
		gmtime_r(&now, &tm);
		strftime(to, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
		to[39] = '\0';
		/* one second later so that requests received this second count */
		time_t later = now + 1;
		gmtime_r(&later, &tm);
		strftime(to, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (f && *f) {
		if (!time_param(f, from, 40)) {
			bad_query(rq, "from", "a date YYYY-MM-DD or an RFC 3339 timestamp");
			return false;
		}
	} else {
		time_t before = now - 30 * 86400;
		gmtime_r(&before, &tm);
		strftime(from, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	return true;
}

/* SLA figures are exact medians and 90th percentiles over the period (a sort of its requests:
 * ~33,000 for a year of a town's service), too dear to recompute on every click of the screen.
 * An answer is kept in this process's micro-cache for TS_SLA_CACHE_MS, keyed by the caller's
 * services and the query's period as written, and says when it was computed (computed_at); a
 * committed change of a request's status clears it (ts_requests_changed). */
#define TS_SLA_CACHE_MS 60000

void ts_requests_changed(void)
{
	lc_cache_clear();
}

struct sla_hit {
	struct lc_request *rq;
	int rc;
};

/* Under the cache lock: lc_reply_bytes copies the body. */
static void sla_hit(const struct lc_cache_entry *e, void *arg)
{
	struct sla_hit *h = arg;
	h->rc = lc_reply_bytes(h->rq, 200, e->type, e->body, e->len);
}

int h_sla(struct lc_request *rq)
{
	const char *services = services_or_reply(rq);
	if (!services)
		return LC_REPLIED;
	char from[40], to[40];
	if (!ts_period_or_reply(rq, from, to))
		return LC_REPLIED;
	static const char *const names[] = {"from", "to", NULL};
	char tag[LC_CACHE_KEY_MAX + 1], key[LC_CACHE_KEY_MAX + 1];
	int tl = snprintf(tag, sizeof(tag), "sla:%s", services);
	bool keyed = tl > 0 && (size_t)tl < sizeof(tag) && lc_cache_key(key, tag, rq, names);
	struct sla_hit h = {.rq = rq};
	if (keyed && lc_cache_get(key, lc_cache_now_ms(), sla_hit, &h))
		return h.rc;
	const char *p[] = {from, to, services};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "sla", 3, p);
	if (!r)
		return lc_db_fail_reply(rq);
	char computed[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(computed, sizeof(computed), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* from and to were checked to be dates or RFC 3339 timestamps: no character to escape. */
	struct lc_buf b;
	lc_buf_init(&b, 0);
	bool ok = lc_buf_printf(&b, "{\"from\":\"%s\",\"to\":\"%s\",\"computed_at\":\"%s\",\"services\":[",
	                        from, to, computed);
	for (int i = 0; ok && i < PQntuples(r); i++)
		ok = (i == 0 || lc_buf_append(&b, ",", 1)) &&
		     lc_buf_append(&b, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
	PQclear(r);
	ok = ok && lc_buf_append(&b, "]}", 2);
	size_t len = 0;
	char *body = ok ? lc_buf_steal(&b, &len) : NULL;
	if (!body) {
		lc_buf_free(&b);
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	}
	if (keyed)
		lc_cache_put(key, body, len, "", "application/json", lc_cache_now_ms(), TS_SLA_CACHE_MS);
	return lc_reply_bytes_owned(rq, 200, "application/json", body, len);
}

/* h_events.c — the agenda: public list by period, one event, the iCalendar export, and the
 * editors' create / update (If-Match) / delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/buf.h"
#include "civitas/cache_reply.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "common.h"
#include "handlers.h"
#include "ical.h"
#include "markdown.h"

int h_events_list(struct lc_request *rq)
{
	const char *from = lc_rq_query(rq, "from"), *to = lc_rq_query(rq, "to");
	if (from && !lc_json_is_timestamp(from) && !lc_json_is_date(from))
		return lc_reply_field(rq, "from", "invalid_format",
		                      "from is a date or an RFC 3339 timestamp.");
	if (to && !lc_json_is_timestamp(to) && !lc_json_is_date(to))
		return lc_reply_field(rq, "to", "invalid_format", "to is a date or an RFC 3339 timestamp.");
	const char *p[] = {from, to};
	static const char *const names[] = {"from", "to", "limit", "cursor", NULL};
	return content_keyset_list(rq, "ev_list", p, 2, "events", names);
}

int h_event_get(struct lc_request *rq)
{
	const char *p[] = {lc_rq_param(rq, "slug")};
	bool failed;
	json_t *e = lc_db_json(lc_rq_db(rq), "ev_get", 1, p, &failed);
	if (failed)
		return lc_db_fail_reply(rq);
	if (!e)
		return lc_reply_problem(rq, 404, "not_found", "No such event.");
	return lc_reply_json_cached(rq, e, PUBLIC_CC);
}

int h_internal_event_get(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such event.");
	const char *p[] = {id};
	bool failed;
	json_t *e = lc_db_json(lc_rq_db(rq), "ev_get_id", 1, p, &failed);
	if (failed)
		return lc_db_fail_reply(rq);
	if (!e)
		return lc_reply_problem(rq, 404, "not_found", "No such event.");
	return lc_reply_json(rq, 200, e);
}

int h_events_ics(struct lc_request *rq)
{
	int rc;
	lc_rq_add_header(rq, "Content-Disposition", "inline; filename=\"agenda.ics\"");
	if (lc_cache_hit(rq, "events.ics", "public, max-age=300", &rc))
		return rc;
	PGresult *r = lc_db_exec(lc_rq_db(rq), "ev_ics", 0, NULL);
	if (!r)
		return lc_db_fail_reply(rq);
	struct lc_buf b;
	lc_buf_init(&b, 8u << 20);
	bool ok = lc_buf_printf(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Civitas//Agenda//FR\r\n"
	                            "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n");
	ok = ok && ical_text_line(&b, "X-WR-CALNAME", "Agenda de la commune");
	for (int i = 0; ok && i < PQntuples(r); i++) {
		char start[17], end[17], stamp[17], uid[80], url[512];
		if (!ical_utc_stamp(PQgetvalue(r, i, 3), start) ||
		    !ical_utc_stamp(PQgetvalue(r, i, 4), end) || !ical_utc_stamp(PQgetvalue(r, i, 7), stamp))
			continue;
		snprintf(uid, sizeof(uid), "%s@civitas", PQgetvalue(r, i, 0));
		snprintf(url, sizeof(url), "%s/agenda.html?evenement=%s", content_public_url(),
		         PQgetvalue(r, i, 1));
		ok =
		    lc_buf_printf(&b, "BEGIN:VEVENT\r\n") && ical_raw_line(&b, "UID", uid) &&
		    ical_raw_line(&b, "DTSTAMP", stamp) && ical_raw_line(&b, "DTSTART", start) &&
		    ical_raw_line(&b, "DTEND", end) && ical_text_line(&b, "SUMMARY", PQgetvalue(r, i, 2)) &&
		    (PQgetvalue(r, i, 5)[0] == '\0' || ical_text_line(&b, "LOCATION", PQgetvalue(r, i, 5))) &&
		    (PQgetvalue(r, i, 6)[0] == '\0' ||
		     ical_text_line(&b, "DESCRIPTION", PQgetvalue(r, i, 6))) &&
		    ical_raw_line(&b, "URL", url) && lc_buf_printf(&b, "END:VEVENT\r\n");
	}
	PQclear(r);
	ok = ok && lc_buf_printf(&b, "END:VCALENDAR\r\n");
	if (!ok) {
		lc_buf_free(&b);
		return lc_reply_problem(rq, 500, "internal", "The calendar is too large.");
	}
	size_t len;
	char *data = lc_buf_steal(&b, &len);
	rc = lc_cache_store_reply(rq, "events.ics", data, len, "text/calendar; charset=utf-8",
	                          "public, max-age=300");
	free(data);
	return rc;
}

struct ev_ctx {
	struct lc_request *rq;
	struct lc_outcome out;
	const char *id; /* NULL: create */
	json_t *patch;
};

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static enum lc_tx_result ev_write_tx(struct lc_db *db, void *arg)
{
	struct ev_ctx *c = arg;
	lc_outcome_reset(&c->out);
	json_t *cur;
	bool failed;
	char id[37];
	if (c->id) {
		enum lc_tx_result stop;
		PGresult *r = content_lock(db, c->rq, "ev_lock", c->id, 1, "No such event.", &c->out, &stop);
		if (!r)
			return stop;
		cur = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
		PQclear(r);
		snprintf(id, sizeof(id), "%s", c->id);
	} else {
		lc_uuid_v4(id);
		cur =
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:n, s:b}", "location", "", "summary", "", "body_md",
		              "", "audience", "tous", "slug", "", "registration_url", "ticketed", 0);
	}
	if (!cur)
		return LC_TX_ERROR;
	json_object_update(cur, c->patch);
	const char *slug = jstr(cur, "slug");
	char made[121];
	if (!slug || !*slug) {
		content_slugify(jstr(cur, "title"), made, sizeof(made));
		json_object_set_new(cur, "slug", json_string(made[0] ? made : "evenement"));
	}
	const char *body = jstr(cur, "body_md");
	char *html = md_render(body ? body : "", body ? strlen(body) : 0);
	if (!html) {
		json_decref(cur);
		return LC_TX_ERROR;
	}
	const char *p[] = {id,
	                   jstr(cur, "slug"),
	                   jstr(cur, "title"),
	                   jstr(cur, "starts_at"),
	                   jstr(cur, "ends_at"),
	                   jstr(cur, "location"),
	                   jstr(cur, "summary"),
	                   body ? body : "",
	                   html,
	                   jstr(cur, "audience"),
	                   jstr(cur, "registration_url"),
	                   json_is_true(json_object_get(cur, "ticketed")) ? "true" : "false",
	                   caller_id(c->rq)};
	PGresult *r = lc_db_exec(db, c->id ? "ev_update" : "ev_insert", c->id ? 12 : 13, p);
	free(html);
	json_decref(cur);
	if (!r) {
		const char *st = lc_db_sqlstate(db);
		if (strcmp(st, "23505") == 0)
			return lc_outcome_field(&c->out, "slug", "taken", "This slug is already used.");
		if (strcmp(st, "23514") == 0)
			return lc_outcome_field(&c->out, "ends_at", "out_of_range",
			                        "ends_at must not come before starts_at.");
		return LC_TX_ERROR;
	}
	PQclear(r);
	const char *gp[] = {id};
	c->out.body = lc_db_json(db, "ev_get_id", 1, gp, &failed);
	if (!c->out.body)
		return LC_TX_ERROR;
	if (lc_audit(db, c->rq, c->id ? "event.update" : "event.create", "event", id, NULL) < 0)
		return LC_TX_ERROR;
	content_etag(c->out.etag, json_integer_value(json_object_get(c->out.body, "revision")));
	c->out.status = c->id ? 200 : 201;
	if (!c->id)
		snprintf(c->out.location, sizeof(c->out.location), "/api/content/v1/events/%s",
		         jstr(c->out.body, "slug"));
	return LC_TX_COMMIT;
}

static int ev_write(struct lc_request *rq, const char *id)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	bool create = id == NULL;
	const struct lc_field spec[] = {
	    LC_F_STRING("title", 1, 200, NULL, .required = create),
	    LC_F_STRING("slug", 1, 120, NULL, .pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"),
	    LC_F_TIMESTAMP("starts_at", NULL, .required = create),
	    LC_F_TIMESTAMP("ends_at", NULL, .required = create),
	    LC_F_STRING("location", 0, 200, NULL),
	    LC_F_STRING("summary", 0, 500, NULL),
	    LC_F_STRING("body_md", 0, 50000, NULL),
	    LC_F_STRING("audience", 0, 60, NULL),
	    LC_F_STRING("registration_url", 0, 500, NULL, .nullable = true,
	                .pattern = "^https?://[^[:space:]]+$"),
	    LC_F_BOOL("ticketed", NULL),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (id && !lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such event.");
	struct ev_ctx c = {.rq = rq, .id = id, .patch = lc_rq_json(rq)};
	if (!c.patch || json_object_size(c.patch) == 0)
		return lc_reply_field(rq, "", "required", "Nothing to change.");
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), ev_write_tx, &c), &c.out);
}

int h_event_create(struct lc_request *rq)
{
	return ev_write(rq, NULL);
}

int h_event_update(struct lc_request *rq)
{
	return ev_write(rq, lc_rq_param(rq, "id"));
}

int h_event_delete(struct lc_request *rq)
{
	return content_delete_by_id(rq, "ev_delete", "event");
}

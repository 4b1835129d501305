/* h_alerts.c — the urgent information banner: the active alerts for every page (visible as
 * soon as an editor saves them), and the editors' create / update (If-Match) / delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/cache_reply.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "common.h"
#include "handlers.h"

static const char *const levels[] = {"info", "warning", "critical", NULL};

/* The banner of every page: from the micro-cache, cleared by any alert change on this replica. */
int h_alerts_active(struct lc_request *rq)
{
	/* no-cache: browsers revalidate (304) each time, so a new alert shows at once. */
	int rc;
	if (lc_cache_hit(rq, "alerts/active", "no-cache", &rc))
		return rc;
	PGresult *r = lc_db_exec(lc_rq_db(rq), "al_active", 0, NULL);
	if (!r)
		return lc_db_fail_reply(rq);
	size_t len;
	char *body = lc_db_items_text(r, PQntuples(r), 0, NULL, &len);
	PQclear(r);
	if (!body)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	rc = lc_cache_store_reply(rq, "alerts/active", body, len, "application/json", "no-cache");
	free(body);
	return rc;
}

int h_alerts_list(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	PGresult *r = lc_db_exec(lc_rq_db(rq), "al_all", 0, NULL);
	if (!r)
		return lc_db_fail_reply(rq);
	json_t *items = lc_db_rows_json(r, -1);
	PQclear(r);
	return lc_reply_json(rq, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

/* « En savoir plus » must lead somewhere: a link to a page of the site (/page.html?slug=…) names
 * a published article. 1: it does, 0: it does not, -1: database error. Other links pass. */
static int link_target_ok(struct lc_db *db, const char *link)
{
	static const char prefix[] = "/page.html?slug=";
	if (!link || strncmp(link, prefix, sizeof(prefix) - 1) != 0)
		return 1;
	char slug[256];
	size_t n = strcspn(link + sizeof(prefix) - 1, "&#");
	if (n == 0 || n >= sizeof(slug))
		return 0;
	memcpy(slug, link + sizeof(prefix) - 1, n);
	slug[n] = '\0';
	const char *p[] = {slug};
	PGresult *r = lc_db_exec(db, "al_link_target", 1, p);
	if (!r)
		return -1;
	int found = PQntuples(r) > 0;
	PQclear(r);
	return found;
}

struct al_ctx {
	struct lc_request *rq;
	struct lc_outcome out;
	const char *id;
	json_t *patch;
};

static enum lc_tx_result al_write_tx(struct lc_db *db, void *arg)
{
	struct al_ctx *c = arg;
	lc_outcome_reset(&c->out);
	json_t *cur;
	char id[37];
	bool failed;
	if (c->id) {
		enum lc_tx_result stop;
		PGresult *r = content_lock(db, c->rq, "al_lock", c->id, 1, "No such alert.", &c->out, &stop);
		if (!r)
			return stop;
		cur = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
		PQclear(r);
		snprintf(id, sizeof(id), "%s", c->id);
	} else {
		lc_uuid_v4(id);
		cur = json_pack("{s:n, s:n, s:n}", "link", "starts_at", "ends_at");
	}
	if (!cur)
		return LC_TX_ERROR;
	json_object_update(cur, c->patch);
	int target = link_target_ok(db, json_string_value(json_object_get(cur, "link")));
	if (target <= 0) {
		json_decref(cur);
		return target < 0 ? LC_TX_ERROR
		                  : lc_outcome_field(&c->out, "link", "not_found",
		                                     "No published page of the site has this slug.");
	}
	const char *p[] = {id,
	                   json_string_value(json_object_get(cur, "level")),
	                   json_string_value(json_object_get(cur, "message")),
	                   json_string_value(json_object_get(cur, "link")),
	                   json_string_value(json_object_get(cur, "starts_at")),
	                   json_string_value(json_object_get(cur, "ends_at")),
	                   caller_id(c->rq)};
	PGresult *r = lc_db_exec(db, c->id ? "al_update" : "al_insert", c->id ? 6 : 7, p);
	json_decref(cur);
	if (!r) {
		if (strcmp(lc_db_sqlstate(db), "23514") == 0)
			return lc_outcome_field(&c->out, "ends_at", "out_of_range",
			                        "ends_at must come after starts_at.");
		return LC_TX_ERROR;
	}
	PQclear(r);
	if (lc_audit(db, c->rq, c->id ? "alert.update" : "alert.create", "alert", id, NULL) < 0)
		return LC_TX_ERROR;
	const char *gp[] = {id};
	json_t *alert = lc_db_json(db, "al_get", 1, gp, &failed);
	if (!alert)
		return LC_TX_ERROR;
	content_etag(c->out.etag, json_integer_value(json_object_get(alert, "revision")));
	if (!c->id)
		snprintf(c->out.location, sizeof(c->out.location), "/api/content/v1/alerts/%s", id);
	return lc_outcome_ok(&c->out, c->id ? 200 : 201, alert);
}

static int al_write(struct lc_request *rq, const char *id)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	bool create = id == NULL;
	const struct lc_field spec[] = {
	    LC_F_ENUM("level", levels, NULL, .required = create),
	    LC_F_STRING("message", 1, 500, NULL, .required = create),
	    LC_F_STRING("link", 0, 500, NULL, .nullable = true, .pattern = "^(https?://|/)[^[:space:]]*$"),
	    LC_F_TIMESTAMP("starts_at", NULL, .nullable = true),
	    LC_F_TIMESTAMP("ends_at", NULL, .nullable = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (id && !lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such alert.");
	struct al_ctx c = {.rq = rq, .id = id, .patch = lc_rq_json(rq)};
	if (!c.patch || json_object_size(c.patch) == 0)
		return lc_reply_field(rq, "", "required", "Nothing to change.");
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), al_write_tx, &c), &c.out);
}

int h_alert_create(struct lc_request *rq)
{
	return al_write(rq, NULL);
}

int h_alert_update(struct lc_request *rq)
{
	return al_write(rq, lc_rq_param(rq, "id"));
}

int h_alert_delete(struct lc_request *rq)
{
	return content_delete_by_id(rq, "al_delete", "alert");
}

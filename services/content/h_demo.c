/* h_demo.c — POST /internal/v1/demo: seeds a believable site for Beaulieu-sur-Loire (sections,
 * pages and news, upcoming events, an alert, the directory, job offers). Idempotent: rows are
 * keyed on their slugs (jobs on a settings marker); the demo users come from the account service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/cache.h"
#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/reply.h"

#include "common.h"
#include "demo_data.h"
#include "handlers.h"
#include "markdown.h"

#define NIL_UUID "00000000-0000-0000-0000-000000000000"

struct demo_users {
	char editor[37], contributor[37], partner[37], etat_civil[37], scolaire[37], jeunesse[37],
	    conservatoire[37];
};

/* The id of a demo account, or "" when the account service does not know it. */
static void user_id(struct lc_request *rq, const char *email, char out[37])
{
	out[0] = '\0';
	char path[200];
	snprintf(path, sizeof(path), "/internal/v1/users?email=%s", email);
	/* '@' and '.' are fine in a query; the addresses are ours. */
	struct lc_http_resp resp = {0};
	if (lc_internal_call("account", "GET", path, NULL, lc_rq_id(rq), &resp) == 0 && resp.status == 200 &&
	    resp.json) {
		const char *id = json_string_value(json_object_get(resp.json, "id"));
		if (id && lc_json_is_uuid(id))
			snprintf(out, 37, "%s", id);
	}
	if (!out[0])
		lc_warn("demo: no account for %s (status %ld)", email, resp.status);
	lc_http_resp_free(&resp);
}

struct demo_ctx {
	struct lc_request *rq;
	const struct demo_users *u;
	int articles, events, orgs, jobs;
};

/* JSON array text of the non-empty ids among the given ones. Caller frees. */
static char *ids_json(const char *a, const char *b, const char *c)
{
	json_t *arr = json_array();
	const char *all[] = {a, b, c};
	for (int i = 0; i < 3; i++)
		if (all[i] && all[i][0])
			json_array_append_new(arr, json_string(all[i]));
	char *s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

static const char *contributors_for(const struct demo_users *u, const char *who, const char **b,
                                    const char **c)
{
	*b = *c = NULL;
	if (strcmp(who, "communication") == 0)
		return u->contributor;
	if (strcmp(who, "etat-civil") == 0) {
		*b = u->contributor;
		return u->etat_civil;
	}
	if (strcmp(who, "enfance") == 0) {
		*b = u->jeunesse;
		return u->scolaire;
	}
	if (strcmp(who, "conservatoire") == 0)
		return u->conservatoire;
	return NULL;
}

/* The seed's parts, each inside seed_tx's transaction: false when a statement failed. */

/* The sections with their contributors. */
static bool seed_sections(struct lc_db *db, const struct demo_users *u)
{
	for (size_t i = 0; i < demo_nsections; i++) {
		const struct demo_section *s = &demo_sections[i];
		char id[37], pos[12];
		lc_uuid_v4(id);
		snprintf(pos, sizeof(pos), "%d", (int)i * 10);
		const char *b, *cc;
		const char *a = contributors_for(u, s->contributors, &b, &cc);
		char *ids = ids_json(a, b, cc);
		const char *p[] = {id, s->parent, s->slug, s->title, s->description, pos, ids};
		int rc = lc_db_run(db, "demo_section", 7, p);
		free(ids);
		if (rc < 0)
			return false;
	}
	return true;
}

/* The news and pages, dated relative to today, each with its first revision. */
static bool seed_articles(struct lc_db *db, struct demo_ctx *c, const char *author)
{
	for (size_t i = 0; i < demo_narticles; i++) {
		const struct demo_article *a = &demo_articles[i];
		char id[37], days[12];
		lc_uuid_v4(id);
		snprintf(days, sizeof(days), "%d", a->days_ago);
		time_t now = time(NULL);
		char *title = demo_dated(a->title, now), *summary = demo_dated(a->summary, now);
		char *body = demo_dated(a->body, now);
		char *html = body ? md_render(body, strlen(body)) : NULL;
		PGresult *r = NULL;
		if (title && summary && html) {
			const char *p[] = {id,   a->kind, a->slug, title, summary,   body,
			                   html, a->tags, author,  days,  a->section};
			r = lc_db_exec(db, "demo_article", 11, p);
		}
		free(title);
		free(summary);
		free(body);
		free(html);
		if (!r)
			return false;
		int made = PQntuples(r);
		PQclear(r);
		if (made) {
			const char *pr[] = {id};
			if (lc_db_run(db, "demo_revision", 1, pr) < 0)
				return false;
			c->articles++;
		}
	}
	return true;
}

/* The agenda. */
static bool seed_events(struct lc_db *db, struct demo_ctx *c, const char *author)
{
	for (size_t i = 0; i < demo_nevents; i++) {
		const struct demo_event *e = &demo_events[i];
		char id[37], day[12], start[12], dur[12];
		lc_uuid_v4(id);
		snprintf(day, sizeof(day), "%d", e->in_days);
		snprintf(start, sizeof(start), "%d", e->start_minute);
		snprintf(dur, sizeof(dur), "%d", e->minutes);
		char *html = md_render(e->body, strlen(e->body));
		if (!html)
			return false;
		const char *p[] = {id,      e->slug, e->title,    day,
		                   start,   dur,     e->location, e->summary,
		                   e->body, html,    e->audience, e->ticketed ? "true" : "false",
		                   author};
		int n = lc_db_run(db, "demo_event", 13, p);
		free(html);
		if (n < 0)
			return false;
		c->events += n;
	}
	return true;
}

/* The alert banner. */
static bool seed_alert(struct lc_db *db, const char *author)
{
	char aid[37];
	lc_uuid_v4(aid);
	const char *pa[] = {aid, "warning", demo_alert_message, demo_alert_link, author};
	if (lc_db_run(db, "demo_alert", 5, pa) < 0)
		return false;
	return true;
}

/* The directory, some entries owned by the demo partner. */
static bool seed_orgs(struct lc_db *db, struct demo_ctx *c, const struct demo_users *u)
{
	for (size_t i = 0; i < demo_norgs; i++) {
		const struct demo_org *o = &demo_orgs[i];
		char id[37];
		lc_uuid_v4(id);
		char *owners = ids_json(o->partner_owned ? u->partner : NULL, NULL, NULL);
		char *html = md_render(o->description, strlen(o->description));
		if (!owners || !html) {
			free(owners);
			free(html);
			return false;
		}
		const char *p[] = {id,         o->slug,  o->name,  o->category, o->description, html,
		                   o->address, o->phone, o->email, o->website,  o->hours,       owners};
		int n = lc_db_run(db, "demo_org", 12, p);
		free(owners);
		free(html);
		if (n < 0)
			return false;
		c->orgs += n;
	}
	return true;
}

/* Job offers, once only (their tokens would pile up at every seed). */
static bool seed_jobs(struct lc_db *db, struct demo_ctx *c)
{
	PGresult *r = lc_db_exec(db, "demo_jobs_seeded", 0, NULL);
	if (!r)
		return false;
	bool seeded = PQntuples(r) > 0;
	PQclear(r);
	for (size_t i = 0; !seeded && i < demo_njobs; i++) {
		const struct demo_job *j = &demo_jobs[i];
		char id[37], token[64], hash[65], exp[12], ago[12];
		lc_uuid_v4(id);
		if (!lc_random_token(token, sizeof(token), 32))
			return false;
		lc_sha256_hex(token, strlen(token), hash);
		snprintf(exp, sizeof(exp), "%d", j->expires_in_days);
		snprintf(ago, sizeof(ago), "%d", j->published_days_ago);
		char *html = md_render(j->description, strlen(j->description));
		if (!html)
			return false;
		const char *p[] = {id,   j->title, j->employer, j->contract, j->location, j->description,
		                   html, j->email, exp,         hash,        ago};
		int rc = lc_db_run(db, "demo_job", 11, p);
		free(html);
		if (rc < 0)
			return false;
		c->jobs++;
	}
	if (!seeded && lc_db_run(db, "demo_jobs_mark", 0, NULL) < 0)
		return false;
	return true;
}

static enum lc_tx_result seed_tx(struct lc_db *db, void *arg)
{
	struct demo_ctx *c = arg;
	c->articles = c->events = c->orgs = c->jobs = 0;
	const struct demo_users *u = c->u;
	const char *author = u->editor[0] ? u->editor : NIL_UUID;
	bool ok = seed_sections(db, u) && seed_articles(db, c, author) && seed_events(db, c, author) &&
	          seed_alert(db, author) && seed_orgs(db, c, u) && seed_jobs(db, c);
	return ok ? LC_TX_COMMIT : LC_TX_ERROR;
}

int h_demo(struct lc_request *rq)
{
	const struct lc_field spec[] = {
	    LC_F_STRING("password", 0, 128, NULL),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	struct demo_users u;
	user_id(rq, "editeur@mairie.example", u.editor);
	user_id(rq, "contributeur@mairie.example", u.contributor);
	user_id(rq, "partenaire@asso.example", u.partner);
	user_id(rq, "agent.etat-civil@mairie.example", u.etat_civil);
	user_id(rq, "agent.scolaire@mairie.example", u.scolaire);
	user_id(rq, "agent.jeunesse@mairie.example", u.jeunesse);
	user_id(rq, "agent.conservatoire@mairie.example", u.conservatoire);
	struct demo_ctx c = {.rq = rq, .u = &u};
	if (lc_db_tx(lc_rq_db(rq), seed_tx, &c) != LC_TX_COMMIT)
		return lc_db_fail_reply(rq);
	lc_cache_clear();
	return lc_reply_json(rq, 200,
	                     json_pack("{s:i, s:i, s:i, s:i, s:b}", "articles", c.articles, "events",
	                               c.events, "organisations", c.orgs, "jobs", c.jobs, "users_found",
	                               u.editor[0] != 0));
}

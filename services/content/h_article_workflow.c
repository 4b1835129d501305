/* h_article_workflow.c — the editorial workflow of pages and news: draft → in_review →
 * published → archived (submit, publish, reject with a comment, archive), each step a revision,
 * an audit entry and, on publication, an article.published event. */
#include <stdlib.h>
#include <string.h>

#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "articles.h"
#include "common.h"
#include "handlers.h"

static enum lc_tx_result transition_tx(struct lc_db *db, void *arg)
{
	struct art_ctx *c = arg;
	lc_outcome_reset(&c->out);
	json_t *cur = NULL;
	long long rev;
	char section[37], status[16];
	/* An If-Match, when sent, must match; transitions do not require one. */
	int got = article_lock(db, c, LC_IF_MATCH_WHEN_SENT, &cur, &rev, section, status, NULL);
	if (got <= 0)
		return got < 0 ? LC_TX_ERROR : LC_TX_ROLLBACK;
	json_decref(cur);
	const char *a = c->action;
	bool editor = caller_is(c->rq, "editor");
	if (strcmp(a, "submit") == 0) {
		int ok = article_can_edit_section(db, c->rq, section);
		if (ok < 0)
			return LC_TX_ERROR;
		if (!ok)
			return lc_outcome_fail(&c->out, 403, "forbidden",
			                       "You may submit only in your sections.");
		if (strcmp(status, "draft") != 0)
			return lc_outcome_fail(&c->out, 409, "conflict", "Only a draft can be submitted.");
	} else {
		if (!editor)
			return lc_outcome_fail(&c->out, 403, "forbidden", "Only an editor may do this.");
		if (strcmp(a, "publish") == 0 && strcmp(status, "published") == 0)
			return lc_outcome_fail(&c->out, 409, "conflict", "The article is already published.");
		if (strcmp(a, "reject") == 0 && strcmp(status, "in_review") != 0)
			return lc_outcome_fail(&c->out, 409, "conflict",
			                       "Only an article in review can be rejected.");
		if (strcmp(a, "archive") == 0 && strcmp(status, "archived") == 0)
			return lc_outcome_fail(&c->out, 409, "conflict", "The article is already archived.");
	}
	PGresult *r;
	if (strcmp(a, "publish") == 0) {
		const char *p[] = {c->id};
		r = lc_db_exec(db, "art_publish", 1, p);
		if (!r)
			return LC_TX_ERROR;
		if (PQntuples(r) == 1) {
			json_t *ev =
			    json_pack("{s:s, s:s, s:s, s:s, s:I, s:o}", "article_id", c->id, "slug",
			              PQgetvalue(r, 0, 2), "kind", PQgetvalue(r, 0, 3), "section_id",
			              PQgetvalue(r, 0, 4), "revision", (json_int_t)atoll(PQgetvalue(r, 0, 1)),
			              "publish_at",
			              PQgetisnull(r, 0, 5) ? json_null() : json_string(PQgetvalue(r, 0, 5)));
			int rc = lc_outbox_emit(db, "article.published", ev, NULL);
			json_decref(ev);
			if (rc < 0) {
				PQclear(r);
				return LC_TX_ERROR;
			}
		}
	} else {
		const char *to = strcmp(a, "submit") == 0   ? "in_review"
		                 : strcmp(a, "reject") == 0 ? "draft"
		                                            : "archived";
		const char *p[] = {c->id, to, strcmp(a, "reject") == 0 ? c->comment : NULL};
		r = lc_db_exec(db, "art_set_status", 3, p);
		if (!r)
			return LC_TX_ERROR;
	}
	enum lc_tx_result res = article_take_work(r, &c->out, 200);
	if (res != LC_TX_COMMIT)
		return res;
	return article_record(db, c->rq, c->id, a, c->comment) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

static int transition(struct lc_request *rq, const char *action)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return LC_REPLIED;
	const char *comment = NULL;
	if (strcmp(action, "reject") == 0) {
		const struct lc_field spec[] = {
		    LC_F_STRING("comment", 1, 1000, &comment, .required = true),
		    {0},
		};
		if (!lc_json_parse_or_reply(rq, spec))
			return LC_REPLIED;
	} else {
		const struct lc_field spec[] = {{0}};
		if (!lc_json_parse_or_reply(rq, spec))
			return LC_REPLIED;
	}
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such article.");
	struct art_ctx c = {.rq = rq, .id = id, .action = action, .comment = comment};
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), transition_tx, &c), &c.out);
}

int h_article_submit(struct lc_request *rq)
{
	return transition(rq, "submit");
}
int h_article_publish(struct lc_request *rq)
{
	return transition(rq, "publish");
}
int h_article_reject(struct lc_request *rq)
{
	return transition(rq, "reject");
}
int h_article_archive(struct lc_request *rq)
{
	return transition(rq, "archive");
}

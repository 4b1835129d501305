/* articles.c — what editing, the workflow and the reads of articles share (articles.h): the
 * lock + If-Match of an article, section rights, revision records, the working copy. */
#include "articles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/db.h"

#include "common.h"

int article_can_edit_section(struct lc_db *db, struct lc_request *rq, const char *section_id)
{
	if (caller_is(rq, "editor"))
		return 1;
	const char *p[] = {section_id, caller_id(rq)};
	PGresult *r = lc_db_exec(db, "sec_can_edit", 2, p);
	if (!r)
		return -1;
	int ok = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return ok;
}

int article_record(struct lc_db *db, struct lc_request *rq, const char *id, const char *action,
                   const char *comment)
{
	const char *p[] = {id, caller_id(rq), caller_role(rq), action, comment};
	if (lc_db_run(db, "rev_insert", 5, p) < 0)
		return -1;
	char what[48];
	snprintf(what, sizeof(what), "article.%s", action);
	json_t *details = comment ? json_pack("{s:s}", "comment", comment) : NULL;
	int rc = lc_audit(db, rq, what, "article", id, details);
	json_decref(details);
	return rc;
}

enum lc_tx_result article_take_work(PGresult *r, struct lc_outcome *o, unsigned status)
{
	if (PQntuples(r) != 1) {
		PQclear(r);
		return LC_TX_ERROR;
	}
	o->body = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	content_etag(o->etag, atoll(PQgetvalue(r, 0, 1)));
	PQclear(r);
	o->status = status;
	return o->body ? LC_TX_COMMIT : LC_TX_ERROR;
}

int article_lock(struct lc_db *db, struct art_ctx *c, enum lc_if_match_rule rule, json_t **cur,
                 long long *rev, char section[37], char status[16], bool *never_published)
{
	const char *p[] = {c->id};
	const struct lc_lock lock = {.stmt = "art_lock",
	                             .nparams = 1,
	                             .params = p,
	                             .etag_col = 1,
	                             .etag_prefix = "r",
	                             .not_found = "No such article.",
	                             .if_match = rule};
	enum lc_tx_result stop;
	PGresult *r = lc_lock_if_match(db, c->rq, &lock, &c->out, NULL, &stop);
	if (!r)
		return stop == LC_TX_ERROR ? -1 : 0;
	*cur = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	*rev = atoll(PQgetvalue(r, 0, 1));
	snprintf(section, 37, "%s", PQgetvalue(r, 0, 2));
	snprintf(status, 16, "%s", PQgetvalue(r, 0, 3));
	if (never_published)
		*never_published = strcmp(PQgetvalue(r, 0, 6), "t") == 0;
	PQclear(r);
	return *cur ? 1 : -1;
}

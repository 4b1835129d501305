/* articles.h — what the article files share (editing, workflow, reads): the context of a
 * write, the article lock, section rights, the revision record, the working copy from a row. */
#ifndef CIVITAS_CONTENT_ARTICLES_H
#define CIVITAS_CONTENT_ARTICLES_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "civitas/outcome.h"

struct lc_request;

struct art_ctx {
	struct lc_request *rq;
	struct lc_outcome out;
	const char *id;      /* article id (update, transitions) */
	json_t *patch;       /* fields to change (borrowed) */
	const char *action;  /* update | restore | submit | publish | reject | archive */
	const char *comment; /* reject */
	int restore_n;
	char author_name[160];
};

/* May the caller write in this section? Editors anywhere, agents where they contribute.
 * 1, 0, -1 (database). */
int article_can_edit_section(struct lc_db *db, struct lc_request *rq, const char *section_id);
/* Writes the revision row for the article's current state and the audit entry. 0 or -1. */
int article_record(struct lc_db *db, struct lc_request *rq, const char *id, const char *action,
                   const char *comment);
/* Fills o with the working copy from a "... RETURNING article_work, revision" result (freed). */
enum lc_tx_result article_take_work(PGresult *r, struct lc_outcome *o, unsigned status);
/* Locks the article c->id and checks If-Match under rule; fills cur (owned), revision, section
 * and status (and never_published when not NULL). Returns 1, 0 (the outcome says why: 404,
 * 412, 428), -1. */
int article_lock(struct lc_db *db, struct art_ctx *c, enum lc_if_match_rule rule, json_t **cur,
                 long long *rev, char section[37], char status[16], bool *never_published);

#endif

/* page.h — the list conventions of every API: ?limit= (default 20, at most 100) and an opaque
 * keyset ?cursor= (base64url of a small JSON object the service chose), answered as
 * {"items": [...], "next_cursor": "..." | null}. */
#ifndef CIVITAS_PAGE_H
#define CIVITAS_PAGE_H

#include <jansson.h>
#include <stdbool.h>

struct lc_request;

#define LC_PAGE_DEFAULT 20
#define LC_PAGE_MAX     100

struct lc_page {
	int limit;
	json_t *cursor; /* the decoded cursor object, or NULL on the first page; freed with rq */
};

/* Reads ?limit and ?cursor; a bad value answers 422 validation_failed (field "limit" or
 * "cursor") and returns false. */
bool lc_page_or_reply(struct lc_request *rq, struct lc_page *page);
/* Encodes a cursor object (borrowed) as the opaque string; caller frees. NULL on OOM. */
char *lc_cursor_encode(const json_t *cursor);
/* {"items": items, "next_cursor": encoded next or null}. Steals items and next (may be NULL). */
json_t *lc_page_body(json_t *items, json_t *next);

#endif

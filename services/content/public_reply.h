/* public_reply.h — public answers through the micro-cache (cache.h): a key made of the route and
 * the query parameters it reads, the stored text sent with a strong ETag (304 on If-None-Match),
 * and list bodies written as text from the rows' own JSON (no parse and reprint). */
#ifndef CIVITAS_CONTENT_PUBLIC_REPLY_H
#define CIVITAS_CONTENT_PUBLIC_REPLY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "cache.h"

struct lc_request;

/* Builds into key the cache key of tag and the named query parameters (NULL-terminated),
 * decoded; false when it would be too long or a value holds a separator (then do not cache). */
bool public_key(char key[CACHE_KEY_MAX + 1], const char *tag, struct lc_request *rq,
                const char *const *names);
/* On a hit, replies from the cache (ETag, Cache-Control cc, 304) and sets *rc; returns true. */
bool public_hit(struct lc_request *rq, const char *key, const char *cc, int *rc);
/* Stores body under key (when key is not NULL) and replies 200 with it (ETag over the body,
 * Cache-Control cc, 304 on a matching If-None-Match). body stays the caller's. */
int public_store_reply(struct lc_request *rq, const char *key, const char *body, size_t len, const char *type,
                       const char *cc);
/* {"items": [column col of the first n rows], "next_cursor": next or null} as text (caller frees);
 * next is a cursor string (base64url, so it needs no escaping). NULL on OOM. */
char *public_items_text(PGresult *r, int n, int col, const char *next, size_t *len);

#endif

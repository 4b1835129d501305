/* cache_reply.h — answers through the micro-cache (cache.h): a key made of the route and the
 * query parameters it reads, the stored text sent with a strong ETag (304 on If-None-Match).
 * Content's public answers and teleservices' procedures catalogue use it. */
#ifndef CIVITAS_CACHE_REPLY_H
#define CIVITAS_CACHE_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "cache.h"

struct lc_request;

/* Builds into key the cache key of tag and the named query parameters (NULL-terminated),
 * decoded; false when it would be too long or a value holds a separator (then do not cache). */
bool lc_cache_key(char key[LC_CACHE_KEY_MAX + 1], const char *tag, struct lc_request *rq,
                  const char *const *names);
/* On a hit, replies from the cache (ETag, Cache-Control cc, 304) and sets *rc; returns true. */
bool lc_cache_hit(struct lc_request *rq, const char *key, const char *cc, int *rc);
/* Stores body under key (when key is not NULL) for lc_cache_ttl_ms() and replies 200 with it
 * (ETag over the body, Cache-Control cc, 304 on a matching If-None-Match). body stays the
 * caller's. */
int lc_cache_store_reply(struct lc_request *rq, const char *key, const char *body, size_t len,
                         const char *type, const char *cc);
/* The same with the entry's lifetime and lc_cache_store's flags chosen by the caller: an answer that
 * depends on the clock lives ttl_ms whatever a cache watcher vouches for, and an answer to a
 * signed-in caller is stored without LC_CACHE_GZIP. */
int lc_cache_store_reply_with(struct lc_request *rq, const char *key, const char *body, size_t len,
                              const char *type, const char *cc, uint64_t ttl_ms, unsigned flags);

/* True when an Accept-Encoding header (NULL: none) takes gzip: "gzip" (or "x-gzip"; or "*" when
 * gzip is not named) with a weight other than 0 (RFC 9110 12.5.3). */
bool lc_takes_gzip(const char *accept_encoding);

#endif

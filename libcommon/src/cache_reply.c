/* cache_reply.c — answers through the micro-cache: keys, hits, stores. */
#include "civitas/cache_reply.h"

#include <stdio.h>
#include <string.h>

#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/reply.h"

/* Separators of a key: unit between parts, record for "absent"; a value holding either is not
 * cached, so two different queries never share a key. */
#define SEP    '\x1f'
#define ABSENT '\x1e'

bool lc_cache_key(char key[LC_CACHE_KEY_MAX + 1], const char *tag, struct lc_request *rq,
                  const char *const *names)
{
	size_t n = 0, cap = LC_CACHE_KEY_MAX;
	size_t t = strlen(tag);
	if (t > cap)
		return false;
	memcpy(key, tag, t);
	n = t;
	for (size_t i = 0; names[i]; i++) {
		const char *v = lc_rq_query(rq, names[i]);
		size_t len = v ? strlen(v) : 1;
		if (n + 1 + len > cap || (v && strpbrk(v, "\x1e\x1f")))
			return false;
		key[n++] = SEP;
		if (v)
			memcpy(key + n, v, len);
		else
			key[n] = ABSENT;
		n += len;
	}
	key[n] = '\0';
	return true;
}

static int send(struct lc_request *rq, const char *body, size_t len, const char *etag, const char *type,
                const char *cc)
{
	lc_rq_add_header(rq, "ETag", etag);
	lc_rq_add_header(rq, "Cache-Control", cc);
	const char *inm = lc_rq_header(rq, "If-None-Match");
	if (inm && (strcmp(inm, "*") == 0 || strstr(inm, etag)))
		return lc_reply_empty(rq, 304);
	return lc_reply_bytes(rq, 200, type, body, len);
}

struct hit {
	struct lc_request *rq;
	const char *cc;
	int rc;
};

static void on_hit(const struct lc_cache_entry *e, void *arg)
{
	struct hit *h = arg;
	h->rc = send(h->rq, e->body, e->len, e->etag, e->type, h->cc);
}

bool lc_cache_hit(struct lc_request *rq, const char *key, const char *cc, int *rc)
{
	struct hit h = {.rq = rq, .cc = cc};
	if (!lc_cache_get(key, lc_cache_now_ms(), on_hit, &h))
		return false;
	*rc = h.rc;
	return true;
}

int lc_cache_store_reply(struct lc_request *rq, const char *key, const char *body, size_t len,
                         const char *type, const char *cc)
{
	char hex[65], etag[40];
	lc_sha256_hex(body, len, hex);
	snprintf(etag, sizeof(etag), "\"%.32s\"", hex);
	uint64_t now = lc_cache_now_ms();
	if (key)
		lc_cache_put(key, body, len, etag, type, now, lc_cache_ttl_ms(now));
	return send(rq, body, len, etag, type, cc);
}

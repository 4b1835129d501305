/* cache_reply.c — answers through the micro-cache: keys, hits, stores. */
#include "civitas/cache_reply.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/reply.h"

#include "internal.h"

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

/* True when the parameters of one Accept-Encoding member, [params, end), give it weight 0
 * ("q=0", "q=0.0", … : refused); no q, or any other value, is a yes. */
static bool weight_zero(const char *params, const char *end)
{
	for (const char *p = params; p < end; p++) {
		if (*p != ';')
			continue;
		p += 1 + strspn(p + 1, " \t");
		if (p + 2 > end || (*p != 'q' && *p != 'Q') || p[1] != '=')
			continue;
		const char *v = p + 2;
		if (v >= end || *v != '0')
			return false;
		for (v++; v < end && (*v == '.' || *v == '0');)
			v++;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		return v >= end || *v == ';';
	}
	return false;
}

bool lc_takes_gzip(const char *ae)
{
	if (!ae)
		return false;
	int star = -1, named = -1; /* -1 not listed, 0 refused, 1 accepted */
	for (const char *p = ae; *p;) {
		p += strspn(p, " \t,");
		size_t n = strcspn(p, " \t;,");
		const char *end = p + n + strcspn(p + n, ",");
		bool yes = n > 0 && !weight_zero(p + n, end);
		if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(p, "x-gzip", 6) == 0))
			named = yes;
		else if (n == 1 && *p == '*')
			star = yes;
		p = end;
	}
	return named == 1 || (named == -1 && star == 1);
}

static void release_entry(void *e)
{
	lc_cache_release(e);
}

/* Sends a held entry (the reference passes to the reply): the gzip'd copy to a client that takes
 * it, each copy with its own strong ETag; a 304 when If-None-Match names either. */
static int send_entry(struct lc_request *rq, const struct lc_cache_entry *e, const char *cc)
{
	char gz_etag[80];
	bool gz = e->gz && lc_takes_gzip(lc_rq_header(rq, "Accept-Encoding"));
	size_t el = strlen(e->etag);
	if (e->gz && el >= 2 && el + 3 < sizeof(gz_etag)) { /* "abc" → "abc-gz" */
		memcpy(gz_etag, e->etag, el - 1);
		memcpy(gz_etag + el - 1, "-gz\"", 5);
	} else {
		gz_etag[0] = '\0';
		gz = false;
	}
	lc_rq_add_header(rq, "ETag", gz ? gz_etag : e->etag);
	lc_rq_add_header(rq, "Cache-Control", cc);
	if (e->gz) /* the answer depends on Accept-Encoding: caches must keep both copies apart */
		lc_rq_add_header(rq, "Vary", "Accept-Encoding");
	const char *inm = lc_rq_header(rq, "If-None-Match");
	if (lc__etag_listed(inm, e->etag) || (gz_etag[0] && lc__etag_listed(inm, gz_etag))) {
		lc_cache_release(e);
		return lc_reply_empty(rq, 304);
	}
	if (gz)
		lc_rq_add_header(rq, "Content-Encoding", "gzip");
	return lc_reply_bytes_shared(rq, 200, e->type, gz ? e->gz : e->body, gz ? e->gz_len : e->len,
	                             release_entry, (void *)e);
}

static int send_copy(struct lc_request *rq, const char *body, size_t len, const char *etag, const char *type,
                     const char *cc)
{
	lc_rq_add_header(rq, "ETag", etag);
	lc_rq_add_header(rq, "Cache-Control", cc);
	if (lc__etag_listed(lc_rq_header(rq, "If-None-Match"), etag))
		return lc_reply_empty(rq, 304);
	return lc_reply_bytes(rq, 200, type, body, len);
}

bool lc_cache_hit(struct lc_request *rq, const char *key, const char *cc, int *rc)
{
	const struct lc_cache_entry *e = lc_cache_acquire(key, lc_cache_now_ms());
	if (!e)
		return false;
	*rc = send_entry(rq, e, cc);
	return true;
}

int lc_cache_store_reply_with(struct lc_request *rq, const char *key, const char *body, size_t len,
                              const char *type, const char *cc, uint64_t ttl_ms, unsigned flags)
{
	char hex[65], etag[40];
	lc_sha256_hex(body, len, hex);
	snprintf(etag, sizeof(etag), "\"%.32s\"", hex);
	const struct lc_cache_entry *e =
	    key ? lc_cache_store(key, body, len, etag, type, lc_cache_now_ms(), ttl_ms, flags) : NULL;
	return e ? send_entry(rq, e, cc) : send_copy(rq, body, len, etag, type, cc);
}

int lc_cache_store_reply(struct lc_request *rq, const char *key, const char *body, size_t len,
                         const char *type, const char *cc)
{
	return lc_cache_store_reply_with(rq, key, body, len, type, cc, lc_cache_ttl_ms(lc_cache_now_ms()),
	                                 LC_CACHE_GZIP);
}

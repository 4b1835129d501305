/* request.c — the request accessors a handler uses (request.h). They sit below both the server
 * (http.c), which fills struct lc_request and calls the replies for its own refusals, and the
 * replies (reply.c), which read and add headers: the replies never call into the server. */
#include "civitas/request.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civitas/db.h"

#include "internal.h"

const char *lc_rq_method(const struct lc_request *rq)
{
	return rq->method;
}
const char *lc_rq_path(const struct lc_request *rq)
{
	return rq->path;
}
const char *lc_rq_id(const struct lc_request *rq)
{
	return rq->request_id;
}
json_t *lc_rq_json(const struct lc_request *rq)
{
	return rq->json;
}
bool lc_rq_replied(const struct lc_request *rq)
{
	return rq->replied;
}
struct lc_db *lc_rq_db(struct lc_request *rq)
{
	return lc_db_thread();
}

const struct lc_claims *lc_rq_claims(const struct lc_request *rq)
{
	return rq->has_claims ? &rq->claims : NULL;
}

const char *lc_rq_param(const struct lc_request *rq, const char *name)
{
	return lc_match_param(&rq->match, name);
}

const char *lc_rq_query(const struct lc_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *lc_rq_header(const struct lc_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *lc_rq_body(const struct lc_request *rq, size_t *len)
{
	if (len)
		*len = rq->body.len;
	return rq->body.len ? rq->body.data : NULL;
}

bool lc_rq_defer(struct lc_request *rq, void (*fn)(void *), void *arg)
{
	struct lc_cleanup *c = malloc(sizeof(*c));
	if (!c) { /* cannot defer: run now rather than leak; the caller must not use arg */
		fn(arg);
		return false;
	}
	c->fn = fn;
	c->arg = arg;
	c->next = rq->cleanups;
	rq->cleanups = c;
	return true;
}

void *lc_rq_alloc(struct lc_request *rq, size_t n)
{
	void *p = calloc(1, n ? n : 1);
	return p && lc_rq_defer(rq, free, p) ? p : NULL;
}

char *lc_rq_strdup(struct lc_request *rq, const char *s)
{
	char *p = strdup(s ? s : "");
	return p && lc_rq_defer(rq, free, p) ? p : NULL;
}

void lc_rq_add_header(struct lc_request *rq, const char *name, const char *value)
{
	if (rq->nout >= LC_MAX_OUT_HEADERS)
		return;
	char *n = strdup(name), *v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return;
	}
	rq->out_headers[rq->nout].name = n;
	rq->out_headers[rq->nout].value = v;
	rq->nout++;
	if (strcasecmp(name, "Cache-Control") == 0)
		rq->has_cache_control = true;
}

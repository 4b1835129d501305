/* reply.c — JSON bodies, RFC 9457 problems, ETag/304 and the headers every response carries.
 * Exactly one reply per request: a second one is a programming error and is dropped (logged). */
#include "civitas/reply.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civitas/auth.h"
#include "civitas/cache_reply.h"
#include "civitas/db.h"
#include "civitas/log.h"

#include "internal.h"

/* The catalogue: every code a service answers with has a title here (problems.def). */
static const struct {
	const char *code, *title;
} titles[] = {
#define LC_PROBLEM(code, title) {#code, title},
#include "problems.def"
#undef LC_PROBLEM
    {NULL, NULL},
};

const char *lc_problem_title(const char *code)
{
	for (size_t i = 0; titles[i].code; i++)
		if (strcmp(titles[i].code, code) == 0)
			return titles[i].title;
	return "Error";
}

const char *lc_problem_code_at(size_t i)
{
	return i < sizeof(titles) / sizeof(titles[0]) ? titles[i].code : NULL;
}

json_t *lc_problem_new(unsigned status, const char *code, const char *detail, const char *request_id)
{
	char type[160];
	/* A stable URI per code; documented in openapi/components/common.yaml. */
	snprintf(type, sizeof(type), "https://civitas.example/problems/%s", code);
	json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", lc_problem_title(code),
	                      "status", (int)status, "detail", detail ? detail : "", "code", code);
	if (p && request_id)
		json_object_set_new(p, "request_id", json_string(request_id));
	return p;
}

int lc__queue(struct lc_request *rq, unsigned status, struct MHD_Response *resp)
{
	if (!resp)
		return -1;
	if (rq->replied) {
		lc_error("second reply for %s %s dropped", rq->method, rq->path);
		MHD_destroy_response(resp);
		return -1;
	}
	MHD_add_response_header(resp, "X-Request-Id", rq->request_id);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	/* API answers are data, never documents: nothing may run or frame them. A handler that
	 * serves a page of its own (payment's pay and sandbox pages) sets a policy for it instead. */
	bool own_csp = false;
	for (size_t i = 0; i < rq->nout; i++) {
		MHD_add_response_header(resp, rq->out_headers[i].name, rq->out_headers[i].value);
		own_csp = own_csp || strcasecmp(rq->out_headers[i].name, "Content-Security-Policy") == 0;
	}
	if (!own_csp)
		MHD_add_response_header(resp, "Content-Security-Policy",
		                        "default-src 'none'; frame-ancestors 'none'");
	if (!rq->has_cache_control)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	rq->replied = true;
	rq->status = status;
	if (rq->off_thread) { /* sent by lc__rq_send_kept, on the HTTP thread */
		rq->kept = resp;
		return 0;
	}
	enum MHD_Result r = MHD_queue_response(rq->conn, status, resp);
	MHD_destroy_response(resp);
	return r == MHD_YES ? 0 : -1;
}

static int reply_text(struct lc_request *rq, unsigned status, const char *type, char *text)
{
	if (!text)
		return lc_reply_problem(rq, 500, "internal", "Could not serialise the response.");
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return -1;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	return lc__queue(rq, status, resp);
}

int lc_reply_json(struct lc_request *rq, unsigned status, json_t *body)
{
	if (!body)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	return reply_text(rq, status, "application/json", text);
}

/* True when an If-None-Match or If-Match header lists etag (or is "*"); weak prefixes are ignored. */
bool lc__etag_listed(const char *inm, const char *etag)
{
	if (!inm)
		return false;
	if (strcmp(inm, "*") == 0)
		return true;
	size_t elen = strlen(etag);
	for (const char *p = inm; (p = strstr(p, etag)) != NULL; p += elen) {
		char after = p[elen];
		if (after == '\0' || after == ',' || after == ' ')
			return true;
	}
	return false;
}

int lc_reply_json_cached(struct lc_request *rq, json_t *body, const char *cache_control)
{
	if (!body)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	if (!text)
		return lc_reply_problem(rq, 500, "internal", "Could not serialise the response.");
	unsigned char md[32];
	unsigned mdlen = 0;
	EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
	char etag[2 + 32 + 1];
	etag[0] = '"';
	for (int i = 0; i < 15; i++)
		snprintf(etag + 1 + i * 2, 3, "%02x", md[i]);
	etag[31] = '"';
	etag[32] = '\0';
	lc_rq_add_header(rq, "ETag", etag);
	lc_rq_add_header(rq, "Cache-Control", cache_control ? cache_control : "no-cache");
	if (lc__etag_listed(lc_rq_header(rq, "If-None-Match"), etag)) {
		free(text);
		return lc_reply_empty(rq, 304);
	}
	return reply_text(rq, 200, "application/json", text);
}

int lc_reply_problem_errors(struct lc_request *rq, unsigned status, const char *code, const char *detail,
                            json_t *errors)
{
	json_t *p = lc_problem_new(status, code, detail, rq->request_id);
	if (p && errors)
		json_object_set_new(p, "errors", errors);
	else if (errors)
		json_decref(errors);
	if (!p)
		return -1;
	if (status >= 500 && status != 503)
		lc_error("request %s %s answered %u %s", rq->method, rq->path, status, code);
	char *text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(p);
	return reply_text(rq, status, "application/problem+json", text);
}

int lc_reply_problem(struct lc_request *rq, unsigned status, const char *code, const char *detail)
{
	return lc_reply_problem_errors(rq, status, code, detail, NULL);
}

int lc_reply_field(struct lc_request *rq, const char *field, const char *code, const char *detail)
{
	return lc_reply_problem_errors(
	    rq, 422, "validation_failed", detail,
	    json_pack("[{s:s, s:s, s:s}]", "field", field, "code", code, "message", detail));
}

int lc_reply_bytes(struct lc_request *rq, unsigned status, const char *content_type, const void *data,
                   size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return -1;
	MHD_add_response_header(resp, "Content-Type", content_type);
	return lc__queue(rq, status, resp);
}

int lc_reply_bytes_owned(struct lc_request *rq, unsigned status, const char *content_type, void *data,
                         size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(data);
		return -1;
	}
	MHD_add_response_header(resp, "Content-Type", content_type);
	return lc__queue(rq, status, resp);
}

int lc_reply_bytes_shared(struct lc_request *rq, unsigned status, const char *content_type, const void *data,
                          size_t len, void (*release)(void *), void *arg)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer_with_free_callback_cls(len, (void *)data, release, arg);
	if (!resp) {
		release(arg);
		return -1;
	}
	MHD_add_response_header(resp, "Content-Type", content_type);
	return lc__queue(rq, status, resp);
}

int lc_reply_empty(struct lc_request *rq, unsigned status)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	return lc__queue(rq, status, resp);
}

/* --- the replying guards: answers a handler gives before it does anything --- */

/* The page of r's first rows (at most limit) written by item; r is cleared. NULL when out of memory. */
static char *items_page(PGresult *r, int limit, lc_db_item_fn *item, void *arg, const char *next, size_t *len)
{
	int n = PQntuples(r);
	char *body = lc_db_items_write(r, n < limit ? n : limit, item, arg, next, len);
	PQclear(r);
	return body;
}

int lc_reply_items(struct lc_request *rq, PGresult *r, int limit, lc_db_item_fn *item, void *arg,
                   const char *next)
{
	size_t len = 0;
	char *body = items_page(r, limit, item, arg, next, &len);
	if (!body)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	return lc_reply_bytes_owned(rq, 200, "application/json", body, len);
}

int lc_reply_items_kept(struct lc_request *rq, PGresult *r, int limit, lc_db_item_fn *item, void *arg,
                        const char *next, const char *key, const char *cc, uint64_t ttl_ms)
{
	size_t len = 0;
	char *body = items_page(r, limit, item, arg, next, &len);
	if (!body)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	int rc = lc_cache_store_reply_with(rq, key, body, len, "application/json", cc, ttl_ms, 0);
	free(body);
	return rc;
}

int lc_db_fail_reply(struct lc_request *rq)
{
	struct lc_db *db = lc_db_thread();
	return lc_db_state_reply(rq, lc_db_sqlstate(db), lc_db_unavailable(db), lc_db_error(db));
}

int lc_db_state_reply(struct lc_request *rq, const char *state, bool unavailable, const char *error)
{
	if (unavailable) {
		lc_rq_add_header(rq, "Retry-After", "5");
		return lc_reply_problem(rq, 503, "unavailable",
		                        "The database is unavailable; try again shortly.");
	}
	if (strcmp(state, "23505") == 0)
		return lc_reply_problem(rq, 409, "conflict", "This conflicts with an existing record.");
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
		lc_rq_add_header(rq, "Retry-After", "1");
		return lc_reply_problem(rq, 503, "unavailable", "Too much contention; try again.");
	}
	lc_error("database error %s: %s", state, error ? error : "");
	return lc_reply_problem(rq, 500, "internal", "An internal error occurred.");
}

static bool reply_unauthorized(struct lc_request *rq)
{
	lc_rq_add_header(rq, "WWW-Authenticate", "Bearer realm=\"civitas\"");
	lc_reply_problem(rq, 401, "unauthorized", "A valid access token is required.");
	return false;
}

bool lc_require_role_or_reply(struct lc_request *rq, const char *min_role)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	if (!c)
		return reply_unauthorized(rq);
	if (!lc_claims_at_least(c, min_role)) {
		/* 404, not 403: a caller below the role must not learn the resource exists. */
		lc_reply_problem(rq, 404, "not_found", "No such resource.");
		return false;
	}
	return true;
}

bool lc_require_service_or_reply(struct lc_request *rq, const char *service)
{
	const struct lc_claims *c = lc_rq_claims(rq);
	if (!c)
		return reply_unauthorized(rq);
	if (!lc_claims_at_least(c, "agent") || !lc_claims_has_service(c, service)) {
		lc_reply_problem(rq, 404, "not_found", "No such resource.");
		return false;
	}
	return true;
}

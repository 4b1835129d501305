/* internal.h — what libcommon's own files share about a request; services never include it.
 * The request context lives from MHD's first callback to its completion notice. */
#ifndef CIVITAS_INTERNAL_H
#define CIVITAS_INTERNAL_H

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "civitas/auth.h"
#include "civitas/buf.h"
#include "civitas/request.h"
#include "civitas/router.h"

#define LC_MAX_OUT_HEADERS 16

struct lc_cleanup {
	void (*fn)(void *);
	void *arg;
	struct lc_cleanup *next;
};

struct lc_request {
	struct MHD_Connection *conn;
	struct timespec started;
	char method[16];
	char *path;
	char request_id[65];
	char client_ip[64];

	enum lc_match_result match_result;
	struct lc_match match;

	struct lc_buf body;
	bool body_too_large;
	bool checked; /* early_checks already ran (on the first call) */
	/* A request refused before its body was read: the body is read and dropped (up to
	 * LC_DRAIN_MAX bytes) and the refusal sent at the end, so that a gateway still writing the
	 * body is not cut off with a broken pipe (which it would turn into a 502/503). */
	bool draining;
	size_t body_seen; /* bytes received, kept or dropped */
	struct lc_refusal {
		unsigned status;
		const char *code, *header_name, *header_value;
		char detail[112];
	} refusal;
	json_t *json;

	struct lc_claims claims;
	bool has_claims;

	struct {
		char *name, *value;
	} out_headers[LC_MAX_OUT_HEADERS];
	size_t nout;
	bool has_cache_control;

	struct lc_cleanup *cleanups; /* run in reverse order of registration */
	/* Parked by the handler (lc_rq_park): MHD has the connection suspended until
	 * lc_rq_resume; then the worker thread calls resume(rq, resume_arg). */
	struct lc_http *http;
	bool parked;
	atomic_bool woken; /* set by lc_rq_resume before it wakes MHD */
	int (*resume)(struct lc_request *rq, void *arg);
	void *resume_arg;
	bool replied;
	unsigned status;
	/* A handler running on an offload worker (lc_offload_handler) cannot queue its reply:
	 * MHD takes it on the HTTP thread only. The reply is kept here until then. */
	bool off_thread;
	struct MHD_Response *kept;
};

/* db.c: a new request starts with no failure remembered, so lc_db_failed() speaks of this
 * request's statements only (connections outlive requests). Does not connect. */
void lc__db_forget_failure(void);

/* reply.c: queue a response with the framework's headers (request id, security, cache). */
int lc__queue(struct lc_request *rq, unsigned status, struct MHD_Response *resp);
/* http.c: a handler runs on a worker (its reply is kept), and the resume that sends it. */
void lc__rq_off_thread(struct lc_request *rq, bool on);
int lc__rq_send_kept(struct lc_request *rq, void *unused);
/* Does an If-None-Match / If-Match header list etag (or is it "*")? Weak prefixes are ignored. */
bool lc__etag_listed(const char *header, const char *etag);

#endif

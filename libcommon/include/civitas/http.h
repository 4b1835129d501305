/* http.h — the libmicrohttpd server every daemon runs. What a handler reads from and adds to its
 * request is in request.h (included here). */
#ifndef CIVITAS_HTTP_H
#define CIVITAS_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civitas/request.h"
#include "civitas/router.h"

/* A body refused before it was read (401, 413, 415...) is still read and dropped up to this many
 * bytes before the answer goes out: a gateway that already sent part of it would otherwise get a
 * broken pipe and answer 502/503 instead of ours. Above the gateway's largest
 * client_max_body_size (12 MiB); a longer body gets the connection closed. */
#define LC_DRAIN_MAX (16u * 1024 * 1024)

struct lc_http_config {
	const char *bind;      /* "127.0.0.1" or "0.0.0.0" */
	uint16_t port;         /* 0 picks a free port (see lc_http_port) */
	unsigned threads;      /* worker threads in the MHD pool (>=1) */
	unsigned conn_timeout; /* seconds an idle connection is kept */
	size_t conn_memory;    /* MHD per-connection memory limit in bytes */
	unsigned conn_limit;   /* total connections */
	/* Connections one client address may hold at once (0: no limit); the trusted proxies
	 * below are not counted, since the public's traffic all comes through them. */
	unsigned per_ip_limit;
	/* Comma-separated IPv4 CIDRs whose X-Real-IP header names the client (the gateway);
	 * NULL keeps "127.0.0.0/8". IPv6 peers are trusted only on loopback. */
	const char *trusted_proxies;
	/* A Unix-domain socket to listen on as well (NULL or "": none), for a gateway on the same
	 * host: cheaper than TCP loopback. Created with mode 0660; its peer is trusted like a
	 * gateway (its X-Real-IP names the client). The TCP port is served either way. */
	const char *unix_path;
	const struct lc_route *routes;
};

struct lc_http;
/* Starts the daemon; NULL on failure (logged). */
struct lc_http *lc_http_start(const struct lc_http_config *cfg);
uint16_t lc_http_port(const struct lc_http *h);
/* Stops accepting, lets in-flight requests finish (up to grace_ms), then stops. Frees h. */
void lc_http_stop(struct lc_http *h, unsigned grace_ms);

/* Is ip (text) inside one of the comma-separated IPv4 CIDRs? Pure; for tests too. */
bool lc_ip_in_cidrs(const char *ip, const char *cidrs);

/* --- Requests answered later (batch.h builds on these) --- */
/* Parks the request: the handler returns without replying and its worker thread goes on
 * serving other connections. Once some thread calls lc_rq_resume(rq), resume(rq, arg) runs on
 * the worker thread of the connection and replies (a 500 is sent if it does not). Call it
 * from the handler only, with the body complete (always so in a handler). */
void lc_rq_park(struct lc_request *rq, int (*resume)(struct lc_request *rq, void *arg), void *arg);
/* Wakes a parked request; any thread, once per park. Whatever the resume function reads must be
 * written before this call. The server waits for parked requests before it stops. */
void lc_rq_resume(struct lc_request *rq);

#endif

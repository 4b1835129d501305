/* service.h — what a daemon's main.c declares and the one call that runs it: configuration,
 * migrations, database pool, token keys, outbox, HTTP server, signals, clean shutdown.
 * Every daemon also gets /api/<svc>/v1/healthz, /readyz and /metrics from here. */
#ifndef CIVITAS_SERVICE_H
#define CIVITAS_SERVICE_H

#include "civitas/config.h"
#include "civitas/db.h"
#include "civitas/outbox.h"
#include "civitas/router.h"

struct lc_service {
	const char *name;                /* "content": schema, role, URL prefix /api/content/v1 */
	uint16_t default_port;           /* 8101.. */
	const struct lc_route *routes;   /* the service's own table (method == NULL ends it) */
	const struct lc_sql *statements; /* prepared on every connection */
	/* A service with several areas (account: identity, family) may keep a second table of
	 * routes and of statements in the files of that area; both may be NULL. */
	const struct lc_route *more_routes;
	const struct lc_sql *more_statements;
	const struct lc_outbox_target *outbox_targets; /* may be NULL */
	size_t noutbox_targets;
	const struct lc_config_item *extra_config; /* service-specific variables, may be NULL */
	/* The name of one of its statements whose one text value changes whenever a cached answer
	 * may (cache.h): when set, a cache watcher reads it twice a second and the micro-cache keeps
	 * answers long. */
	const char *cache_version_stmt;
	int (*on_start)(void); /* after migrations, before serving; may be NULL */
	void (*on_stop)(void);
};

/* Common settings read from the environment (see docs/operations.md). */
struct lc_settings {
	char *bind, *db_url, *jwt_public_key, *internal_secret_file, *migrations_dir, *log_level;
	char *jwt_issuer, *jwt_audience, *trusted_proxies, *socket;
	long port, threads, conn_timeout, shutdown_grace_ms, outbox_backoff_ms;
	long revocation_poll_ms, per_ip_conn_limit, offload_threads;
};
extern struct lc_settings lc_settings;

/* Runs the daemon until SIGTERM/SIGINT. Returns the process exit code (2: bad configuration). */
int lc_service_main(const struct lc_service *svc, int argc, char **argv);

/* In-process start/stop for integration tests: same as main but returns once serving.
 * port 0 picks a free one. */
struct lc_running;
struct lc_running *lc_service_start(const struct lc_service *svc);
uint16_t lc_service_port(const struct lc_running *r);
void lc_service_stop(struct lc_running *r);

#endif

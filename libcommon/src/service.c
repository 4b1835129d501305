/* service.c — the life of a daemon: read configuration, check keys, apply migrations, open the
 * pool, start the outbox and the HTTP server, wait for SIGTERM/SIGINT, stop cleanly.
 * Also the three routes every daemon has: healthz, readyz, metrics. */
#include "civitas/service.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/buf.h"
#include "civitas/cache.h"
#include "civitas/http.h"
#include "civitas/log.h"
#include "civitas/metrics.h"
#include "civitas/reply.h"
#include "civitas/revocation.h"

#define VERSION "0.1.0"

void lc__audit_set_service(const char *name); /* audit.c */

struct lc_settings lc_settings;

struct lc_running {
	const struct lc_service *svc;
	struct lc_http *http;
	struct lc_route *routes; /* built-in routes followed by the service's */
	char **labels;
	size_t nroutes;
	char *patterns[3];
};

/* The one service this process runs: the built-in handlers read it. */
static const struct lc_service *current;
static int latest_migration;

/* Liveness only: no database, no allocation beyond the response (probes call it often). */
static char healthz_body[128];

static int h_healthz(struct lc_request *rq)
{
	return lc_reply_bytes(rq, 200, "application/json", healthz_body, strlen(healthz_body));
}

static int h_readyz(struct lc_request *rq)
{
	if (!lc_db_ready(lc_rq_db(rq), latest_migration)) {
		lc_rq_add_header(rq, "Retry-After", "5");
		return lc_reply_problem(rq, 503, "unavailable",
		                        "The database is unreachable or migrations are not applied.");
	}
	return lc_reply_json(rq, 200,
	                     json_pack("{s:s, s:s, s:s, s:i}", "status", "ready", "service", current->name,
	                               "database", "ok", "migrations", latest_migration));
}

static int h_metrics(struct lc_request *rq)
{
	struct lc_buf b;
	lc_buf_init(&b, 0);
	lc_metrics_render(&b);
	size_t len;
	char *text = lc_buf_steal(&b, &len);
	if (!text)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	return lc_reply_bytes_owned(rq, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

static char default_migrations[256];
static char default_port[24];
static char default_threads[24];

static const struct lc_config_item common_items[] = {
    {"CIVITAS_PORT", LC_CFG_INT, default_port, false, 0, 65535, &lc_settings.port},
    {"CIVITAS_BIND", LC_CFG_STRING, "127.0.0.1", false, 0, 0, &lc_settings.bind},
    /* a Unix socket served besides the port, for a gateway on the same host ("" : none) */
    {"CIVITAS_SOCKET", LC_CFG_STRING, "", false, 0, 0, &lc_settings.socket},
    {"CIVITAS_THREADS", LC_CFG_INT, default_threads, false, 1, 256, &lc_settings.threads},
    {"CIVITAS_DB_URL", LC_CFG_STRING, NULL, true, 0, 0, &lc_settings.db_url},
    {"CIVITAS_JWT_PUBLIC_KEY", LC_CFG_FILE, NULL, true, 0, 0, &lc_settings.jwt_public_key},
    {"CIVITAS_JWT_ISSUER", LC_CFG_STRING, "civitas-account", false, 0, 0, &lc_settings.jwt_issuer},
    {"CIVITAS_JWT_AUDIENCE", LC_CFG_STRING, "civitas", false, 0, 0, &lc_settings.jwt_audience},
    {"CIVITAS_INTERNAL_SECRET_FILE", LC_CFG_FILE, NULL, true, 0, 0, &lc_settings.internal_secret_file},
    {"CIVITAS_MIGRATIONS_DIR", LC_CFG_STRING, default_migrations, false, 0, 0, &lc_settings.migrations_dir},
    {"CIVITAS_TRUSTED_PROXIES", LC_CFG_STRING, "127.0.0.0/8", false, 0, 0, &lc_settings.trusted_proxies},
    {"CIVITAS_LOG_LEVEL", LC_CFG_STRING, "info", false, 0, 0, &lc_settings.log_level},
    {"CIVITAS_CONN_TIMEOUT", LC_CFG_INT, "30", false, 1, 3600, &lc_settings.conn_timeout},
    {"CIVITAS_SHUTDOWN_GRACE_MS", LC_CFG_INT, "10000", false, 0, 600000, &lc_settings.shutdown_grace_ms},
    {"CIVITAS_OUTBOX_BACKOFF_MS", LC_CFG_INT, "1000", false, 10, 3600000, &lc_settings.outbox_backoff_ms},
    {"CIVITAS_REVOCATION_POLL_MS", LC_CFG_INT, "2000", false, 200, 60000, &lc_settings.revocation_poll_ms},
    {"CIVITAS_PER_IP_CONN_LIMIT", LC_CFG_INT, "64", false, 0, 100000, &lc_settings.per_ip_conn_limit},
    /* handler threads; 0: two per CPU (offload.c; plus one hash thread per CPU) */
    {"CIVITAS_OFFLOAD_THREADS", LC_CFG_INT, "0", false, 0, 64, &lc_settings.offload_threads},
    {NULL, 0, NULL, false, 0, 0, NULL},
};

/* Reads and checks every variable; -1 with a message in err. */
static int load_config(const struct lc_service *svc, char *err, size_t errlen)
{
	snprintf(default_migrations, sizeof(default_migrations), "/usr/share/civitas/migrations/%s",
	         svc->name);
	snprintf(default_port, sizeof(default_port), "%u", svc->default_port);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(default_threads, sizeof(default_threads), "%ld", ncpu > 0 ? ncpu : 2);
	if (lc_config_load(common_items, err, errlen, NULL) < 0)
		return -1;
	if (lc_log_level_parse(lc_settings.log_level) < 0) {
		snprintf(err, errlen, "CIVITAS_LOG_LEVEL=\"%s\" must be debug, info, warn or error",
		         lc_settings.log_level);
		return -1;
	}
	if (svc->extra_config && lc_config_load(svc->extra_config, err, errlen, NULL) < 0)
		return -1;
	if (lc_auth_init(lc_settings.jwt_public_key, lc_settings.jwt_issuer, lc_settings.jwt_audience, err,
	                 errlen) < 0)
		return -1;
	if (lc_internal_secret_init(lc_settings.internal_secret_file, err, errlen) < 0)
		return -1;
	return 0;
}

static bool build_routes(struct lc_running *r)
{
	const struct lc_service *svc = r->svc;
	size_t n = 0, m = 0;
	while (svc->routes && svc->routes[n].method)
		n++;
	while (svc->more_routes && svc->more_routes[m].method)
		m++;
	r->nroutes = n + m + 3;
	r->routes = calloc(r->nroutes + 1, sizeof(*r->routes));
	r->labels = calloc(r->nroutes, sizeof(*r->labels));
	if (!r->routes || !r->labels)
		return false;
	static const char *const names[] = {"healthz", "readyz", "metrics"};
	static const lc_handler_fn fns[] = {h_healthz, h_readyz, h_metrics};
	for (int i = 0; i < 3; i++) {
		if (asprintf(&r->patterns[i], "/api/%s/v1/%s", svc->name, names[i]) < 0)
			return false;
		r->routes[i] = (struct lc_route){"GET", r->patterns[i], LC_AUTH_NONE, fns[i], 0, 0};
	}
	for (size_t i = 0; i < n; i++)
		r->routes[3 + i] = svc->routes[i];
	for (size_t i = 0; i < m; i++)
		r->routes[3 + n + i] = svc->more_routes[i];
	for (size_t i = 0; i < r->nroutes; i++)
		if (asprintf(&r->labels[i], "%s %s", r->routes[i].method, r->routes[i].pattern) < 0)
			return false;
	return lc_metrics_init(svc->name, r->nroutes, (const char *const *)r->labels) == 0;
}

static void running_free(struct lc_running *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->labels && i < r->nroutes; i++)
		free(r->labels[i]);
	for (int i = 0; i < 3; i++)
		free(r->patterns[i]);
	free(r->labels);
	free(r->routes);
	free(r);
}

/* Migrations wait for the database for up to 60 s: in compose or k8s it may start later. */
static int migrate_with_wait(const struct lc_service *svc)
{
	for (int i = 0; i < 60; i++) {
		PGconn *c = PQconnectdb(lc_settings.db_url);
		bool up = PQstatus(c) == CONNECTION_OK;
		PQfinish(c);
		if (up)
			return lc_db_migrate(lc_settings.db_url, svc->name, lc_settings.migrations_dir);
		if (i == 0)
			lc_warn("database not reachable yet; waiting");
		sleep(1);
	}
	lc_error("database not reachable after 60 s");
	return -1;
}

/* Sessions ended in account are refused here within CIVITAS_REVOCATION_POLL_MS. Account asks
 * itself when CIVITAS_ACCOUNT_URL is not set (it is always reachable on its own port). */
static void start_revocations(const struct lc_service *svc, uint16_t port)
{
	const char *url = getenv("CIVITAS_ACCOUNT_URL");
	char self[64];
	if ((!url || !*url) && strcmp(svc->name, "account") == 0) {
		bool any = strcmp(lc_settings.bind, "0.0.0.0") == 0;
		snprintf(self, sizeof(self), "http://%s:%u", any ? "127.0.0.1" : lc_settings.bind, port);
		url = self;
	}
	if (!url || !*url) {
		lc_warn("CIVITAS_ACCOUNT_URL is not set: sessions ended in account stay valid here until "
		        "their tokens expire");
		return;
	}
	if (lc_revocation_start(url, (unsigned)lc_settings.revocation_poll_ms) < 0)
		lc_warn("cannot start the revocation poller");
}

/* Everything after the configuration was read and checked. */
static struct lc_running *start_configured(const struct lc_service *svc)
{
	lc_log_init(svc->name, lc_settings.log_level);
	current = svc;
	snprintf(healthz_body, sizeof(healthz_body),
	         "{\"status\":\"ok\",\"service\":\"%s\",\"version\":\"%s\"}", svc->name, VERSION);
	/* Local PostgreSQL needs no Kerberos: skipping the GSSAPI probe saves a round trip per
	 * connection and keeps the krb5 libraries out of memory. An explicit setting wins. */
	setenv("PGGSSENCMODE", "disable", 0);
	setenv("PGCONNECT_TIMEOUT", "5", 0); /* a database that does not answer is a 503, not a hang */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (migrate_with_wait(svc) < 0)
		return NULL;
	latest_migration = lc_db_migrations_latest(lc_settings.migrations_dir);
	struct lc_running *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->svc = svc;
	if (!build_routes(r) || lc_db_setup(lc_settings.db_url, svc->name, svc->statements) < 0 ||
	    (svc->more_statements && lc_db_add_statements(svc->more_statements) < 0)) {
		running_free(r);
		return NULL;
	}
	/* Every service but account (which keeps the trail) sends its audit entries there. */
	struct lc_outbox_target targets[16];
	size_t nt = 0;
	for (size_t i = 0; i < svc->noutbox_targets && nt < 15; i++)
		targets[nt++] = svc->outbox_targets[i];
	if (strcmp(svc->name, "account") != 0)
		targets[nt++] = (struct lc_outbox_target){
		    .name = "audit", .topic_prefix = "audit.", .url_env = "CIVITAS_ACCOUNT_URL"};
	lc__audit_set_service(svc->name);
	if (lc_outbox_setup(svc->name, targets, nt, (unsigned)lc_settings.outbox_backoff_ms, 0) < 0 ||
	    lc_outbox_start(lc_settings.db_url) < 0) {
		lc_error("cannot start the outbox");
		running_free(r);
		return NULL;
	}
	if (svc->on_start && svc->on_start() < 0) {
		lc_outbox_stop();
		running_free(r);
		return NULL;
	}
	if (svc->cache_version_stmt && lc_cache_watch_start(svc->cache_version_stmt) < 0)
		lc_warn("cannot start the cache watcher: cached answers are kept one second");
	struct lc_http_config hc = {
	    .bind = lc_settings.bind,
	    .port = (uint16_t)lc_settings.port,
	    .threads = (unsigned)lc_settings.threads,
	    .conn_timeout = (unsigned)lc_settings.conn_timeout,
	    .conn_memory = 32 * 1024, /* MHD's default: headers up to ~28 KiB; bodies are not kept there */
	    .conn_limit = 1000,
	    .per_ip_limit = (unsigned)lc_settings.per_ip_conn_limit,
	    .routes = r->routes,
	    .trusted_proxies = lc_settings.trusted_proxies,
	    .unix_path = lc_settings.socket,
	};
	r->http = lc_http_start(&hc);
	if (!r->http) {
		lc_cache_watch_stop();
		if (svc->on_stop)
			svc->on_stop();
		lc_outbox_stop();
		running_free(r);
		return NULL;
	}
	lc_info("civitas-%s %s listening on %s:%u%s%s with %ld threads", svc->name, VERSION, lc_settings.bind,
	        lc_http_port(r->http), lc_settings.socket && *lc_settings.socket ? " and " : "",
	        lc_settings.socket ? lc_settings.socket : "", lc_settings.threads);
	start_revocations(svc, lc_http_port(r->http));
	return r;
}

struct lc_running *lc_service_start(const struct lc_service *svc)
{
	char err[512];
	lc_log_init(svc->name, NULL);
	if (load_config(svc, err, sizeof(err)) < 0) {
		lc_error("configuration error: %s", err);
		return NULL;
	}
	return start_configured(svc);
}

uint16_t lc_service_port(const struct lc_running *r)
{
	return lc_http_port(r->http);
}

void lc_service_stop(struct lc_running *r)
{
	if (!r)
		return;
	lc_http_stop(r->http, (unsigned)lc_settings.shutdown_grace_ms);
	lc_revocation_stop();
	lc_cache_watch_stop();
	lc_outbox_stop();
	if (r->svc->on_stop)
		r->svc->on_stop();
	lc_db_teardown();
	lc_metrics_free();
	lc_auth_free();
	running_free(r);
	curl_global_cleanup();
}

int lc_service_main(const struct lc_service *svc, int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
		printf("civitas-%s %s\n", svc->name, VERSION);
		return 0;
	}
	/* Signals are taken by sigwait below; every thread created later inherits the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	char err[512];
	if (load_config(svc, err, sizeof(err)) < 0) {
		fprintf(stderr, "civitas-%s: configuration error: %s\n", svc->name, err);
		return 2;
	}
	struct lc_running *r = start_configured(svc);
	if (!r)
		return 1;
	int sig = 0;
	sigwait(&set, &sig);
	lc_info("signal %d: stopping (in-flight requests finish first)", sig);
	lc_service_stop(r);
	lc_info("stopped");
	return 0;
}

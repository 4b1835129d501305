/* http.c — the libmicrohttpd server: epoll + internal thread pool, one request context per
 * request, body buffered up to the route's cap, auth and content checks before the handler. */
#include "civitas/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "civitas/auth.h"
#include "civitas/db.h"
#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/metrics.h"
#include "civitas/offload.h"
#include "civitas/reply.h"
#include "civitas/revocation.h"

#include "internal.h"

/* Open connections per client address, so that one address cannot hold every slot of the
 * daemon with idle connections. The trusted gateway (CIVITAS_TRUSTED_PROXIES) is not counted:
 * all the public's traffic arrives through it. Chained buckets, freed at zero. */
#define PEER_BUCKETS 256
struct peer {
	unsigned char addr[16];
	unsigned count;
	struct peer *next;
};

struct lc_http {
	struct MHD_Daemon *d;
	const struct lc_route *routes;
	uint16_t port;
	atomic_int inflight;   /* requests between first callback and completion */
	atomic_int parked;     /* of which parked by their handler (lc_rq_park), not yet resumed */
	unsigned per_ip_limit; /* 0: no limit */
	pthread_mutex_t peers_mu;
	struct peer *peers[PEER_BUCKETS];
	/* The daemon on the Unix socket (cfg->unix_path), NULL when none, and the socket's path. */
	struct MHD_Daemon *du;
	char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* ---------- requests answered later ---------- */

void lc_rq_park(struct lc_request *rq, int (*resume)(struct lc_request *rq, void *arg), void *arg)
{
	rq->resume = resume;
	rq->resume_arg = arg;
	rq->parked = true;
	atomic_store(&rq->woken, false);
	atomic_fetch_add(&rq->http->parked, 1);
	/* MHD (0.9.75) moves the connection to its suspended list at once, under its lock: a
	 * resume from another thread, even before this handler has returned, is then in order. */
	MHD_suspend_connection(rq->conn);
}

void lc_rq_resume(struct lc_request *rq)
{
	atomic_store(&rq->woken, true); /* publishes what the resume function reads */
	MHD_resume_connection(rq->conn);
}

void lc__rq_off_thread(struct lc_request *rq, bool on)
{
	rq->off_thread = on;
}

/* The resume of lc_offload_handler: what the handler replied on its worker goes out now. With
 * no reply kept, rq is not replied and run_parked answers 500 as for any silent handler. */
int lc__rq_send_kept(struct lc_request *rq, void *unused)
{
	(void)unused;
	struct MHD_Response *resp = rq->kept;
	rq->kept = NULL;
	if (resp) {
		MHD_queue_response(rq->conn, rq->status, resp);
		MHD_destroy_response(resp);
	} else {
		rq->replied = false;
	}
	return LC_REPLIED;
}

/* MHD calls a resumed connection's handler again: run the parked request's continuation.
 * True when rq was parked (and is now answered, or still waiting for its wake-up). */
static bool run_parked(struct lc_request *rq)
{
	if (!rq->parked)
		return false;
	if (!atomic_load(&rq->woken))
		return true; /* a call before lc_rq_resume: nothing to do yet */
	rq->parked = false;
	atomic_fetch_sub(&rq->http->parked, 1);
	lc__db_forget_failure();
	rq->resume(rq, rq->resume_arg);
	if (!rq->replied)
		lc_reply_problem(rq, 500, "internal", "The handler gave no answer.");
	return true;
}

/* ---------- request lifecycle ---------- */

static bool request_id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* Request ids only need to be unique, not secret: a per-thread xorshift seeded once from
 * RAND_bytes avoids a trip through OpenSSL's locked DRBG on every request. */
static void make_request_id(char out[65])
{
	static _Thread_local uint64_t state[2];
	if (!state[0] && !state[1]) {
		if (RAND_bytes((unsigned char *)state, sizeof(state)) != 1 || (!state[0] && !state[1]))
			state[0] = (uint64_t)(uintptr_t)out ^ (uint64_t)time(NULL) ^ 0x9e3779b97f4a7c15ull;
	}
	for (int half = 0; half < 2; half++) {
		uint64_t x = state[0], y = state[1]; /* xorshift128+ */
		state[0] = y;
		x ^= x << 23;
		state[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
		uint64_t v = state[1] + y;
		snprintf(out + half * 16, 17, "%016llx", (unsigned long long)v);
	}
}

/* The proxies whose X-Real-IP is believed (CIVITAS_TRUSTED_PROXIES), set once at start. */
static char trusted_proxies[512] = "127.0.0.0/8";

bool lc_ip_in_cidrs(const char *ip, const char *cidrs)
{
	struct in6_addr a6;
	if (inet_pton(AF_INET6, ip, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6); /* IPv6: only the local gateway */
	struct in_addr a;
	if (!cidrs || inet_pton(AF_INET, ip, &a) != 1)
		return false;
	uint32_t addr = ntohl(a.s_addr);
	char list[512];
	snprintf(list, sizeof(list), "%s", cidrs);
	char *save = NULL;
	for (char *item = strtok_r(list, ", ", &save); item; item = strtok_r(NULL, ", ", &save)) {
		char *slash = strchr(item, '/');
		long bits = 32;
		if (slash) {
			*slash = '\0';
			char *end;
			bits = strtol(slash + 1, &end, 10);
			if (*end || bits < 0 || bits > 32)
				continue;
		}
		struct in_addr net;
		if (inet_pton(AF_INET, item, &net) != 1)
			continue;
		uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
		if ((addr & mask) == (ntohl(net.s_addr) & mask))
			return true;
	}
	return false;
}

/* Worked out on first use: most requests never ask. */
static void client_ip(struct lc_request *rq)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(rq->client_ip, sizeof(rq->client_ip), "unknown");
	bool local_socket = false; /* the Unix socket: only the gateway can reach it (file mode) */
	if (ci && ci->client_addr) {
		if (ci->client_addr->sa_family == AF_INET) {
			const struct sockaddr_in *a = (const struct sockaddr_in *)ci->client_addr;
			inet_ntop(AF_INET, &a->sin_addr, rq->client_ip, sizeof(rq->client_ip));
		} else if (ci->client_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ci->client_addr;
			inet_ntop(AF_INET6, &a->sin6_addr, rq->client_ip, sizeof(rq->client_ip));
		} else if (ci->client_addr->sa_family == AF_UNIX) {
			local_socket = true;
			snprintf(rq->client_ip, sizeof(rq->client_ip), "local");
		}
	}
	/* Only a trusted gateway may say who the real client is, and only with a real address. */
	const char *real = lc_rq_header(rq, "X-Real-IP");
	unsigned char probe[sizeof(struct in6_addr)];
	if (real && (local_socket || lc_ip_in_cidrs(rq->client_ip, trusted_proxies)) &&
	    (inet_pton(AF_INET, real, probe) == 1 || inet_pton(AF_INET6, real, probe) == 1))
		snprintf(rq->client_ip, sizeof(rq->client_ip), "%s", real);
}

const char *lc_rq_client_ip(const struct lc_request *rq)
{
	struct lc_request *w = (struct lc_request *)rq; /* a cache fill, not a visible change */
	if (!w->client_ip[0])
		client_ip(w);
	return w->client_ip;
}

static void request_free(struct lc_request *rq)
{
	while (rq->cleanups) {
		struct lc_cleanup *c = rq->cleanups;
		rq->cleanups = c->next;
		c->fn(c->arg);
		free(c);
	}
	for (size_t i = 0; i < rq->nout; i++) {
		free(rq->out_headers[i].name);
		free(rq->out_headers[i].value);
	}
	if (rq->kept) /* the client left before the kept reply could go out */
		MHD_destroy_response(rq->kept);
	json_decref(rq->json);
	lc_buf_free(&rq->body);
	lc_router_match_free(&rq->match);
	free(rq->path);
	free(rq);
}

static bool is_json_type(const char *ct)
{
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	size_t n = strlen("application/json");
	return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static bool has_body(struct lc_request *rq)
{
	const char *cl = lc_rq_header(rq, "Content-Length");
	const char *te = lc_rq_header(rq, "Transfer-Encoding");
	return (cl && strtoull(cl, NULL, 10) > 0) || (te && strcasestr(te, "chunked"));
}

/* Reads the bearer token, if any, into rq->claims. A bad token on a public route is ignored
 * (the caller is anonymous); on a protected route it is a 401 decided by the caller. */
static void read_claims(struct lc_request *rq)
{
	const char *h = lc_rq_header(rq, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return;
	char why[128];
	if (lc_auth_verify(h + 7, 0, &rq->claims, why, sizeof(why)) != 0)
		lc_security(rq->request_id, "access token refused: %s", why);
	else if (lc_session_revoked(rq->claims.sid)) /* after the cache: a hit is checked too */
		lc_security(rq->request_id, "access token refused: session %s revoked", rq->claims.sid);
	else
		rq->has_claims = true;
}

/* Every query argument (name and value) must be UTF-8: PostgreSQL would refuse the bytes with
 * an error (22021) deep inside a handler. */
static enum MHD_Result query_utf8_check(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
	(void)kind;
	bool *ok = cls;
	if ((key && !lc_utf8_valid(key, strlen(key))) || (value && !lc_utf8_valid(value, strlen(value)))) {
		*ok = false;
		return MHD_NO;
	}
	return MHD_YES;
}

static bool uri_is_utf8(struct lc_request *rq)
{
	if (rq->path && !lc_utf8_valid(rq->path, strlen(rq->path)))
		return false;
	bool ok = true;
	MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, query_utf8_check, &ok);
	return ok;
}

static bool refuse(struct lc_refusal *f, unsigned status, const char *code, const char *detail)
{
	f->status = status;
	f->code = code;
	snprintf(f->detail, sizeof(f->detail), "%s", detail);
	return true;
}

/* Checks done once the headers are in, before any body byte is read. Returns true and fills f
 * when the request is refused; nothing is queued yet (see send_refusal). */
static bool early_refusal(struct lc_request *rq, struct lc_refusal *f)
{
	memset(f, 0, sizeof(*f));
	if (rq->match_result == LC_MATCH_TOO_LONG)
		return refuse(f, 414, "uri_too_long", "The request URI is too long.");
	if (!uri_is_utf8(rq))
		return refuse(f, 400, "invalid_encoding",
		              "The path or a query parameter is not valid UTF-8 once percent-decoded.");
	switch (rq->match_result) {
	case LC_MATCH_NOT_FOUND:
		return refuse(f, 404, "not_found", "No such resource.");
	case LC_MATCH_BAD_METHOD:
		f->header_name = "Allow";
		f->header_value = rq->match.allow;
		return refuse(f, 405, "method_not_allowed", "This method is not allowed here.");
	case LC_MATCH_OK:
	case LC_MATCH_TOO_LONG:
		break;
	}
	const struct lc_route *r = rq->match.route;
	if (r->auth == LC_AUTH_INTERNAL) {
		if (!lc_internal_bearer_ok(lc_rq_header(rq, "Authorization"))) {
			lc_security(rq->request_id, "internal route %s refused: bad bearer", rq->path);
			return refuse(f, 404, "not_found", "No such resource.");
		}
	} else {
		read_claims(rq);
		if (r->auth == LC_AUTH_USER && !rq->has_claims) {
			f->header_name = "WWW-Authenticate";
			f->header_value = "Bearer realm=\"civitas\"";
			return refuse(f, 401, "unauthorized", "A valid access token is required.");
		}
	}
	const char *cl = lc_rq_header(rq, "Content-Length");
	if (cl && strtoull(cl, NULL, 10) > r->max_body) {
		refuse(f, 413, "payload_too_large", "");
		snprintf(f->detail, sizeof(f->detail),
		         "The body is larger than the %zu bytes this route accepts.", r->max_body);
		return true;
	}
	if (!(r->flags & LC_BODY_RAW) && has_body(rq) && !is_json_type(lc_rq_header(rq, "Content-Type")))
		return refuse(f, 415, "unsupported_media_type", "The body must be application/json.");
	return false;
}

static void send_refusal(struct lc_request *rq)
{
	if (rq->refusal.header_name)
		lc_rq_add_header(rq, rq->refusal.header_name, rq->refusal.header_value);
	lc_reply_problem(rq, rq->refusal.status, rq->refusal.code, rq->refusal.detail);
}

/* Runs the checks and replies at once when refused; true if a reply was queued. */
static bool early_checks(struct lc_request *rq)
{
	if (!early_refusal(rq, &rq->refusal))
		return false;
	send_refusal(rq);
	return true;
}

/* A refused request with a body coming: read and drop the body, then answer, unless the client
 * waits for "100 Continue" (it then sends nothing and the answer may go at once) or announces
 * more than LC_DRAIN_MAX bytes (not worth reading: answer and close). */
static bool should_drain(struct lc_request *rq)
{
	const char *expect = lc_rq_header(rq, "Expect");
	if (expect && strcasecmp(expect, "100-continue") == 0)
		return false;
	const char *cl = lc_rq_header(rq, "Content-Length");
	return !cl || strtoull(cl, NULL, 10) <= LC_DRAIN_MAX;
}

/* An LC_OFFLOAD route's handler, on an offload handler thread (a silent one gets its 500 when
 * the kept reply is sent: lc__rq_send_kept). */
static int run_offloaded(struct lc_request *rq, void *unused)
{
	(void)unused;
	rq->match.route->handler(rq);
	return LC_REPLIED;
}

/* The body is complete: parse JSON for JSON routes, then run the handler. */
static void dispatch(struct lc_request *rq)
{
	const struct lc_route *r = rq->match.route;
	if (rq->body_too_large) {
		char d[96];
		snprintf(d, sizeof(d), "The body is larger than the %zu bytes this route accepts.",
		         r->max_body);
		lc_reply_problem(rq, 413, "payload_too_large", d);
		return;
	}
	if (!(r->flags & LC_BODY_RAW) && rq->body.len) {
		json_error_t jerr;
		rq->json = json_loadb(rq->body.data, rq->body.len, JSON_REJECT_DUPLICATES, &jerr);
		if (!rq->json) {
			char d[320];
			snprintf(d, sizeof(d), "The body is not valid JSON (line %d, column %d: %s).",
			         jerr.line, jerr.column, jerr.text);
			lc_reply_problem(rq, 400, "malformed_json", d);
			return;
		}
	}
	lc__db_forget_failure();
	if (r->flags & LC_OFFLOAD)
		lc_offload_handler(rq, run_offloaded, NULL);
	else
		r->handler(rq);
	if (!rq->replied && !rq->parked)
		lc_reply_problem(rq, 500, "internal", "The handler gave no answer.");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
	struct lc_http *h = cls;
	struct lc_request *rq = *con_cls;
	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		atomic_fetch_add(&h->inflight, 1);
		*con_cls = rq;
		rq->conn = conn;
		rq->http = h;
		clock_gettime(CLOCK_MONOTONIC, &rq->started);
		snprintf(rq->method, sizeof(rq->method), "%s", method);
		rq->path = strdup(url);
		const char *rid = lc_rq_header(rq, "X-Request-Id");
		if (rid && request_id_ok(rid))
			snprintf(rq->request_id, sizeof(rq->request_id), "%s", rid);
		else
			make_request_id(rq->request_id);
		rq->match_result = lc_router_match(h->routes, method, rq->path ? rq->path : "", &rq->match);
		if (rq->match_result == LC_MATCH_OK)
			lc_buf_init(&rq->body, rq->match.route->max_body);
		/* With a body coming, decide now (413, 415, 401...) so that no byte of a refused body
		 * is kept; the answer itself waits for the end of the body (see should_drain). Without
		 * a body, answer on the final call so that MHD keeps the connection alive (a reply
		 * queued on the first call makes it close). */
		if (has_body(rq)) {
			rq->checked = true;
			if (early_refusal(rq, &rq->refusal)) {
				if (should_drain(rq))
					rq->draining = true;
				else
					send_refusal(rq);
			}
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* A refused body, or one past the route's cap, is read and dropped so the client still
		 * gets its answer; past LC_DRAIN_MAX the connection is dropped instead. */
		rq->body_seen += *upload_data_size;
		if (rq->body_seen > LC_DRAIN_MAX && (rq->draining || rq->body_too_large))
			return MHD_NO;
		if (!rq->replied && !rq->draining && !rq->body_too_large &&
		    !lc_buf_append(&rq->body, upload_data, *upload_data_size)) {
			rq->body_too_large = true;
			lc_buf_free(&rq->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (run_parked(rq))
		return MHD_YES;
	if (rq->draining && !rq->replied)
		send_refusal(rq);
	else if (!rq->replied && (rq->checked || !early_checks(rq)))
		dispatch(rq);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct lc_http *h = cls;
	struct lc_request *rq = *con_cls;
	if (!rq)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double secs =
	    (double)(now.tv_sec - rq->started.tv_sec) + (double)(now.tv_nsec - rq->started.tv_nsec) / 1e9;
	size_t idx = rq->match_result == LC_MATCH_OK ? rq->match.route_idx : (size_t)-1;
	lc_metrics_observe(idx, rq->status, secs);
	if (rq->parked) /* resumed, but the client had gone: MHD closed without calling back */
		atomic_fetch_sub(&h->parked, 1);
	/* The gateway writes the access log (with the same request id); here it is a debug aid.
	 * The query string is never logged: it may carry a one-time token. */
	LC_LOG(LC_LOG_DEBUG, "access", rq->request_id, "%s %s %u %.3fms%s", rq->method, rq->path, rq->status,
	       secs * 1000, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	request_free(rq);
	*con_cls = NULL;
	atomic_fetch_sub(&h->inflight, 1);
}

/* The address as 16 bytes (IPv4 mapped) and whether it is a trusted proxy; false if unknown. */
static bool peer_key(const struct sockaddr *sa, unsigned char key[16], bool *trusted)
{
	char text[INET6_ADDRSTRLEN];
	memset(key, 0, 16);
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &a->sin_addr, 4);
		inet_ntop(AF_INET, &a->sin_addr, text, sizeof(text));
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
		memcpy(key, &a->sin6_addr, 16);
		inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
	} else {
		return false;
	}
	*trusted = lc_ip_in_cidrs(text, trusted_proxies);
	return true;
}

static struct peer **peer_slot(struct lc_http *h, const unsigned char key[16])
{
	unsigned hash = 2166136261u;
	for (int i = 0; i < 16; i++)
		hash = (hash ^ key[i]) * 16777619u;
	struct peer **pp = &h->peers[hash % PEER_BUCKETS];
	while (*pp && memcmp((*pp)->addr, key, 16) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* Accept policy: refuse a new connection from an address that already holds per_ip_limit. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	(void)addrlen;
	struct lc_http *h = cls;
	unsigned char key[16];
	bool trusted = false;
	if (!h->per_ip_limit || !peer_key(addr, key, &trusted) || trusted)
		return MHD_YES;
	pthread_mutex_lock(&h->peers_mu);
	struct peer *p = *peer_slot(h, key);
	bool ok = !p || p->count < h->per_ip_limit;
	pthread_mutex_unlock(&h->peers_mu);
	static atomic_llong last_logged; /* one line a second at most: refusals come in floods */
	long long now = (long long)time(NULL), prev = atomic_load(&last_logged);
	if (!ok && now != prev && atomic_compare_exchange_strong(&last_logged, &prev, now))
		LC_LOG(LC_LOG_WARN, "security", NULL, "connections refused: per-address limit of %u reached",
		       h->per_ip_limit);
	return ok ? MHD_YES : MHD_NO;
}

/* Counts connections as MHD opens and closes them; *socket_context marks a counted one. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	struct lc_http *h = cls;
	if (!h->per_ip_limit)
		return;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	unsigned char key[16];
	bool trusted = false;
	if (!ci || !peer_key(ci->client_addr, key, &trusted) || trusted)
		return;
	pthread_mutex_lock(&h->peers_mu);
	struct peer **pp = peer_slot(h, key);
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		if (!*pp)
			*pp = calloc(1, sizeof(**pp));
		if (*pp) {
			memcpy((*pp)->addr, key, 16);
			(*pp)->count++;
			*socket_context = h;
		}
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context && *pp) {
		if (--(*pp)->count == 0) {
			struct peer *dead = *pp;
			*pp = dead->next;
			free(dead);
		}
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&h->peers_mu);
}

/* ---------- the Unix-domain listener ---------- */

/* Binds path (a stale socket left by a crash is replaced; any other file is refused) with mode
 * 0660, so only the daemon's user and group (the gateway's) can connect. Returns the listening
 * socket or -1. */
static int unix_listen(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path)) {
		lc_error("CIVITAS_SOCKET=%s is longer than %zu bytes", path, sizeof(a.sun_path) - 1);
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			lc_error("CIVITAS_SOCKET=%s exists and is not a socket", path);
			return -1;
		}
		unlink(path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		lc_error("unix socket %s: %s", path, strerror(errno));
		return -1;
	}
	/* chmod before listen: nobody can connect in between. */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(path, 0660) < 0 || listen(fd, 511) < 0) {
		lc_error("could not listen on unix socket %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* Stops accepting (requests being served run on) and returns the listening socket to close. */
static void quiesce(struct MHD_Daemon *d)
{
	MHD_socket s = d ? MHD_quiesce_daemon(d) : MHD_INVALID_SOCKET;
	if (s != MHD_INVALID_SOCKET)
		close(s);
}

static void stop_daemons(struct lc_http *h)
{
	if (h->du)
		MHD_stop_daemon(h->du);
	if (h->d)
		MHD_stop_daemon(h->d);
	if (h->unix_path[0])
		unlink(h->unix_path);
}

struct lc_http *lc_http_start(const struct lc_http_config *cfg)
{
	struct lc_http *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->routes = cfg->routes;
	h->per_ip_limit = cfg->per_ip_limit;
	pthread_mutex_init(&h->peers_mu, NULL);
	if (cfg->trusted_proxies)
		snprintf(trusted_proxies, sizeof(trusted_proxies), "%s", cfg->trusted_proxies);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
	if (inet_pton(AF_INET, cfg->bind ? cfg->bind : "127.0.0.1", &addr.sin_addr) != 1) {
		lc_error("CIVITAS_BIND=%s is not an IPv4 address", cfg->bind);
		pthread_mutex_destroy(&h->peers_mu);
		free(h);
		return NULL;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                 MHD_ALLOW_SUSPEND_RESUME;
	/* What both listeners share: the same handlers and limits. */
	struct MHD_OptionItem common[] = {
	    {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)(cfg->threads ? cfg->threads : 1), NULL},
	    {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)(cfg->conn_timeout ? cfg->conn_timeout : 30), NULL},
	    {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)(cfg->conn_memory ? cfg->conn_memory : 32 * 1024),
	     NULL},
	    {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)(cfg->conn_limit ? cfg->conn_limit : 1000), NULL},
	    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)&on_completed, h},
	    {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)&on_connection, h},
	    {MHD_OPTION_END, 0, NULL},
	};
	/* The Unix socket (cfg->unix_path) is bound before the port: once the daemon answers on its
	 * port, as `civitas up` checks before it renders the gateway, the socket is there too. It
	 * is a second MHD daemon with the same handlers, as MHD tells a Unix listener from a TCP one
	 * only by the socket it listens on (and then skips the TCP options on its connections). */
	if (cfg->unix_path && cfg->unix_path[0]) {
		int fd = unix_listen(cfg->unix_path);
		if (fd >= 0) {
			snprintf(h->unix_path, sizeof(h->unix_path), "%s", cfg->unix_path);
			h->du = MHD_start_daemon(flags, 0, &on_accept, h, &on_request, h,
			                         MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_ARRAY,
			                         common, MHD_OPTION_END);
			if (!h->du)
				close(fd);
		}
		if (!h->du) {
			lc_error("could not serve on unix socket %s", cfg->unix_path);
			stop_daemons(h);
			pthread_mutex_destroy(&h->peers_mu);
			free(h);
			return NULL;
		}
	}
	h->d = MHD_start_daemon(flags, cfg->port, &on_accept, h, &on_request, h, MHD_OPTION_SOCK_ADDR,
	                        (struct sockaddr *)&addr, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
	                        MHD_OPTION_ARRAY, common, MHD_OPTION_END);
	if (!h->d) {
		lc_error("could not listen on %s:%u", cfg->bind ? cfg->bind : "127.0.0.1", cfg->port);
		stop_daemons(h);
		pthread_mutex_destroy(&h->peers_mu);
		free(h);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = di ? di->port : cfg->port;
	return h;
}

uint16_t lc_http_port(const struct lc_http *h)
{
	return h->port;
}

void lc_http_stop(struct lc_http *h, unsigned grace_ms)
{
	if (!h)
		return;
	/* Stop accepting first; requests already being served run to completion. */
	quiesce(h->du);
	quiesce(h->d);
	for (unsigned waited = 0; atomic_load(&h->inflight) > 0 && waited < grace_ms; waited += 10)
		usleep(10 * 1000);
	/* MHD must not stop with a connection suspended: parked requests are always resumed by
	 * whoever holds them (a batch ends with its statement), so wait for them, as MHD itself
	 * waits for a handler blocked in a statement. */
	if (atomic_load(&h->parked) > 0)
		lc_warn("waiting for %d parked request(s) before stopping", atomic_load(&h->parked));
	while (atomic_load(&h->parked) > 0)
		usleep(10 * 1000);
	stop_daemons(h);
	for (size_t i = 0; i < PEER_BUCKETS; i++)
		while (h->peers[i]) {
			struct peer *p = h->peers[i];
			h->peers[i] = p->next;
			free(p);
		}
	pthread_mutex_destroy(&h->peers_mu);
	free(h);
}

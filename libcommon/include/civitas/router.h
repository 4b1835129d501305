/* router.h — the static route table of a service and the matcher behind it.
 * Patterns are literal segments and {name} parameters: "/api/content/v1/articles/{id}". */
#ifndef CIVITAS_ROUTER_H
#define CIVITAS_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

struct lc_request;
typedef int (*lc_handler_fn)(struct lc_request *rq);

enum lc_auth {
	LC_AUTH_NONE = 0, /* public; claims are still read when a valid token is sent */
	LC_AUTH_USER,     /* a valid access token is required (401 otherwise) */
	LC_AUTH_INTERNAL, /* the internal bearer secret is required (404 otherwise: never advertised) */
};

enum lc_route_flags {
	LC_BODY_JSON = 0,     /* default: a non-empty body must be application/json and parse (400/415) */
	LC_BODY_RAW = 1 << 0, /* the handler reads the raw bytes and checks the Content-Type itself */
	/* The handler runs whole on an offload handler thread (offload.h), its database work and its
	 * CPU-heavy part (lc_offload_cpu: a password hash) included, so that it never holds an HTTP
	 * thread: for handlers that spend tens of milliseconds of CPU. */
	LC_OFFLOAD = 1 << 1,
};

struct lc_route {
	const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE" (GET also answers HEAD) */
	const char *pattern; /* full path pattern */
	enum lc_auth auth;
	lc_handler_fn handler;
	size_t max_body; /* bytes; 0 means no body accepted (413 for any) */
	unsigned flags;  /* enum lc_route_flags */
};

#define LC_MAX_PARAMS 4
#define LC_MAX_URL    2048 /* longer paths answer 414 */

struct lc_match {
	const struct lc_route *route; /* NULL: no route for this method */
	size_t route_idx;
	size_t nparams;
	struct {
		const char *name; /* points into the pattern, not NUL-terminated at '}' */
		size_t name_len;
		char *value; /* owned by the match: free with lc_router_match_free */
	} params[LC_MAX_PARAMS];
	bool path_known; /* some route has this path (so a missing method is 405) */
	char allow[64];  /* "GET, HEAD, POST" for a 405 */
};

enum lc_match_result { LC_MATCH_OK, LC_MATCH_NOT_FOUND, LC_MATCH_BAD_METHOD, LC_MATCH_TOO_LONG };

/* routes ends with an entry whose method is NULL. path is the decoded URL path without query. */
enum lc_match_result lc_router_match(const struct lc_route *routes, const char *method, const char *path,
                                     struct lc_match *m);
void lc_router_match_free(struct lc_match *m);
/* Value of a {name} parameter, or NULL. */
const char *lc_match_param(const struct lc_match *m, const char *name);

#endif

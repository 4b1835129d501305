/* fuzz_router.c — libFuzzer target for lc_router_match: the input is "METHOD PATH" (split at
 * the first space or newline) matched against a small table with {params}. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/router.h"

static int h(struct lc_request *rq)
{
	(void)rq;
	return 0;
}

static const struct lc_route routes[] = {
    {"GET", "/api/content/v1/healthz", LC_AUTH_NONE, h, 0, 0},
    {"GET", "/api/content/v1/articles", LC_AUTH_NONE, h, 0, 0},
    {"POST", "/api/content/v1/articles", LC_AUTH_USER, h, 65536, 0},
    {"GET", "/api/content/v1/articles/{id}", LC_AUTH_NONE, h, 0, 0},
    {"PUT", "/api/content/v1/articles/{id}", LC_AUTH_USER, h, 65536, 0},
    {"DELETE", "/api/content/v1/articles/{id}", LC_AUTH_USER, h, 0, 0},
    {"GET", "/api/content/v1/articles/{id}/revisions/{rev}", LC_AUTH_USER, h, 0, 0},
    {"PATCH", "/api/teleservices/v1/requests/{id}/documents/{doc}/pages/{page}/{part}", LC_AUTH_USER, h, 1024,
     LC_BODY_RAW},
    {"GET", "/api/teleservices/v1/{a}/{b}/{c}/{d}/{e}", LC_AUTH_NONE, h, 0, 0},
    {"POST", "/internal/v1/events", LC_AUTH_INTERNAL, h, 4096, 0},
    {"GET", "/", LC_AUTH_NONE, h, 0, 0},
    {NULL, NULL, LC_AUTH_NONE, NULL, 0, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* NUL-terminated copies, as MHD hands the router C strings. */
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *method = buf, *path = buf + strlen(buf);
	for (char *p = buf; *p; p++)
		if (*p == ' ' || *p == '\n') {
			*p = '\0';
			path = p + 1;
			break;
		}

	struct lc_match m;
	enum lc_match_result r = lc_router_match(routes, method, path, &m);
	switch (r) {
	case LC_MATCH_OK:
		if (!m.route || m.route != &routes[m.route_idx] || m.nparams > LC_MAX_PARAMS || !m.path_known)
			abort();
		for (size_t i = 0; i < m.nparams; i++) {
			/* A parameter is one non-empty path segment. */
			if (!m.params[i].value || !*m.params[i].value || strchr(m.params[i].value, '/'))
				abort();
			char name[32];
			if (m.params[i].name_len >= sizeof name)
				abort();
			memcpy(name, m.params[i].name, m.params[i].name_len);
			name[m.params[i].name_len] = '\0';
			if (!lc_match_param(&m, name))
				abort();
		}
		break;
	case LC_MATCH_BAD_METHOD:
		if (m.route || !m.path_known || !m.allow[0])
			abort();
		break;
	case LC_MATCH_NOT_FOUND:
		if (m.route || m.path_known)
			abort();
		break;
	case LC_MATCH_TOO_LONG:
		if (strlen(path) <= LC_MAX_URL)
			abort();
		break;
	}
	(void)lc_match_param(&m, "id");
	lc_router_match_free(&m);
	free(buf);
	return 0;
}

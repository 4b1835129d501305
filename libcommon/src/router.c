/* router.c — matches a method and path against a service's static route table.
 * Unknown path → 404, known path with another method → 405 + Allow, over-long URL → 414. */
#include "civitas/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compares one pattern with a path segment by segment; on success records {params}. */
static bool match_pattern(const char *pat, const char *path, struct lc_match *m, bool record)
{
	size_t np = 0;
	while (*pat && *path) {
		if (*pat != '/' || *path != '/')
			return false;
		pat++, path++;
		const char *pend = strchr(pat, '/'), *send = strchr(path, '/');
		size_t plen = pend ? (size_t)(pend - pat) : strlen(pat);
		size_t slen = send ? (size_t)(send - path) : strlen(path);
		if (plen >= 2 && pat[0] == '{' && pat[plen - 1] == '}') {
			if (slen == 0 || np >= LC_MAX_PARAMS)
				return false;
			if (record) {
				m->params[np].name = pat + 1;
				m->params[np].name_len = plen - 2;
				m->params[np].value = strndup(path, slen);
			}
			np++;
		} else if (plen != slen || memcmp(pat, path, plen) != 0) {
			return false;
		}
		pat += plen, path += slen;
	}
	if (*pat || *path)
		return false;
	if (record)
		m->nparams = np;
	return true;
}

static void allow_add(struct lc_match *m, const char *method)
{
	if (strstr(m->allow, method)) /* methods are distinct words; "GET" is never inside another */
		return;
	size_t len = strlen(m->allow);
	snprintf(m->allow + len, sizeof(m->allow) - len, "%s%s", len ? ", " : "", method);
}

enum lc_match_result lc_router_match(const struct lc_route *routes, const char *method, const char *path,
                                     struct lc_match *m)
{
	memset(m, 0, sizeof(*m));
	if (!path || strlen(path) > LC_MAX_URL)
		return LC_MATCH_TOO_LONG;
	bool head = strcmp(method, "HEAD") == 0;
	for (size_t i = 0; routes[i].method; i++) {
		const struct lc_route *r = &routes[i];
		if (!match_pattern(r->pattern, path, m, false))
			continue;
		m->path_known = true;
		allow_add(m, r->method);
		if (strcmp(r->method, "GET") == 0)
			allow_add(m, "HEAD");
		if (!m->route &&
		    (strcmp(r->method, method) == 0 || (head && strcmp(r->method, "GET") == 0))) {
			match_pattern(r->pattern, path, m, true);
			m->route = r;
			m->route_idx = i;
		}
	}
	if (m->route)
		return LC_MATCH_OK;
	return m->path_known ? LC_MATCH_BAD_METHOD : LC_MATCH_NOT_FOUND;
}

void lc_router_match_free(struct lc_match *m)
{
	for (size_t i = 0; i < m->nparams; i++)
		free(m->params[i].value);
	m->nparams = 0;
}

const char *lc_match_param(const struct lc_match *m, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < m->nparams; i++)
		if (m->params[i].name_len == len && memcmp(m->params[i].name, name, len) == 0)
			return m->params[i].value;
	return NULL;
}

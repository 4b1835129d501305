/* config.c — reads CIVITAS_* variables from a declared table and rejects bad values at start,
 * so a daemon never runs half-configured. */
#include "civitas/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *std_getenv(const char *n)
{
	return getenv(n);
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false", "no",
	                                                                            "off"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

static int check_item(const struct lc_config_item *it, const char *v, char *err, size_t errlen)
{
	switch (it->type) {
	case LC_CFG_STRING:
		*(const char **)it->out = v;
		return 0;
	case LC_CFG_INT: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || end == v || *end) {
			snprintf(err, errlen, "%s=\"%s\" is not a whole number", it->name, v);
			return -1;
		}
		if (n < it->min || n > it->max) {
			snprintf(err, errlen, "%s=%ld is out of range (%ld..%ld)", it->name, n, it->min,
			         it->max);
			return -1;
		}
		*(long *)it->out = n;
		return 0;
	}
	case LC_CFG_BOOL:
		if (parse_bool(v, (bool *)it->out) < 0) {
			snprintf(err, errlen, "%s=\"%s\" must be one of 0, 1, true, false, yes, no", it->name,
			         v);
			return -1;
		}
		return 0;
	case LC_CFG_FILE: {
		struct stat st;
		if (stat(v, &st) != 0 || !S_ISREG(st.st_mode) || access(v, R_OK) != 0) {
			snprintf(err, errlen, "%s=%s is not a readable file", it->name, v);
			return -1;
		}
		if (st.st_size == 0) {
			snprintf(err, errlen, "%s=%s is empty", it->name, v);
			return -1;
		}
		*(const char **)it->out = v;
		return 0;
	}
	case LC_CFG_URL:
		if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
			snprintf(err, errlen, "%s=\"%s\" must be an http:// or https:// URL", it->name, v);
			return -1;
		}
		*(const char **)it->out = v;
		return 0;
	}
	snprintf(err, errlen, "%s: unknown type", it->name);
	return -1;
}

int lc_config_load(const struct lc_config_item *items, char *err, size_t errlen,
                   const char *(*getenv_fn)(const char *))
{
	if (!getenv_fn)
		getenv_fn = std_getenv;
	for (const struct lc_config_item *it = items; it && it->name; it++) {
		const char *v = getenv_fn(it->name);
		if (v && !*v)
			v = NULL; /* an empty variable counts as unset */
		if (!v)
			v = it->default_value;
		if (!v) {
			if (it->required) {
				snprintf(err, errlen, "%s is required but not set", it->name);
				return -1;
			}
			if (it->type == LC_CFG_STRING || it->type == LC_CFG_FILE || it->type == LC_CFG_URL)
				*(const char **)it->out = NULL;
			continue;
		}
		if (check_item(it, v, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void lc_config_load_or_exit(const char *service, const struct lc_config_item *items)
{
	char err[512];
	if (lc_config_load(items, err, sizeof(err), NULL) < 0) {
		fprintf(stderr, "civitas-%s: configuration error: %s\n", service, err);
		exit(2);
	}
}

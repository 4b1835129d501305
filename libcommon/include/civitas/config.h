/* config.h — CIVITAS_* environment variables, declared as a table, validated at start.
 * A wrong value gives one clear error line and exit code 2 (lc_config_load_or_exit). */
#ifndef CIVITAS_CONFIG_H
#define CIVITAS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum lc_config_type {
	LC_CFG_STRING, /* out: char ** (points into the environment or the default, never freed) */
	LC_CFG_INT,    /* out: long *, checked against min..max */
	LC_CFG_BOOL,   /* out: bool *, accepts 0/1/true/false/yes/no */
	LC_CFG_FILE,   /* out: char ** path of a readable, non-empty file */
	LC_CFG_URL,    /* out: char ** must start with http:// or https:// */
};

struct lc_config_item {
	const char *name; /* full variable name, e.g. "CIVITAS_PORT" */
	enum lc_config_type type;
	const char *default_value; /* NULL: no default */
	bool required;             /* required and unset (and no default) is an error */
	long min, max;             /* for LC_CFG_INT */
	void *out;
};

/* Reads every item; returns 0 or -1 with a one-line message in err. Items end with name == NULL.
 * getenv_fn is for tests (NULL means getenv). */
int lc_config_load(const struct lc_config_item *items, char *err, size_t errlen,
                   const char *(*getenv_fn)(const char *));
/* Same, but prints "civitas-<svc>: configuration error: ..." on stderr and exits 2. */
void lc_config_load_or_exit(const char *service, const struct lc_config_item *items);

#endif

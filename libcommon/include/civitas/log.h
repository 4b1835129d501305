/* log.h — JSON-lines logging on stderr for every daemon.
 * One line per event: ts, level, service, request_id, msg (+ "tag":"security" for auth events). */
#ifndef CIVITAS_LOG_H
#define CIVITAS_LOG_H

#include <stdarg.h>

enum lc_log_level { LC_LOG_DEBUG = 0, LC_LOG_INFO, LC_LOG_WARN, LC_LOG_ERROR };

/* Set once at start (before threads exist). level_name: debug|info|warn|error. */
void lc_log_init(const char *service, const char *level_name);
int lc_log_level_parse(const char *name); /* -1 when the name is unknown */
extern enum lc_log_level lc_log_min_level;

/* request_id may be NULL; tag may be NULL or "security". Never pass a token or password. */
void lc_log_write(enum lc_log_level lvl, const char *tag, const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The level is checked before any argument is formatted. */
#define LC_LOG(lvl, tag, rid, ...)                                                                           \
	do {                                                                                                 \
		if ((lvl) >= lc_log_min_level)                                                               \
			lc_log_write((lvl), (tag), (rid), __VA_ARGS__);                                      \
	} while (0)
#define lc_debug(...)         LC_LOG(LC_LOG_DEBUG, NULL, NULL, __VA_ARGS__)
#define lc_info(...)          LC_LOG(LC_LOG_INFO, NULL, NULL, __VA_ARGS__)
#define lc_warn(...)          LC_LOG(LC_LOG_WARN, NULL, NULL, __VA_ARGS__)
#define lc_error(...)         LC_LOG(LC_LOG_ERROR, NULL, NULL, __VA_ARGS__)
#define lc_security(rid, ...) LC_LOG(LC_LOG_WARN, "security", (rid), __VA_ARGS__)

#endif

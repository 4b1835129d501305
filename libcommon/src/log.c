/* log.c — JSON lines on stderr: {"ts","level","service","request_id","tag","msg"}.
 * One write(2) per line so lines from worker threads never interleave. */
#include "civitas/log.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum lc_log_level lc_log_min_level = LC_LOG_INFO;
static char log_service[32] = "civitas";
static const char *const level_names[] = {"debug", "info", "warn", "error"};

int lc_log_level_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (name && strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void lc_log_init(const char *service, const char *level_name)
{
	if (service)
		snprintf(log_service, sizeof(log_service), "%s", service);
	int lvl = lc_log_level_parse(level_name);
	if (lvl >= 0)
		lc_log_min_level = (enum lc_log_level)lvl;
}

void lc_log_write(enum lc_log_level lvl, const char *tag, const char *request_id, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char ts[40];
	size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - n, ".%03ldZ", (long)(tv.tv_usec / 1000));

	/* jansson escapes the message, so a hostile value cannot forge a log line. */
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level",
	                      level_names[lvl < 0 || lvl > 3 ? 1 : lvl], "service", log_service, "msg", msg);
	if (!o)
		return;
	if (request_id)
		json_object_set_new(o, "request_id", json_string(request_id));
	if (tag)
		json_object_set_new(o, "tag", json_string(tag));
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!line)
		return;
	size_t len = strlen(line);
	line[len] = '\n'; /* overwrite the NUL: one write for the whole line */
	ssize_t w = write(STDERR_FILENO, line, len + 1);
	(void)w;
	free(line);
}

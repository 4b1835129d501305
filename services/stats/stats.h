/* stats.h — what the files of the statistics service share: the pure rules (visitor hash, robot
 * filter, visits, percentiles, reference periods, comment scrubbing) and the ingest queue. */
#ifndef CIVITAS_STATS_STATS_H
#define CIVITAS_STATS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "civitas/db.h"

#define STATS_SALT_LEN    32
#define STATS_VISITOR_LEN 16
#define STATS_VISIT_GAP_S (30 * 60) /* a pause of 30 minutes or more starts a new visit */

/* --- logic.c: pure, unit-tested --- */

/* The day's visitor id: HMAC-SHA256(salt, address NUL user_agent), first 16 bytes, as 32 hex
 * characters + NUL. The inputs are not kept anywhere. */
void stats_visitor_id(const unsigned char salt[STATS_SALT_LEN], const char *address, const char *user_agent,
                      char out[2 * STATS_VISITOR_LEN + 1]);
/* Is this User-Agent a known robot (crawlers, monitors, headless browsers, HTTP libraries), or
 * empty? Such hits are dropped before they are counted. */
bool stats_is_robot(const char *user_agent);
/* times: one visitor's hits of a day in ascending order (unix seconds). Writes into visit_of[i]
 * the 0-based visit of each hit and returns the number of visits. */
size_t stats_split_visits(const int64_t *times, size_t n, size_t *visit_of);
/* Percentile p in [0,1] of values (sorted in place), linear interpolation between the closest
 * ranks as PostgreSQL's percentile_cont. NAN when n == 0. */
double stats_percentile(double *values, size_t n, double p);
/* The reference period of [from, to] (YYYY-MM-DD, inclusive): "previous" (the same number of
 * days just before), "last_year" (the same dates a year earlier; 29 February becomes the 28th)
 * or "<from>..<to>". Writes YYYY-MM-DD into ref_from/ref_to (11 bytes each); false when the
 * mode or its dates are not valid. */
bool stats_reference_period(const char *from, const char *to, const char *mode, char *ref_from, char *ref_to);
/* Change in percent from ref to value; false when ref is 0 (no meaningful change). */
bool stats_change_pct(double value, double ref, double *pct);
/* YYYY-MM-DD → days since 1970-01-01 (false when not a real date), and back. */
bool stats_parse_day(const char *s, int64_t *days);
void stats_format_day(int64_t days, char out[11]);
/* Replaces e-mail addresses and phone numbers in a comment with « [masqué] »: readers are told
 * not to write personal data, and editors must not receive it when they do. Returns a new
 * string (caller frees) or NULL on out of memory. */
char *stats_scrub_comment(const char *comment);
/* What the beacons may name (checked in C: the beacon path must not compile a regex per call):
 * a page path of [A-Za-z0-9/._~-] (at most 200 after the slash), optionally "?slug=" or
 * "?rubrique=" and 1-100 of [a-z0-9-], nothing else — so tokens in URLs are never stored;
 * a lower-case host name; a campaign name of [A-Za-z0-9 _.+-], 1-100. */
bool stats_path_ok(const char *path);
bool stats_host_ok(const char *host);
bool stats_campaign_ok(const char *campaign);
/* Raw rows older than this instant (25 calendar months before now, day clamped to the
 * month's end) are deleted: RFC 3339 into out. */
void stats_raw_cutoff(time_t now, char out[32]);
/* Days are the town's: calendar days in Europe/Paris (a visit at 00:30 belongs to that day, not
 * to the previous UTC day). STATS_TZ for SQL; stats_town_day for C, which applies the EU rule
 * (CET, CEST from the last Sunday of March to the last Sunday of October at 01:00 UTC) so that
 * no process-wide TZ setting is needed. The day number of unix second t (days since 1970-01-01). */
#define STATS_TZ "Europe/Paris"
int64_t stats_town_day(int64_t t);
/* The oldest day whose salt is kept at now: today's and yesterday's (at most 48 hours old). */
int64_t stats_oldest_salt_day(time_t now);

/* --- ingest.c: the bounded queue between the beacons and the database --- */

enum stats_item_kind { STATS_HIT, STATS_ENGAGEMENT };

struct stats_item {
	enum stats_item_kind kind;
	char pv[37];
	int64_t at_ms;
	char visitor[2 * STATS_VISITOR_LEN + 1];
	char path[301];
	char referrer_host[254];
	char screen[16];
	char utm_campaign[101];
	signed char returning; /* -1 unknown, 0 no, 1 yes */
	bool demo;
	int32_t visible_ms;
};

/* Queues a copy of item; false when the queue is full (answer 503) or stopping. */
bool stats_queue_push(const struct stats_item *item);
/* Waits until everything queued before the call is in the database (or timeout_ms passed);
 * true when it is. */
bool stats_queue_flush(unsigned timeout_ms);
/* Counters for /metrics-like readings and tests. */
void stats_queue_counts(uint64_t *accepted, uint64_t *written, size_t *queued);
int stats_ingest_start(size_t capacity, unsigned batch);
/* Writes everything still queued (retrying while the database is away, up to grace_ms), then
 * stops the writer. */
void stats_ingest_stop(unsigned grace_ms);

/* The salt of a day (the town's days since epoch), made on first use and shared by replicas through
 * the salts table; false when the database cannot give it. */
bool stats_salt_for(struct lc_db *db, int64_t day, unsigned char salt[STATS_SALT_LEN]);

/* --- rollup.c: daily aggregates, retention, the scheduler --- */

/* Recomputes every daily figure of days [first, last] from hits, engagement and events.
 * Returns 0 or -1. */
int stats_rollup(struct lc_db *db, int64_t first, int64_t last);
/* Deletes raw hits, engagement and feedback older than 25 months and salts older than 48 h;
 * aggregates stay. now is unix seconds. Returns rows deleted or -1. */
long stats_retention(struct lc_db *db, time_t now);
int stats_scheduler_start(void);
void stats_scheduler_stop(void);

/* --- db_stats.c --- */
extern const struct lc_sql stats_statements[];

int stats_on_start(void);
void stats_on_stop(void);

#endif

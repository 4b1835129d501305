/* logic.c — the statistics service's pure rules: the day's visitor id, the robot filter, visits
 * split at 30 minutes, percentiles, reference periods and comment scrubbing. No I/O here. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/crypto.h"

#include "stats.h"

void stats_visitor_id(const unsigned char salt[STATS_SALT_LEN], const char *address, const char *user_agent,
                      char out[2 * STATS_VISITOR_LEN + 1])
{
	/* address NUL user_agent: the separator keeps ("1.2.3.45", "x") apart from ("1.2.3.4", "5x"). */
	char msg[64 + 1 + 512];
	size_t a = strnlen(address ? address : "", 64), u = strnlen(user_agent ? user_agent : "", 512);
	memcpy(msg, address ? address : "", a);
	msg[a] = '\0';
	memcpy(msg + a + 1, user_agent ? user_agent : "", u);
	char hex[65];
	lc_hmac_sha256_hex(salt, STATS_SALT_LEN, msg, a + 1 + u, hex);
	memcpy(out, hex, 2 * STATS_VISITOR_LEN);
	out[2 * STATS_VISITOR_LEN] = '\0';
}

/* Lower-case fragments of the User-Agents of crawlers, link previews, monitors, headless
 * browsers and HTTP libraries. Real browsers contain none of them. */
static const char *const robots[] = {
    "bot",        "crawl",      "spider",      "slurp",
    "archiver",   "headless",   "phantomjs",   "lighthouse",
    "pagespeed",  "pingdom",    "uptime",      "monitor",
    "curl/",      "wget/",      "python-",     "java/",
    "go-http",    "okhttp",     "libwww",      "httpclient",
    "node-fetch", "axios/",     "wrk",         "facebookexternalhit",
    "preview",    "scrapy",     "feedfetcher", "mediapartners",
    "validator",  "check_http", "zgrab",       "masscan",
    "nmap",       NULL,
};

bool stats_is_robot(const char *user_agent)
{
	if (!user_agent || !*user_agent)
		return true;
	char low[513];
	size_t n = 0;
	for (; user_agent[n] && n < sizeof(low) - 1; n++)
		low[n] = (char)tolower((unsigned char)user_agent[n]);
	low[n] = '\0';
	for (size_t i = 0; robots[i]; i++)
		if (strstr(low, robots[i]))
			return true;
	/* Every browser announces itself as Mozilla/5.0; a bare "Opera/9.80" is the one exception. */
	return strncmp(low, "mozilla/", 8) != 0 && strncmp(low, "opera/", 6) != 0;
}

size_t stats_split_visits(const int64_t *times, size_t n, size_t *visit_of)
{
	size_t visits = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || times[i] - times[i - 1] >= STATS_VISIT_GAP_S)
			visits++;
		visit_of[i] = visits - 1;
	}
	return visits;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double stats_percentile(double *values, size_t n, double p)
{
	if (n == 0)
		return NAN;
	if (p < 0)
		p = 0;
	if (p > 1)
		p = 1;
	qsort(values, n, sizeof(*values), cmp_double);
	double rank = p * (double)(n - 1);
	size_t lo = (size_t)floor(rank), hi = (size_t)ceil(rank);
	return values[lo] + (values[hi] - values[lo]) * (rank - (double)lo);
}

/* Days from civil date (Howard Hinnant's algorithm): exact over the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool stats_parse_day(const char *s, int64_t *days)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	int y = atoi(s);
	unsigned m = (unsigned)atoi(s + 5), d = (unsigned)atoi(s + 8);
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	if (d > mdays[m - 1] + (m == 2 && leap(y)))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

void stats_format_day(int64_t days, char out[11])
{
	int y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	char tmp[48];
	snprintf(tmp, sizeof(tmp), "%04d-%02u-%02u", y, m, d);
	memcpy(out, tmp, 10);
	out[10] = '\0';
}

/* The same date one year earlier; 29 February becomes the 28th. */
static int64_t year_before(int64_t day)
{
	int y;
	unsigned m, d;
	civil_from_days(day, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return days_from_civil(y - 1, m, d);
}

bool stats_reference_period(const char *from, const char *to, const char *mode, char *ref_from, char *ref_to)
{
	int64_t f, t;
	if (!stats_parse_day(from, &f) || !stats_parse_day(to, &t) || f > t || !mode)
		return false;
	int64_t rf, rt;
	if (strcmp(mode, "previous") == 0) {
		rt = f - 1;
		rf = rt - (t - f);
	} else if (strcmp(mode, "last_year") == 0) {
		rf = year_before(f);
		rt = year_before(t);
	} else {
		const char *dots = strstr(mode, "..");
		char a[16], b[16];
		if (!dots || dots - mode != 10 || strlen(dots + 2) != 10)
			return false;
		memcpy(a, mode, 10);
		a[10] = '\0';
		memcpy(b, dots + 2, 11);
		if (!stats_parse_day(a, &rf) || !stats_parse_day(b, &rt) || rf > rt)
			return false;
	}
	if (rf < 0)
		return false;
	stats_format_day(rf, ref_from);
	stats_format_day(rt, ref_to);
	return true;
}

bool stats_change_pct(double value, double ref, double *pct)
{
	if (ref == 0 || !isfinite(ref) || !isfinite(value))
		return false;
	*pct = (value - ref) / fabs(ref) * 100.0;
	return true;
}

static bool email_char(char c)
{
	return isalnum((unsigned char)c) || strchr("._%+-", c);
}

char *stats_scrub_comment(const char *s)
{
	static const char mask[] = "[masqué]";
	size_t n = strlen(s);
	/* Each masked run is at least 6 characters long and the mask is 9 bytes: 2n is enough. */
	char *out = malloc(2 * n + sizeof(mask));
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		/* An e-mail: the run of address characters around an '@' with a dot after it. */
		if (email_char(s[i]) || s[i] == '@') {
			size_t j = i;
			while (j < n && (email_char(s[j]) || s[j] == '@'))
				j++;
			const char *at = memchr(s + i, '@', j - i);
			if (at && at > s + i && memchr(at, '.', (size_t)(s + j - at)) && s[j - 1] != '.') {
				memcpy(out + o, mask, sizeof(mask) - 1);
				o += sizeof(mask) - 1;
				i = j;
				continue;
			}
		}
		/* A phone number: 9 or more digits, possibly separated by spaces, dots, dashes or a '+'. */
		if (isdigit((unsigned char)s[i]) ||
		    (s[i] == '+' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
			size_t j = i, digits = 0, end = i;
			while (j < n && (isdigit((unsigned char)s[j]) || strchr(" .-+()", s[j]))) {
				if (isdigit((unsigned char)s[j])) {
					digits++;
					end = j + 1;
				}
				j++;
			}
			if (digits >= 9) {
				memcpy(out + o, mask, sizeof(mask) - 1);
				o += sizeof(mask) - 1;
				i = end;
				continue;
			}
			/* Not a phone number: copy the digits as they are. */
			memcpy(out + o, s + i, end - i);
			o += end - i;
			i = end;
			continue;
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
	return out;
}

void stats_raw_cutoff(time_t now, char out[32])
{
	struct tm tm;
	gmtime_r(&now, &tm);
	int m = tm.tm_year * 12 + tm.tm_mon - 25;
	tm.tm_year = m / 12;
	tm.tm_mon = m % 12;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int last = mdays[tm.tm_mon] + (tm.tm_mon == 1 && leap(tm.tm_year + 1900));
	if (tm.tm_mday > last)
		tm.tm_mday = last;
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Floor division: instants before 1970 still fall in the right day. */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The day number of the last Sunday of month m of year y (1970-01-01 was a Thursday). */
static int64_t last_sunday(int y, unsigned m)
{
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t last = days_from_civil(y, m, mdays[m - 1] + (m == 2 && leap(y)));
	return last - ((last % 7 + 7 + 4) % 7);
}

int64_t stats_town_day(int64_t t)
{
	int y;
	unsigned m, d;
	civil_from_days(floor_div(t, 86400), &y, &m, &d);
	/* EU summer time: from the last Sunday of March to the last Sunday of October, 01:00 UTC. */
	int64_t summer_from = last_sunday(y, 3) * 86400 + 3600, summer_to = last_sunday(y, 10) * 86400 + 3600;
	int64_t offset = t >= summer_from && t < summer_to ? 7200 : 3600;
	return floor_div(t + offset, 86400);
}

int64_t stats_oldest_salt_day(time_t now)
{
	/* The salt of day D is made at the earliest at D 00:00 and goes once D + 2 starts. */
	return stats_town_day((int64_t)now) - 1;
}

/* A run of 1..max characters of [a-z0-9-]. */
static size_t slug_len(const char *s, size_t max)
{
	size_t n = 0;
	while (s[n] && n <= max &&
	       (islower((unsigned char)s[n]) || isdigit((unsigned char)s[n]) || s[n] == '-'))
		n++;
	return n;
}

bool stats_path_ok(const char *p)
{
	if (!p || p[0] != '/')
		return false;
	size_t n = 1;
	while (p[n] && p[n] != '?') {
		if (!isalnum((unsigned char)p[n]) && !strchr("/._~-", p[n]))
			return false;
		if (++n > 201)
			return false;
	}
	if (!p[n])
		return true;
	const char *q = p + n + 1;
	size_t k = strncmp(q, "slug=", 5) == 0 ? 5 : strncmp(q, "rubrique=", 9) == 0 ? 9 : 0;
	if (k == 0)
		return false;
	size_t v = slug_len(q + k, 100);
	return v >= 1 && v <= 100 && q[k + v] == '\0';
}

bool stats_host_ok(const char *h)
{
	size_t n = h ? strlen(h) : 0;
	if (n == 0 || n > 253 || h[0] == '.' || h[0] == '-' || h[n - 1] == '.' || h[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)h[i]) && !isdigit((unsigned char)h[i]) && h[i] != '.' &&
		    h[i] != '-')
			return false;
	return true;
}

bool stats_campaign_ok(const char *c)
{
	size_t n = c ? strlen(c) : 0;
	if (n == 0 || n > 100)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)c[i]) && !strchr(" _.+-", c[i]))
			return false;
	return true;
}

/* test_stats_logic.c — the statistics service's pure rules: visitor ids and their daily salts,
 * the robot filter, visits split at 30 minutes, percentiles, reference periods, comment
 * scrubbing, the retention instants and the town's days (Europe/Paris). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats.h"

static const char *const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

START_TEST(visitor_id_depends_on_salt_address_and_agent)
{
	unsigned char monday[STATS_SALT_LEN], tuesday[STATS_SALT_LEN];
	memset(monday, 1, sizeof(monday));
	memset(tuesday, 2, sizeof(tuesday));
	char a[33], b[33], c[33], d[33], e[33];
	stats_visitor_id(monday, "203.0.113.7", firefox, a);
	stats_visitor_id(monday, "203.0.113.7", firefox, b);
	ck_assert_str_eq(a, b); /* same day, same browser: one visitor */
	ck_assert_uint_eq(strlen(a), 32);
	stats_visitor_id(tuesday, "203.0.113.7", firefox, c);
	ck_assert_str_ne(a, c); /* the salt rotated: the same person cannot be linked across days */
	stats_visitor_id(monday, "203.0.113.8", firefox, d);
	ck_assert_str_ne(a, d);
	stats_visitor_id(monday, "203.0.113.7", "Mozilla/5.0 (Android 14) Chrome/126", e);
	ck_assert_str_ne(a, e);
	/* The separator keeps the two inputs apart. */
	stats_visitor_id(monday, "1.2.3.45", "Mozilla", d);
	stats_visitor_id(monday, "1.2.3.4", "5Mozilla", e);
	ck_assert_str_ne(d, e);
	/* The id is not the address or agent in any form: only hex digits. */
	for (size_t i = 0; i < 32; i++)
		ck_assert(strchr("0123456789abcdef", a[i]) != NULL);
}
END_TEST

START_TEST(salts_live_48_hours_raw_rows_25_months)
{
	time_t t = 1764936000; /* 2025-12-05 12:00:00Z */
	char day[11];
	stats_format_day(stats_oldest_salt_day(t), day);
	ck_assert_str_eq(day, "2025-12-04"); /* today's and yesterday's salts are kept, no older */
	/* days are the town's: 2025-12-05 starts at 2025-12-04 23:00Z in Paris */
	stats_format_day(stats_oldest_salt_day(t - 13 * 3600 + 1), day);
	ck_assert_str_eq(day, "2025-12-04");
	stats_format_day(stats_oldest_salt_day(t - 13 * 3600 - 1), day);
	ck_assert_str_eq(day, "2025-12-03");
	char cut[32];
	stats_raw_cutoff(t, cut);
	ck_assert_str_eq(cut, "2023-11-05T12:00:00Z");
	stats_raw_cutoff(1714478400, cut); /* 2024-04-30 12:00Z → 2022-03-30 */
	ck_assert_str_eq(cut, "2022-03-30T12:00:00Z");
	stats_raw_cutoff(1711886400, cut); /* 2024-03-31 → February 2022 has 28 days */
	ck_assert_str_eq(cut, "2022-02-28T12:00:00Z");
}
END_TEST

START_TEST(robots_are_filtered)
{
	ck_assert(!stats_is_robot(firefox));
	ck_assert(
	    !stats_is_robot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
	                    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"));
	ck_assert(stats_is_robot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
	ck_assert(stats_is_robot("Mozilla/5.0 (compatible; bingbot/2.0)"));
	ck_assert(
	    stats_is_robot("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari"));
	ck_assert(stats_is_robot("curl/8.5.0"));
	ck_assert(stats_is_robot("python-requests/2.31"));
	ck_assert(stats_is_robot("facebookexternalhit/1.1"));
	ck_assert(stats_is_robot("UptimeRobot/2.0"));
	ck_assert(stats_is_robot(""));
	ck_assert(stats_is_robot(NULL));
	ck_assert(stats_is_robot("SomethingWithoutMozilla/1.0"));
}
END_TEST

START_TEST(visits_split_at_30_minutes)
{
	/* 10:00, 10:29:59 (same visit), 10:59:59 (30 min gap: new), 11:00, 15:00 (new) */
	int64_t t[] = {36000, 36000 + 1799, 36000 + 1799 + 1800, 36000 + 1799 + 1801, 54000};
	size_t v[5];
	ck_assert_uint_eq(stats_split_visits(t, 5, v), 3);
	ck_assert_uint_eq(v[0], 0);
	ck_assert_uint_eq(v[1], 0);
	ck_assert_uint_eq(v[2], 1);
	ck_assert_uint_eq(v[3], 1);
	ck_assert_uint_eq(v[4], 2);
	ck_assert_uint_eq(stats_split_visits(t, 0, v), 0);
	int64_t one[] = {5};
	ck_assert_uint_eq(stats_split_visits(one, 1, v), 1);
	/* 29 min 59 s apart each, for hours: still one visit (the gap counts, not the length). */
	int64_t chain[10];
	for (int i = 0; i < 10; i++)
		chain[i] = i * 1799;
	size_t cv[10];
	ck_assert_uint_eq(stats_split_visits(chain, 10, cv), 1);
}
END_TEST

START_TEST(percentiles_like_percentile_cont)
{
	double a[] = {5, 1, 4, 2, 3};
	ck_assert_double_eq_tol(stats_percentile(a, 5, 0.5), 3, 1e-9);
	double b[] = {10, 20, 30, 40};
	ck_assert_double_eq_tol(stats_percentile(b, 4, 0.5), 25, 1e-9);
	ck_assert_double_eq_tol(stats_percentile(b, 4, 0.9), 37, 1e-9); /* 30 + 0.7 × 10 */
	double c[] = {7};
	ck_assert_double_eq_tol(stats_percentile(c, 1, 0.9), 7, 1e-9);
	ck_assert(isnan(stats_percentile(c, 0, 0.5)));
	double d[100];
	for (int i = 0; i < 100; i++)
		d[i] = 100 - i; /* 1..100 reversed */
	ck_assert_double_eq_tol(stats_percentile(d, 100, 0.9), 90.1, 1e-9);
	ck_assert_double_eq_tol(stats_percentile(d, 100, 0), 1, 1e-9);
	ck_assert_double_eq_tol(stats_percentile(d, 100, 1), 100, 1e-9);
}
END_TEST

START_TEST(reference_periods)
{
	char f[11], t[11];
	ck_assert(stats_reference_period("2026-03-01", "2026-03-31", "previous", f, t));
	ck_assert_str_eq(f, "2026-01-29");
	ck_assert_str_eq(t, "2026-02-28");
	ck_assert(stats_reference_period("2026-03-10", "2026-03-10", "previous", f, t));
	ck_assert_str_eq(f, "2026-03-09");
	ck_assert_str_eq(t, "2026-03-09");
	ck_assert(stats_reference_period("2024-02-01", "2024-02-29", "last_year", f, t));
	ck_assert_str_eq(f, "2023-02-01");
	ck_assert_str_eq(t, "2023-02-28");
	ck_assert(stats_reference_period("2026-01-01", "2026-01-07", "2025-06-01..2025-06-30", f, t));
	ck_assert_str_eq(f, "2025-06-01");
	ck_assert_str_eq(t, "2025-06-30");
	ck_assert(!stats_reference_period("2026-01-01", "2026-01-07", "2025-06-30..2025-06-01", f, t));
	ck_assert(!stats_reference_period("2026-01-01", "2026-01-07", "next", f, t));
	ck_assert(!stats_reference_period("2026-01-01", "2026-01-07", "2025-02-30..2025-03-01", f, t));
	ck_assert(!stats_reference_period("2026-01-08", "2026-01-07", "previous", f, t));
	ck_assert(!stats_reference_period("2026-13-01", "2026-12-07", "previous", f, t));
	double pct;
	ck_assert(stats_change_pct(150, 100, &pct));
	ck_assert_double_eq_tol(pct, 50, 1e-9);
	ck_assert(stats_change_pct(50, 100, &pct));
	ck_assert_double_eq_tol(pct, -50, 1e-9);
	ck_assert(!stats_change_pct(5, 0, &pct));
}
END_TEST

START_TEST(days_round_trip)
{
	int64_t d;
	ck_assert(stats_parse_day("1970-01-01", &d));
	ck_assert_int_eq(d, 0);
	ck_assert(stats_parse_day("2024-02-29", &d));
	char out[11];
	stats_format_day(d, out);
	ck_assert_str_eq(out, "2024-02-29");
	stats_format_day(d + 1, out);
	ck_assert_str_eq(out, "2024-03-01");
	ck_assert(!stats_parse_day("2023-02-29", &d));
	ck_assert(!stats_parse_day("2023-2-01", &d));
	ck_assert(!stats_parse_day("2023-02-01x", &d));
	ck_assert(!stats_parse_day(NULL, &d));
}
END_TEST

static void town_day_is(int64_t t, const char *want)
{
	char day[11];
	stats_format_day(stats_town_day(t), day);
	ck_assert_msg(strcmp(day, want) == 0, "%lld: %s, want %s", (long long)t, day, want);
}

/* The town's day around midnight, in winter, in summer and at both changes of time. */
START_TEST(days_are_the_towns)
{
	town_day_is(1768431599, "2026-01-14"); /* 2026-01-14 22:59:59Z = 23:59:59 in Paris */
	town_day_is(1768433400, "2026-01-15"); /* 23:30Z = 00:30 the next day */
	town_day_is(1784066399, "2026-07-14"); /* 21:59:59Z = 23:59:59 CEST */
	town_day_is(1784068200, "2026-07-15"); /* 22:30Z = 00:30 CEST */
	town_day_is(1774738799, "2026-03-28"); /* the night summer time starts */
	town_day_is(1774738800, "2026-03-29");
	town_day_is(1792879199, "2026-10-24"); /* the night it ends: still CEST before 01:00Z */
	town_day_is(1792879200, "2026-10-25");
	town_day_is(1792969199, "2026-10-25"); /* and CET the next evening */
	town_day_is(1792969200, "2026-10-26");
	town_day_is(-1800, "1970-01-01"); /* 1969-12-31 23:30Z is 00:30 in Paris */
	/* and every quarter of an hour of three years agrees with the system's time zone data */
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	for (int64_t t = 1735689600; t < 1830297600; t += 900) { /* 2025-01-01 .. 2028-01-01 */
		time_t tt = (time_t)t;
		struct tm tm;
		localtime_r(&tt, &tm);
		char want[40], day[11]; /* room for any int year: no -Wformat-truncation */
		snprintf(want, sizeof(want), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		stats_format_day(stats_town_day(t), day);
		ck_assert_msg(strcmp(day, want) == 0, "%lld: %s, tzdata says %s", (long long)t, day, want);
	}
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(comments_lose_personal_data)
{
	char *s = stats_scrub_comment("Écrivez-moi à jean.dupont@example.fr ou au 06 12 34 56 78, merci");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(strstr(s, "dupont"));
	ck_assert_ptr_null(strstr(s, "56 78"));
	ck_assert_str_eq(s, "Écrivez-moi à [masqué] ou au [masqué], merci");
	free(s);
	s = stats_scrub_comment("+33 6 12 34 56 78");
	ck_assert_str_eq(s, "[masqué]");
	free(s);
	s = stats_scrub_comment("Ouvert de 8 h 30 à 12 h, 3 jours sur 7, 2026");
	ck_assert_str_eq(s, "Ouvert de 8 h 30 à 12 h, 3 jours sur 7, 2026");
	free(s);
	s = stats_scrub_comment("l'@ seule ou a@b ne sont pas des adresses");
	ck_assert_str_eq(s, "l'@ seule ou a@b ne sont pas des adresses");
	free(s);
}
END_TEST

START_TEST(beacon_values)
{
	ck_assert(stats_path_ok("/"));
	ck_assert(stats_path_ok("/page.html?slug=carte-identite-passeport"));
	ck_assert(stats_path_ok("/page.html?rubrique=mairie"));
	ck_assert(!stats_path_ok("/verification.html?token=abc")); /* never a token from a URL */
	ck_assert(!stats_path_ok("/page.html?slug=a&token=b"));
	ck_assert(!stats_path_ok("/page.html?slug="));
	ck_assert(!stats_path_ok("/page.html?slug=Majuscule"));
	ck_assert(!stats_path_ok("page.html"));
	ck_assert(!stats_path_ok("/a b"));
	ck_assert(!stats_path_ok(NULL));
	char longp[260] = "/";
	memset(longp + 1, 'a', 201);
	ck_assert(!stats_path_ok(longp));
	longp[201] = '\0';
	ck_assert(stats_path_ok(longp));
	ck_assert(stats_host_ok("www.google.com"));
	ck_assert(!stats_host_ok("www.google.com/path"));
	ck_assert(!stats_host_ok("User@host"));
	ck_assert(!stats_host_ok(".x"));
	ck_assert(stats_campaign_ok("lettre-municipale 2026"));
	ck_assert(!stats_campaign_ok("<script>"));
	ck_assert(!stats_campaign_ok(""));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stats_logic");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, visitor_id_depends_on_salt_address_and_agent);
	tcase_add_test(tc, salts_live_48_hours_raw_rows_25_months);
	tcase_add_test(tc, robots_are_filtered);
	tcase_add_test(tc, visits_split_at_30_minutes);
	tcase_add_test(tc, percentiles_like_percentile_cont);
	tcase_add_test(tc, reference_periods);
	tcase_add_test(tc, days_round_trip);
	tcase_add_test(tc, days_are_the_towns);
	tcase_add_test(tc, comments_lose_personal_data);
	tcase_add_test(tc, beacon_values);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

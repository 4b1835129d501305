/* test_content_explain.c — every public list and search of civitas-content, and the editors'
 * lists, against the town fixture: each plan goes through an index that fits its order and
 * filter (no sequential scan of a table that grows with the town, no sort of all its rows). */
#include <check.h>
#include <stdlib.h>

#include "db.h"
#include "explain.h"
#include "itest.h"

#define NONE NULL
#define PAGE "21"
#define T0   "2021-03-01T00:00:00Z"
#define ID0  "00000000-0000-0000-0000-000000000000"

static const struct explain_case cases[] = {
    /* public lists: all, by kind, section, tag, a later page */
    {"art_list_public", {NONE, NONE, NONE, PAGE, NONE, NONE}, 6},
    {"art_list_public", {NONE, "news", NONE, PAGE, NONE, NONE}, 6},
    {"art_list_public", {NONE, "page", NONE, PAGE, NONE, NONE}, 6},
    {"art_list_public", {"town-rubrique-3", NONE, NONE, PAGE, NONE, NONE}, 6},
    {"art_list_public", {NONE, NONE, "école", PAGE, NONE, NONE}, 6},
    {"art_list_public", {"town-rubrique-3", "news", "sport", PAGE, NONE, NONE}, 6},
    {"art_list_public", {NONE, "news", NONE, PAGE, T0, ID0}, 6},
    {"art_get_public", {"town-article-42"}, 1},
    {"art_feed", {NONE}, 0},
    {"art_sitemap_years", {NONE}, 0},
    {"art_sitemap_year", {"2022"}, 1},
    {"ev_list", {NONE, NONE, PAGE, NONE, NONE}, 5},
    {"ev_list", {"2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z", PAGE, NONE, NONE}, 5},
    {"ev_list", {NONE, NONE, PAGE, T0, ID0}, 5},
    {"ev_ics", {NONE}, 0},
    {"ev_sitemap", {NONE}, 0},
    {"org_list", {NONE, NONE, NONE, PAGE, NONE, NONE}, 6},
    {"org_list", {"sport", NONE, NONE, PAGE, NONE, NONE}, 6},
    {"org_list", {NONE, "sport:*", "sport", PAGE, NONE, NONE}, 6},
    {"org_sitemap", {NONE}, 0},
    {"job_list", {NONE, PAGE, NONE, NONE}, 4},
    {"job_list", {"cdd", PAGE, NONE, NONE}, 4},
    /* search: a common word, a rare pair, a prefix being typed */
    {"search", {"école:*", PAGE, "0"}, 3},
    {"search", {"conseil & municipal & piscine:*", PAGE, "0"}, 3},
    {"search", {"bibliothèque:*", PAGE, "20"}, 3},
    {"search_suggest", {"e:*", "8"}, 2},
    {"search_suggest", {"médiathèque:*", "8"}, 2},
    /* editors */
    {"art_review", {PAGE, NONE, NONE}, 3},
    {"art_review", {PAGE, "2020-01-01 00:00:00+00", "00000000-0000-0000-0000-000000000000"}, 3},
    /* after five calls a connection may settle on the generic plan: the same range */
    {"generic:art_review", {PAGE, NONE, NONE}, 3},
    {"generic:art_review", {PAGE, "2020-01-01 00:00:00+00", "00000000-0000-0000-0000-000000000000"}, 3},
    {"art_admin_list", {NONE, NONE, NONE, NONE, PAGE, NONE, NONE}, 7},
    {"art_admin_list", {"published", NONE, "news", NONE, PAGE, NONE, NONE}, 7},
    /* md5(town-article-42), the fixture's id of that article */
    {"rev_list", {"37b7d7c0-62ce-2a14-8107-714b043471f5", NONE, PAGE}, 3},
    {"chg_queue", {PAGE, NONE, NONE}, 3},
    {"job_admin_list", {NONE, PAGE, NONE, NONE}, 4},
    {"job_admin_list", {"pending", PAGE, NONE, NONE}, 4},
};

static const char *const large[] = {"articles", "article_revisions", "events", NULL};

START_TEST(content_plans_fit_the_town)
{
	PGconn *c = explain_town("content", itest_env("CIVITAS_TEST_CONTENT_DB_URL"), "0.5");
	const struct lc_sql *const tables[] = {content_sql_articles, content_sql_site, NULL};
	explain_check_all(c, tables, cases, sizeof(cases) / sizeof(cases[0]), large);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("content_explain");
	TCase *tc = tcase_create("plans");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, content_plans_fit_the_town);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

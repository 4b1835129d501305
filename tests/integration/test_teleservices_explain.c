/* test_teleservices_explain.c — the agents' queue (every filter, late first, later pages), the
 * citizen's requests, the catalogue and the SLA figures of a period (stored per request, read
 * from the index of receptions) against the town fixture: each plan fits the volume (see
 * explain.h). */
#include <check.h>
#include <stdlib.h>

#include "explain.h"
#include "itest.h"
#include "ts.h"

#define PAGE "21"
#define SVCS "{scolaire,etat-civil}"
/* md5 ids of the fixture: town-user-77 and town-request-1234 */
#define USER    "3c99e5ac-6839-e8f1-3afc-8b56b12c772c"
#define REQUEST "714a90fb-665a-d140-01ff-625798abc83f"
#define AGENT   "00000000-0000-0000-0000-000000000001"

static const struct explain_case cases[] = {
    {"proc_list_public", {""}, 1},
    {"proc_list_public", {"scolaire"}, 1},
    {"req_list_user", {USER, "", "", PAGE}, 4},
    {"req_list_user", {USER, "2025-01-01T00:00:00Z", AGENT, PAGE}, 4},
    {"req_json", {REQUEST, "true"}, 2},
    /* queue (open work): default, late only, not late, assignee, text; queue_status: one open
     * status, all, a decided status, all at page 3 */
    {"queue", {SVCS, "", "", "", PAGE, "0"}, 6},
    {"queue", {"{scolaire}", "true", "", "", PAGE, "0"}, 6},
    {"queue", {SVCS, "false", "", "", PAGE, "0"}, 6},
    {"queue", {SVCS, "", AGENT, "", PAGE, "0"}, 6},
    {"queue", {SVCS, "", "", "habitant 12", PAGE, "0"}, 6},
    {"queue", {SVCS, "", "", "", PAGE, "40"}, 6},
    {"queue_status", {SVCS, "", "", "", PAGE, "0", "in_progress"}, 7},
    {"queue_status", {SVCS, "", "", "", PAGE, "0", "all"}, 7},
    {"queue_status", {SVCS, "true", "", "", PAGE, "0", "all"}, 7},
    {"queue_status", {SVCS, "", "", "", PAGE, "0", "accepted"}, 7},
    {"queue_status", {SVCS, "", "", "", PAGE, "40", "all"}, 7},
    /* The filter-free open work, under the generic plan the service forces for it. */
    {"generic:queue_plain", {SVCS, "", "", "", PAGE, "0"}, 6},
    {"generic:queue_plain", {"{scolaire}", "true", "", "", PAGE, "0"}, 6},
    {"generic:queue_plain", {SVCS, "false", "", "", PAGE, "40"}, 6},
    /* the SLA figures of a month and of a year, one service and several */
    {"sla", {"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "{scolaire}"}, 3},
    {"sla", {"2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", SVCS}, 3},
    {"doc_list", {REQUEST}, 1},
};

static const char *const large[] = {"requests", "request_steps", NULL};

START_TEST(teleservices_plans_fit_the_town)
{
	PGconn *c = explain_town("teleservices", itest_env("CIVITAS_TEST_TELESERVICES_DB_URL"), "0.25");
	const struct lc_sql *const tables[] = {ts_statements, NULL};
	explain_check_all(c, tables, cases, sizeof(cases) / sizeof(cases[0]), large);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("teleservices_explain");
	TCase *tc = tcase_create("plans");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, teleservices_plans_fit_the_town);
	suite_add_tcase(s, tc);
	return itest_run(s);
}

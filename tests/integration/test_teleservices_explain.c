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
    /* The queue, each shape under the generic plan the service runs it with ($1 services, $2 late,
     * $3 assignee, $4 text, $5 limit + 1, $6 offset, $7 status): the open work (default, late
     * only, not late at page 3, two services), all, an open status, a closed status (frequent
     * and rare), each with an assignee too. */
    {"generic:queue_open", {SVCS, "", "", "", PAGE, "0", ""}, 7},
    {"generic:queue_open", {"{scolaire}", "true", "", "", PAGE, "0", ""}, 7},
    {"generic:queue_open", {SVCS, "false", "", "", PAGE, "40", ""}, 7},
    {"generic:queue_open_assignee", {SVCS, "", AGENT, "", PAGE, "0", ""}, 7},
    {"generic:queue_all", {SVCS, "", "", "", PAGE, "0", "all"}, 7},
    {"generic:queue_all", {SVCS, "true", "", "", PAGE, "0", "all"}, 7},
    {"generic:queue_all", {"{scolaire}", "false", "", "", PAGE, "40", "all"}, 7},
    {"generic:queue_all_assignee", {SVCS, "", AGENT, "", PAGE, "0", "all"}, 7},
    {"generic:queue_one", {SVCS, "", "", "", PAGE, "0", "in_progress"}, 7},
    {"generic:queue_one", {SVCS, "false", "", "", PAGE, "0", "submitted"}, 7},
    {"generic:queue_one_assignee", {SVCS, "", AGENT, "", PAGE, "0", "received"}, 7},
    {"generic:queue_closed", {SVCS, "", "", "", PAGE, "0", "accepted"}, 7},
    {"generic:queue_closed", {SVCS, "", "", "", PAGE, "40", "cancelled"}, 7},
    {"generic:queue_closed_assignee", {SVCS, "", AGENT, "", PAGE, "0", "rejected"}, 7},
    /* The text filter, with custom plans: the open work, all, one status, with an assignee. */
    {"queue_text", {SVCS, "", "", "habitant 12", PAGE, "0", ""}, 7},
    {"queue_text", {SVCS, "", AGENT, "habitant 12", PAGE, "0", ""}, 7},
    {"queue_text_status", {SVCS, "", "", "habitant 12", PAGE, "0", "all"}, 7},
    {"queue_text_status", {SVCS, "true", "", "habitant 12", PAGE, "0", "in_progress"}, 7},
    /* the SLA figures of a month and of a year, one service and several */
    {"sla", {"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "{scolaire}"}, 3},
    {"sla", {"2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", SVCS}, 3},
    {"doc_list", {REQUEST}, 1},
};

static const char *const large[] = {"requests", "request_steps", NULL};

START_TEST(teleservices_plans_fit_the_town)
{
	PGconn *c = explain_town("teleservices", itest_env("CIVITAS_TEST_TELESERVICES_DB_URL"), "0.25");
	explain_analyze(true); /* every case runs in milliseconds: check what they really read */
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

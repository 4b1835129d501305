/* explain.h — the plan check of issue 11: a service's statements, EXPLAINed against the "town"
 * fixture (tests/bench/town/<svc>.sql, loaded at a smaller scale inside a transaction that is
 * rolled back), must not scan a large table sequentially nor sort more than a page's worth; a
 * statement run under its generic plan must not be estimated above jit_above_cost. */
#ifndef CIVITAS_EXPLAIN_H
#define CIVITAS_EXPLAIN_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "civitas/db.h"

/* Rows a Sort node may take in: a page and its neighbours, or a bounded candidate set
 * (search ranks at most 4 × 200); more means the statement sorts what the table holds. */
#define EXPLAIN_SORT_MAX 1000

/* Rows of a large table a scan may read and drop by its filter (executed cases only): a walk of
 * an index in the list's order that skips what the filter rejects must stop well before the end
 * of the table (a page of a rare filter found that way reads the whole table). */
#define EXPLAIN_FILTER_MAX 5000

/* One statement of a service and literal values for its $n (NULL is SQL NULL). A stmt written
 * "generic:<name>" is checked under its generic plan: the service runs it so
 * (lc_db_exec_generic). */
struct explain_case {
	const char *stmt;
	const char *params[10];
	int nparams;
};

/* Connects to the service's database as its role, opens a transaction, loads the town fixture
 * at the given scale (TOWN_SCALE in the environment overrides it) and analyses the tables. */
PGconn *explain_town(const char *service, const char *url, const char *scale);
/* From now on the cases are also executed (EXPLAIN ANALYZE): a Sort then fails on the rows it
 * really took in, not only on the estimate, which can be far off (a trigram match of a common
 * word: estimated 16 rows, 3,340 sorted), and a scan on the rows it dropped (EXPLAIN_FILTER_MAX).
 * For the services whose cases run fast on the fixture. */
void explain_analyze(bool on);
/* Checks every case (statements looked up in tables, NULL-terminated list of statement tables);
 * large is the NULL-terminated list of tables that grow with the town. Reports every offence
 * before failing. Rolls back and closes the connection. */
void explain_check_all(PGconn *c, const struct lc_sql *const *tables, const struct explain_case *cases,
                       size_t n, const char *const *large);

#endif

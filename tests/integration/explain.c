/* explain.c — loads the town fixture in a transaction and checks the plans of named statements:
 * no sequential scan of a large table, no sort of more than EXPLAIN_SORT_MAX rows (issue 11). */
#include "explain.h"

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

static void exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%.200s: %s", sql,
	              PQresultErrorMessage(r));
	PQclear(r);
}

/* The whole file as a string (caller frees). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

static double town_scale = 1; /* of the loaded fixture: estimated costs scale with it */

PGconn *explain_town(const char *service, const char *url, const char *scale)
{
	PGconn *c = PQconnectdb(url);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	const char *env = getenv("TOWN_SCALE");
	if (env && *env)
		scale = env;
	town_scale = atof(scale) > 0 ? atof(scale) : 1;
	char set[96], path[1024];
	snprintf(set, sizeof(set), "SET LOCAL town.scale = '%.16s'", scale);
	snprintf(path, sizeof(path), "%s/tests/bench/town/%s.sql", itest_env("CIVITAS_TEST_ROOT"), service);
	exec_ok(c, "SET client_min_messages = error");
	exec_ok(c, "BEGIN");
	exec_ok(c, set);
	char *sql = slurp(path);
	exec_ok(c, sql);
	free(sql);
	/* ANALYZE of the schema's own tables only (others belong to other roles). */
	exec_ok(
	    c, "DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables"
	       " WHERE schemaname = current_schema() LOOP EXECUTE format('ANALYZE %I', t); END LOOP; END $$");
	return c;
}

static bool analyze;

void explain_analyze(bool on)
{
	analyze = on;
}

static const char *find_sql(const struct lc_sql *const *tables, const char *name)
{
	for (size_t t = 0; tables[t]; t++)
		for (const struct lc_sql *s = tables[t]; s->name; s++)
			if (strcmp(s->name, name) == 0)
				return s->text;
	return NULL;
}

static bool is_large(const char *rel, const char *const *large)
{
	for (size_t i = 0; rel && large[i]; i++)
		if (strcmp(rel, large[i]) == 0)
			return true;
	return false;
}

/* Walks a plan node; appends what offends to report. Returns the number of offences. A generic
 * plan's estimates under a LIMIT of a parameter are PostgreSQL's blind guess (a tenth of the
 * rows), not the data's: executed, its Sorts are judged by what they really took in. */
static int walk(json_t *node, const char *const *large, bool generic, char *report, size_t cap)
{
	int bad = 0;
	const char *type = json_string_value(json_object_get(node, "Node Type"));
	const char *rel = json_string_value(json_object_get(node, "Relation Name"));
	double rows = json_number_value(json_object_get(node, "Plan Rows"));
	json_t *kids = json_object_get(node, "Plans"), *k;
	size_t i;
	/* Executed (EXPLAIN ANALYZE): what a Sort really took in, when more than estimated. */
	if (type && strcmp(type, "Sort") == 0) {
		if (generic && json_object_get(node, "Actual Rows"))
			rows = 0;
		json_array_foreach(kids, i, k)
		{
			double in = json_number_value(json_object_get(k, "Actual Rows")) *
			            json_number_value(json_object_get(k, "Actual Loops"));
			rows = in > rows ? in : rows;
		}
	}
	/* Executed: how many rows of a large table a scan read only to drop them. */
	double dropped = json_number_value(json_object_get(node, "Rows Removed by Filter")) *
	                 json_number_value(json_object_get(node, "Actual Loops"));
	char line[256] = "";
	if (is_large(rel, large) && dropped > EXPLAIN_FILTER_MAX)
		snprintf(line, sizeof(line), " [%s on %s dropped %.0f rows]", type, rel, dropped);
	else if (type && strcmp(type, "Seq Scan") == 0 && is_large(rel, large))
		snprintf(line, sizeof(line), " [Seq Scan on %s, %.0f rows]", rel, rows);
	else if (type && strcmp(type, "Sort") == 0 && rows > EXPLAIN_SORT_MAX)
		snprintf(line, sizeof(line), " [Sort of %.0f rows]", rows);
	if (*line) {
		bad++;
		strncat(report, line, cap - strlen(report) - 1);
	}
	json_array_foreach(kids, i, k) bad += walk(k, large, generic, report, cap);
	return bad;
}

void explain_check_all(PGconn *c, const struct lc_sql *const *tables, const struct explain_case *cases,
                       size_t n, const char *const *large)
{
	static char report[16384];
	report[0] = '\0';
	int offences = 0;
	/* jit_above_cost when JIT is on, else 0 */
	PGresult *j = PQexec(c, "SELECT CASE WHEN current_setting('jit')::boolean"
	                        " THEN current_setting('jit_above_cost')::float8 ELSE 0 END");
	double jit_above = PQresultStatus(j) == PGRES_TUPLES_OK ? atof(PQgetvalue(j, 0, 0)) : 0;
	PQclear(j);
	for (size_t i = 0; i < n; i++) {
		const struct explain_case *k = &cases[i];
		bool generic = strncmp(k->stmt, "generic:", 8) == 0;
		const char *name = generic ? k->stmt + 8 : k->stmt;
		const char *text = find_sql(tables, name);
		ck_assert_msg(text != NULL, "no statement %s", name);
		char pname[80];
		snprintf(pname, sizeof(pname), "x%zu_%s", i, name);
		PGresult *r = PQprepare(c, pname, text, 0, NULL);
		ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", k->stmt,
		              PQresultErrorMessage(r));
		PQclear(r);
		char q[4096];
		int len = snprintf(q, sizeof(q), "EXPLAIN (%sFORMAT JSON) EXECUTE %s%s",
		                   analyze ? "ANALYZE, " : "", pname, k->nparams ? "(" : "");
		for (int p = 0; p < k->nparams; p++) {
			char *lit =
			    k->params[p] ? PQescapeLiteral(c, k->params[p], strlen(k->params[p])) : NULL;
			len += snprintf(q + len, sizeof(q) - (size_t)len, "%s%s", p ? ", " : "",
			                lit ? lit : "NULL");
			PQfreemem(lit);
		}
		if (k->nparams)
			snprintf(q + len, sizeof(q) - (size_t)len, ")");
		if (generic)
			PQclear(PQexec(c, "SET plan_cache_mode = force_generic_plan"));
		r = PQexec(c, q);
		if (generic)
			PQclear(PQexec(c, "SET plan_cache_mode = auto"));
		ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", k->stmt,
		              PQresultErrorMessage(r));
		json_t *plan = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
		PQclear(r);
		ck_assert_ptr_nonnull(plan);
		char mine[1024] = "";
		json_t *top = json_object_get(json_array_get(plan, 0), "Plan");
		int bad = walk(top, large, generic, mine, sizeof(mine));
		/* A generic plan runs as it is on every call: estimated above jit_above_cost at the
		 * town's volume, each call would pay for JIT compilation (tens of ms). */
		double cost = json_number_value(json_object_get(top, "Total Cost")) / town_scale;
		if (generic && jit_above > 0 && cost >= jit_above) {
			bad++;
			snprintf(mine + strlen(mine), sizeof(mine) - strlen(mine),
			         " [estimated cost %.0f at the town's volume: JIT on every call]", cost);
		}
		json_decref(plan);
		if (bad) {
			offences += bad;
			char line[1200];
			snprintf(line, sizeof(line), "\n  %s (case %zu):%s", k->stmt, i, mine);
			strncat(report, line, sizeof(report) - strlen(report) - 1);
		}
	}
	PQclear(PQexec(c, "ROLLBACK"));
	PQfinish(c);
	ck_assert_msg(offences == 0, "%d plan(s) do not fit the town's volume:%s", offences, report);
}

/* migrate.c — applies services/<svc>/migrations/NNNN_name.sql in order, once each, under an
 * advisory lock so that replicas starting together never apply a file twice. */
#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/db.h"
#include "civitas/log.h"

/* Tables libcommon owns in every service schema. Idempotent, run under the lock. */
static const char framework_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version integer PRIMARY KEY, name text NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE IF NOT EXISTS outbox ("
    "  id bigserial PRIMARY KEY, event_id uuid NOT NULL, target text NOT NULL,"
    "  topic text NOT NULL, payload jsonb NOT NULL,"
    "  created_at timestamptz NOT NULL DEFAULT now(), attempts integer NOT NULL DEFAULT 0,"
    "  next_attempt_at timestamptz NOT NULL DEFAULT now(), delivered_at timestamptz,"
    "  failed_at timestamptz, last_error text, UNIQUE (event_id, target));"
    "CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (next_attempt_at)"
    "  WHERE delivered_at IS NULL AND failed_at IS NULL;"
    /* The key under which a waiting event may still be replaced (lc_outbox_emit_merged). */
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS merge_key text;"
    "CREATE TABLE IF NOT EXISTS inbox ("
    "  event_id uuid PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now());";

static int is_migration(const struct dirent *e)
{
	const char *n = e->d_name;
	size_t len = strlen(n);
	for (int i = 0; i < 4; i++)
		if (n[i] < '0' || n[i] > '9')
			return 0;
	return n[4] == '_' && len > 9 && strcmp(n + len - 4, ".sql") == 0;
}

int lc_db_migrations_latest(const char *dir)
{
	struct dirent **list;
	int n = scandir(dir, &list, is_migration, alphasort);
	if (n < 0)
		return 0;
	int latest = n ? atoi(list[n - 1]->d_name) : 0;
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return latest;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	rewind(f);
	char *s = size >= 0 ? malloc((size_t)size + 1) : NULL;
	if (s && fread(s, 1, (size_t)size, f) != (size_t)size) {
		free(s);
		s = NULL;
	}
	if (s)
		s[size] = '\0';
	fclose(f);
	return s;
}

static bool run(PGconn *c, const char *sql, const char *what)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		lc_error("migration step %s failed: %s", what, PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

static bool applied(PGconn *c, int version)
{
	char v[16];
	snprintf(v, sizeof(v), "%d", version);
	const char *p[] = {v};
	PGresult *r =
	    PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL, p, NULL, NULL, 0);
	bool yes = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	PQclear(r);
	return yes;
}

static int apply_one(PGconn *c, const char *dir, const char *file)
{
	int version = atoi(file);
	if (applied(c, version))
		return 0;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	char *sql = read_file(path);
	if (!sql) {
		lc_error("cannot read migration %s", path);
		return -1;
	}
	char v[16];
	snprintf(v, sizeof(v), "%d", version);
	const char *p[] = {v, file};
	bool ok = run(c, "BEGIN", "BEGIN") && run(c, sql, file);
	if (ok) {
		PGresult *r = PQexecParams(c, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
		                           2, NULL, p, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	ok = ok && run(c, "COMMIT", "COMMIT");
	if (!ok)
		run(c, "ROLLBACK", "ROLLBACK");
	else
		lc_info("migration %s applied", file);
	free(sql);
	return ok ? 0 : -1;
}

int lc_db_migrate(const char *conninfo, const char *schema, const char *dir)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		lc_error("migrations: cannot connect: %s", PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	lc_db_adopt(c);
	char *ident = PQescapeIdentifier(c, schema, strlen(schema));
	char sql[200];
	snprintf(sql, sizeof(sql), "SET search_path TO %s", ident ? ident : "public");
	PQfreemem(ident);
	const char *p[] = {schema};
	int rc = -1;
	if (!run(c, sql, "search_path"))
		goto out;
	/* Session lock keyed by schema: a second starter waits here, then finds nothing to do. */
	PGresult *r =
	    PQexecParams(c, "SELECT pg_advisory_lock(7411, hashtext($1))", 1, NULL, p, NULL, NULL, 0);
	bool locked = PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	if (!locked) {
		lc_error("migrations: cannot take the advisory lock: %s", PQerrorMessage(c));
		goto out;
	}
	if (run(c, framework_sql, "libcommon tables")) {
		struct dirent **list;
		int n = scandir(dir, &list, is_migration, alphasort);
		if (n < 0) {
			lc_error("migrations: cannot read directory %s", dir);
		} else {
			rc = 0;
			for (int i = 0; i < n; i++) {
				if (rc == 0 && apply_one(c, dir, list[i]->d_name) < 0)
					rc = -1;
				free(list[i]);
			}
			free(list);
		}
	}
	r = PQexecParams(c, "SELECT pg_advisory_unlock(7411, hashtext($1))", 1, NULL, p, NULL, NULL, 0);
	PQclear(r);
out:
	PQfinish(c);
	return rc;
}

/* test_db.c — libcommon's database layer against the real PostgreSQL, in the scratch schema
 * `itest`: migrations applied once when two starters race, a failing migration rolls back
 * whole, the transaction runner retries a serialization failure, and the outbox delivers an
 * event exactly once to a receiver that fails twice first. */
#include <check.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civitas/auth.h"
#include "civitas/db.h"
#include "civitas/outbox.h"

#include "itest.h"

static const char *db_url;

static PGresult *q(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
	              PQresultErrorMessage(r));
	return r;
}

static long count(PGconn *c, const char *sql)
{
	PGresult *r = q(c, sql);
	long n = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return n;
}

static PGconn *connect_itest(void)
{
	PGconn *c = PQconnectdb(db_url);
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	lc_db_adopt(c);
	PQclear(q(c, "SET search_path TO itest"));
	return c;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char migdir[64];

static void *migrate_thread(void *arg)
{
	long rc = lc_db_migrate(db_url, "itest", migdir);
	return (void *)rc;
}

START_TEST(migrations_once_under_race)
{
	PGconn *c = connect_itest();
	PQclear(q(c, "DROP TABLE IF EXISTS mig_probe, schema_migrations"));
	strcpy(migdir, "/tmp/civitas-mig-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(migdir));
	/* The sleep makes the two starters overlap: without the lock, CREATE TABLE fails twice. */
	write_file(migdir, "0001_probe.sql",
	           "CREATE TABLE mig_probe (n int); SELECT pg_sleep(0.5); INSERT INTO mig_probe VALUES (1);");
	write_file(migdir, "0002_more.sql", "INSERT INTO mig_probe VALUES (2);");
	write_file(migdir, "README.txt", "not a migration");
	pthread_t a, b;
	pthread_create(&a, NULL, migrate_thread, NULL);
	pthread_create(&b, NULL, migrate_thread, NULL);
	void *ra, *rb;
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	ck_assert_int_eq((long)ra, 0);
	ck_assert_int_eq((long)rb, 0);
	ck_assert_int_eq(count(c, "SELECT count(*) FROM mig_probe"), 2);
	ck_assert_int_eq(count(c, "SELECT count(*) FROM schema_migrations"), 2);
	ck_assert_int_eq(lc_db_migrations_latest(migdir), 2);

	/* A broken migration changes nothing and stops the start. */
	write_file(migdir, "0003_broken.sql", "INSERT INTO mig_probe VALUES (3); SELECT no_such_function();");
	ck_assert_int_eq(lc_db_migrate(db_url, "itest", migdir), -1);
	ck_assert_int_eq(count(c, "SELECT count(*) FROM mig_probe"), 2);
	ck_assert_int_eq(count(c, "SELECT count(*) FROM schema_migrations"), 2);
	PQfinish(c);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", migdir);
	itest_sh(cmd);
}
END_TEST

/* ---- transaction runner ---- */

static const struct lc_sql sql[] = {
    {"t_counter_bump", "UPDATE tx_counter SET n = n + 1 WHERE id = 1"},
    {"t_counter_get", "SELECT n FROM tx_counter WHERE id = 1"},
    {"t_serializable", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"},
    {"t_outbox_row",
     "SELECT attempts, delivered_at IS NOT NULL, last_error FROM outbox WHERE event_id = $1::uuid"},
    {NULL, NULL},
};

struct race {
	PGconn *other; /* commits a conflicting change during the first attempt */
	int calls;
};

static enum lc_tx_result bump(struct lc_db *db, void *arg)
{
	struct race *r = arg;
	r->calls++;
	PGresult *res = lc_db_exec(db, "t_serializable", 0, NULL);
	if (!res)
		return LC_TX_ERROR;
	PQclear(res);
	res = lc_db_exec(db, "t_counter_get", 0, NULL); /* takes the snapshot */
	if (!res)
		return LC_TX_ERROR;
	PQclear(res);
	if (r->calls == 1) /* someone else updates the same row and commits first */
		PQclear(q(r->other, "UPDATE tx_counter SET n = n + 100 WHERE id = 1"));
	res = lc_db_exec(db, "t_counter_bump", 0, NULL);
	if (!res)
		return LC_TX_ERROR;
	PQclear(res);
	return LC_TX_COMMIT;
}

START_TEST(tx_retries_serialization_failure)
{
	PGconn *c = connect_itest();
	PQclear(q(c, "DROP TABLE IF EXISTS tx_counter"));
	PQclear(q(c, "CREATE TABLE tx_counter (id int PRIMARY KEY, n int NOT NULL)"));
	PQclear(q(c, "INSERT INTO tx_counter VALUES (1, 0)"));
	ck_assert_int_eq(lc_db_migrate(db_url, "itest", "/nonexistent-dir-is-refused"), -1);
	ck_assert_int_eq(lc_db_setup(db_url, "itest", sql), 0);
	struct race r = {.other = c};
	ck_assert_int_eq(lc_db_tx(lc_db_thread(), bump, &r), LC_TX_COMMIT);
	ck_assert_int_eq(r.calls, 2); /* the first attempt hit 40001 and was run again */
	ck_assert_int_eq(count(c, "SELECT n FROM tx_counter"), 101);
	lc_db_teardown();
	PQfinish(c);
}
END_TEST

/* ---- outbox ---- */

static atomic_int calls, successes;
static char seen_id[64];

static enum MHD_Result receiver(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                const char *version, const char *data, size_t *size, void **ctx)
{
	if (!*ctx) {
		*ctx = (void *)1;
		return MHD_YES;
	}
	if (*size) {
		*size = 0;
		return MHD_YES;
	}
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	const char *id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Civitas-Event-Id");
	int n = atomic_fetch_add(&calls, 1) + 1;
	unsigned status = 200;
	if (strcmp(url, "/internal/v1/events") != 0 || !lc_internal_bearer_ok(auth))
		status = 404;
	else if (n <= 2)
		status = 500; /* fails twice, then accepts */
	else {
		atomic_fetch_add(&successes, 1);
		snprintf(seen_id, sizeof(seen_id), "%s", id ? id : "");
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

struct emit_arg {
	char id[37];
};

static enum lc_tx_result emit(struct lc_db *db, void *arg)
{
	struct emit_arg *e = arg;
	json_t *data = json_pack("{s:s}", "hello", "world");
	int rc = lc_outbox_emit(db, "test.hello", data, e->id);
	json_decref(data);
	return rc == 0 ? LC_TX_COMMIT : LC_TX_ERROR;
}

START_TEST(outbox_exactly_once_after_two_failures)
{
	struct MHD_Daemon *d =
	    MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, receiver, NULL, MHD_OPTION_END);
	ck_assert_ptr_nonnull(d);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u",
	         MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
	setenv("ITEST_RECEIVER_URL", url, 1);
	ck_assert_int_eq(lc_internal_secret_set("itest-secret-0123456789abcdef0123456789", 38), 0);

	char empty[] = "/tmp/civitas-empty-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(empty));
	ck_assert_int_eq(lc_db_migrate(db_url, "itest", empty), 0); /* libcommon tables only */
	rmdir(empty);
	PGconn *c = connect_itest();
	PQclear(q(c, "DELETE FROM outbox"));
	ck_assert_int_eq(lc_db_setup(db_url, "itest", sql), 0);
	const struct lc_outbox_target targets[] = {
	    {.name = "receiver", .topic_prefix = "test.", .url_env = "ITEST_RECEIVER_URL"},
	    {.name = "elsewhere", .topic_prefix = "other.", .url_env = "ITEST_RECEIVER_URL"},
	    {.name = "unset", .topic_prefix = "", .url_env = "ITEST_NOT_SET"},
	};
	ck_assert_int_eq(lc_outbox_setup("itest", targets, 3, 50, 5), 0);
	ck_assert_int_eq(lc_outbox_start(db_url), 0);

	struct emit_arg e;
	ck_assert_int_eq(lc_db_tx(lc_db_thread(), emit, &e), LC_TX_COMMIT);
	/* only the matching, configured target got a row */
	ck_assert_int_eq(count(c, "SELECT count(*) FROM outbox"), 1);
	for (int i = 0; i < 100 && atomic_load(&successes) == 0; i++)
		usleep(100 * 1000);
	usleep(600 * 1000); /* room for a wrong second delivery to show up */
	ck_assert_int_eq(atomic_load(&successes), 1);
	ck_assert_int_eq(atomic_load(&calls), 3);
	ck_assert_str_eq(seen_id, e.id);

	const char *p[] = {e.id};
	PGresult *r = lc_db_exec(lc_db_thread(), "t_outbox_row", 1, p);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "3");
	ck_assert_str_eq(PQgetvalue(r, 0, 1), "t");
	PQclear(r);

	/* receivers dedupe: the same id is new once */
	ck_assert_int_eq(lc_inbox_claim(lc_db_thread(), e.id), 1);
	ck_assert_int_eq(lc_inbox_claim(lc_db_thread(), e.id), 0);

	lc_outbox_stop();
	lc_db_teardown();
	PQfinish(c);
	MHD_stop_daemon(d);
}
END_TEST

int main(void)
{
	db_url = itest_env("CIVITAS_TEST_ITEST_DB_URL");
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("db");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, migrations_once_under_race);
	tcase_add_test(tc, tx_retries_serialization_failure);
	tcase_add_test(tc, outbox_exactly_once_after_two_failures);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test_outbox_stop.c — the outbox's delivery loses its database connection in the middle of a
 * batch (a PostgreSQL restart, an administrator's pg_terminate_backend): nothing is sent after
 * the loss is known, and what was sent before it is never sent again (issue 10, item 6). */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civitas/db.h"
#include "civitas/outbox.h"

#include "itest.h"

#define EVENTS 10

static const char *db_url;
static atomic_int sent[EVENTS + 1]; /* how often the sink accepted message number i */
static atomic_int calls;
static atomic_int kill_at; /* the call that cuts the delivery's connection (0: none) */
static atomic_bool kill_after_send;

static PGresult *q(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
	              PQresultErrorMessage(r));
	return r;
}

/* Ends the delivery thread's backend (the only one of this role inside a transaction while the
 * sink runs) and waits until it is gone, as a restart of PostgreSQL would. */
static void cut_delivery_connection(void)
{
	PGconn *c = PQconnectdb(db_url);
	if (PQstatus(c) != CONNECTION_OK) {
		PQfinish(c);
		return;
	}
	PQclear(PQexec(c,
	               "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = current_user"
	               " AND pid <> pg_backend_pid() AND state = 'idle in transaction'"));
	for (int i = 0; i < 50; i++) {
		PGresult *r = PQexec(c, "SELECT count(*) FROM pg_stat_activity WHERE usename = current_user"
		                        " AND pid <> pg_backend_pid() AND state = 'idle in transaction'");
		bool gone = PQresultStatus(r) == PGRES_TUPLES_OK && atoi(PQgetvalue(r, 0, 0)) == 0;
		PQclear(r);
		if (gone)
			break;
		usleep(100 * 1000);
	}
	PQfinish(c);
}

/* The sink: counts each message it accepts by its number. On call kill_at the connection is cut
 * first; the message then counts as sent only when kill_after_send says the send went through. */
static int sink(const char *topic, const json_t *event, char *err, size_t errlen)
{
	(void)topic;
	int n = (int)json_integer_value(json_object_get(json_object_get(event, "data"), "n"));
	if (n < 1 || n > EVENTS) {
		snprintf(err, errlen, "bad message");
		return -1;
	}
	int call = atomic_fetch_add(&calls, 1) + 1;
	if (call == atomic_load(&kill_at)) {
		cut_delivery_connection();
		if (!atomic_load(&kill_after_send)) {
			snprintf(err, errlen, "relay went away");
			return -1;
		}
	}
	atomic_fetch_add(&sent[n], 1);
	return 0;
}

static enum lc_tx_result emit_all(struct lc_db *db, void *arg)
{
	(void)arg;
	for (int i = 1; i <= EVENTS; i++) {
		json_t *d = json_pack("{s:i}", "n", i);
		int rc = lc_outbox_emit(db, "mail.test", d, NULL);
		json_decref(d);
		if (rc < 0)
			return LC_TX_ERROR;
	}
	return LC_TX_COMMIT;
}

/* Emits EVENTS messages in one transaction, cuts the connection at call `at`, and waits until
 * every message was accepted at least once. */
static void run(int at, bool after_send)
{
	for (int i = 0; i <= EVENTS; i++)
		atomic_store(&sent[i], 0);
	atomic_store(&calls, 0);
	atomic_store(&kill_at, at);
	atomic_store(&kill_after_send, after_send);

	char empty[] = "/tmp/civitas-empty-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(empty));
	ck_assert_int_eq(lc_db_migrate(db_url, "itest", empty), 0); /* libcommon tables only */
	rmdir(empty);
	PGconn *c = PQconnectdb(db_url);
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	PQclear(q(c, "SET search_path TO itest"));
	PQclear(q(c, "DELETE FROM outbox"));
	static const struct lc_sql none[] = {{NULL, NULL}};
	ck_assert_int_eq(lc_db_setup(db_url, "itest", none), 0);
	const struct lc_outbox_target targets[] = {
	    {.name = "sink", .topic_prefix = "mail.", .deliver = sink}};
	ck_assert_int_eq(lc_outbox_setup("itest", targets, 1, 50, 5), 0);
	/* Rows first, then the thread: the whole set is due in one batch. */
	ck_assert_int_eq(lc_db_tx(lc_db_thread(), emit_all, NULL), LC_TX_COMMIT);
	ck_assert_int_eq(lc_outbox_start(db_url), 0);
	for (int w = 0; w < 300; w++) {
		int done = 0;
		for (int i = 1; i <= EVENTS; i++)
			done += atomic_load(&sent[i]) > 0;
		if (done == EVENTS)
			break;
		usleep(100 * 1000);
	}
	sleep(1); /* room for a wrong second delivery to show up */
	lc_outbox_stop();
	PGresult *r = q(c, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL");
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "0");
	PQclear(r);
	PQfinish(c);
	lc_db_teardown();
}

START_TEST(cut_between_two_messages_sends_each_once)
{
	run(4, false);
	for (int i = 1; i <= EVENTS; i++)
		ck_assert_msg(atomic_load(&sent[i]) == 1, "message %d sent %d times", i,
		              atomic_load(&sent[i]));
}
END_TEST

START_TEST(cut_during_a_send_repeats_at_most_that_one)
{
	run(4, true);
	int repeated = 0;
	for (int i = 1; i <= EVENTS; i++) {
		ck_assert_int_ge(atomic_load(&sent[i]), 1);
		repeated += atomic_load(&sent[i]) - 1;
	}
	ck_assert_int_le(repeated, 1);
}
END_TEST

int main(void)
{
	db_url = itest_env("CIVITAS_TEST_ITEST_DB_URL");
	Suite *s = suite_create("outbox_stop");
	TCase *tc = tcase_create("outbox");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, cut_between_two_messages_sends_each_once);
	tcase_add_test(tc, cut_during_a_send_repeats_at_most_that_one);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

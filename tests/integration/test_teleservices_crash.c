/* test_teleservices_crash.c — a notification survives a crash: the real civitas-teleservices
 * binary (from CIVITAS_BUILD) runs as a child process; a request is submitted (the change and
 * its outbox row commit together) while the notice cannot be delivered yet; the daemon is
 * killed with SIGKILL before delivery, restarted, and the citizen gets the e-mail exactly once. */
#include <check.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "test_teleservices_itest.h"

static unsigned free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t len = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s);
	return ntohs(a.sin_port);
}

static pid_t spawn(unsigned port)
{
	char bin[1024], p[16];
	snprintf(bin, sizeof(bin), "%s/services/teleservices/civitas-teleservices",
	         itest_env("CIVITAS_BUILD"));
	snprintf(p, sizeof(p), "%u", port);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("CIVITAS_PORT", p, 1);
		execl(bin, bin, (char *)NULL);
		_exit(127);
	}
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/teleservices/v1/readyz", port);
	for (int i = 0; i < 200; i++) {
		struct itest_resp r;
		if (itest_http("GET", url, NULL, NULL, 0, &r) == 0 && r.status == 200) {
			itest_resp_free(&r);
			return pid;
		}
		itest_resp_free(&r);
		usleep(100 * 1000);
	}
	ck_abort_msg("the daemon did not become ready");
	return -1;
}

/* How many caught e-mails contain needle. */
static int mails_with(const char *needle)
{
	const char *dir = itest_env("CIVITAS_TEST_MAIL");
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strstr(e->d_name, ".eml"))
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		static char buf[65536];
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		buf[len] = '\0';
		fclose(f);
		if (strstr(buf, needle))
			n++;
	}
	closedir(d);
	return n;
}

START_TEST(notification_survives_kill_9)
{
	itest_service_env("teleservices");
	acc_pg = itest_db("CIVITAS_TEST_ACCOUNT_DB_URL");
	tele_pg = itest_db("CIVITAS_TEST_TELESERVICES_DB_URL");
	/* A procedure for oneself; a citizen whose account row does not exist yet, so account
	 * answers 404 to the notice and the outbox keeps it. */
	char slug[48], user[37], auth[4200], path[128], id[37];
	self_procedure_make("crash", slug, user, auth);
	unsigned port = free_port();
	pid_t pid = spawn(port);
	snprintf(ts_base, sizeof(ts_base), "http://127.0.0.1:%u", port);
	draft_make(slug, auth, id);
	struct itest_resp r;
	snprintf(path, sizeof(path), "/requests/%s/submit", id);
	call(&r, "POST", path, auth, NULL, "Idempotency-Key: crash-1");
	json_t *j = itest_expect(&r, 200);
	char reference[32];
	snprintf(reference, sizeof(reference), "%s", itest_jstr(j, "reference"));
	json_decref(j);
	/* Committed, not delivered: kill -9. */
	const char *pu[] = {user};
	ck_assert_str_eq(
	    itest_sql1(tele_pg,
	               "SELECT count(*) FROM outbox WHERE target = 'notify' AND delivered_at IS NULL"
	               " AND payload->'data'->>'user_id' = $1",
	               1, pu),
	    "1");
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(mails_with(reference), 0);
	/* The person's account appears; the daemon comes back; the notice goes out once. */
	char email[96];
	snprintf(email, sizeof(email), "crash.%.8s@example.org", user);
	const char *pa[] = {user, email};
	PQclear(itest_sql(acc_pg,
	                  "INSERT INTO users (id, email, given_name, family_name, role, email_verified_at)"
	                  " VALUES ($1::uuid, $2, 'Alex', 'Durand', 'citizen', now())",
	                  2, pa));
	pid = spawn(port);
	bool delivered =
	    itest_wait_sql(tele_pg,
	                   "SELECT count(*) FROM outbox WHERE target = 'notify' AND delivered_at IS NOT NULL"
	                   " AND payload->'data'->>'user_id' = $1",
	                   1, pu, "1", 60);
	ck_assert_msg(delivered, "the notice was not delivered after the restart");
	for (int i = 0; i < 300 && mails_with(reference) == 0; i++)
		usleep(100 * 1000);
	sleep(2); /* a duplicate would show up by now */
	ck_assert_int_eq(mails_with(reference), 1);
	ck_assert_str_eq(
	    itest_sql1(acc_pg, "SELECT count(*) FROM notifications WHERE user_id = $1::uuid", 1, pu), "1");
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	PQfinish(acc_pg);
	PQfinish(tele_pg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("teleservices_crash");
	TCase *tc = tcase_create("crash");
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, notification_survives_kill_9);
	suite_add_tcase(s, tc);
	return itest_run(s);
}

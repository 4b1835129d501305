/* sweeper.c — a background thread that ends what time ends: checkouts unpaid after 20 minutes
 * expire and free their holds, holds past 15 minutes give their seats back, and freed seats are
 * offered to the waiting list. One short transaction per pass, on the thread's own connection. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/clock.h"
#include "civitas/log.h"
#include "civitas/outbox.h"

#include "payment.h"
#include "provider.h"

static pthread_t thread;
static bool running;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool stopping;

static enum lc_tx_result sweep_tx(struct lc_db *db, void *arg)
{
	(void)arg;
	PGresult *r = lc_db_exec(db, "sweep_checkouts", 0, NULL);
	if (!r)
		return LC_TX_ERROR;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *id = PQgetvalue(r, i, 0);
		json_t *ev = json_pack("{s:s, s:s}", "checkout_id", id, "status", "expired");
		int rc = ev ? lc_outbox_emit(db, "payment.failed", ev, NULL) : -1;
		json_decref(ev);
		if (rc != 0 || pay_release_checkout_holds(db, id) != 0) {
			PQclear(r);
			return LC_TX_ERROR;
		}
	}
	PQclear(r);
	r = lc_db_exec(db, "sweep_holds", 0, NULL);
	if (!r)
		return LC_TX_ERROR;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *p[] = {PQgetvalue(r, i, 0), PQgetvalue(r, i, 1)};
		if (lc_db_run(db, "cat_unhold", 2, p) != 1) {
			PQclear(r);
			return LC_TX_ERROR;
		}
	}
	PQclear(r);
	if (lc_db_run(db, "wl_expire_offers", 0, NULL) < 0)
		return LC_TX_ERROR;
	r = lc_db_exec(db, "cats_with_waiting", 0, NULL);
	if (!r)
		return LC_TX_ERROR;
	for (int i = 0; i < PQntuples(r); i++)
		if (pay_offer_waiting(db, PQgetvalue(r, i, 0)) != 0) {
			PQclear(r);
			return LC_TX_ERROR;
		}
	PQclear(r);
	return LC_TX_COMMIT;
}

int pay_sweep_once(struct lc_db *db)
{
	return lc_db_tx(db, sweep_tx, NULL) == LC_TX_COMMIT ? 0 : -1;
}

static void *loop(void *arg)
{
	(void)arg;
	struct lc_db *db = lc_db_thread();
	pthread_mutex_lock(&mu);
	while (!stopping) {
		pthread_mutex_unlock(&mu);
		if (pay_sweep_once(db) != 0)
			lc_warn("payment sweeper: pass failed (%s)", lc_db_sqlstate(db));
		pthread_mutex_lock(&mu);
		struct timespec ts = lc_realtime_after_ms(pay_cfg_sweep_ms > 0 ? pay_cfg_sweep_ms : 5000);
		if (!stopping)
			pthread_cond_timedwait(&cv, &mu, &ts);
	}
	pthread_mutex_unlock(&mu);
	lc_db_thread_close();
	return NULL;
}

int pay_on_start(void)
{
	if (pay_provider_init() != 0 || pay_holds_start() != 0)
		return -1;
	stopping = false;
	if (pthread_create(&thread, NULL, loop, NULL) != 0) {
		pay_holds_stop();
		return -1;
	}
	running = true;
	return 0;
}

void pay_on_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stopping = true;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);
	running = false;
	pay_holds_stop(); /* the server has stopped: no hold is waiting any more */
}

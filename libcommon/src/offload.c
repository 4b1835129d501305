/* offload.c — a pool of worker threads for CPU-heavy work (argon2id): the request is parked
 * (lc_rq_park) while a worker computes, so that the HTTP threads keep serving other requests. */
#include "civitas/offload.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "civitas/clock.h"
#include "civitas/http.h"
#include "civitas/log.h"
#include "civitas/reply.h"
#include "civitas/service.h"

#define QUEUE_CAP   1024
#define MAX_WORKERS 64

struct job {
	struct lc_request *rq;
	lc_offload_work_fn work;
	void *arg;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job q[QUEUE_CAP];
	size_t head, len;
	int workers; /* started; 0 if none could be */
	lc_offload_idle_fn idle;
	unsigned idle_ms;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static __thread bool t_worker;

bool lc_offload_on_worker(void)
{
	return t_worker;
}

void lc_offload_set_idle(lc_offload_idle_fn fn, unsigned idle_ms)
{
	pthread_mutex_lock(&pool.mu);
	pool.idle = fn;
	pool.idle_ms = idle_ms ? idle_ms : 1;
	pthread_mutex_unlock(&pool.mu);
}

/* Waits (pool.mu held) until there is a job. A worker that has worked since it last went idle
 * calls the idle hook once the queue has stayed empty for idle_ms (outside the lock). */
static void wait_for_job(bool *worked)
{
	while (pool.len == 0) {
		if (!*worked || !pool.idle) {
			pthread_cond_wait(&pool.cv, &pool.mu);
			continue;
		}
		struct timespec until = lc_realtime_after_ms(pool.idle_ms);
		if (pthread_cond_timedwait(&pool.cv, &pool.mu, &until) == ETIMEDOUT && pool.len == 0) {
			lc_offload_idle_fn fn = pool.idle;
			*worked = false;
			pthread_mutex_unlock(&pool.mu);
			fn();
			pthread_mutex_lock(&pool.mu);
		}
	}
}

static void *worker(void *unused)
{
	(void)unused;
	/* Below the HTTP threads: a short request preempts a hash on a busy machine. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
	t_worker = true;
	bool worked = false;
	for (;;) {
		pthread_mutex_lock(&pool.mu);
		wait_for_job(&worked);
		struct job j = pool.q[pool.head];
		pool.head = (pool.head + 1) % QUEUE_CAP;
		pool.len--;
		pthread_mutex_unlock(&pool.mu);
		j.work(j.arg);
		worked = true;
		lc_rq_resume(j.rq); /* the HTTP thread then runs done (lc_rq_park's resume) */
	}
	return NULL;
}

static void pool_start(void)
{
	long n = lc_settings.offload_threads;
	if (n <= 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		n = ncpu > 0 ? ncpu : 2;
	}
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	for (long i = 0; i < n; i++) {
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, worker, NULL) == 0)
			pool.workers++;
		pthread_attr_destroy(&attr);
	}
	if (pool.workers == 0)
		lc_warn("offload: no worker thread could start; heavy work runs on the HTTP threads");
}

int lc_offload(struct lc_request *rq, lc_offload_work_fn work, lc_offload_done_fn done, void *arg)
{
	pthread_once(&pool_once, pool_start);
	pthread_mutex_lock(&pool.mu);
	bool queued = pool.workers > 0 && pool.len < QUEUE_CAP;
	if (queued) {
		/* Parked before a worker can take the job: it is visible only after this. */
		lc_rq_park(rq, done, arg);
		pool.q[(pool.head + pool.len) % QUEUE_CAP] = (struct job){.rq = rq, .work = work, .arg = arg};
		pool.len++;
		pthread_cond_signal(&pool.cv);
	}
	pthread_mutex_unlock(&pool.mu);
	if (queued)
		return LC_REPLIED;
	work(arg);
	return done(rq, arg);
}

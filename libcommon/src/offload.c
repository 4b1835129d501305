/* offload.c — worker threads for slow work: the request is parked (lc_rq_park) while a worker
 * runs it, so that the HTTP threads (event loops, each serving many connections) keep serving
 * other requests. Two kinds of thread:
 * - hash threads, one per CPU, at nice +5: the CPU-heavy work (lc_offload's work, or a section a
 *   handler hands over with lc_offload_cpu), so that hashes never outnumber the cores and a short
 *   request gets the CPU before them; each is a "slot" where a service may keep memory between
 *   jobs (lc_offload_slot), given back when it has been idle for a while (lc_offload_set_idle);
 * - handler threads (CIVITAS_OFFLOAD_THREADS, default two per CPU), at normal priority like the
 *   HTTP threads: the rest of a handler, database included (lc_offload_handler), so that the
 *   database waits of some logins overlap with the hashes of others. */
#include "civitas/offload.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "civitas/clock.h"
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/log.h"
#include "civitas/reply.h"
#include "civitas/service.h"

#include "internal.h"

#define QUEUE_CAP           1024
#define MAX_HANDLER_THREADS 256
#define HANDLERS_PER_CPU    2

struct job {
	struct lc_request *rq;         /* parked; resumed when done (NULL: a caller waits on done) */
	lc_offload_work_fn work;       /* computation only, or */
	lc_offload_handler_fn handler; /* the rest of a handler */
	void *arg;
	bool *done;            /* lc_offload_cpu's flag, and */
	pthread_cond_t *woken; /* its waiting thread's own condition */
};

struct queue {
	struct job q[QUEUE_CAP];
	size_t head, len;
	pthread_cond_t cv; /* a job was queued */
	int threads;       /* started; 0 if none could be */
};

static struct {
	pthread_mutex_t mu;
	struct queue hash, handler;
	lc_offload_idle_fn idle;
	unsigned idle_ms;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER,
          .hash = {.cv = PTHREAD_COND_INITIALIZER},
          .handler = {.cv = PTHREAD_COND_INITIALIZER}};
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static __thread int t_slot = -1;       /* a hash thread's index */
static __thread bool t_handler_thread; /* lc_offload_cpu hands its work over from here */
/* Each waiting handler thread its own condition: one broadcast would wake them all (at normal
 * priority, preempting a hash) for every hash done. */
static __thread pthread_cond_t t_woken = PTHREAD_COND_INITIALIZER;

int lc_offload_slot(void)
{
	return t_slot;
}

void lc_offload_set_idle(lc_offload_idle_fn fn, unsigned idle_ms)
{
	pthread_mutex_lock(&pool.mu);
	pool.idle = fn;
	pool.idle_ms = idle_ms ? idle_ms : 1;
	pthread_mutex_unlock(&pool.mu);
}

/* pool.mu held: true and j queued unless the queue is full or has no thread. */
static bool push(struct queue *qu, struct job j)
{
	if (qu->threads == 0 || qu->len >= QUEUE_CAP)
		return false;
	qu->q[(qu->head + qu->len) % QUEUE_CAP] = j;
	qu->len++;
	pthread_cond_signal(&qu->cv);
	return true;
}

/* pool.mu held: waits for a job and takes it. A hash thread that has worked since it last went
 * idle waits at most idle_ms, then runs the idle hook (outside the lock). */
static struct job pop(struct queue *qu, bool *worked)
{
	while (qu->len == 0) {
		if (!*worked || !pool.idle) {
			pthread_cond_wait(&qu->cv, &pool.mu);
			continue;
		}
		struct timespec until = lc_realtime_after_ms(pool.idle_ms);
		if (pthread_cond_timedwait(&qu->cv, &pool.mu, &until) == ETIMEDOUT && qu->len == 0) {
			lc_offload_idle_fn fn = pool.idle;
			*worked = false;
			pthread_mutex_unlock(&pool.mu);
			fn(t_slot);
			pthread_mutex_lock(&pool.mu);
		}
	}
	struct job j = qu->q[qu->head];
	qu->head = (qu->head + 1) % QUEUE_CAP;
	qu->len--;
	return j;
}

static void *hash_thread(void *slot)
{
	/* Below the HTTP threads: a short request preempts a hash on a busy machine. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
	/* Named, or they show as "MHD-worker" (the HTTP thread that started the pool) in ps/perf. */
	pthread_setname_np(pthread_self(), "offload-hash");
	t_slot = *(const int *)slot;
	bool worked = false;
	pthread_mutex_lock(&pool.mu);
	for (;;) {
		struct job j = pop(&pool.hash, &worked);
		pthread_mutex_unlock(&pool.mu);
		j.work(j.arg);
		worked = true;
		if (j.rq)
			lc_rq_resume(j.rq); /* the HTTP thread then runs done */
		pthread_mutex_lock(&pool.mu);
		if (!j.rq) {
			*j.done = true;
			pthread_cond_signal(j.woken);
		}
	}
	return NULL;
}

static void *handler_thread(void *unused)
{
	(void)unused;
	t_handler_thread = true;
	pthread_setname_np(pthread_self(), "offload-handler");
	bool worked = false; /* no idle hook here: pop waits without a timeout */
	pthread_mutex_lock(&pool.mu);
	for (;;) {
		struct job j = pop(&pool.handler, &worked);
		pthread_mutex_unlock(&pool.mu);
		lc__db_forget_failure();
		lc__rq_off_thread(j.rq, true);
		j.handler(j.rq, j.arg); /* its reply is kept for the HTTP thread */
		lc__rq_off_thread(j.rq, false);
		lc_rq_resume(j.rq); /* the HTTP thread then sends the kept reply */
		pthread_mutex_lock(&pool.mu);
	}
	return NULL;
}

/* The slot number each hash thread gets, passed as a pointer into this table (no
 * integer-to-pointer cast); at most LC_OFFLOAD_MAX_SLOTS hash threads are started. */
static int slot_numbers[LC_OFFLOAD_MAX_SLOTS];

static int start_threads(struct queue *qu, long n, void *(*fn)(void *), bool indexed)
{
	for (long i = 0; i < n; i++) {
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		void *arg = NULL;
		if (indexed) {
			slot_numbers[qu->threads] = qu->threads;
			arg = &slot_numbers[qu->threads];
		}
		if (pthread_create(&t, &attr, fn, arg) == 0)
			qu->threads++;
		pthread_attr_destroy(&attr);
	}
	return qu->threads;
}

static void pool_start(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 2;
	long handlers =
	    lc_settings.offload_threads > 0 ? lc_settings.offload_threads : HANDLERS_PER_CPU * ncpu;
	pthread_mutex_lock(&pool.mu);
	if (start_threads(&pool.hash, ncpu < LC_OFFLOAD_MAX_SLOTS ? ncpu : LC_OFFLOAD_MAX_SLOTS, hash_thread,
	                  true) == 0)
		lc_warn("offload: no hash thread could start; heavy work runs where it is asked for");
	if (start_threads(&pool.handler, handlers < MAX_HANDLER_THREADS ? handlers : MAX_HANDLER_THREADS,
	                  handler_thread, false) == 0)
		lc_warn("offload: no handler thread could start; handlers run on the HTTP threads");
	pthread_mutex_unlock(&pool.mu);
}

void lc_offload_cpu(lc_offload_work_fn work, void *arg)
{
	pthread_once(&pool_once, pool_start);
	bool done = false;
	pthread_mutex_lock(&pool.mu);
	/* Only a handler thread waits for a hash thread: an HTTP thread (the inline fallback) or a
	 * hash thread itself runs the work at once. */
	if (!t_handler_thread ||
	    !push(&pool.hash, (struct job){.work = work, .arg = arg, .done = &done, .woken = &t_woken})) {
		pthread_mutex_unlock(&pool.mu);
		work(arg);
		return;
	}
	while (!done)
		pthread_cond_wait(&t_woken, &pool.mu);
	pthread_mutex_unlock(&pool.mu);
}

/* Parks rq (resume → done) and queues j; false when the queue cannot take it. */
static bool enqueue(struct queue *qu, struct job j, lc_offload_done_fn done)
{
	pthread_once(&pool_once, pool_start);
	pthread_mutex_lock(&pool.mu);
	bool queued = qu->threads > 0 && qu->len < QUEUE_CAP;
	if (queued) {
		/* Parked before a thread can take the job: it is visible only after this. */
		lc_rq_park(j.rq, done, j.arg);
		push(qu, j);
	}
	pthread_mutex_unlock(&pool.mu);
	return queued;
}

int lc_offload(struct lc_request *rq, lc_offload_work_fn work, lc_offload_done_fn done, void *arg)
{
	if (enqueue(&pool.hash, (struct job){.rq = rq, .work = work, .arg = arg}, done))
		return LC_REPLIED;
	work(arg);
	return done(rq, arg);
}

int lc_offload_handler(struct lc_request *rq, lc_offload_handler_fn fn, void *arg)
{
	if (enqueue(&pool.handler, (struct job){.rq = rq, .handler = fn, .arg = arg}, lc__rq_send_kept))
		return LC_REPLIED;
	return fn(rq, arg);
}

/* offload.h — CPU-heavy work (argon2id) on a pool of worker threads, so that the HTTP threads
 * stay free for other requests while it runs: the request is parked (lc_rq_park), then resumed. */
#ifndef CIVITAS_OFFLOAD_H
#define CIVITAS_OFFLOAD_H

#include <stdbool.h>

struct lc_request;

/* Runs on a worker: pure computation on arg, no database, no reply, no lc_rq_* call. */
typedef void (*lc_offload_work_fn)(void *arg);
/* Runs back on the request's HTTP thread once the work is done: replies as a handler does
 * (its database connection is that thread's). Returns LC_REPLIED. */
typedef int (*lc_offload_done_fn)(struct lc_request *rq, void *arg);

/* Parks the request, runs work(arg) on the pool, then done(rq, arg); the handler returns
 * what this returns (LC_REPLIED) and touches neither rq nor arg afterwards. arg must live as
 * long as the request (lc_rq_alloc). When the pool cannot take it (full queue, no thread) the
 * work runs here and done is called at once: slower, never wrong. The pool has
 * CIVITAS_OFFLOAD_THREADS workers (default: the number of CPUs), below normal priority so that
 * short requests run first on a busy machine. */
int lc_offload(struct lc_request *rq, lc_offload_work_fn work, lc_offload_done_fn done, void *arg);

/* Called on a worker thread that has worked and then found no job for idle_ms: where a service
 * gives back what its work keeps between jobs of a busy spell (account: the argon2id memory). */
typedef void (*lc_offload_idle_fn)(void);
void lc_offload_set_idle(lc_offload_idle_fn fn, unsigned idle_ms);
/* true on a worker thread of the pool (where per-thread state is released by the idle hook). */
bool lc_offload_on_worker(void);

#endif

/* offload.h — slow work (argon2id, and the database round trips around it) on worker threads,
 * so that the HTTP threads stay free for other requests while it runs: the request is parked
 * (lc_rq_park), then resumed.
 *
 * Two kinds of thread: one hash thread per CPU, below normal priority (a short request gets the
 * CPU first), for the CPU-heavy part — so hashes never outnumber the cores; and handler threads
 * (CIVITAS_OFFLOAD_THREADS, default two per CPU) at normal priority for the rest of a handler,
 * database included — so the database waits of some requests overlap with the hashes of others
 * and never hold up an HTTP thread. */
#ifndef CIVITAS_OFFLOAD_H
#define CIVITAS_OFFLOAD_H

#include <stdbool.h>

struct lc_request;

/* Runs on a worker: pure computation on arg, no database, no reply, no lc_rq_* call. */
typedef void (*lc_offload_work_fn)(void *arg);
/* Runs back on the request's HTTP thread once the work is done: replies as a handler does
 * (its database connection is that thread's). Returns LC_REPLIED. */
typedef int (*lc_offload_done_fn)(struct lc_request *rq, void *arg);

/* Parks the request, runs work(arg) on a hash thread, then done(rq, arg); the
 * handler returns what this returns (LC_REPLIED) and touches neither rq nor arg afterwards.
 * arg must live as long as the request (lc_rq_alloc). When the pool cannot take it (full queue,
 * no thread) the work runs here and done is called at once: slower, never wrong. */
int lc_offload(struct lc_request *rq, lc_offload_work_fn work, lc_offload_done_fn done, void *arg);

/* The rest of a handler, run on a handler thread: it may use the database (lc_rq_db gives that
 * thread's own connection), read the request and reply as a handler does; the reply goes out
 * when the HTTP thread takes the request back. Its CPU-heavy part goes through lc_offload_cpu.
 * Returns LC_REPLIED; when the pool cannot take it, fn runs here at once. */
typedef int (*lc_offload_handler_fn)(struct lc_request *rq, void *arg);
int lc_offload_handler(struct lc_request *rq, lc_offload_handler_fn fn, void *arg);

/* From a handler thread: runs work(arg) on a hash thread and waits for it (queued behind the
 * others: at most one CPU-heavy section per CPU at a time). Elsewhere (the inline fallback) it
 * runs at once, on the calling thread. */
void lc_offload_cpu(lc_offload_work_fn work, void *arg);
/* The calling hash thread's index, its "slot" (0 .. LC_OFFLOAD_MAX_SLOTS-1), or -1 on any other
 * thread: where a service keeps what its heavy work reuses between jobs (account: the argon2id
 * memory); only that thread runs in that slot. */
#define LC_OFFLOAD_MAX_SLOTS 64
int lc_offload_slot(void);

/* Called on a hash thread (with its slot) that has worked and then found no job for idle_ms:
 * where a service gives back what its work keeps between jobs of a busy spell. */
typedef void (*lc_offload_idle_fn)(int slot);
void lc_offload_set_idle(lc_offload_idle_fn fn, unsigned idle_ms);

#endif

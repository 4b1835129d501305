/* batch.h — group commit for requests that all write one hot row (the seats of a ticket
 * category): handlers hand their request to a batcher and return at once, so the worker threads
 * go on reading requests; one thread takes everything queued and lets the service decide it in
 * as few statements as it can, on its own database connection, then resumes each request, whose
 * continuation replies. Requests that arrive while a batch is running make the next batch: the
 * busier the row, the larger the batches, and an idle batcher runs a lone request at once. */
#ifndef CIVITAS_BATCH_H
#define CIVITAS_BATCH_H

#include <stddef.h>

struct lc_db;
struct lc_request;
struct lc_batcher;

/* Decides items[0..n-1] (in arrival order) on db and writes each one's outcome into it; called on
 * the batcher's thread, never with n == 0. */
typedef void (*lc_batch_run_fn)(struct lc_db *db, void **items, size_t n);
/* What a parked request does once its item is decided: reply from it (worker thread). */
typedef int (*lc_batch_reply_fn)(struct lc_request *rq, void *item);

/* Starts the batcher thread; at most max_items per run. NULL on failure (logged). */
struct lc_batcher *lc_batcher_start(const char *name, lc_batch_run_fn run, size_t max_items);
/* From a handler: parks rq and queues item (owned by the caller, e.g. lc_rq_alloc'd: it must
 * live until reply has run). Returns LC_REPLIED: the handler returns it as is. */
int lc_batch_submit(struct lc_batcher *b, struct lc_request *rq, void *item, lc_batch_reply_fn reply);
/* Runs what is queued, then ends the thread and frees b. Call after the HTTP server stopped
 * (which waits for parked requests, so the queue is empty by then). */
void lc_batcher_stop(struct lc_batcher *b);

#endif

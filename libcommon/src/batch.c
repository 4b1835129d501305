/* batch.c — the batcher of batch.h: a queue of parked requests and one thread that runs them in
 * groups on its own database connection, then resumes each. */
#include "civitas/batch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/log.h"
#include "civitas/metrics.h"
#include "civitas/reply.h"

struct pending {
	struct lc_request *rq;
	void *item;
	lc_batch_reply_fn reply;
	struct pending *next;
};

struct lc_batcher {
	const char *name;
	char runs_gauge[48], items_gauge[48]; /* /metrics: their ratio is the mean batch size */
	lc_batch_run_fn run;
	size_t max_items;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pending *head, **tail; /* arrival order */
	bool stopping;
};

static int resume_reply(struct lc_request *rq, void *arg)
{
	struct pending *p = arg;
	return p->reply(rq, p->item);
}

/* Takes up to max_items from the queue, waiting for one; NULL once stopping with none left. */
static struct pending *take(struct lc_batcher *b, size_t *n)
{
	pthread_mutex_lock(&b->mu);
	while (!b->head && !b->stopping)
		pthread_cond_wait(&b->cv, &b->mu);
	struct pending *first = b->head, *last = NULL;
	*n = 0;
	for (struct pending *p = first; p && *n < b->max_items; p = p->next) {
		last = p;
		(*n)++;
	}
	if (last) {
		b->head = last->next;
		if (!b->head)
			b->tail = &b->head;
		last->next = NULL;
	}
	pthread_mutex_unlock(&b->mu);
	return first;
}

static void *batcher_main(void *arg)
{
	struct lc_batcher *b = arg;
	void **items = calloc(b->max_items, sizeof(void *));
	if (!items)
		abort(); /* a few KiB at start: nothing sensible runs without them */
	size_t n;
	struct pending *first;
	while ((first = take(b, &n)) != NULL) {
		size_t i = 0;
		for (struct pending *p = first; p; p = p->next)
			items[i++] = p->item;
		b->run(lc_db_thread(), items, n);
		lc_metrics_gauge_add(b->runs_gauge, 1);
		lc_metrics_gauge_add(b->items_gauge, (long)n);
		/* Once resumed, a request (and its pending entry) may be freed at any time: the next
		 * entry is read before. */
		for (struct pending *p = first, *next; p; p = next) {
			next = p->next;
			lc_rq_resume(p->rq);
		}
	}
	free(items);
	lc_db_thread_close();
	return NULL;
}

struct lc_batcher *lc_batcher_start(const char *name, lc_batch_run_fn run, size_t max_items)
{
	struct lc_batcher *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->name = name;
	snprintf(b->runs_gauge, sizeof(b->runs_gauge), "%s_batches", name);
	snprintf(b->items_gauge, sizeof(b->items_gauge), "%s_batched_requests", name);
	b->run = run;
	b->max_items = max_items ? max_items : 1;
	b->tail = &b->head;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	if (pthread_create(&b->thread, NULL, batcher_main, b) != 0) {
		lc_error("cannot start the %s batcher thread", name);
		pthread_cond_destroy(&b->cv);
		pthread_mutex_destroy(&b->mu);
		free(b);
		return NULL;
	}
	return b;
}

int lc_batch_submit(struct lc_batcher *b, struct lc_request *rq, void *item, lc_batch_reply_fn reply)
{
	struct pending *p = lc_rq_alloc(rq, sizeof(*p)); /* freed with the request, however it ends */
	if (!p) {
		lc_rq_add_header(rq, "Retry-After", "1");
		return lc_reply_problem(rq, 503, "unavailable", "The server is out of memory; try again.");
	}
	p->rq = rq;
	p->item = item;
	p->reply = reply;
	/* Parked before it is queued: the batcher may resume it as soon as it sees it. */
	lc_rq_park(rq, resume_reply, p);
	pthread_mutex_lock(&b->mu);
	*b->tail = p;
	b->tail = &p->next;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return LC_REPLIED;
}

void lc_batcher_stop(struct lc_batcher *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->stopping = true;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->thread, NULL);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

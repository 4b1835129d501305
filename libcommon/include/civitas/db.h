/* db.h — PostgreSQL access: one connection per worker thread, named prepared statements,
 * a transaction runner that retries serialization failures and deadlocks, reconnect and
 * re-prepare after a lost connection, and the migrations runner. */
#ifndef CIVITAS_DB_H
#define CIVITAS_DB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civitas/buf.h"

/* A statement every connection prepares. Tables end with name == NULL. */
struct lc_sql {
	const char *name;
	const char *text; /* $1..$n parameters, all passed as text */
};

struct lc_db; /* one per thread; opaque */

/* Every libcommon connection goes through this after connecting: server notices become debug
 * log lines instead of raw text on stderr. */
void lc_db_adopt(PGconn *conn);

/* Process-wide setup, before any thread connects. schema is the service's own (search_path
 * of every connection). statements may be NULL.
 * The libcommon statements (outbox, inbox, readiness) are always added. */
int lc_db_setup(const char *conninfo, const char *schema, const struct lc_sql *statements);
/* Registers one more table of statements (at most 4), before any thread connects. */
int lc_db_add_statements(const struct lc_sql *statements);
void lc_db_teardown(void);

/* The calling thread's connection, connected (or reconnected) lazily. Never NULL. */
struct lc_db *lc_db_thread(void);
/* Closes the calling thread's connection (thread exit, tests). */
void lc_db_thread_close(void);
bool lc_db_ok(struct lc_db *db);      /* connected right now */
PGconn *lc_db_conn(struct lc_db *db); /* for tests and the migrations runner */

/* Runs a prepared statement with text parameters (NULL = SQL NULL). Returns a result whose
 * status is TUPLES_OK or COMMAND_OK, or NULL on failure (the SQLSTATE is kept, see below).
 * A lost connection outside a transaction is reset, statements re-prepared and the call
 * retried once. Caller PQclear()s the result. */
PGresult *lc_db_exec(struct lc_db *db, const char *name, int nparams, const char *const *params);
/* The same, with the statement's generic plan forced for this call (plan_cache_mode, set for it
 * alone): for a hot statement whose generic plan is as good as the custom one, which PostgreSQL
 * would otherwise plan again on every call (it prefers custom plans when estimates differ,
 * e.g. unnest of an array parameter). Its EXPLAIN test case must check the generic plan
 * (a "generic:" case, explain.h). Inside a transaction it is lc_db_exec. */
PGresult *lc_db_exec_generic(struct lc_db *db, const char *name, int nparams, const char *const *params);
/* lc_db_exec with options: LC_DB_GENERIC as lc_db_exec_generic; LC_DB_BINARY asks for the
 * result in binary format (no output function runs in the server: read the cells with
 * cell_json.h), for hot lists whose text the daemon writes itself. */
enum { LC_DB_GENERIC = 1, LC_DB_BINARY = 2 };
PGresult *lc_db_exec_with(struct lc_db *db, const char *name, int nparams, const char *const *params,
                          unsigned flags);
/* Runs a statement for its effect: the number of rows it changed (for a SELECT, the rows it
 * returned), or -1 when it failed. The one wrapper for "run it, I only need to know it worked"
 * (`if (lc_db_run(...) < 0) return LC_TX_ERROR;`) and "how many rows did it touch". */
int lc_db_run(struct lc_db *db, const char *name, int nparams, const char *const *params);
/* The first column of the first row parsed as JSON (new reference), for statements that build
 * their answer with json_build_object. NULL both when there is no row (or SQL NULL) and when
 * the statement failed or its text is not JSON: *failed tells them apart. */
json_t *lc_db_json(struct lc_db *db, const char *name, int nparams, const char *const *params, bool *failed);
/* The JSON value in column col of a row (new reference), or NULL when r is NULL, has no such
 * row, or the value is SQL NULL or not JSON. */
json_t *lc_db_cell_json(const PGresult *r, int row, int col);
/* Column 0 of the first max rows (max < 0: all) as a JSON array (new reference), for list
 * statements that build each item with json_build_object; values that are NULL or not JSON are
 * left out. r may be NULL (an empty array). */
json_t *lc_db_rows_json(const PGresult *r, int max);
/* {"items": [column col of the first n rows], "next_cursor": next or null} as text (caller frees),
 * the rows' own JSON text copied as it is (no parse and reprint); next is a cursor string
 * (base64url, so it needs no escaping). NULL on OOM. */
char *lc_db_items_text(const PGresult *r, int n, int col, const char *next, size_t *len);
/* The same page with each item written by item (false: out of memory, the page is NULL). */
typedef bool lc_db_item_fn(struct lc_buf *b, const PGresult *r, int row, void *arg);
char *lc_db_items_write(const PGresult *r, int n, lc_db_item_fn *item, void *arg, const char *next,
                        size_t *len);
struct lc_request;
/* Replies (reply.c) 200 with the page {"items": [...], "next_cursor": next or null} of r's first rows (at
 * most limit), each item written by item from its row (lc_db_items_write); 500 internal when out of memory.
 * Clears r; next stays the caller's. */
int lc_reply_items(struct lc_request *rq, PGresult *r, int limit, lc_db_item_fn *item, void *arg,
                   const char *next);
/* lc_reply_items through the micro-cache (cache_reply.h): the page is stored under key (when not
 * NULL) for ttl_ms, without a gzip'd copy (an answer to a signed-in caller is never compressed), and
 * sent with its ETag and Cache-Control cc (lc_cache_store_reply_with). Look the key up first with
 * lc_cache_hit. */
int lc_reply_items_kept(struct lc_request *rq, PGresult *r, int limit, lc_db_item_fn *item, void *arg,
                        const char *next, const char *key, const char *cc, uint64_t ttl_ms);
/* SQLSTATE of the last failure on this connection ("" if none); "08006" when the link is gone. */
const char *lc_db_sqlstate(const struct lc_db *db);
const char *lc_db_error(const struct lc_db *db);
/* Did the last statement on this connection fail? A lookup that found nothing leaves it false,
 * so "no row" (404/422) and "no database" (lc_db_fail_reply: 503) are told apart right after a
 * helper that returns NULL for both. */
bool lc_db_failed(const struct lc_db *db);
/* Was the last failure a lost or refused connection (answer 503)? */
bool lc_db_unavailable(const struct lc_db *db);

enum lc_tx_result {
	LC_TX_COMMIT = 0, /* commit (retried from the start on 40001/40P01) */
	LC_TX_ROLLBACK,   /* roll back on purpose: the callback has decided the outcome */
	LC_TX_ERROR,      /* roll back: a statement failed (lc_db_sqlstate says why) */
};
/* Runs fn inside BEGIN ... COMMIT, retrying the whole callback up to 4 times on serialization
 * failure or deadlock (and once after a lost connection). fn must be safe to re-run.
 * Returns what fn returned last, or LC_TX_ERROR when BEGIN/COMMIT failed. */
enum lc_tx_result lc_db_tx(struct lc_db *db, enum lc_tx_result (*fn)(struct lc_db *db, void *arg), void *arg);

/* Applies dir/NNNN_name.sql files not yet recorded in <schema>.schema_migrations, each in its
 * own transaction, under a session advisory lock so concurrent starters apply each file once.
 * Also creates the libcommon tables (schema_migrations, outbox, inbox). Returns 0 or -1. */
int lc_db_migrate(const char *conninfo, const char *schema, const char *dir);
/* Highest version present in dir (0 when none); used by /readyz. */
int lc_db_migrations_latest(const char *dir);
/* Is the database reachable from this thread and at least at version `latest`? */
bool lc_db_ready(struct lc_db *db, int latest);

#endif

/* cell_json.h — JSON text of the cells of a binary result (lc_db_exec_with LC_DB_BINARY), written
 * exactly as PostgreSQL's jsonb prints the same values, for hot lists built in the daemon. */
#ifndef CIVITAS_CELL_JSON_H
#define CIVITAS_CELL_JSON_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civitas/buf.h"

/* A JSON string of the n bytes at s, escaped as PostgreSQL's escape_json does (", \, the C0
 * controls; UTF-8 passed as it is). False when the buffer is full or memory runs out. */
bool lc_json_write_string(struct lc_buf *b, const char *s, size_t n);
/* The cell (row, col) of a binary result as a JSON value, by its column's type: NULL → null;
 * text, varchar → a string; uuid → its 36-character string; int2, int4, int8 → a number;
 * bool → true / false; timestamptz → "YYYY-MM-DDTHH:MM:SSZ" in UTC, truncated to the second
 * (what iso() gives; an infinite one is null, as to_char answers); jsonb → its text; uuid[],
 * text[] → an array of strings. False for any other type (a programming error, logged) or when the
 * buffer is full. */
bool lc_json_write_cell(struct lc_buf *b, const PGresult *r, int row, int col);
/* One key of an object written from a row: text is what comes before the value (the key with
 * its punctuation: "{\"id\": ", ", \"slug\": "...; a closing "}" alone has no value), col the
 * cell of the value; a negative col is a value the caller computes (special), LC_JSON_NONE none. */
struct lc_json_key {
	const char *text;
	int col;
};
enum { LC_JSON_NONE = -1000 };
typedef bool lc_json_special_fn(struct lc_buf *b, const PGresult *r, int row, int code, void *arg);
/* Writes keys[0..n) for row r: each text, then its cell (lc_json_write_cell) or special(code).
 * special may be NULL when no col is negative. False when a write failed. */
bool lc_json_write_keys(struct lc_buf *b, const PGresult *r, int row, const struct lc_json_key *keys,
                        size_t n, lc_json_special_fn *special, void *arg);
/* A JSON number of an integral value. */
bool lc_json_write_int(struct lc_buf *b, int64_t v);
/* The value of a binary cell, for the daemon's own arithmetic: a float8; an int2, int4, int8, or
 * a timestamptz as microseconds since 2000-01-01 UTC. 0 for SQL NULL or a cell of another size. */
double lc_cell_float8(const PGresult *r, int row, int col);
int64_t lc_cell_int(const PGresult *r, int row, int col);

#endif

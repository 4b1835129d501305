/* h_reference.c — POST /admin/reference-figures: the old portal's daily figures (a CSV its
 * statistics tool exported) become a reference period the dashboard compares with
 * (`compare=<from>..<to>`). All or nothing: one bad line and nothing is imported, every bad line
 * is listed. Columns (header required, ';' or ','): date;metric;value — a day (YYYY-MM-DD, not in
 * the future), a daily metric of /timeseries (not the per-dimension ones), a number >= 0
 * ("1234", "12,5"). A day Civitas already counted for that metric is refused: figures are never
 * added twice. Importing the same day and metric again replaces it. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/outcome.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "stats.h"

#define MAX_ROWS 20000

static void line_err(json_t *errors, long line, const char *field, const char *code, const char *msg)
{
	if (json_array_size(errors) < 200)
		json_array_append_new(errors, json_pack("{s:I, s:s, s:s, s:s}", "line", (json_int_t)line,
		                                        "field", field, "code", code, "message", msg));
}

/* "1234", "12.5", "12,5" → value; false when not a plain non-negative number. */
static bool parse_value(char *s, double *v)
{
	size_t n = strlen(s);
	if (n == 0 || n > 24 || !isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ',')
			s[i] = '.';
		if (!isdigit((unsigned char)s[i]) && s[i] != '.')
			return false;
	}
	char *end;
	*v = strtod(s, &end);
	return *end == '\0' && isfinite(*v) && *v <= 1e12;
}

struct import {
	struct lc_request *rq;
	json_t *rows; /* [{day, metric, value, line}] */
	const char *source;
	int64_t first, last; /* the days the file covers */
	struct lc_outcome out;
};

static enum lc_tx_result import_tx(struct lc_db *db, void *arg)
{
	struct import *im = arg;
	lc_outcome_reset(&im->out);
	char *rows = json_dumps(im->rows, JSON_COMPACT);
	if (!rows)
		return LC_TX_ERROR;
	const char *p[] = {rows};
	PGresult *r = lc_db_exec(db, "imported_clashes", 1, p);
	if (!r) {
		free(rows);
		return LC_TX_ERROR;
	}
	json_t *errors = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		line_err(errors, atol(PQgetvalue(r, i, 0)), "date", "taken",
		         "Civitas already counted this metric on this day");
	PQclear(r);
	if (json_array_size(errors) > 0) {
		free(rows);
		return lc_outcome_invalid(&im->out, "Nothing was imported: see the lines.", errors);
	}
	json_decref(errors);
	const struct lc_claims *c = lc_rq_claims(im->rq);
	const char *u[] = {rows, im->source, c->sub};
	int up = lc_db_run(db, "imported_upsert", 3, u);
	free(rows);
	if (up < 0)
		return LC_TX_ERROR;
	json_int_t n = (json_int_t)json_array_size(im->rows);
	json_t *d = json_pack("{s:I, s:s}", "rows", n, "source", im->source);
	int rc = d ? lc_audit(db, im->rq, "stats.reference_import", NULL, NULL, d) : -1;
	json_decref(d);
	if (rc < 0)
		return LC_TX_ERROR;
	char f[11], l[11];
	stats_format_day(im->first, f);
	stats_format_day(im->last, l);
	return lc_outcome_ok(
	    &im->out, 200,
	    json_pack("{s:I, s:s, s:s, s:s}", "imported", n, "from", f, "to", l, "source", im->source));
}

/* Splits a line on sep into exactly three cells (in place); false otherwise. */
static bool three_cells(char *line, char sep, char *cell[3])
{
	cell[0] = line;
	char *a = strchr(line, sep), *b = a ? strchr(a + 1, sep) : NULL;
	if (!a || !b || strchr(b + 1, sep))
		return false;
	*a = *b = '\0';
	cell[1] = a + 1;
	cell[2] = b + 1;
	return true;
}

/* What reading the file has found so far. */
struct ref_file {
	json_t *errors, *rows, *seen; /* seen: "metric|day" already in the file */
	int64_t today, first, last;
	char sep; /* 0 until the header is read */
	long line;
};

/* Reads one line (CR already dropped): the header, or a row checked cell by cell that goes to
 * rows. False when reading must stop. */
static bool read_line(struct ref_file *f, char *l)
{
	if (!f->sep) {
		if (strcmp(l, "date;metric;value") != 0 && strcmp(l, "date,metric,value") != 0) {
			line_err(f->errors, f->line, "header", "invalid",
			         "the first line is date;metric;value");
			return false;
		}
		f->sep = l[4];
		return true;
	}
	if (!*l)
		return true;
	char *cell[3];
	int64_t day;
	double value;
	if (!three_cells(l, f->sep, cell)) {
		line_err(f->errors, f->line, "line", "invalid", "three columns: date, metric, value");
		return true;
	}
	bool ok = true;
	if (!stats_parse_day(cell[0], &day) || day > f->today) {
		line_err(f->errors, f->line, "date", "invalid", "a day (YYYY-MM-DD), not in the future");
		ok = false;
	}
	if (!stats_metric_known(cell[1]) || strncmp(cell[1], "visits_by_", 10) == 0) {
		line_err(f->errors, f->line, "metric", "invalid", "a daily metric of /timeseries");
		ok = false;
	}
	if (!parse_value(cell[2], &value)) {
		line_err(f->errors, f->line, "value", "invalid", "a number >= 0");
		ok = false;
	}
	if (!ok)
		return true;
	char key[96];
	snprintf(key, sizeof(key), "%s|%s", cell[1], cell[0]);
	if (json_object_get(f->seen, key)) {
		line_err(f->errors, f->line, "date", "duplicate",
		         "this metric and day are already in the file");
		return true;
	}
	json_object_set_new(f->seen, key, json_true());
	if (json_array_size(f->rows) >= MAX_ROWS) {
		line_err(f->errors, f->line, "line", "too_many", "at most 20000 rows per file");
		return false;
	}
	json_array_append_new(f->rows, json_pack("{s:s, s:s, s:f, s:I}", "day", cell[0], "metric", cell[1],
	                                         "value", value, "line", (json_int_t)f->line));
	f->first = day < f->first ? day : f->first;
	f->last = day > f->last ? day : f->last;
	return true;
}

int h_reference_import(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "editor"))
		return LC_REPLIED;
	const char *ct = lc_rq_header(rq, "Content-Type");
	if (!ct || strncmp(ct, "text/csv", 8) != 0)
		return lc_reply_problem(rq, 415, "unsupported_media_type", "Send the file as text/csv.");
	const char *source = lc_rq_query(rq, "source") ? lc_rq_query(rq, "source") : "ancien portail";
	size_t slen = strlen(source);
	bool source_ok = slen >= 1 && slen <= 100;
	for (size_t i = 0; i < slen; i++)
		source_ok &= (unsigned char)source[i] >= 0x20 && source[i] != 0x7f;
	if (!source_ok)
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "source is 1 to 100 printable characters.");
	size_t len;
	const char *body = lc_rq_body(rq, &len);
	char *text = malloc(len + 1);
	if (!text)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	memcpy(text, body ? body : "", len);
	text[len] = '\0';
	struct ref_file f = {.errors = json_array(),
	                     .rows = json_array(),
	                     .seen = json_object(),
	                     .today = stats_town_day((int64_t)time(NULL)),
	                     .first = INT64_MAX,
	                     .last = INT64_MIN};
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		f.line++;
		size_t n = strlen(l);
		if (n && l[n - 1] == '\r')
			l[--n] = '\0';
		if (!read_line(&f, l))
			break;
	}
	free(text);
	json_decref(f.seen);
	if (json_array_size(f.errors) == 0 && json_array_size(f.rows) == 0)
		line_err(f.errors, f.line, "line", "invalid", "no figures in the file");
	if (json_array_size(f.errors) > 0) {
		json_decref(f.rows);
		return lc_reply_problem_errors(rq, 422, "validation_failed",
		                               "Nothing was imported: see the lines.", f.errors);
	}
	json_decref(f.errors);
	struct import im = {.rq = rq, .rows = f.rows, .source = source, .first = f.first, .last = f.last};
	int rc = lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), import_tx, &im), &im.out);
	json_decref(f.rows);
	return rc;
}

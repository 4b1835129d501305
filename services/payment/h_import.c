/* h_import.c — POST /invoices/import: a CSV exported by the town's business software becomes
 * invoices in one transaction. One bad line and nothing is imported; every bad line is listed.
 * Columns (header required, ';' or ','): household_id;reference;label;line_label;quantity;
 * unit_price;due_date — rows sharing a reference are the lines of one invoice; unit_price is in
 * euros with a comma or a dot ("12,50"), read without floating point. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "payment.h"

#define MAX_ROWS 5000
#define NCOLS    7
static const char *const columns[NCOLS] = {"household_id", "reference",  "label",   "line_label",
                                           "quantity",     "unit_price", "due_date"};

static void line_err(json_t *errors, long line, const char *column, const char *msg)
{
	json_array_append_new(errors, json_pack("{s:I, s:s, s:s, s:s}", "line", (json_int_t)line, "field",
	                                        column, "code", "invalid", "message", msg));
}

/* "12,50" / "12.5" / "12" → cents; -1 when not a plain amount with at most two decimals. */
static int64_t parse_euros(const char *s)
{
	int64_t whole = 0, frac = 0;
	int nfrac = 0;
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > PAY_MAX_CENTS / 100)
			return -1;
	}
	if (*p == ',' || *p == '.') {
		p++;
		for (; isdigit((unsigned char)*p) && nfrac < 3; p++, nfrac++)
			frac = frac * 10 + (*p - '0');
		if (nfrac == 0 || nfrac > 2)
			return -1;
		if (nfrac == 1)
			frac *= 10;
	}
	return *p ? -1 : whole * 100 + frac;
}

/* Splits one line in place on sep (no quoting: the export has none; a quote is refused). */
static int split(char *line, char sep, char **cells, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return -1;
		cells[n++] = p;
		char *q = strchr(p, sep);
		if (!q)
			break;
		*q = '\0';
		p = q + 1;
	}
	for (int i = 0; i < n; i++) { /* trim spaces */
		while (*cells[i] == ' ')
			cells[i]++;
		size_t l = strlen(cells[i]);
		while (l && cells[i][l - 1] == ' ')
			cells[i][--l] = '\0';
	}
	return n;
}

struct import_ctx {
	struct lc_request *rq;
	json_t *invoices;   /* [{household_id, reference, label, due_date, lines, first_line}] */
	json_t *households; /* id → Household */
	json_t *errors;
	json_t *created;
	struct lc_outcome o;
};

static enum lc_tx_result import_tx(struct lc_db *db, void *arg)
{
	struct import_ctx *c = arg;
	lc_outcome_reset(&c->o);
	json_array_clear(c->created);
	json_array_clear(c->errors); /* the parse found none; a retried transaction starts afresh */
	size_t i;
	json_t *inv;
	json_array_foreach(c->invoices, i, inv)
	{
		struct pay_invoice_in in = {
		    .household_id = json_string_value(json_object_get(inv, "household_id")),
		    .label = json_string_value(json_object_get(inv, "label")),
		    .due_date = json_string_value(json_object_get(inv, "due_date")),
		    .source = "import",
		    .source_service = "import",
		    .source_key = json_string_value(json_object_get(inv, "reference")),
		    .created_by = pay_caller(c->rq),
		    .lines = json_object_get(inv, "lines"),
		    .request_hash = "",
		    .notify = true,
		};
		json_t *priced, *pricing, *out = NULL;
		int64_t total;
		json_t *errs = json_array();
		int pr = pay_price_lines(db, &in, "lines", errs, &priced, &pricing, &total);
		json_decref(errs);
		if (pr < 0) {
			json_decref(priced);
			json_decref(pricing);
			return LC_TX_ERROR;
		}
		bool same;
		int rc = pr == 0 ? pay_invoice_insert(db, &in, priced, pricing, total, &out, &same) : 1;
		json_decref(priced);
		json_decref(pricing);
		if (rc < 0)
			return LC_TX_ERROR;
		if (rc == 1) {
			json_decref(out);
			line_err(c->errors, json_integer_value(json_object_get(inv, "first_line")),
			         "reference", "this reference was already imported");
			continue;
		}
		json_array_append_new(c->created, json_pack("{s:O, s:O}", "id", json_object_get(out, "id"),
		                                            "number", json_object_get(out, "number")));
		json_decref(out);
	}
	if (json_array_size(c->errors) > 0) {
		return lc_outcome_invalid(&c->o, "Nothing was imported: some lines are not valid.",
		                          json_incref(c->errors));
	}
	json_t *d = json_pack("{s:I}", "invoices", (json_int_t)json_array_size(c->created));
	int a = lc_audit(db, c->rq, "invoice.import", "invoice", NULL, d);
	json_decref(d);
	if (a != 0)
		return LC_TX_ERROR;
	return lc_outcome_ok(&c->o, 201,
	                     json_pack("{s:I, s:O}", "imported", (json_int_t)json_array_size(c->created),
	                               "invoices", c->created));
}

/* The header line: the separator it uses, or 0 (the error listed) when it is not the expected
 * one. */
static char read_header(struct import_ctx *c, char *line)
{
	size_t hl = strlen(line);
	if (hl && line[hl - 1] == '\r')
		line[hl - 1] = '\0';
	if (strncmp(line, "\xEF\xBB\xBF", 3) == 0) /* a BOM from spreadsheet software */
		line += 3;
	char sep = strchr(line, ';') ? ';' : ',';
	char *cells[NCOLS + 1];
	int n = split(line, sep, cells, NCOLS + 1);
	bool header_ok = n == NCOLS;
	for (int i = 0; header_ok && i < NCOLS; i++)
		header_ok = strcmp(cells[i], columns[i]) == 0;
	if (header_ok)
		return sep;
	line_err(c->errors, 1, "",
	         "the header must be household_id;reference;label;line_label;quantity;"
	         "unit_price;due_date");
	return 0;
}

/* The cells of one row, each checked (every bad one listed): true when all are good, with the
 * quantity and the unit price in cents. */
static bool row_ok(json_t *errors, long lineno, char **cells, long *q, int64_t *unit)
{
	bool bad = false;
	const char *hh = cells[0], *ref = cells[1], *label = cells[2], *ll = cells[3], *due = cells[6];
	if (!lc_json_is_uuid(hh))
		line_err(errors, lineno, "household_id", "not a household id"), bad = true;
	size_t rl = strlen(ref);
	bool ref_ok = rl >= 1 && rl <= 64;
	for (size_t k = 0; ref_ok && k < rl; k++)
		ref_ok = isalnum((unsigned char)ref[k]) || strchr("._-/", ref[k]);
	if (!ref_ok)
		line_err(errors, lineno, "reference", "1 to 64 letters, digits, '.', '_', '-' or '/'"),
		    bad = true;
	json_t *tl = json_string(label), *tll = json_string(ll);
	if (!tl || lc_utf8_length(label) < 1 || lc_utf8_length(label) > 200)
		line_err(errors, lineno, "label", "1 to 200 characters of UTF-8"), bad = true;
	if (!tll || lc_utf8_length(ll) < 1 || lc_utf8_length(ll) > 200)
		line_err(errors, lineno, "line_label", "1 to 200 characters of UTF-8"), bad = true;
	json_decref(tl);
	json_decref(tll);
	char *end;
	*q = strtol(cells[4], &end, 10);
	if (!cells[4][0] || *end || *q < 1 || *q > 1000)
		line_err(errors, lineno, "quantity", "a whole number from 1 to 1000"), bad = true;
	*unit = parse_euros(cells[5]);
	if (*unit < 0)
		line_err(errors, lineno, "unit_price", "an amount in euros like 12,50"), bad = true;
	if (!lc_json_is_date(due))
		line_err(errors, lineno, "due_date", "a date YYYY-MM-DD"), bad = true;
	return !bad;
}

/* A good row becomes a line of the invoice of its reference (by_ref), unless it contradicts
 * that invoice or the invoice is full (the error listed). */
static void add_row(struct import_ctx *c, json_t *by_ref, char **cells, long lineno, long q, int64_t unit)
{
	const char *hh = cells[0], *ref = cells[1], *label = cells[2], *ll = cells[3], *due = cells[6];
	json_t *inv = json_object_get(by_ref, ref);
	if (!inv) {
		inv = json_pack("{s:s, s:s, s:s, s:s, s:[], s:I}", "household_id", hh, "reference", ref,
		                "label", label, "due_date", due, "lines", "first_line", (json_int_t)lineno);
		json_object_set_new(by_ref, ref, inv);
		json_array_append(c->invoices, inv);
	} else if (strcmp(json_string_value(json_object_get(inv, "household_id")), hh) != 0 ||
	           strcmp(json_string_value(json_object_get(inv, "due_date")), due) != 0) {
		line_err(c->errors, lineno, "reference",
		         "rows of one reference share the household and the due date");
		return;
	}
	json_t *lines = json_object_get(inv, "lines");
	if (json_array_size(lines) >= PAY_MAX_LINES) {
		line_err(c->errors, lineno, "reference", "at most 50 lines per invoice");
		return;
	}
	json_array_append_new(lines, json_pack("{s:s, s:I, s:I}", "label", ll, "quantity", (json_int_t)q,
	                                       "unit_cents", (json_int_t)unit));
	if (!json_object_get(c->households, hh))
		json_object_set_new(c->households, hh, json_null());
}

/* Reads every row, grouping them by reference; bad rows go to errors. */
static void parse_csv(struct import_ctx *c, char *text)
{
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	if (!line) {
		line_err(c->errors, 1, "", "the file is empty");
		return;
	}
	char sep = read_header(c, line);
	if (!sep)
		return;
	json_t *by_ref = json_object();
	long lineno = 1, rows = 0;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		lineno++;
		size_t l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		if (l == 0)
			continue;
		if (++rows > MAX_ROWS) {
			line_err(c->errors, lineno, "", "at most 5000 rows per file");
			break;
		}
		char *cells[NCOLS + 1];
		long q;
		int64_t unit;
		if (strchr(line, '"'))
			line_err(c->errors, lineno, "", "quoted cells are not accepted");
		else if (split(line, sep, cells, NCOLS + 1) != NCOLS)
			line_err(c->errors, lineno, "", "a row has exactly 7 cells");
		else if (row_ok(c->errors, lineno, cells, &q, &unit))
			add_row(c, by_ref, cells, lineno, q, unit);
	}
	json_decref(by_ref);
	if (rows == 0 && json_array_size(c->errors) == 0)
		line_err(c->errors, 2, "", "the file has no rows");
}

int h_invoice_import(struct lc_request *rq)
{
	if (!pay_is_treasury(rq))
		return pay_not_found(rq);
	const char *ct = lc_rq_header(rq, "Content-Type");
	if (!ct || strncmp(ct, "text/csv", 8) != 0)
		return lc_reply_problem(rq, 415, "unsupported_media_type", "Send the file as text/csv.");
	size_t len;
	const char *body = lc_rq_body(rq, &len);
	if (!body || len == 0)
		return lc_reply_problem(rq, 422, "validation_failed", "The file is empty.");
	if (memchr(body, '\0', len))
		return lc_reply_problem(rq, 422, "validation_failed", "The file is not text.");
	char *text = lc_rq_strdup(rq, body);
	struct import_ctx c = {.rq = rq,
	                       .invoices = json_array(),
	                       .households = json_object(),
	                       .errors = json_array(),
	                       .created = json_array()};
	parse_csv(&c, text);
	int rc = LC_REPLIED;
	bool done = false;
	/* Every household must exist: one call per distinct household. */
	const char *hh;
	json_t *v;
	json_object_foreach(c.households, hh, v)
	{
		char path[96];
		snprintf(path, sizeof(path), "/internal/v1/households/%s", hh);
		json_t *h;
		long st = pay_account_get(rq, path, &h);
		json_decref(h);
		if (st == 404) {
			size_t i;
			json_t *inv;
			json_array_foreach(
			    c.invoices, i,
			    inv) if (strcmp(json_string_value(json_object_get(inv, "household_id")), hh) == 0)
			    line_err(c.errors, json_integer_value(json_object_get(inv, "first_line")),
			             "household_id", "no such household");
		} else if (st != 200) {
			rc = pay_account_unavailable(rq);
			done = true;
			break;
		}
	}
	if (!done && json_array_size(c.errors) > 0) {
		rc = lc_reply_problem_errors(rq, 422, "validation_failed",
		                             "Nothing was imported: some lines are not valid.",
		                             json_incref(c.errors));
	} else if (!done) {
		rc = lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), import_tx, &c), &c.o);
	}
	json_decref(c.invoices);
	json_decref(c.households);
	json_decref(c.errors);
	json_decref(c.created);
	return rc;
}

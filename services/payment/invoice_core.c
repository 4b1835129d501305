/* invoice_core.c — what every way of creating an invoice shares (agents, other services,
 * CSV import, demo): lines checked and priced (grids by quotient familial), then a gapless
 * number from the year's counter row, locked until the transaction ends, and the events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/json.h"
#include "civitas/log.h"
#include "civitas/outbox.h"

#include "payment.h"
#include "pricing.h"

static void add_err(json_t *errors, const char *prefix, size_t i, const char *field, const char *code,
                    const char *msg)
{
	char f[160];
	snprintf(f, sizeof(f), "%s[%zu]%s%s", prefix, i, field[0] ? "." : "", field);
	json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", f, "code", code, "message", msg));
}

static void today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The unit price of a line priced by a grid, for the household's quotient familial today; the
 * invoice's pricing basis is noted in *pricing (the first grid's). 1, 0 when there is no such
 * grid, -1 when the database failed. */
static int grid_price(struct lc_db *db, const struct pay_invoice_in *in, const char *grid, const char *day,
                      json_t **pricing, int64_t *unit)
{
	const char *p[] = {grid};
	PGresult *r = lc_db_exec(db, "grid_get", 1, p);
	if (!r)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return 0;
	}
	json_t *brackets = json_loads(PQgetvalue(r, 0, 1), 0, NULL);
	int64_t def = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
	PQclear(r);
	const json_t *qfo = in->household ? json_object_get(in->household, "quotient_familial") : NULL;
	const char *basis = NULL;
	int64_t qf = -1;
	*unit = pay_grid_price(brackets, def, qfo, day, &basis, &qf);
	json_decref(brackets);
	if (!*pricing)
		*pricing = json_pack("{s:s, s:s}", "basis", basis, "grid", grid);
	json_object_set_new(*pricing, "qf", qf >= 0 ? json_integer(qf) : json_null());
	return 1;
}

int pay_price_lines(struct lc_db *db, const struct pay_invoice_in *in, const char *prefix, json_t *errors,
                    json_t **priced, json_t **pricing, int64_t *total)
{
	*priced = json_array();
	*pricing = NULL;
	*total = 0;
	size_t before = json_array_size(errors);
	if (!json_is_array(in->lines) || json_array_size(in->lines) < 1 ||
	    json_array_size(in->lines) > PAY_MAX_LINES) {
		char f[64];
		snprintf(f, sizeof(f), "%s", prefix);
		json_array_append_new(errors, json_pack("{s:s, s:s, s:s}", "field", f, "code", "out_of_range",
		                                        "message", "1 to 50 lines"));
		return 1;
	}
	char day[11];
	today(day);
	size_t i;
	json_t *line;
	json_array_foreach(in->lines, i, line)
	{
		const char *label = NULL, *grid = NULL, *member = NULL;
		int64_t qty = 0, unit = -1;
		bool has_unit = false, has_grid = false;
		const struct lc_field spec[] = {
		    LC_F_STRING("label", 1, 200, &label, .required = true),
		    LC_F_INT("quantity", 1, 1000, &qty, .required = true),
		    LC_F_INT("unit_cents", 0, PAY_MAX_CENTS, &unit, .present = &has_unit),
		    LC_F_STRING("grid", 2, 40, &grid, .present = &has_grid),
		    LC_F_UUID("member_id", &member),
		    {0},
		};
		json_t *le = lc_json_check(line, spec);
		if (le) {
			size_t k;
			json_t *e;
			json_array_foreach(le, k, e)
			{
				add_err(errors, prefix, i, json_string_value(json_object_get(e, "field")),
				        json_string_value(json_object_get(e, "code")),
				        json_string_value(json_object_get(e, "message")));
			}
			json_decref(le);
			continue;
		}
		if (has_unit == has_grid) {
			add_err(errors, prefix, i, "unit_cents", "required",
			        "give either unit_cents or grid");
			continue;
		}
		if (has_grid) {
			int g = grid_price(db, in, grid, day, pricing, &unit);
			if (g < 0)
				return -1;
			if (g == 0) {
				add_err(errors, prefix, i, "grid", "not_found",
				        "no price grid for this service");
				continue;
			}
		}
		json_t *out = json_pack("{s:s, s:I, s:I, s:I}", "label", label, "quantity", (json_int_t)qty,
		                        "unit_cents", (json_int_t)unit, "amount_cents",
		                        (json_int_t)qty * (json_int_t)unit);
		if (member)
			json_object_set_new(out, "member_id", json_string(member));
		if (has_grid)
			json_object_set_new(out, "grid", json_string(grid));
		json_array_append_new(*priced, out);
		*total += qty * unit;
		if (*total > PAY_MAX_CENTS) {
			add_err(errors, prefix, i, "", "out_of_range", "the invoice total is too large");
			break;
		}
	}
	return json_array_size(errors) > before ? 1 : 0;
}

int pay_invoice_insert(struct lc_db *db, const struct pay_invoice_in *in, json_t *priced, json_t *pricing,
                       int64_t total, json_t **out, bool *same_body)
{
	*out = NULL;
	if (in->source_key && in->source_key[0]) {
		const char *p[] = {in->source_service ? in->source_service : "", in->source_key};
		PGresult *r = lc_db_exec(db, "inv_by_key", 2, p);
		if (!r)
			return -1;
		if (PQntuples(r) == 1) {
			*out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
			*same_body =
			    strcmp(PQgetvalue(r, 0, 1), in->request_hash ? in->request_hash : "") == 0;
			PQclear(r);
			return 1;
		}
		PQclear(r);
	}
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	char year[16];
	snprintf(year, sizeof(year), "%d", tm.tm_year + 1900);
	const char *yp[] = {year};
	PGresult *r = lc_db_exec(db, "inv_number", 1, yp);
	if (!r)
		return -1;
	char number[32];
	snprintf(number, sizeof(number), "%s-%06ld", year, strtol(PQgetvalue(r, 0, 0), NULL, 10));
	PQclear(r);
	char *lines = json_dumps(priced, JSON_COMPACT);
	char *pr = pricing ? json_dumps(pricing, JSON_COMPACT) : NULL;
	char tot[24];
	snprintf(tot, sizeof(tot), "%lld", (long long)total);
	const char *p[] = {number,
	                   in->household_id,
	                   in->label,
	                   lines ? lines : "[]",
	                   tot,
	                   in->due_date,
	                   in->source,
	                   in->source_service ? in->source_service : "",
	                   in->source_key ? in->source_key : "",
	                   in->request_hash ? in->request_hash : "",
	                   pr ? pr : "",
	                   in->created_by ? in->created_by : ""};
	r = lc_db_exec(db, "inv_insert", 12, p);
	free(lines);
	free(pr);
	if (!r)
		return -1;
	*out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	PQclear(r);
	if (!*out)
		return -1;
	json_t *ev =
	    json_pack("{s:O, s:s, s:s, s:I, s:s, s:s}", "invoice_id", json_object_get(*out, "id"), "number",
	              number, "household_id", in->household_id, "total_cents", (json_int_t)total, "source",
	              in->source, "source_service", in->source_service ? in->source_service : "");
	int rc = ev ? lc_outbox_emit(db, "invoice.created", ev, NULL) : -1;
	json_decref(ev);
	if (rc == 0 && in->notify) {
		char amount[32];
		pay_euros(total, amount, sizeof(amount));
		json_t *d = json_pack("{s:s, s:s, s:s, s:s}", "number", number, "label", in->label, "amount",
		                      amount, "due_date", in->due_date);
		rc = d ? pay_notify_household(db, in->household_id, "invoice_created", d, "/factures.html")
		       : -1;
		json_decref(d);
	}
	return rc;
}

/* h_exports.c — the treasury's reconciliation: every payment and refund of a period as CSV
 * (date, provider reference, invoice numbers, amounts), and the daily totals per provider, which
 * are the sums of those same rows. Dates are days in Europe/Paris; `to` is included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "payment.h"

/* from/to (YYYY-MM-DD) into timestamps bounds; replies 422 and returns false when bad. */
static bool period(struct lc_request *rq, char from[48], char to[48])
{
	const char *f = lc_rq_query(rq, "from"), *t = lc_rq_query(rq, "to");
	if (!f || !t || !lc_json_is_date(f) || !lc_json_is_date(t) || strcmp(f, t) > 0) {
		lc_reply_problem_errors(
		    rq, 422, "validation_failed", "from and to are dates (YYYY-MM-DD), from <= to.",
		    json_pack("[{s:s, s:s, s:s}]", "field", "from", "code", "invalid_format", "message",
		              "from and to are dates, from <= to"));
		return false;
	}
	snprintf(from, 48, "%s 00:00:00 Europe/Paris", f);
	/* the end is the start of the day after `to` */
	snprintf(to, 48, "%s 00:00:00 Europe/Paris", t);
	return true;
}

int h_export_transactions(struct lc_request *rq)
{
	if (!pay_is_treasury(rq))
		return pay_not_found(rq);
	char from[48], to[48];
	if (!period(rq, from, to))
		return LC_REPLIED;
	char end[80];
	snprintf(end, sizeof(end), "%s", to);
	const char *p[] = {from, end};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "tx_rows_incl", 2, p);
	if (!r)
		return lc_db_fail_reply(rq);
	struct lc_buf b;
	lc_buf_init(&b, 64u << 20);
	lc_buf_printf(&b, "date;type;provider;provider_reference;checkout_id;invoice_numbers;paid_cents;"
	                  "refunded_cents\r\n");
	for (int i = 0; i < PQntuples(r); i++) {
		lc_buf_printf(&b, "%s", "");
		for (int col = 0; col < 8; col++) {
			const char *v = PQgetvalue(r, i, col);
			/* values are ours (dates, numbers, references): no separator or quote can appear, but
			 * a spreadsheet must never see a formula */
			lc_buf_printf(&b, "%s%s%s", col ? ";" : "",
			              (v[0] == '=' || v[0] == '+' || v[0] == '@') ? "'" : "", v);
		}
		lc_buf_printf(&b, "\r\n");
	}
	PQclear(r);
	if (b.overflow) {
		lc_buf_free(&b);
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "The period is too large; export a shorter one.");
	}
	size_t len;
	lc_buf_cstr(&b);
	char *data = lc_buf_steal(&b, &len);
	lc_rq_add_header(rq, "Content-Disposition", "attachment; filename=\"transactions.csv\"");
	return lc_reply_bytes_owned(rq, 200, "text/csv; charset=utf-8", data, len);
}

int h_export_daily(struct lc_request *rq)
{
	if (!pay_is_treasury(rq))
		return pay_not_found(rq);
	char from[48], to[48];
	if (!period(rq, from, to))
		return LC_REPLIED;
	const char *p[] = {from, to};
	return pay_reply_rows(rq, lc_db_exec(lc_rq_db(rq), "daily_totals_incl", 2, p));
}

int h_transactions(struct lc_request *rq)
{
	if (!pay_is_treasury(rq))
		return pay_not_found(rq);
	const char *status = lc_rq_query(rq, "status"), *lim = lc_rq_query(rq, "limit"),
	           *off = lc_rq_query(rq, "offset");
	static const char *const ok[] = {"created",   "pending", "succeeded", "failed",
	                                 "cancelled", "expired", NULL};
	bool good = !status;
	for (int i = 0; status && ok[i]; i++)
		good = good || strcmp(status, ok[i]) == 0;
	long l = lim ? strtol(lim, NULL, 10) : 50, o = off ? strtol(off, NULL, 10) : 0;
	if (!good || l < 1 || l > 200 || o < 0 || o > 1000000)
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "status is a checkout status; limit 1-200; offset >= 0.");
	char ls[16], os[16];
	snprintf(ls, sizeof(ls), "%ld", l);
	snprintf(os, sizeof(os), "%ld", o);
	const char *p[] = {status ? status : "", ls, os};
	return pay_reply_rows(rq, lc_db_exec(lc_rq_db(rq), "co_list_admin", 3, p));
}

/* h_grids.c — price grids per service (brackets of quotient familial → price in cents): public
 * list (families see what they would pay), treasury's create/replace and delete, audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "payment.h"
#include "pricing.h"

static bool service_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 40 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int h_grid_list(struct lc_request *rq)
{
	return pay_reply_rows(rq, lc_db_exec(lc_rq_db(rq), "grid_list", 0, NULL));
}

struct grid_ctx {
	struct lc_request *rq;
	const char *service, *label, *brackets;
	int64_t def;
	struct lc_outcome o;
};

static enum lc_tx_result put_tx(struct lc_db *db, void *arg)
{
	struct grid_ctx *c = arg;
	lc_outcome_reset(&c->o);
	char def[24];
	snprintf(def, sizeof(def), "%lld", (long long)c->def);
	const char *p[] = {c->service, c->label, c->brackets, def};
	PGresult *r = lc_db_exec(db, "grid_upsert", 4, p);
	if (!r)
		return LC_TX_ERROR;
	json_t *grid = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	unsigned status = strcmp(PQgetvalue(r, 0, 1), "t") == 0 ? 201 : 200;
	PQclear(r);
	if (lc_audit(db, c->rq, "price_grid.put", "price_grid", c->service, NULL) != 0) {
		json_decref(grid);
		return LC_TX_ERROR;
	}
	return lc_outcome_ok(&c->o, status, grid);
}

int h_grid_put(struct lc_request *rq)
{
	struct grid_ctx c = {.rq = rq, .service = lc_rq_param(rq, "service")};
	json_t *brackets = NULL;
	struct lc_field spec[] = {
	    LC_F_STRING("label", 1, 200, &c.label, .required = true),
	    {.name = "brackets", .type = LC_J_ARRAY, .required = true, .out = &brackets}, /* pay_grid_check */
	    LC_F_INT("default_price_cents", 0, PAY_MAX_CENTS, &c.def, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!pay_is_treasury(rq))
		return pay_not_found(rq);
	if (!service_ok(c.service))
		return lc_reply_problem(rq, 422, "validation_failed",
		                        "The service name is 2 to 40 of a-z, 0-9 and '-'.");
	json_t *errors = json_array();
	if (pay_grid_check(brackets, c.def, PAY_MAX_CENTS, errors) > 0)
		return lc_reply_problem_errors(rq, 422, "validation_failed", "The grid is not valid.",
		                               errors);
	json_decref(errors);
	char *b = json_dumps(brackets, JSON_COMPACT);
	c.brackets = b;
	int rc = lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), put_tx, &c), &c.o);
	free(b);
	return rc;
}

static enum lc_tx_result delete_tx(struct lc_db *db, void *arg)
{
	struct grid_ctx *c = arg;
	lc_outcome_reset(&c->o);
	const char *p[] = {c->service};
	int n = lc_db_run(db, "grid_delete", 1, p);
	if (n < 0)
		return LC_TX_ERROR;
	if (n == 0)
		return lc_outcome_fail(&c->o, 404, "not_found", "Not found.");
	if (lc_audit(db, c->rq, "price_grid.delete", "price_grid", c->service, NULL) != 0)
		return LC_TX_ERROR;
	return lc_outcome_ok(&c->o, 204, NULL);
}

int h_grid_delete(struct lc_request *rq)
{
	if (!pay_is_treasury(rq))
		return pay_not_found(rq);
	struct grid_ctx c = {.rq = rq, .service = lc_rq_param(rq, "service")};
	return lc_outcome_reply(rq, lc_db_tx(lc_rq_db(rq), delete_tx, &c), &c.o);
}

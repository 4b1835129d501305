/* h_internal_family.c — what other daemons read of households and documents, over
 * /internal/v1 with the internal secret (docs/account-internal-api.md is the contract). */
#include "civitas/db.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "family_int.h"

int h_internal_household(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such household.");
	bool err;
	json_t *body = fam_db_household_json(lc_rq_db(rq), id, false, NULL, &err);
	if (!body)
		return err ? lc_db_fail_reply(rq)
		           : lc_reply_problem(rq, 404, "not_found", "No such household.");
	return lc_reply_json(rq, 200, body);
}

int h_internal_document(struct lc_request *rq)
{
	return fam_reply_document(rq, "fam_doc_get_any", false, false);
}

int h_internal_document_content(struct lc_request *rq)
{
	return fam_reply_document(rq, "fam_doc_content_any", false, true);
}

/* h_jwks.c — GET /.well-known/jwks.json: the public half of the signing key, so that other
 * daemons (or a gateway) can verify access tokens without a copy of the PEM file. */
#include "civitas/http.h"
#include "civitas/reply.h"

#include "account.h"

int h_jwks(struct lc_request *rq)
{
	return lc_reply_json_cached(rq, tokens_jwks(), "public, max-age=300");
}

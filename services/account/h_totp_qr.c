/* h_totp_qr.c — POST /totp/qr: the otpauth:// link of a TOTP enrolment drawn as a QR code
 * (libqrencode through lc_qr_svg), so an authenticator app can scan it beside the secret. */
#include <stdlib.h>
#include <string.h>

#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/qr.h"
#include "civitas/reply.h"

#include "account.h"

int h_totp_qr(struct lc_request *rq)
{
	const char *uri = NULL;
	/* Only the links that setup gives: an otpauth TOTP URI of printable ASCII. */
	const struct lc_field spec[] = {
	    LC_F_STRING("uri", 0, 512, &uri, .required = true, .pattern = "^otpauth://totp/[!-~]+$"),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	size_t len = 0;
	char *svg = lc_qr_svg(uri, NULL, 0, &len);
	if (!svg)
		return lc_reply_problem(rq, 500, "internal", "The QR code could not be made.");
	/* The link holds the secret: never kept by a cache. */
	lc_rq_add_header(rq, "Cache-Control", "no-store");
	return lc_reply_bytes_owned(rq, 200, "image/svg+xml", svg, len);
}

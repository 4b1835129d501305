/* h_totp_qr.c — POST /totp/qr: the otpauth:// link of a TOTP enrolment drawn as a QR code
 * (libqrencode, rendered here as SVG), so an authenticator app can scan it beside the secret. */
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "account.h"

#define QUIET 4 /* modules of white border that scanners need around the code */

/* The SVG of qr (one path of unit squares, crisp at any size); NULL when memory runs out.
 * The caller frees the result. */
static char *qr_svg(const QRcode *qr, size_t *len)
{
	int n = qr->width + 2 * QUIET;
	struct lc_buf b;
	lc_buf_init(&b, 0);
	lc_buf_printf(&b,
	              "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	              "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	              "<path fill=\"#000\" d=\"",
	              n, n, n, n);
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (qr->data[y * qr->width + x] & 1)
				lc_buf_printf(&b, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
	lc_buf_printf(&b, "\"/></svg>");
	if (b.overflow) {
		lc_buf_free(&b);
		return NULL;
	}
	return lc_buf_steal(&b, len);
}

int h_totp_qr(struct lc_request *rq)
{
	const char *uri = NULL;
	/* Only the links that setup gives: an otpauth TOTP URI of printable ASCII. */
	const struct lc_field spec[] = {
	    {.name = "uri",
	     .type = LC_J_STRING,
	     .required = true,
	     .has_max = true,
	     .max = 512,
	     .pattern = "^otpauth://totp/[!-~]+$",
	     .out = &uri},
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	QRcode *qr = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return lc_reply_problem(rq, 500, "internal", "The QR code could not be made.");
	size_t len = 0;
	char *svg = qr_svg(qr, &len);
	QRcode_free(qr);
	if (!svg)
		return lc_reply_problem(rq, 500, "internal", "Out of memory.");
	/* The link holds the secret: never kept by a cache. */
	lc_rq_add_header(rq, "Cache-Control", "no-store");
	return lc_reply_bytes_owned(rq, 200, "image/svg+xml", svg, len);
}

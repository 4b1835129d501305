/* qr.c — QR codes as SVG from libqrencode's module matrix: the one renderer for the TOTP
 * enrolment link (account) and the tickets (payment). */
#include "civitas/qr.h"

#include <qrencode.h>
#include <stdlib.h>

#include "civitas/buf.h"

#define QUIET     4          /* modules of white border that scanners need around the code */
#define SVG_LIMIT (4u << 20) /* a version-40 code is well under this */

/* Appends s with the five XML special characters escaped. */
static void xml_text(struct lc_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			lc_buf_printf(b, "&amp;");
			break;
		case '<':
			lc_buf_printf(b, "&lt;");
			break;
		case '>':
			lc_buf_printf(b, "&gt;");
			break;
		case '"':
			lc_buf_printf(b, "&quot;");
			break;
		case '\'':
			lc_buf_printf(b, "&apos;");
			break;
		default:
			lc_buf_append(b, s, 1);
		}
	}
}

char *lc_qr_svg(const char *text, const char *label, int px_per_module, size_t *len)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return NULL;
	int w = qr->width, n = w + 2 * QUIET;
	struct lc_buf b;
	lc_buf_init(&b, SVG_LIMIT);
	lc_buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\"", n, n);
	if (px_per_module > 0)
		lc_buf_printf(&b, " width=\"%d\" height=\"%d\"", n * px_per_module, n * px_per_module);
	lc_buf_printf(&b, " shape-rendering=\"crispEdges\"");
	if (label) {
		lc_buf_printf(&b, " role=\"img\" aria-label=\"");
		xml_text(&b, label);
		lc_buf_printf(&b, "\"");
	}
	lc_buf_printf(&b, "><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", n, n);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (qr->data[y * w + x] & 1)
				lc_buf_printf(&b, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
	lc_buf_printf(&b, "\"/></svg>\n");
	QRcode_free(qr);
	if (b.overflow) {
		lc_buf_free(&b);
		return NULL;
	}
	size_t l = 0;
	char *svg = lc_buf_steal(&b, &l);
	if (len)
		*len = l;
	return svg;
}

/* qr.c — a ticket's QR code as SVG, drawn from libqrencode's module matrix (one path, a quiet
 * zone of four modules, crisp edges so phones scan it at any zoom). */
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"

#include "handlers.h"

char *pay_qr_svg(const char *text, const char *label)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return NULL;
	int n = q->width, size = n + 8;
	struct lc_buf b;
	lc_buf_init(&b, 4u << 20);
	lc_buf_printf(
	    &b,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
	    " shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"%s\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
	    size, size, size * 6, size * 6, label, size, size);
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++)
			if (q->data[y * n + x] & 1)
				lc_buf_printf(&b, "M%d %dh1v1h-1z", x + 4, y + 4);
	lc_buf_printf(&b, "\"/></svg>\n");
	QRcode_free(q);
	if (b.overflow) {
		lc_buf_free(&b);
		return NULL;
	}
	size_t len;
	return lc_buf_steal(&b, &len);
}

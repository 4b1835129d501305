/* receipt.c — the printable receipt of a paid invoice (HTML, French): number, lines, amounts in
 * euros, payment date, refunds so far. Values are escaped; money stays integer cents until shown. */
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"

#include "handlers.h"
#include "payment.h"
#include "vads.h"

static void esc(struct lc_buf *b, const char *s)
{
	char *e = vads_html_escape(s ? s : "");
	lc_buf_printf(b, "%s", e);
	free(e);
}

char *pay_receipt_html(const json_t *inv)
{
	struct lc_buf b;
	lc_buf_init(&b, 1u << 20);
	char euros[32];
	lc_buf_printf(&b, "<!doctype html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
	                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	                  "<title>Reçu de paiement ");
	esc(&b, json_string_value(json_object_get(inv, "number")));
	lc_buf_printf(&b, "</title><link rel=\"icon\" href=\"/assets/favicon.svg\" "
	                  "type=\"image/svg+xml\"><link rel=\"stylesheet\" "
	                  "href=\"/assets/css/payment.css\"></head><body><main class=\"pay "
	                  "receipt\"><h1>Reçu de paiement</h1><p>Facture n° <strong>");
	esc(&b, json_string_value(json_object_get(inv, "number")));
	lc_buf_printf(&b, "</strong> — ");
	esc(&b, json_string_value(json_object_get(inv, "label")));
	lc_buf_printf(&b, "</p><p>Payée le ");
	const char *paid = json_string_value(json_object_get(inv, "paid_at"));
	esc(&b, paid ? (char[11]){paid[8], paid[9], '/', paid[5], paid[6], '/', paid[0], paid[1], paid[2],
	                          paid[3], 0}
	             : "");
	lc_buf_printf(&b, "</p><table><caption>Détail</caption><thead><tr><th scope=\"col\">Prestation</th>"
	                  "<th scope=\"col\">Quantité</th><th scope=\"col\">Prix unitaire</th>"
	                  "<th scope=\"col\">Montant</th></tr></thead><tbody>");
	size_t i;
	const json_t *l;
	json_array_foreach(json_object_get(inv, "lines"), i, l)
	{
		lc_buf_printf(&b, "<tr><td>");
		esc(&b, json_string_value(json_object_get(l, "label")));
		pay_euros(json_integer_value(json_object_get(l, "unit_cents")), euros, sizeof(euros));
		lc_buf_printf(&b, "</td><td>%lld</td><td>%s</td>",
		              (long long)json_integer_value(json_object_get(l, "quantity")), euros);
		pay_euros(json_integer_value(json_object_get(l, "unit_cents")) *
		              json_integer_value(json_object_get(l, "quantity")),
		          euros, sizeof(euros));
		lc_buf_printf(&b, "<td>%s</td></tr>", euros);
	}
	pay_euros(json_integer_value(json_object_get(inv, "total_cents")), euros, sizeof(euros));
	lc_buf_printf(
	    &b, "</tbody><tfoot><tr><th scope=\"row\" colspan=\"3\">Total payé</th><td>%s</td></tr>", euros);
	int64_t refunded = json_integer_value(json_object_get(inv, "refunded_cents"));
	if (refunded > 0) {
		pay_euros(refunded, euros, sizeof(euros));
		lc_buf_printf(&b, "<tr><th scope=\"row\" colspan=\"3\">Remboursé</th><td>%s</td></tr>",
		              euros);
	}
	lc_buf_printf(&b,
	              "</tfoot></table><p>Ce reçu tient lieu de justificatif de paiement auprès de la régie "
	              "municipale.</p></main></body></html>\n");
	lc_buf_cstr(&b);
	if (b.overflow) {
		lc_buf_free(&b);
		return NULL;
	}
	size_t n;
	return lc_buf_steal(&b, &n);
}

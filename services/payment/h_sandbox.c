/* h_sandbox.c — the built-in sandbox provider's pages: it receives the signed form like
 * Lyra's gateway would, shows an accessible French card page, and on submission queues a
 * server-to-server notification signed with the shop key (delivered by the outbox, with
 * retries, like a real provider's). Card 4000 0000 0000 0002 is refused, any other accepted. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/log.h"
#include "civitas/outbox.h"
#include "civitas/reply.h"

#include "handlers.h"
#include "payment.h"
#include "provider.h"
#include "vads.h"

#define REFUSED_CARD "4000000000000002"

/* The posted form when its signature is the sandbox shop's; else replies and returns NULL. */
static json_t *signed_form(struct lc_request *rq)
{
	const char *ct = lc_rq_header(rq, "Content-Type");
	if (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
		lc_reply_problem(rq, 415, "unsupported_media_type", "The payment form is form-urlencoded.");
		return NULL;
	}
	size_t len;
	const char *body = lc_rq_body(rq, &len);
	json_t *f = body ? vads_form_parse(body, len) : NULL;
	char key[65];
	pay_sandbox_key(key);
	if (!f || !vads_verify(f, key) ||
	    strcmp(json_string_value(json_object_get(f, "vads_site_id")) ?: "", PAY_SANDBOX_SITE) != 0) {
		json_decref(f);
		lc_security(lc_rq_id(rq), "sandbox: a payment form with a bad signature was posted");
		lc_reply_problem(rq, 403, "forbidden", "The payment form's signature does not verify.");
		return NULL;
	}
	return f;
}

static void hidden_fields(struct lc_buf *b, const json_t *f)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)f, k, v)
	{
		if (strncmp(k, "vads_", 5) != 0 && strcmp(k, "signature") != 0)
			continue;
		char *ek = vads_html_escape(k), *ev = vads_html_escape(json_string_value(v));
		lc_buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", ek, ev);
		free(ek);
		free(ev);
	}
}

static int card_page(struct lc_request *rq, const json_t *f, const char *error)
{
	struct lc_buf b;
	lc_buf_init(&b, 64 * 1024);
	char euros[32];
	pay_euros(strtoll(json_string_value(json_object_get(f, "vads_amount")) ?: "0", NULL, 10), euros,
	          sizeof(euros));
	lc_buf_printf(&b,
	              "<p class=\"pay-sandbox\">Environnement de démonstration : aucun paiement réel n’est "
	              "effectué. La carte 4000 0000 0000 0002 est refusée, toute autre est acceptée.</p>"
	              "<p>Montant : <strong>%s</strong></p>",
	              euros);
	if (error)
		lc_buf_printf(&b, "<p id=\"erreur\" role=\"alert\" class=\"pay-error\">%s</p>", error);
	lc_buf_printf(&b, "<form method=\"post\" action=\"/api/payment/v1/sandbox/vads-payment/card\">");
	hidden_fields(&b, f);
	lc_buf_printf(
	    &b,
	    "<p><label for=\"carte\">Numéro de carte</label><br>"
	    "<input id=\"carte\" name=\"card_number\" inputmode=\"numeric\" autocomplete=\"cc-number\""
	    " required maxlength=\"23\" aria-describedby=\"carte-aide%s\"></p>"
	    "<p id=\"carte-aide\">16 chiffres, espaces autorisés.</p>"
	    "<p><label for=\"expiration\">Date d’expiration (MM/AA)</label><br>"
	    "<input id=\"expiration\" name=\"expiry\" autocomplete=\"cc-exp\" inputmode=\"numeric\""
	    " maxlength=\"5\" required></p>"
	    "<p><label for=\"cryptogramme\">Cryptogramme (3 chiffres au dos de la carte)</label><br>"
	    "<input id=\"cryptogramme\" name=\"cvv\" autocomplete=\"cc-csc\" inputmode=\"numeric\""
	    " maxlength=\"4\" required></p>"
	    "<p><button type=\"submit\">Payer %s</button></p></form>"
	    "<form method=\"post\" action=\"/api/payment/v1/sandbox/vads-payment/card\">",
	    error ? " erreur" : "", euros);
	hidden_fields(&b, f);
	lc_buf_printf(
	    &b, "<input type=\"hidden\" name=\"abandon\" value=\"1\">"
	        "<p><button type=\"submit\" class=\"secondary\">Annuler le paiement</button></p></form>");
	int rc = pay_html(rq, error ? 422 : 200, "Paiement par carte bancaire", lc_buf_cstr(&b));
	lc_buf_free(&b);
	return rc;
}

int h_sandbox_form(struct lc_request *rq)
{
	json_t *f = signed_form(rq);
	if (!f)
		return LC_REPLIED;
	int rc = card_page(rq, f, NULL);
	json_decref(f);
	return rc;
}

struct ipn_ctx {
	json_t *ipn;
};

static enum lc_tx_result queue_tx(struct lc_db *db, void *arg)
{
	struct ipn_ctx *c = arg;
	return lc_outbox_emit(db, "sandbox.ipn", c->ipn, NULL) == 0 ? LC_TX_COMMIT : LC_TX_ERROR;
}

/* The card number's digits (spaces dropped) into digits (24 bytes): false unless 13 to 19 digits. */
static bool card_digits(const char *card, char digits[24])
{
	size_t n = 0;
	for (const char *p = card; *p; p++) {
		if (*p == ' ')
			continue;
		if (!isdigit((unsigned char)*p) || n >= 19)
			return false;
		digits[n++] = *p;
	}
	digits[n] = '\0';
	return n >= 13;
}

/* The signed notification the provider would send: what the form carried, plus the
 * transaction's outcome (status) and the masked card (digits, "" when abandoned). */
static json_t *sandbox_ipn(json_t *f, const char *status, const char *digits)
{
	json_t *ipn = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(f, k, v) if (strncmp(k, "vads_", 5) == 0 && strcmp(k, "vads_url_return") != 0 &&
	                                 strcmp(k, "vads_return_mode") != 0) json_object_set(ipn, k, v);
	char uuid[37], tuuid[33];
	lc_uuid_v4(uuid);
	size_t j = 0;
	for (const char *p = uuid; *p; p++)
		if (*p != '-')
			tuuid[j++] = *p;
	tuuid[j] = '\0';
	json_object_set_new(ipn, "vads_trans_status", json_string(status));
	json_object_set_new(ipn, "vads_trans_uuid", json_string(tuuid));
	json_object_set_new(ipn, "vads_operation_type", json_string("DEBIT"));
	json_object_set_new(ipn, "vads_url_check_src", json_string("PAY"));
	if (digits[0]) {
		char masked[24];
		size_t n = strlen(digits);
		snprintf(masked, sizeof(masked), "%.6s%.*s%s", digits, (int)(n - 10), "XXXXXXXXX",
		         digits + n - 4);
		json_object_set_new(ipn, "vads_card_number", json_string(masked));
	}
	char key[65], sig[45];
	pay_sandbox_key(key);
	vads_sign(ipn, key, sig);
	json_object_set_new(ipn, "signature", json_string(sig));
	return ipn;
}

/* The page the payer sees once the sandbox has answered; ret is the shop's return address. */
static int result_page(struct lc_request *rq, const char *status, const char *ret)
{
	char *eret = vads_html_escape(ret);
	struct lc_buf b;
	lc_buf_init(&b, 8192);
	if (strcmp(status, "AUTHORISED") == 0)
		lc_buf_printf(
		    &b, "<p role=\"status\">Votre paiement est accepté. La confirmation arrive dans quelques "
		        "secondes.</p>");
	else if (strcmp(status, "REFUSED") == 0)
		lc_buf_printf(
		    &b, "<p role=\"alert\">Votre paiement a été refusé par la banque. Aucun montant n’a été "
		        "débité ; vous pouvez réessayer avec une autre carte.</p>");
	else
		lc_buf_printf(
		    &b, "<p role=\"status\">Vous avez annulé le paiement. Aucun montant n’a été débité.</p>");
	lc_buf_printf(&b, "<p><a href=\"%s\">Retour au portail de la ville</a></p>", eret);
	free(eret);
	int rc = pay_html(rq, 200,
	                  strcmp(status, "AUTHORISED") == 0 ? "Paiement accepté"
	                  : strcmp(status, "REFUSED") == 0  ? "Paiement refusé"
	                                                    : "Paiement annulé",
	                  lc_buf_cstr(&b));
	lc_buf_free(&b);
	return rc;
}

int h_sandbox_card(struct lc_request *rq)
{
	json_t *f = signed_form(rq);
	if (!f)
		return LC_REPLIED;
	bool abandon = json_object_get(f, "abandon") != NULL;
	char digits[24] = "";
	if (!abandon && !card_digits(json_string_value(json_object_get(f, "card_number")) ?: "", digits)) {
		int rc = card_page(rq, f, "Le numéro de carte doit comporter de 13 à 19 chiffres.");
		json_decref(f);
		return rc;
	}
	const char *status = abandon                             ? "ABANDONED"
	                     : strcmp(digits, REFUSED_CARD) == 0 ? "REFUSED"
	                                                         : "AUTHORISED";
	struct ipn_ctx c = {.ipn =
	                        json_pack("{s:o}", "fields", sandbox_ipn(f, status, abandon ? "" : digits))};
	enum lc_tx_result t = lc_db_tx(lc_rq_db(rq), queue_tx, &c);
	json_decref(c.ipn);
	int rc = t == LC_TX_COMMIT ? result_page(rq, status,
	                                         json_string_value(json_object_get(f, "vads_url_return"))
	                                             ?: "/factures.html")
	                           : lc_db_fail_reply(rq);
	json_decref(f);
	return rc;
}

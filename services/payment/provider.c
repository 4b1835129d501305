/* provider.c — the sandbox and Systempay providers behind provider.h. Systempay's form and IPN
 * are Lyra's vads_* protocol signed with HMAC-SHA-256 and the shop key (test or production,
 * following vads_ctx_mode); the sandbox uses the very same protocol with a key derived from the
 * internal secret, so the code path that verifies a notification is the one production runs. */
#include "provider.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/client.h"
#include "civitas/crypto.h"
#include "civitas/log.h"

#include "payment.h"
#include "vads.h"

char *pay_cfg_provider, *pay_cfg_public_url, *pay_cfg_systempay_url, *pay_cfg_systempay_site,
    *pay_cfg_systempay_key_file, *pay_cfg_systempay_mode, *pay_cfg_systempay_password_file,
    *pay_cfg_systempay_rest_url;
long pay_cfg_sweep_ms;
static char systempay_key[256], systempay_password[256];

void pay_sandbox_key(char out[65])
{
	pay_derived_key("sandbox-shop-key", out);
}

json_t *pay_vads_form(const struct pay_checkout_info *c, const char *site_id, const char *mode)
{
	char amount[24];
	snprintf(amount, sizeof(amount), "%lld", (long long)c->amount_cents);
	json_t *f =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	              "vads_action_mode", "INTERACTIVE", "vads_amount", amount, "vads_ctx_mode", mode,
	              "vads_currency", c->currency, "vads_language", "fr", "vads_order_id", c->id,
	              "vads_page_action", "PAYMENT", "vads_payment_config", "SINGLE", "vads_site_id", site_id,
	              "vads_trans_date", c->trans_date, "vads_trans_id", c->trans_id, "vads_version", "V2",
	              "vads_url_return", c->return_url, "vads_return_mode", "NONE");
	return f;
}

static json_t *sign_form(json_t *f, const char *key)
{
	char sig[45];
	if (!f || !vads_sign(f, key, sig)) {
		json_decref(f);
		return NULL;
	}
	json_object_set_new(f, "signature", json_string(sig));
	return f;
}

bool pay_vads_read(const json_t *fields, struct pay_verified *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	out->order_id = json_string_value(json_object_get(fields, "vads_order_id"));
	out->trans_status = json_string_value(json_object_get(fields, "vads_trans_status"));
	out->currency = json_string_value(json_object_get(fields, "vads_currency"));
	out->provider_ref = json_string_value(json_object_get(fields, "vads_trans_uuid"));
	if (!out->provider_ref)
		out->provider_ref = json_string_value(json_object_get(fields, "vads_trans_id"));
	const char *amount = json_string_value(json_object_get(fields, "vads_amount"));
	char *end = NULL;
	long long a = amount ? strtoll(amount, &end, 10) : -1;
	if (!out->order_id || !out->trans_status || !out->currency || !out->provider_ref || !amount ||
	    !amount[0] || *end || a < 0) {
		snprintf(why, whylen, "missing or malformed vads fields");
		return false;
	}
	out->amount_cents = a;
	const char *s = out->trans_status;
	if (!strcmp(s, "AUTHORISED") || !strcmp(s, "CAPTURED") || !strcmp(s, "ACCEPTED"))
		out->result = PAY_RES_SUCCEEDED;
	else if (!strcmp(s, "REFUSED") || !strcmp(s, "EXPIRED") || !strcmp(s, "CAPTURE_FAILED"))
		out->result = PAY_RES_FAILED;
	else if (!strcmp(s, "ABANDONED") || !strcmp(s, "CANCELLED"))
		out->result = PAY_RES_CANCELLED;
	else
		out->result = PAY_RES_UNKNOWN; /* e.g. AUTHORISED_TO_VALIDATE, WAITING_AUTHORISATION */
	return true;
}

/* --- sandbox --- */

static const char *sandbox_action(void)
{
	return "/api/payment/v1/sandbox/vads-payment";
}

static json_t *sandbox_start(const struct pay_checkout_info *c)
{
	char key[65];
	pay_sandbox_key(key);
	return sign_form(pay_vads_form(c, PAY_SANDBOX_SITE, "TEST"), key);
}

static bool sandbox_verify(const json_t *fields, struct pay_verified *out, char *why, size_t whylen)
{
	char key[65];
	pay_sandbox_key(key);
	const char *site = json_string_value(json_object_get(fields, "vads_site_id"));
	if (!vads_verify(fields, key)) {
		snprintf(why, whylen, "signature does not match");
		return false;
	}
	if (!site || strcmp(site, PAY_SANDBOX_SITE) != 0) {
		snprintf(why, whylen, "unknown shop");
		return false;
	}
	return pay_vads_read(fields, out, why, whylen);
}

static int sandbox_refund(const char *provider_ref, int64_t amount_cents, char *ref, size_t reflen, char *err,
                          size_t errlen)
{
	(void)err, (void)errlen, (void)amount_cents;
	char id[37];
	lc_uuid_v4(id);
	snprintf(ref, reflen, "SBX-R-%.8s-%.12s", provider_ref, id + 24);
	return 0;
}

/* --- Systempay --- */

static const char *systempay_action(void)
{
	return pay_cfg_systempay_url;
}

static json_t *systempay_start(const struct pay_checkout_info *c)
{
	if (!systempay_key[0])
		return NULL;
	return sign_form(pay_vads_form(c, pay_cfg_systempay_site, pay_cfg_systempay_mode), systempay_key);
}

static bool systempay_verify(const json_t *fields, struct pay_verified *out, char *why, size_t whylen)
{
	const char *site = json_string_value(json_object_get(fields, "vads_site_id"));
	const char *mode = json_string_value(json_object_get(fields, "vads_ctx_mode"));
	if (!systempay_key[0] || !vads_verify(fields, systempay_key)) {
		snprintf(why, whylen, "signature does not match");
		return false;
	}
	if (!site || strcmp(site, pay_cfg_systempay_site) != 0 || !mode ||
	    strcmp(mode, pay_cfg_systempay_mode) != 0) {
		snprintf(why, whylen, "unknown shop or mode");
		return false;
	}
	return pay_vads_read(fields, out, why, whylen);
}

/* Systempay refunds go through Lyra's REST web services (Transaction/CancelOrRefund, Basic
 * authentication with the shop id and a REST API password distinct from the signing key). Without
 * that password the refund is refused here and made in the Systempay back office. AUTO lets Lyra
 * cancel a transaction not yet captured and refund one that was. */
static int systempay_refund(const char *provider_ref, int64_t amount_cents, char *ref, size_t reflen,
                            char *err, size_t errlen)
{
	if (!systempay_password[0]) {
		snprintf(err, errlen, "Systempay refunds are made in the Systempay back office");
		return -1;
	}
	char url[512], auth[640], basic[400];
	snprintf(url, sizeof(url), "%s%sTransaction/CancelOrRefund", pay_cfg_systempay_rest_url,
	         pay_cfg_systempay_rest_url[strlen(pay_cfg_systempay_rest_url) - 1] == '/' ? "" : "/");
	snprintf(basic, sizeof(basic), "%s:%s", pay_cfg_systempay_site, systempay_password);
	unsigned char b64[(sizeof(basic) + 2) / 3 * 4 + 1];
	EVP_EncodeBlock(b64, (const unsigned char *)basic, (int)strlen(basic)); /* padded, as Basic wants */
	snprintf(auth, sizeof(auth), "Authorization: Basic %s", (const char *)b64);
	json_t *body =
	    json_pack("{s:s, s:I, s:s, s:s, s:s}", "uuid", provider_ref, "amount", (json_int_t)amount_cents,
	              "currency", "EUR", "resolutionMode", "AUTO", "comment", "Remboursement par la régie");
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *headers[] = {auth, "Content-Type: application/json", "Accept: application/json", NULL};
	struct lc_http_resp resp;
	lc_http_request("POST", url, headers, text, strlen(text), 20, &resp);
	free(text);
	const char *status = json_string_value(json_object_get(resp.json, "status"));
	json_t *answer = json_object_get(resp.json, "answer");
	int rc = -1;
	if (resp.status == 200 && status && strcmp(status, "SUCCESS") == 0) {
		const char *uuid = json_string_value(json_object_get(answer, "uuid"));
		snprintf(ref, reflen, "%s", uuid ? uuid : provider_ref);
		rc = 0;
	} else if (resp.status == 0)
		snprintf(err, errlen, "Systempay could not be reached (%s)", resp.error);
	else
		snprintf(err, errlen, "Systempay refused the refund (%s: %s)",
		         json_string_value(json_object_get(answer, "errorCode")) ?: "HTTP",
		         json_string_value(json_object_get(answer, "errorMessage")) ?: "no detail");
	lc_http_resp_free(&resp);
	return rc;
}

static const struct pay_provider providers[] = {
    {"sandbox", sandbox_action, sandbox_start, sandbox_verify, sandbox_refund},
    {"systempay", systempay_action, systempay_start, systempay_verify, systempay_refund},
};

const struct pay_provider *pay_provider_get(const char *name)
{
	for (size_t i = 0; name && i < sizeof(providers) / sizeof(providers[0]); i++)
		if (strcmp(providers[i].name, name) == 0)
			return &providers[i];
	return NULL;
}

const struct pay_provider *pay_provider_default(void)
{
	const struct pay_provider *p = pay_provider_get(pay_cfg_provider);
	return p ? p : &providers[0];
}

/* The first line of a secret file into out, trailing newline removed; 0, or -1 when unreadable or
 * shorter than 8 characters. */
static int read_secret(const char *path, char *out, size_t outlen)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(out, 1, outlen - 1, f);
	fclose(f);
	out[n] = '\0';
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return n < 8 ? -1 : 0;
}

int pay_provider_init(void)
{
	systempay_key[0] = systempay_password[0] = '\0';
	if (!pay_provider_get(pay_cfg_provider)) {
		lc_error("CIVITAS_PAYMENT_PROVIDER must be sandbox or systempay");
		return -1;
	}
	if (strcmp(pay_cfg_systempay_mode, "TEST") != 0 &&
	    strcmp(pay_cfg_systempay_mode, "PRODUCTION") != 0) {
		lc_error("CIVITAS_SYSTEMPAY_MODE must be TEST or PRODUCTION");
		return -1;
	}
	if (!pay_cfg_systempay_key_file || !pay_cfg_systempay_key_file[0]) {
		if (strcmp(pay_cfg_provider, "systempay") == 0) {
			lc_error("CIVITAS_SYSTEMPAY_KEY_FILE is required with the systempay provider");
			return -1;
		}
		return 0;
	}
	if (read_secret(pay_cfg_systempay_key_file, systempay_key, sizeof(systempay_key)) != 0) {
		lc_error("cannot read CIVITAS_SYSTEMPAY_KEY_FILE, or the key in it is too short");
		return -1;
	}
	if (pay_cfg_systempay_password_file && pay_cfg_systempay_password_file[0] &&
	    read_secret(pay_cfg_systempay_password_file, systempay_password, sizeof(systempay_password)) !=
	        0) {
		lc_error(
		    "cannot read CIVITAS_SYSTEMPAY_API_PASSWORD_FILE, or the password in it is too short");
		return -1;
	}
	return 0;
}

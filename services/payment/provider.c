/* provider.c — the sandbox and Systempay providers behind provider.h. Systempay's form and IPN
 * are Lyra's vads_* protocol signed with HMAC-SHA-256 and the shop key (test or production,
 * following vads_ctx_mode); the sandbox uses the very same protocol with a key derived from the
 * internal secret, so the code path that verifies a notification is the one production runs. */
#include "provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/crypto.h"
#include "civitas/log.h"

#include "payment.h"
#include "vads.h"

char *pay_cfg_provider, *pay_cfg_public_url, *pay_cfg_systempay_url, *pay_cfg_systempay_site,
    *pay_cfg_systempay_key_file, *pay_cfg_systempay_mode;
long pay_cfg_sweep_ms;
static char systempay_key[256];

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

/* Systempay refunds go through Lyra's REST web services, which need a separate API password
 * this deployment does not hold: the refund is refused here and done in the back office. */
static int systempay_refund(const char *provider_ref, int64_t amount_cents, char *ref, size_t reflen,
                            char *err, size_t errlen)
{
	(void)provider_ref, (void)amount_cents, (void)ref, (void)reflen;
	snprintf(err, errlen, "Systempay refunds are made in the Systempay back office");
	return -1;
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

int pay_provider_init(void)
{
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
	FILE *f = fopen(pay_cfg_systempay_key_file, "r");
	if (!f) {
		lc_error("cannot read CIVITAS_SYSTEMPAY_KEY_FILE");
		return -1;
	}
	size_t n = fread(systempay_key, 1, sizeof(systempay_key) - 1, f);
	fclose(f);
	systempay_key[n] = '\0';
	while (n && (systempay_key[n - 1] == '\n' || systempay_key[n - 1] == '\r'))
		systempay_key[--n] = '\0';
	if (n < 8) {
		lc_error("the Systempay key is too short");
		return -1;
	}
	return 0;
}

/* provider.h — the one C interface behind which payment providers sit: start (the signed
 * form the browser posts to the provider), verify (a server-to-server notification → result)
 * and refund. Both providers speak Lyra's form protocol: `systempay` for real, and `sandbox`,
 * built in, whose payment page and notifications are signed exactly the same way. */
#ifndef CIVITAS_PAYMENT_PROVIDER_H
#define CIVITAS_PAYMENT_PROVIDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct pay_checkout_info {
	const char *id, *trans_id, *trans_date; /* trans_date: YYYYMMDDHHMMSS UTC */
	int64_t amount_cents;
	const char *currency; /* ISO 4217 numeric, "978" */
	const char *return_url;
};

enum pay_result { PAY_RES_SUCCEEDED, PAY_RES_FAILED, PAY_RES_CANCELLED, PAY_RES_UNKNOWN };

struct pay_verified {
	const char *order_id, *trans_status, *provider_ref, *currency;
	int64_t amount_cents;
	enum pay_result result;
};

struct pay_provider {
	const char *name;
	/* The URL the browser's form goes to. */
	const char *(*action_url)(void);
	/* The signed form fields of a checkout (new ref), NULL on failure. */
	json_t *(*start)(const struct pay_checkout_info *c);
	/* Checks a notification's signature and reads it. Returns false when forged or malformed
	 * (why says which, for the log). */
	bool (*verify)(const json_t *fields, struct pay_verified *out, char *why, size_t whylen);
	/* Refunds amount_cents of a paid transaction; ref gets the provider's reference. Returns 0,
	 * or -1 with a reason in err. */
	int (*refund)(const char *provider_ref, int64_t amount_cents, char *ref, size_t reflen, char *err,
	              size_t errlen);
};

/* The provider by name ("sandbox", "systempay"), or NULL. */
const struct pay_provider *pay_provider_get(const char *name);
/* The provider new checkouts use (CIVITAS_PAYMENT_PROVIDER, "sandbox" by default). */
const struct pay_provider *pay_provider_default(void);

/* Configuration read at start (see routes.c). */
extern char *pay_cfg_provider, *pay_cfg_public_url, *pay_cfg_systempay_url, *pay_cfg_systempay_site,
    *pay_cfg_systempay_key_file, *pay_cfg_systempay_mode, *pay_cfg_systempay_password_file,
    *pay_cfg_systempay_rest_url;
extern long pay_cfg_sweep_ms;
/* Loads the Systempay key file when that provider is configured; 0 or -1 (logged). */
int pay_provider_init(void);

/* The sandbox's shop key and site id (derived, see payment.h). */
void pay_sandbox_key(char out[65]);
#define PAY_SANDBOX_SITE "10000001"

/* Reads the vads_* notification fields common to both providers into out (after the caller
 * verified the signature). Returns false when a field is missing or malformed. */
bool pay_vads_read(const json_t *fields, struct pay_verified *out, char *why, size_t whylen);
/* The form fields every Lyra form has, for site and mode (new ref). */
json_t *pay_vads_form(const struct pay_checkout_info *c, const char *site_id, const char *mode);

#endif

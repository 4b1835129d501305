/* auth.h — access tokens (JWT ES256, verified with the account service's public key) and
 * the internal bearer secret that daemons use between themselves. */
#ifndef CIVITAS_AUTH_H
#define CIVITAS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LC_MAX_SERVICES 16

struct lc_claims {
	char sub[64];  /* user id (uuid) */
	char role[16]; /* citizen | partner | agent | editor | admin */
	char jti[64];
	char sid[64]; /* session id ("" when absent): a revoked session's tokens are refused */
	size_t nservices;
	char services[LC_MAX_SERVICES][32]; /* for agents: etat-civil, scolaire, ... */
	int64_t exp, iat;
};

/* Loads the PEM public key (file must be readable and non-empty) and the expected iss/aud.
 * Returns 0, or -1 with a message in err. Must succeed before any token is verified. */
int lc_auth_init(const char *public_key_path, const char *issuer, const char *audience, char *err,
                 size_t errlen);
/* Same from PEM bytes (tests). */
int lc_auth_init_pem(const char *pem, size_t pem_len, const char *issuer, const char *audience, char *err,
                     size_t errlen);
void lc_auth_free(void);

/* Verifies a compact JWT: alg must be ES256 (pinned after decode: "none" and HS256 refused),
 * signature, exp (required), nbf (if present), iss and aud (string or array) checked with
 * `now` (unix seconds; 0 = current time), 30 s leeway. Returns 0 and fills out, or -1 and a
 * short reason in why (never the token). */
int lc_auth_verify(const char *token, int64_t now, struct lc_claims *out, char *why, size_t whylen);

/* Role order for "at least": citizen < partner < agent < editor < admin. -1 if unknown. */
int lc_role_rank(const char *role);
bool lc_claims_has_role(const struct lc_claims *c, const char *role);     /* exact */
bool lc_claims_at_least(const struct lc_claims *c, const char *min_role); /* rank >= */
bool lc_claims_has_service(const struct lc_claims *c, const char *service);

/* Internal secret, loaded once (>= 32 bytes after trimming a final newline). */
int lc_internal_secret_init(const char *path, char *err, size_t errlen);
int lc_internal_secret_set(const char *secret, size_t len); /* tests */
const char *lc_internal_secret(void);                       /* for outgoing calls */
/* Constant-time check of an "Authorization: Bearer <secret>" header value. */
bool lc_internal_bearer_ok(const char *authorization_header);

#endif

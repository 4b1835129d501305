/* auth.c — verification of access tokens (JWT ES256 from civitas-account) and the internal
 * bearer secret between daemons. Keys and settings are written once at start, then read-only. */
#include "civitas/auth.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/buf.h"
#include "civitas/crypto.h"

#define LEEWAY_S        30
#define MAX_TOKEN       8192  /* our tokens are ~600 bytes; anything far larger is not ours */
#define MAX_KEY_FILE    16384 /* a PEM public key is a few hundred bytes */
#define MAX_SECRET_FILE 4096
#define MIN_SECRET      32
#define ES256_SIG_B64   86 /* 64 raw bytes (R || S) in unpadded base64url */

/* Set by lc_auth_init*, read-only while requests are served. OpenSSL 3 allows concurrent
 * verifications with one EVP_PKEY as long as nobody changes it. */
static struct {
	EVP_PKEY *key;
	char *issuer;
	char *audience;
	unsigned generation; /* bumped at every init: per-thread caches of old keys are ignored */
} g_auth;

static char *g_secret;
static size_t g_secret_len;

static void set_msg(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_msg(char *buf, size_t len, const char *fmt, ...)
{
	if (!buf || len == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* A key that OpenSSL cannot read as an EC P-256 public key would make every verification
 * fail at run time; refusing it at start is the loud, early failure we want. */
static EVP_PKEY *load_public_key(const char *pem, size_t len, char *err, size_t errlen)
{
	if (len == 0 || len > INT32_MAX) {
		set_msg(err, errlen, "public key is empty");
		return NULL;
	}
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		set_msg(err, errlen, "out of memory");
		return NULL;
	}
	EVP_PKEY *pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!pk) {
		set_msg(err, errlen, "public key is not a PEM public key");
		return NULL;
	}
	char group[64] = "";
	size_t glen = 0;
	int ok = EVP_PKEY_is_a(pk, "EC") &&
	         EVP_PKEY_get_utf8_string_param(pk, "group", group, sizeof group, &glen) == 1 &&
	         (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0);
	if (!ok) {
		EVP_PKEY_free(pk);
		set_msg(err, errlen, "public key is not an EC P-256 key (ES256)");
		return NULL;
	}
	return pk;
}

void lc_auth_free(void)
{
	EVP_PKEY_free(g_auth.key);
	free(g_auth.issuer);
	free(g_auth.audience);
	unsigned generation = g_auth.generation;
	memset(&g_auth, 0, sizeof g_auth);
	g_auth.generation = generation + 1;
}

int lc_auth_init_pem(const char *pem, size_t pem_len, const char *issuer, const char *audience, char *err,
                     size_t errlen)
{
	EVP_PKEY *key = pem ? load_public_key(pem, pem_len, err, errlen) : NULL;
	if (!key)
		return -1;
	if (!issuer || !*issuer || !audience || !*audience) {
		EVP_PKEY_free(key);
		set_msg(err, errlen, "issuer and audience must be set");
		return -1;
	}
	lc_auth_free();
	g_auth.key = key;
	g_auth.issuer = strdup(issuer);
	g_auth.audience = strdup(audience);
	if (!g_auth.issuer || !g_auth.audience) {
		lc_auth_free();
		set_msg(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int lc_auth_init(const char *public_key_path, const char *issuer, const char *audience, char *err,
                 size_t errlen)
{
	if (!public_key_path || !*public_key_path) {
		set_msg(err, errlen, "no public key file given");
		return -1;
	}
	size_t len = 0;
	char *pem = lc_file_read(public_key_path, MAX_KEY_FILE, &len);
	if (!pem) {
		set_msg(err, errlen, "cannot read public key %s: %s", public_key_path, strerror(errno));
		return -1;
	}
	if (len == 0) {
		free(pem);
		set_msg(err, errlen, "public key file %s is empty", public_key_path);
		return -1;
	}
	int rc = lc_auth_init_pem(pem, len, issuer, audience, err, errlen);
	free(pem);
	return rc;
}

/* --- Token checks --- */

/* The header must say ES256 and nothing we do not understand. (libjwt 1.10 takes the algorithm
 * from the header: that is why verification does not use it; account signs without it too.) */
static int check_header(const char *seg, size_t len, const char **why)
{
	size_t n = 0;
	unsigned char *raw = lc_b64url_decode(seg, len, &n);
	if (!raw) {
		*why = "malformed header";
		return -1;
	}
	json_t *hdr = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
	free(raw);
	int rc = -1;
	if (!json_is_object(hdr))
		*why = "malformed header";
	else if (!json_is_string(json_object_get(hdr, "alg")) ||
	         strcmp(json_string_value(json_object_get(hdr, "alg")), "ES256") != 0)
		*why = "algorithm is not ES256";
	else if (json_object_get(hdr, "crit"))
		*why = "unsupported critical header"; /* RFC 7515 4.1.11: we know no extension */
	else
		rc = 0;
	json_decref(hdr);
	return rc;
}

/* Copies a string claim into dst; absent is allowed only when !required. Values that do not
 * fit are refused rather than truncated (a cut id could name someone else). */
static int copy_claim(json_t *claims, const char *name, char *dst, size_t size, bool required,
                      const char **why)
{
	json_t *v = json_object_get(claims, name);
	dst[0] = '\0';
	if (!v) {
		if (required) {
			*why = "missing claim";
			return -1;
		}
		return 0;
	}
	if (!json_is_string(v)) {
		*why = "claim has the wrong type";
		return -1;
	}
	size_t len = json_string_length(v);
	if (len == 0 || len >= size || strlen(json_string_value(v)) != len) {
		*why = len >= size ? "claim too long" : "invalid claim value";
		return -1;
	}
	memcpy(dst, json_string_value(v), len + 1);
	return 0;
}

static int get_time_claim(json_t *claims, const char *name, bool required, int64_t *out, const char **why)
{
	json_t *v = json_object_get(claims, name);
	if (!v) {
		if (required) {
			*why = "missing exp";
			return -1;
		}
		return 1;
	}
	if (!json_is_integer(v)) {
		*why = "time claim is not an integer";
		return -1;
	}
	*out = (int64_t)json_integer_value(v);
	return 0;
}

static bool audience_ok(json_t *aud)
{
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), g_auth.audience) == 0;
	if (!json_is_array(aud))
		return false;
	size_t i;
	json_t *it;
	json_array_foreach(aud, i, it)
	{
		if (json_is_string(it) && strcmp(json_string_value(it), g_auth.audience) == 0)
			return true;
	}
	return false;
}

static int check_claims(json_t *claims, int64_t now, struct lc_claims *out, const char **why)
{
	int64_t exp = 0, nbf = 0, iat = 0;
	if (get_time_claim(claims, "exp", true, &exp, why) != 0)
		return -1;
	int has_nbf = get_time_claim(claims, "nbf", false, &nbf, why);
	if (has_nbf < 0)
		return -1;
	int has_iat = get_time_claim(claims, "iat", false, &iat, why);
	if (has_iat < 0)
		return -1;
	/* now is a current unix time, far from the int64 limits: now ± leeway cannot overflow. */
	if (now - LEEWAY_S >= exp) {
		*why = "token expired";
		return -1;
	}
	if (has_nbf == 0 && nbf > now + LEEWAY_S) {
		*why = "token not yet valid";
		return -1;
	}
	if (has_iat == 0 && iat > now + LEEWAY_S) {
		*why = "token issued in the future";
		return -1;
	}
	json_t *iss = json_object_get(claims, "iss");
	if (!json_is_string(iss) || strcmp(json_string_value(iss), g_auth.issuer) != 0) {
		*why = "wrong issuer";
		return -1;
	}
	if (!audience_ok(json_object_get(claims, "aud"))) {
		*why = "wrong audience";
		return -1;
	}
	if (copy_claim(claims, "sub", out->sub, sizeof out->sub, true, why) != 0 ||
	    copy_claim(claims, "role", out->role, sizeof out->role, true, why) != 0 ||
	    copy_claim(claims, "jti", out->jti, sizeof out->jti, false, why) != 0 ||
	    copy_claim(claims, "sid", out->sid, sizeof out->sid, false, why) != 0)
		return -1;

	json_t *svcs = json_object_get(claims, "services");
	if (svcs && !json_is_array(svcs)) {
		*why = "services is not an array";
		return -1;
	}
	if (json_array_size(svcs) > LC_MAX_SERVICES) {
		*why = "too many services";
		return -1;
	}
	size_t i;
	json_t *it;
	json_array_foreach(svcs, i, it)
	{
		size_t len = json_string_length(it);
		if (!json_is_string(it) || len == 0 || strlen(json_string_value(it)) != len) {
			*why = "invalid service";
			return -1;
		}
		if (len >= sizeof out->services[0]) {
			*why = "service name too long";
			return -1;
		}
		memcpy(out->services[i], json_string_value(it), len + 1);
	}
	out->nservices = json_array_size(svcs);
	out->exp = exp;
	out->iat = has_iat == 0 ? iat : 0;
	return 0;
}

/* Checks the ES256 signature (RFC 7518 3.4: R || S, 32 bytes each, over "header.payload")
 * with the key parsed at start; libjwt would parse the PEM again for every token. */
static bool signature_ok(const char *input, size_t input_len, const char *sig_b64, size_t sig_len)
{
	size_t n = 0;
	unsigned char *raw = lc_b64url_decode(sig_b64, sig_len, &n);
	bool ok = false;
	ECDSA_SIG *sig = NULL;
	unsigned char *der = NULL;
	EVP_MD_CTX *ctx = NULL;
	if (!raw || n != 64)
		goto out;
	sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, 32, NULL), *s = BN_bin2bn(raw + 32, 32, NULL);
	if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		goto out;
	}
	int der_len = i2d_ECDSA_SIG(sig, &der);
	ctx = EVP_MD_CTX_new();
	ok = der_len > 0 && ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, g_auth.key) == 1 &&
	     EVP_DigestVerify(ctx, der, (size_t)der_len, (const unsigned char *)input, input_len) == 1;
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	free(raw);
	return ok;
}

/* Tokens already verified by this thread, by SHA-256 of the whole token: a citizen's page sends
 * the same token for ten minutes, and an ECDSA verification costs far more than a hash. A hit
 * still goes through the time checks, so an expired token is refused as before. */
#define CACHE_SLOTS 64
struct cached_token {
	unsigned char digest[32];
	unsigned generation;
	bool used;
	int64_t nbf;
	struct lc_claims claims;
};
static _Thread_local struct cached_token token_cache[CACHE_SLOTS];

static int times_ok(const struct cached_token *c, int64_t now, const char **why)
{
	if (now - LEEWAY_S >= c->claims.exp) {
		*why = "token expired";
		return -1;
	}
	if (c->nbf > now + LEEWAY_S) {
		*why = "token not yet valid";
		return -1;
	}
	return 0;
}

/* A token not in the cache, checked in full: header (algorithm pinned), signature, claims. 0
 * with *claims and *nbf (INT64_MIN / 2 when absent) set, or -1 with *reason. */
static int verify_signed(const char *token, size_t len, int64_t now, struct lc_claims *claims, int64_t *nbf,
                         const char **reason)
{
	const char *dot1 = memchr(token, '.', len);
	const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
	if (!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token))) {
		*reason = "malformed token";
		return -1;
	}
	/* The algorithm is pinned from the header before anything else: "none" and HS256 (an
	 * HMAC keyed with our public key) are refused here, not by a library's choice. */
	if (check_header(token, (size_t)(dot1 - token), reason) != 0)
		return -1;
	/* The signature length is fixed for ES256; this also refuses the empty "none" signature. */
	size_t siglen = len - (size_t)(dot2 + 1 - token);
	if (siglen != ES256_SIG_B64 || dot2 == dot1 + 1) {
		*reason = "malformed token";
		return -1;
	}
	if (!signature_ok(token, (size_t)(dot2 - token), dot2 + 1, siglen)) {
		*reason = "bad signature";
		return -1;
	}
	size_t plen = 0;
	unsigned char *payload = lc_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &plen);
	json_t *j = payload ? json_loadb((const char *)payload, plen, JSON_REJECT_DUPLICATES, NULL) : NULL;
	free(payload);
	int rc = -1;
	if (!json_is_object(j))
		*reason = "malformed claims";
	else if (check_claims(j, now, claims, reason) == 0) {
		json_t *n = json_object_get(j, "nbf");
		*nbf = json_is_integer(n) ? (int64_t)json_integer_value(n) : INT64_MIN / 2;
		rc = 0;
	}
	json_decref(j);
	return rc;
}

/* The checks that come before any work on the token; NULL when it may be verified. */
static const char *verify_refusal(const char *token, size_t *len, int64_t now)
{
	if (!g_auth.key)
		return "auth not initialised";
	if (!token || !*token)
		return "empty token";
	*len = strnlen(token, MAX_TOKEN + 1);
	if (*len > MAX_TOKEN)
		return "token too long";
	if (now > INT64_MAX / 2)
		return "bad clock";
	return NULL;
}

int lc_auth_verify(const char *token, int64_t now, struct lc_claims *out, char *why, size_t whylen)
{
	struct lc_claims tmp;
	memset(&tmp, 0, sizeof tmp);
	if (now <= 0)
		now = (int64_t)time(NULL);
	size_t len = 0;
	const char *reason = verify_refusal(token, &len, now);
	int rc = -1;
	if (!reason) {
		/* A token seen before (same digest, same keys) skips the signature: only its times. */
		unsigned char digest[32];
		unsigned int dlen = 0;
		EVP_Digest(token, len, digest, &dlen, EVP_sha256(), NULL);
		struct cached_token *slot = &token_cache[digest[0] % CACHE_SLOTS];
		int64_t nbf;
		if (slot->used && slot->generation == g_auth.generation &&
		    CRYPTO_memcmp(slot->digest, digest, 32) == 0) {
			rc = times_ok(slot, now, &reason);
			tmp = slot->claims;
		} else if ((rc = verify_signed(token, len, now, &tmp, &nbf, &reason)) == 0) {
			memcpy(slot->digest, digest, 32);
			slot->generation = g_auth.generation;
			slot->claims = tmp;
			slot->nbf = nbf;
			slot->used = true;
		}
	}
	if (rc == 0 && out)
		*out = tmp;
	if (rc != 0)
		set_msg(why, whylen, "%s", reason ? reason : "invalid token");
	else
		set_msg(why, whylen, "ok");
	return rc;
}

/* --- Roles and services --- */

int lc_role_rank(const char *role)
{
	static const char *const order[] = {"citizen", "partner", "agent", "editor", "admin"};
	if (!role)
		return -1;
	for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++)
		if (strcmp(role, order[i]) == 0)
			return i;
	return -1;
}

bool lc_claims_has_role(const struct lc_claims *c, const char *role)
{
	return c && role && lc_role_rank(c->role) >= 0 && strcmp(c->role, role) == 0;
}

bool lc_claims_at_least(const struct lc_claims *c, const char *min_role)
{
	if (!c)
		return false;
	int have = lc_role_rank(c->role), need = lc_role_rank(min_role);
	return have >= 0 && need >= 0 && have >= need;
}

bool lc_claims_has_service(const struct lc_claims *c, const char *service)
{
	if (!c || !service)
		return false;
	for (size_t i = 0; i < c->nservices && i < LC_MAX_SERVICES; i++)
		if (strcmp(c->services[i], service) == 0)
			return true;
	return false;
}

/* --- Internal bearer secret --- */

int lc_internal_secret_set(const char *secret, size_t len)
{
	if (!secret || len < MIN_SECRET || len > MAX_SECRET_FILE)
		return -1;
	/* The secret travels in an HTTP header: visible ASCII only, no spaces. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)secret[i] <= 0x20 || (unsigned char)secret[i] >= 0x7f)
			return -1;
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, secret, len);
	copy[len] = '\0';
	if (g_secret) {
		OPENSSL_cleanse(g_secret, g_secret_len);
		free(g_secret);
	}
	g_secret = copy;
	g_secret_len = len;
	return 0;
}

int lc_internal_secret_init(const char *path, char *err, size_t errlen)
{
	if (!path || !*path) {
		set_msg(err, errlen, "no internal secret file given");
		return -1;
	}
	size_t len = 0;
	char *data = lc_file_read(path, MAX_SECRET_FILE, &len);
	if (!data) {
		set_msg(err, errlen, "cannot read internal secret %s: %s", path, strerror(errno));
		return -1;
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	int rc = lc_internal_secret_set(data, len);
	OPENSSL_cleanse(data, len);
	free(data);
	if (rc != 0)
		set_msg(err, errlen, "internal secret %s must hold at least %d visible ASCII characters",
		        path, MIN_SECRET);
	return rc;
}

const char *lc_internal_secret(void)
{
	return g_secret;
}

bool lc_internal_bearer_ok(const char *authorization_header)
{
	if (!g_secret || !authorization_header)
		return false;
	/* Hashing both sides first makes the comparison length-independent: CRYPTO_memcmp on
	 * the raw values would need equal lengths and so leak the secret's length. */
	static const char prefix[] = "Bearer ";
	unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	unsigned int wlen = 0, glen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return false;
	bool ok =
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, prefix, sizeof prefix - 1) == 1 &&
	    EVP_DigestUpdate(ctx, g_secret, g_secret_len) == 1 && EVP_DigestFinal_ex(ctx, want, &wlen) == 1 &&
	    EVP_Digest(authorization_header, strlen(authorization_header), got, &glen, EVP_sha256(), NULL) ==
	        1 &&
	    wlen == glen && CRYPTO_memcmp(want, got, wlen) == 0;
	EVP_MD_CTX_free(ctx);
	return ok;
}

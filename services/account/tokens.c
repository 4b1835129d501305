/* tokens.c — the access tokens civitas-account signs (JWT ES256, 10 minutes) with the private key
 * of CIVITAS_JWT_PRIVATE_KEY, the JWKS of its public half, and the random one-time tokens.
 * Signed here with OpenSSL and the key parsed once at start: libjwt 1.10 decodes the PEM again
 * for every token (OpenSSL 3.0's decoders: ~1 ms of CPU a sign-in, against ~50 µs for the
 * signature itself). The token is what libjwt made: header {"alg":"ES256","kid":…,"typ":"JWT"}
 * and the claims as compact JSON with sorted keys, base64url without padding. */
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/auth.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"

#include "account.h"

/* Written once at start, read-only while requests are served. */
static struct {
	unsigned char *pem; /* also the key of tokens_successor's HMAC */
	size_t len;
	EVP_PKEY *key; /* the same key, parsed: shared by the threads (signing only reads it) */
	char kid[64];
	char x[64], y[64]; /* base64url coordinates of the public point */
	char *head;        /* base64url of the header, the same for every token */
} K;

void tokens_free(void)
{
	if (K.pem)
		OPENSSL_cleanse(K.pem, K.len);
	free(K.pem);
	EVP_PKEY_free(K.key);
	free(K.head);
	memset(&K, 0, sizeof(K));
}

static bool coordinate(const EVP_PKEY *pk, const char *name, char *out, size_t outlen)
{
	BIGNUM *bn = NULL;
	unsigned char raw[32];
	bool ok = EVP_PKEY_get_bn_param(pk, name, &bn) == 1 && BN_bn2binpad(bn, raw, sizeof(raw)) == 32;
	BN_free(bn);
	char *b = ok ? lc_b64url_encode(raw, sizeof(raw)) : NULL;
	if (b)
		snprintf(out, outlen, "%s", b);
	free(b);
	return b != NULL;
}

int tokens_init_pem(const char *pem, size_t len, char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pk = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	char group[32] = "";
	size_t glen = 0;
	if (!pk || !EVP_PKEY_is_a(pk, "EC") ||
	    EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) !=
	        1 ||
	    (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0)) {
		EVP_PKEY_free(pk);
		snprintf(err, errlen, "the signing key is not an EC P-256 private key (ES256)");
		return -1;
	}
	tokens_free();
	bool ok = coordinate(pk, OSSL_PKEY_PARAM_EC_PUB_X, K.x, sizeof(K.x)) &&
	          coordinate(pk, OSSL_PKEY_PARAM_EC_PUB_Y, K.y, sizeof(K.y));
	if (!ok) {
		EVP_PKEY_free(pk);
		snprintf(err, errlen, "cannot read the public point of the signing key");
		return -1;
	}
	K.key = pk;
	/* RFC 7638 thumbprint: SHA-256 of the required members in lexical order. */
	char canon[256];
	snprintf(canon, sizeof(canon), "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", K.x,
	         K.y);
	char hex[65];
	lc_sha256_hex(canon, strlen(canon), hex);
	snprintf(K.kid, sizeof(K.kid), "%.16s", hex);
	char head[128];
	snprintf(head, sizeof(head), "{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", K.kid);
	K.head = lc_b64url_encode(head, strlen(head));
	K.pem = malloc(len + 1);
	if (!K.pem || !K.head) {
		tokens_free();
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(K.pem, pem, len);
	K.pem[len] = '\0';
	K.len = len;
	return 0;
}

int tokens_init(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot read CIVITAS_JWT_PRIVATE_KEY %s: %s", path, strerror(errno));
		return -1;
	}
	char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (n == 0 || n >= sizeof(buf) - 1) {
		snprintf(err, errlen, "CIVITAS_JWT_PRIVATE_KEY %s is empty or too large", path);
		return -1;
	}
	buf[n] = '\0';
	int rc = tokens_init_pem(buf, n, err, errlen);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* The ES256 signature of input (RFC 7518 3.4: R || S, 32 bytes each), base64url; NULL on error. */
static char *sign_es256(const char *input, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[80], raw[64];
	size_t dlen = sizeof(der);
	bool ok = ctx && EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, K.key, NULL) == 1 &&
	          EVP_DigestSign(ctx, der, &dlen, (const unsigned char *)input, len) == 1;
	EVP_MD_CTX_free(ctx);
	const unsigned char *p = der;
	ECDSA_SIG *sig = ok ? d2i_ECDSA_SIG(NULL, &p, (long)dlen) : NULL;
	const BIGNUM *r = NULL, *s = NULL;
	if (sig)
		ECDSA_SIG_get0(sig, &r, &s);
	ok = sig && BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32;
	ECDSA_SIG_free(sig);
	return ok ? lc_b64url_encode(raw, sizeof(raw)) : NULL;
}

char *tokens_issue(const char *sub, const char *role, const json_t *services, const char *sid, int64_t now)
{
	if (!K.key)
		return NULL;
	if (now == 0)
		now = (int64_t)time(NULL);
	char jti[37];
	lc_uuid_v4(jti);
	json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o}", "iss", "civitas-account",
	                           "aud", "civitas", "sub", sub, "role", role, "jti", jti, "iat",
	                           (json_int_t)now, "exp", (json_int_t)now + ACCESS_TTL_S, "services",
	                           services ? json_incref((json_t *)services) : json_array());
	if (claims && sid && json_object_set_new(claims, "sid", json_string(sid)) != 0) {
		json_decref(claims);
		claims = NULL;
	}
	char *text = claims ? json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(claims);
	char *body = text ? lc_b64url_encode(text, strlen(text)) : NULL;
	free(text);
	if (!body)
		return NULL;
	size_t hlen = strlen(K.head), blen = strlen(body);
	char *tok = malloc(hlen + 1 + blen + 1 + 86 + 1); /* a 64-byte signature is 86 characters */
	char *sig = NULL;
	if (tok) {
		memcpy(tok, K.head, hlen);
		tok[hlen] = '.';
		memcpy(tok + hlen + 1, body, blen + 1);
		sig = sign_es256(tok, hlen + 1 + blen);
	}
	free(body);
	if (!sig || strlen(sig) != 86) {
		free(sig);
		free(tok);
		return NULL;
	}
	tok[hlen + 1 + blen] = '.';
	memcpy(tok + hlen + 1 + blen + 1, sig, 87);
	free(sig);
	return tok;
}

json_t *tokens_jwks(void)
{
	return json_pack("{s:[{s:s, s:s, s:s, s:s, s:s, s:s}]}", "keys", "kty", "EC", "crv", "P-256", "x",
	                 K.x, "y", K.y, "kid", K.kid, "alg", "ES256", "use", "sig");
}

bool tokens_request_sid(struct lc_request *rq, char out[64])
{
	out[0] = '\0';
	const char *h = lc_rq_claims(rq) ? lc_rq_header(rq, "Authorization") : NULL;
	if (!h || strncmp(h, "Bearer ", 7) != 0)
		return false;
	/* The token was verified by libcommon before the handler ran: its payload can be trusted. */
	const char *p = strchr(h + 7, '.');
	const char *e = p ? strchr(p + 1, '.') : NULL;
	if (!e)
		return false;
	size_t n = 0;
	unsigned char *raw = lc_b64url_decode(p + 1, (size_t)(e - p - 1), &n);
	json_t *claims = raw ? json_loadb((const char *)raw, n, 0, NULL) : NULL;
	free(raw);
	const char *sid = json_string_value(json_object_get(claims, "sid"));
	bool ok = sid && lc_json_is_uuid(sid);
	if (ok)
		snprintf(out, 64, "%s", sid);
	json_decref(claims);
	return ok;
}

bool tokens_random(char token[48], char hash[65])
{
	if (!lc_random_token(token, 48, 32))
		return false;
	lc_sha256_hex(token, strlen(token), hash);
	return true;
}

bool tokens_successor(const char *token, char next[48], char hash[65])
{
	/* Keyed with the signing key, which only this service holds: knowing a refresh token and
	 * the database gives nothing about the token that follows it. */
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "civitas-refresh-successor:%s", token);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (!K.pem || n <= 0 || (size_t)n >= sizeof(msg) ||
	    !HMAC(EVP_sha256(), K.pem, (int)K.len, (const unsigned char *)msg, (size_t)n, md, &mdlen) ||
	    mdlen != 32)
		return false;
	char *b = lc_b64url_encode(md, 32);
	OPENSSL_cleanse(md, sizeof(md));
	if (!b || strlen(b) != 43) {
		free(b);
		return false;
	}
	memcpy(next, b, 44);
	free(b);
	lc_sha256_hex(next, 43, hash);
	return true;
}

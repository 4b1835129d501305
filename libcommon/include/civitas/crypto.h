/* crypto.h — small cryptographic and encoding helpers every service needs: ids, one-time
 * tokens stored hashed, HMAC signatures, base64url, constant-time comparison, file sniffing. */
#ifndef CIVITAS_CRYPTO_H
#define CIVITAS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

/* A random (v4) UUID, lower case, 36 characters + NUL. Aborts if the CSPRNG fails. */
void lc_uuid_v4(char out[37]);

/* Unpadded base64url. encode: malloc'd NUL-terminated string (caller frees), NULL on OOM.
 * decode: malloc'd bytes (caller frees) or NULL when s is not canonical base64url. */
char *lc_b64url_encode(const void *data, size_t len);
unsigned char *lc_b64url_decode(const char *s, size_t len, size_t *outlen);

/* A one-time secret (e-mail links, refresh tokens): `bytes` from RAND_bytes, base64url-encoded
 * into out (needs 4*bytes/3+2 bytes). Returns false if the CSPRNG fails. */
bool lc_random_token(char *out, size_t outlen, size_t bytes);

/* SHA-256 of data as 64 lower-case hex characters + NUL: how tokens are stored. */
void lc_sha256_hex(const void *data, size_t len, char out[65]);
/* HMAC-SHA256(key, data) as 64 hex characters + NUL. */
void lc_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len, char out[65]);
/* Constant-time equality of two strings (lengths compared without an early exit on content). */
bool lc_secret_equal(const char *a, const char *b);

/* The real type of uploaded bytes from their magic numbers: "application/pdf", "image/png",
 * "image/jpeg", "image/webp", "image/svg+xml" (text starting with <svg or <?xml), or NULL. */
const char *lc_sniff_mime(const void *data, size_t len);

#endif

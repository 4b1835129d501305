/* crypto.c — ids, tokens, hashes, HMAC, base64url and magic-number sniffing on OpenSSL 3.
 * Every secret comes from RAND_bytes and is compared with CRYPTO_memcmp. */
#include "civitas/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void lc_uuid_v4(char out[37])
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		abort(); /* an id must never repeat: without randomness nothing is safe to do */
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
	         b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static const char b64url_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *lc_b64url_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = malloc(len / 3 * 4 + 5);
	if (!out)
		return NULL;
	size_t o = 0, i = 0;
	for (; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64url_chars[v >> 18 & 63];
		out[o++] = b64url_chars[v >> 12 & 63];
		out[o++] = b64url_chars[v >> 6 & 63];
		out[o++] = b64url_chars[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		out[o++] = b64url_chars[v >> 18 & 63];
		out[o++] = b64url_chars[v >> 12 & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = b64url_chars[v >> 18 & 63];
		out[o++] = b64url_chars[v >> 12 & 63];
		out[o++] = b64url_chars[v >> 6 & 63];
	}
	out[o] = '\0';
	return out;
}

static int b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

unsigned char *lc_b64url_decode(const char *s, size_t len, size_t *outlen)
{
	if (len % 4 == 1)
		return NULL;
	unsigned char *out = malloc(len / 4 * 3 + 3);
	if (!out)
		return NULL;
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64url_value((unsigned char)s[i]);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* Leftover bits must be zero, or two encodings would give the same bytes. */
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
		free(out);
		return NULL;
	}
	*outlen = o;
	return out;
}

bool lc_random_token(char *out, size_t outlen, size_t bytes)
{
	unsigned char buf[128];
	if (bytes == 0 || bytes > sizeof(buf) || outlen < bytes * 4 / 3 + 2)
		return false;
	if (RAND_bytes(buf, (int)bytes) != 1)
		return false;
	char *enc = lc_b64url_encode(buf, bytes);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!enc)
		return false;
	snprintf(out, outlen, "%s", enc);
	OPENSSL_cleanse(enc, strlen(enc));
	free(enc);
	return true;
}

static void hex(const unsigned char *md, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[i * 2] = digits[md[i] >> 4];
		out[i * 2 + 1] = digits[md[i] & 15];
	}
	out[n * 2] = '\0';
}

void lc_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	hex(md, 32, out);
}

void lc_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	HMAC(EVP_sha256(), key, (int)keylen, data, len, md, &n);
	hex(md, 32, out);
}

bool lc_secret_equal(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	/* Hashing first makes the comparison independent of where the strings differ and of
	 * their lengths. */
	char ha[65], hb[65];
	lc_sha256_hex(a, strlen(a), ha);
	lc_sha256_hex(b, strlen(b), hb);
	return CRYPTO_memcmp(ha, hb, 64) == 0;
}

const char *lc_sniff_mime(const void *data, size_t len)
{
	const unsigned char *p = data;
	if (len >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return "image/jpeg";
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	size_t i = 0;
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if ((len - i >= 4 && strncasecmp((const char *)p + i, "<svg", 4) == 0) ||
	    (len - i >= 5 && strncasecmp((const char *)p + i, "<?xml", 5) == 0))
		return "image/svg+xml";
	return NULL;
}

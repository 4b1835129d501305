/* totp.c — time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1, 30-second
 * steps, 6 digits, one step of drift either way, and a step already used is refused. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "account.h"

#define STEP_S 30

unsigned totp_code(const unsigned char *secret, size_t len, uint64_t step)
{
	unsigned char msg[8];
	for (int i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(step & 0xff);
		step >>= 8;
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	HMAC(EVP_sha1(), secret, (int)len, msg, sizeof(msg), md, &mdlen);
	unsigned off = md[mdlen - 1] & 0x0f;
	uint32_t bin = ((uint32_t)(md[off] & 0x7f) << 24) | ((uint32_t)md[off + 1] << 16) |
	               ((uint32_t)md[off + 2] << 8) | md[off + 3];
	return bin % 1000000u;
}

int64_t totp_check(const unsigned char *secret, size_t len, const char *code, int64_t now, int64_t last_step)
{
	if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6 || now < 0)
		return -1;
	char want[7];
	int64_t step = now / STEP_S, found = -1;
	for (int64_t s = step - 1; s <= step + 1; s++) {
		if (s < 0)
			continue;
		snprintf(want, sizeof(want), "%06u", totp_code(secret, len, (uint64_t)s));
		/* Compare every candidate in constant time; keep looking so timing does not tell which. */
		if (CRYPTO_memcmp(want, code, 6) == 0 && found < 0)
			found = s;
	}
	return found > last_step ? found : -1;
}

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void totp_base32_encode(const unsigned char *data, size_t len, char *out, size_t outlen)
{
	size_t o = 0;
	unsigned buf = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		buf = (buf << 8) | data[i];
		bits += 8;
		while (bits >= 5 && o + 1 < outlen) {
			out[o++] = alphabet[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0 && o + 1 < outlen)
		out[o++] = alphabet[(buf << (5 - bits)) & 31];
	out[o] = '\0';
}

int totp_base32_decode(const char *s, unsigned char *out, size_t outlen)
{
	unsigned buf = 0;
	int bits = 0;
	size_t o = 0;
	for (; *s && *s != '='; s++) {
		const char *p = strchr(alphabet, *s >= 'a' && *s <= 'z' ? *s - 32 : *s);
		if (!p || !*s)
			return -1;
		buf = (buf << 5) | (unsigned)(p - alphabet);
		bits += 5;
		if (bits >= 8) {
			if (o >= outlen)
				return -1;
			out[o++] = (unsigned char)((buf >> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return (int)o;
}

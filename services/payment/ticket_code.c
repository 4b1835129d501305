/* ticket_code.c — ticket codes a door can check offline: "CVT1.<ticket id as 32 hex>.<first 16
 * bytes of HMAC-SHA-256(ticket key, "CVT1.<hex>") in base64url>". The key is derived from the
 * internal secret; a code that does not verify is invalid without asking the database. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/crypto.h"

#include "payment.h"

static bool mac_of(const char *prefix_and_hex, char out[32])
{
	char key[65];
	pay_derived_key("ticket-code", key);
	unsigned char mac[32];
	unsigned int n = 0;
	HMAC(EVP_sha256(), key, 64, (const unsigned char *)prefix_and_hex, strlen(prefix_and_hex), mac, &n);
	char *b = lc_b64url_encode(mac, 16);
	if (!b)
		return false;
	snprintf(out, 32, "%s", b);
	free(b);
	return true;
}

void pay_ticket_code(const char *ticket_id, char out[96])
{
	char head[48] = "CVT1.";
	size_t j = 5;
	for (const char *p = ticket_id; *p && j < 37; p++)
		if (*p != '-')
			head[j++] = *p;
	head[j] = '\0';
	char mac[32] = "";
	mac_of(head, mac);
	snprintf(out, 96, "%s.%s", head, mac);
}

bool pay_ticket_code_ok(const char *code)
{
	if (!code || strlen(code) != 5 + 32 + 1 + 22 || strncmp(code, "CVT1.", 5) != 0 || code[37] != '.')
		return false;
	char head[48];
	snprintf(head, sizeof(head), "%.37s", code);
	for (int i = 5; i < 37; i++)
		if (!((head[i] >= '0' && head[i] <= '9') || (head[i] >= 'a' && head[i] <= 'f')))
			return false;
	char mac[32];
	return mac_of(head, mac) && lc_secret_equal(mac, code + 38);
}

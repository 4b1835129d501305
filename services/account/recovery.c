/* recovery.c — the ten single-use recovery codes of a TOTP enrolment: 80 random bits each,
 * written XXXX-XXXX-XXXX-XXXX in an alphabet without look-alike characters, shown once and
 * stored as a SHA-256 bound to the account (enough for 80 bits: no dictionary to try). */
#include <ctype.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/crypto.h"
#include "civitas/db.h"

#include "account.h"

static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

bool recovery_code_hash(const char *user_id, const char *code, char hash[65])
{
	char norm[RECOVERY_CODE_CHARS + 1];
	size_t n = 0;
	for (const char *p = code; p && *p; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		char c = (char)toupper((unsigned char)*p);
		if (n == RECOVERY_CODE_CHARS || !strchr(alphabet, c) || c == '\0')
			return false;
		norm[n++] = c;
	}
	if (n != RECOVERY_CODE_CHARS)
		return false;
	norm[n] = '\0';
	char text[64];
	int len = snprintf(text, sizeof(text), "%s:%s", user_id, norm);
	lc_sha256_hex(text, (size_t)len, hash);
	return true;
}

json_t *recovery_codes_issue(struct lc_db *db, const char *user_id)
{
	const char *p[] = {user_id};
	if (lc_db_run(db, "recovery_codes_delete", 1, p) < 0)
		return NULL;
	json_t *codes = json_array();
	for (int i = 0; i < RECOVERY_CODES; i++) {
		unsigned char raw[10]; /* 80 bits = 16 characters of 5 bits */
		if (RAND_bytes(raw, sizeof(raw)) != 1)
			goto fail;
		char code[RECOVERY_CODE_CHARS + 4], hash[65];
		size_t o = 0;
		for (int k = 0; k < RECOVERY_CODE_CHARS; k++) {
			int bit = k * 5, byte = bit / 8, shift = bit % 8;
			unsigned v =
			    ((unsigned)raw[byte] << 8 | (byte + 1 < 10 ? raw[byte + 1] : 0)) >> (11 - shift);
			if (k && k % 4 == 0)
				code[o++] = '-';
			code[o++] = alphabet[v & 31];
		}
		code[o] = '\0';
		if (!recovery_code_hash(user_id, code, hash))
			goto fail;
		const char *q[] = {user_id, hash};
		if (lc_db_run(db, "recovery_code_insert", 2, q) != 1)
			goto fail;
		json_array_append_new(codes, json_string(code));
	}
	return codes;
fail:
	json_decref(codes);
	return NULL;
}

int recovery_code_use(struct lc_db *db, const char *user_id, const char *code, int *left)
{
	char hash[65];
	if (!recovery_code_hash(user_id, code, hash))
		return 0;
	const char *p[] = {user_id, hash};
	PGresult *r = lc_db_exec(db, "recovery_code_use", 2, p);
	if (!r)
		return -1;
	int used = PQntuples(r) == 1;
	if (used && left)
		*left = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return used;
}

/* password.c — argon2id password hashing in PHC format, the password policy and the lockout
 * schedule. Parameters follow the blueprint: m=19456 KiB, t=2, p=1 (OWASP's first choice). */
#include <argon2.h>
#include <ctype.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "civitas/crypto.h"
#include "civitas/json.h"

#include "account.h"

#define M_COST   19456
#define T_COST   2
#define P_COST   1
#define SALT_LEN 16
#define HASH_LEN 32

/* A valid hash of a password nobody knows: verifying against it costs what a real check costs. */
static const char dummy_phc[] = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                "Xc8/dUqyR7xv0BS6FXyiXXQZs16Hy3bbmAHwD+6mmv4";

int account_password_hash(const char *password, char out[ACCOUNT_PHC_MAX])
{
	unsigned char salt[SALT_LEN];
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	int rc = argon2id_hash_encoded(T_COST, M_COST, P_COST, password, strlen(password), salt, sizeof(salt),
	                               HASH_LEN, out, ACCOUNT_PHC_MAX);
	return rc == ARGON2_OK ? 0 : -1;
}

bool account_password_verify(const char *phc, const char *password)
{
	bool real = phc && strncmp(phc, "$argon2id$", 10) == 0;
	int rc = argon2id_verify(real ? phc : dummy_phc, password, strlen(password));
	return real && rc == ARGON2_OK;
}

/* Case-insensitive equality after trimming spaces (ASCII folding is enough to catch "Dupont"). */
static bool same_text(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	while (isspace((unsigned char)*a))
		a++;
	while (isspace((unsigned char)*b))
		b++;
	size_t la = strlen(a), lb = strlen(b);
	while (la && isspace((unsigned char)a[la - 1]))
		la--;
	while (lb && isspace((unsigned char)b[lb - 1]))
		lb--;
	return la == lb && la > 0 && strncasecmp(a, b, la) == 0;
}

const char *account_password_policy(const char *password, const char *email, const char *given_name,
                                    const char *family_name)
{
	size_t n = lc_utf8_length(password);
	if (n < 12 || n > 128)
		return "out_of_range";
	if (same_text(password, email))
		return "same_as_email";
	if (email) { /* the part before @ alone, padded to 12 characters, is as guessable */
		const char *at = strchr(email, '@');
		if (at && (size_t)(at - email) == strlen(password) &&
		    strncasecmp(password, email, strlen(password)) == 0)
			return "same_as_email";
	}
	if (same_text(password, given_name) || same_text(password, family_name))
		return "same_as_name";
	if (given_name && family_name) {
		char full[256];
		snprintf(full, sizeof(full), "%s %s", given_name, family_name);
		char full2[256];
		snprintf(full2, sizeof(full2), "%s%s", given_name, family_name);
		if (same_text(password, full) || same_text(password, full2))
			return "same_as_name";
	}
	return NULL;
}

int account_lock_minutes(int level)
{
	static const int minutes[] = {1, 5, 15, 60};
	if (level < 1)
		return 0;
	return level > 4 ? 60 : minutes[level - 1];
}

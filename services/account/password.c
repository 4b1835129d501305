/* password.c — argon2id password hashing in PHC format, the password policy and the lockout
 * schedule. Every hash, new or checked, runs on a hash thread of the offload pool when the caller
 * is a handler thread (the handlers that hash, login among them, are LC_OFFLOAD routes):
 * an HTTP thread never spends 20 ms on a hash while other requests wait on it. Parameters follow the
 * blueprint: m=19456 KiB, t=2, p=1 (OWASP's first choice; account.h). */
#include <argon2.h>
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "civitas/crypto.h"
#include "civitas/json.h"
#include "civitas/offload.h"

#include "account.h"

#define SALT_LEN 16
#define HASH_LEN 32

/* A valid hash of a password nobody knows: verifying against it costs what a real check costs. */
static const char dummy_phc[] = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                "Xc8/dUqyR7xv0BS6FXyiXXQZs16Hy3bbmAHwD+6mmv4";

/* --- memory kept between hashes -----------------------------------------------------------
 * A hash needs m_cost KiB (19 MiB). Freshly mapped for each hash, those pages fault in one by
 * one: on a virtual machine that costs twice the hash itself (measured: ~4,860 page faults and
 * 117 ms of CPU per login for a 31 ms hash). Each hash thread of the offload pool (one per CPU,
 * its slot) keeps its block between the hashes of a busy spell (sign-ins, registrations, password
 * changes alike) and gives it back when it goes idle (account_password_idle), so an idle daemon
 * stays small and a busy one holds one block per CPU. Elsewhere (a hash run inline) memory is
 * allocated for the hash. Only the slot's own thread touches the slot's block.
 *
 * A kept block is aligned on and rounded up to 2 MiB and asked for transparent huge pages
 * (MADV_HUGEPAGE; Debian's default THP mode is "madvise", so nothing happens without the ask):
 * argon2id reads the block at random, and with 4 KiB pages most of those reads first miss the TLB
 * (~4,900 pages), worse on a virtual machine that flushes the TLB on every kernel entry (PTI without
 * PCID here); with 2 MiB pages the block is ten entries. Measured on this 2-core machine with two
 * hashing threads: 92 → 104 hashes/s (tests/bench: civitas-bench-argon2). Where the kernel has
 * no huge page to give, the block is ordinary memory: slower, never wrong. */
#define HUGE_PAGE ((size_t)2 << 20)

static struct {
	uint8_t *mem;
	size_t cap;
} blocks[LC_OFFLOAD_MAX_SLOTS];

static int block_allocate(uint8_t **memory, size_t bytes)
{
	int s = lc_offload_slot();
	if (s < 0) {
		*memory = malloc(bytes);
		return *memory ? 0 : -1;
	}
	if (blocks[s].cap < bytes) {
		free(blocks[s].mem);
		size_t cap = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		blocks[s].mem = aligned_alloc(HUGE_PAGE, cap);
		blocks[s].cap = blocks[s].mem ? cap : 0;
		if (blocks[s].mem)
			(void)madvise(blocks[s].mem, cap, MADV_HUGEPAGE); /* a hint: refused is fine */
	}
	*memory = blocks[s].mem;
	return *memory ? 0 : -1;
}

static void block_free(uint8_t *memory, size_t bytes)
{
	(void)bytes;
	int s = lc_offload_slot();
	if (s < 0 || memory != blocks[s].mem) /* argon2 has wiped it already (clear_internal_memory) */
		free(memory);
}

void account_password_idle(int slot)
{
	if (slot < 0 || slot >= LC_OFFLOAD_MAX_SLOTS)
		return;
	free(blocks[slot].mem);
	blocks[slot].mem = NULL;
	blocks[slot].cap = 0;
}

/* PHC text ($argon2id$v=19$m=..,t=..,p=..$salt$hash, standard base64 without padding) → bytes. */
static unsigned char *phc_b64(const char *s, size_t len, size_t *outlen)
{
	char buf[128];
	if (len == 0 || len >= sizeof(buf))
		return NULL;
	for (size_t i = 0; i < len; i++) /* same digits as base64url but for two */
		buf[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i] == '-' || s[i] == '_' ? '!' : s[i];
	return lc_b64url_decode(buf, len, outlen);
}

/* Fills ctx's costs, salt and expected hash from an argon2id PHC string. false when malformed. */
static bool phc_decode(const char *phc, argon2_context *ctx, unsigned char **salt, unsigned char **hash,
                       size_t *hashlen)
{
	unsigned v, m, t, p;
	int n = 0;
	if (sscanf(phc, "$argon2id$v=%u$m=%u,t=%u,p=%u$%n", &v, &m, &t, &p, &n) != 4 || n == 0)
		return false;
	const char *salt64 = phc + n, *dollar = strchr(salt64, '$');
	if (!dollar || v != ARGON2_VERSION_13 || m < 8 || m > 1024 * 1024 || t < 1 || t > 64 || p < 1 ||
	    p > 16)
		return false;
	size_t saltlen = 0;
	*salt = phc_b64(salt64, (size_t)(dollar - salt64), &saltlen);
	*hash = phc_b64(dollar + 1, strlen(dollar + 1), hashlen);
	if (!*salt || !*hash || saltlen < 8 || *hashlen < 4 || *hashlen > 64)
		return false;
	ctx->salt = *salt;
	ctx->saltlen = (uint32_t)saltlen;
	ctx->t_cost = t;
	ctx->m_cost = m;
	ctx->lanes = ctx->threads = p;
	ctx->version = v;
	return true;
}

/* One argon2id computation, run on a hash thread (lc_offload_cpu): from a handler thread of the
 * offload pool it waits there for its turn (at most one hash per CPU at a time, below the HTTP
 * threads' priority); anywhere else it runs at once on the calling thread. */
struct hash_job {
	argon2_context ctx;
	int rc;
};

static void hash_work(void *arg)
{
	struct hash_job *j = arg;
	j->rc = argon2_ctx(&j->ctx, Argon2_id);
}

static int run_hash(struct hash_job *j)
{
	j->ctx.allocate_cbk = block_allocate;
	j->ctx.free_cbk = block_free;
	j->ctx.version = ARGON2_VERSION_13;
	j->ctx.flags = ARGON2_DEFAULT_FLAGS;
	lc_offload_cpu(hash_work, j);
	return j->rc;
}

/* Standard base64 without padding (PHC strings): base64url's digits but for two. */
static bool phc_b64_put(const unsigned char *bytes, size_t len, char *out, size_t cap)
{
	char *t = lc_b64url_encode(bytes, len);
	if (!t)
		return false;
	size_t n = strlen(t);
	bool ok = n < cap;
	for (size_t i = 0; ok && i <= n; i++)
		out[i] = t[i] == '-' ? '+' : t[i] == '_' ? '/' : t[i];
	free(t);
	return ok;
}

int account_password_hash(const char *password, char out[ACCOUNT_PHC_MAX])
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	struct hash_job j = {.ctx = {.out = hash,
	                             .outlen = sizeof(hash),
	                             .pwd = (uint8_t *)password,
	                             .pwdlen = (uint32_t)strlen(password),
	                             .salt = salt,
	                             .saltlen = sizeof(salt),
	                             .t_cost = ACCOUNT_ARGON2_T,
	                             .m_cost = ACCOUNT_ARGON2_M_KIB,
	                             .lanes = ACCOUNT_ARGON2_P,
	                             .threads = ACCOUNT_ARGON2_P}};
	char salt64[32], hash64[64];
	if (run_hash(&j) != ARGON2_OK || !phc_b64_put(salt, sizeof(salt), salt64, sizeof(salt64)) ||
	    !phc_b64_put(hash, sizeof(hash), hash64, sizeof(hash64)))
		return -1;
	int n = snprintf(out, ACCOUNT_PHC_MAX, "$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", ARGON2_VERSION_13,
	                 ACCOUNT_ARGON2_M_KIB, ACCOUNT_ARGON2_T, ACCOUNT_ARGON2_P, salt64, hash64);
	return n > 0 && n < ACCOUNT_PHC_MAX ? 0 : -1;
}

bool account_password_verify(const char *phc, const char *password)
{
	bool real = phc && strncmp(phc, "$argon2id$", 10) == 0;
	unsigned char *salt = NULL, *hash = NULL, out[64];
	size_t hashlen = 0;
	struct hash_job j = {
	    .ctx = {.out = out, .pwd = (uint8_t *)password, .pwdlen = (uint32_t)strlen(password)}};
	/* A malformed stored hash costs the same work as a real one, against the dummy. */
	if (!real || !phc_decode(phc, &j.ctx, &salt, &hash, &hashlen)) {
		real = false;
		free(salt);
		free(hash);
		salt = hash = NULL;
		if (!phc_decode(dummy_phc, &j.ctx, &salt, &hash, &hashlen)) {
			free(salt);
			free(hash);
			return false;
		}
	}
	j.ctx.outlen = (uint32_t)hashlen;
	/* The stored hash is recomputed, then compared in constant time. */
	bool same = run_hash(&j) == ARGON2_OK && CRYPTO_memcmp(out, hash, hashlen) == 0;
	OPENSSL_cleanse(out, sizeof(out));
	free(salt);
	free(hash);
	return real && same;
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

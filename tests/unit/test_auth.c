/* test_auth.c — unit tests of libcommon/src/auth.c: ES256 access tokens signed here with fresh
 * P-256 keys (good and forged tokens), key loading, roles, and the internal bearer secret. */
#include <check.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civitas/auth.h"

#define ISS "civitas-account"
#define AUD "civitas"
#define NOW ((int64_t)1767225600) /* 2026-01-01T00:00:00Z, passed explicitly as `now` */

/* Made once in main before the forked tests run. */
static char *g_priv_pem, *g_pub_pem;     /* the account service's key pair */
static char *g_other_priv, *g_other_pub; /* an unrelated P-256 key pair */

/* PEM of a key: private when priv, else public. Caller frees. Also runs outside a test,
 * hence exit() rather than ck_assert. */
static char *pem_of(EVP_PKEY *k, bool priv)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (!b || (priv ? PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)
	                : PEM_write_bio_PUBKEY(b, k)) != 1) {
		fprintf(stderr, "cannot write a PEM key\n");
		exit(EXIT_FAILURE);
	}
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);
	char *s = strndup(p, (size_t)n);
	BIO_free(b);
	return s;
}

static void make_keys(void)
{
	EVP_PKEY *a = EVP_EC_gen("P-256"), *b = EVP_EC_gen("P-256");
	if (!a || !b) {
		fprintf(stderr, "cannot generate P-256 keys\n");
		exit(EXIT_FAILURE);
	}
	g_priv_pem = pem_of(a, true);
	g_pub_pem = pem_of(a, false);
	g_other_priv = pem_of(b, true);
	g_other_pub = pem_of(b, false);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

static void init_auth(void)
{
	char err[256] = "";
	int rc = lc_auth_init_pem(g_pub_pem, strlen(g_pub_pem), ISS, AUD, err, sizeof err);
	ck_assert_msg(rc == 0, "init: %s", err);
}

/* Signs the grants (a JSON object text) with alg and key. Returns the token; caller frees. */
static char *sign_with(jwt_alg_t alg, const char *key, const char *grants)
{
	jwt_t *j = NULL;
	ck_assert_int_eq(jwt_new(&j), 0);
	ck_assert_int_eq(jwt_add_grants_json(j, grants), 0);
	ck_assert_int_eq(jwt_set_alg(j, alg, (const unsigned char *)key, key ? (int)strlen(key) : 0), 0);
	char *t = jwt_encode_str(j);
	ck_assert_ptr_nonnull(t);
	jwt_free(j);
	return t;
}

/* Standard claims around `NOW`, with extra members appended (a JSON fragment, may be ""). */
static char *grants(const char *extra)
{
	static char buf[2048];
	snprintf(buf, sizeof buf,
	         "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\","
	         "\"role\":\"agent\",\"jti\":\"j-1\",\"iat\":%lld%s%s}",
	         (long long)NOW, *extra ? "," : "", extra);
	return buf;
}

static char *sign_es(const char *extra)
{
	return sign_with(JWT_ALG_ES256, g_priv_pem, grants(extra));
}

/* Verifies at NOW; returns the result and leaves the reason in why. */
static int verify(const char *token, struct lc_claims *c, char *why, size_t len)
{
	return lc_auth_verify(token, NOW, c, why, len);
}

static void assert_rejected(const char *token, const char *what)
{
	struct lc_claims c;
	char why[128] = "";
	ck_assert_msg(verify(token, &c, why, sizeof why) == -1, "accepted: %s", what);
	ck_assert_uint_gt(strlen(why), 0);
	/* The reason never echoes the token. */
	if (token && strlen(token) > 8)
		ck_assert_ptr_null(strstr(why, token));
}

/* Unpadded base64url of s. Caller frees. */
static char *b64url(const char *s)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t n = strlen(s), o = 0;
	char *out = malloc(n * 4 / 3 + 4);
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | (unsigned char)s[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = al[(acc >> bits) & 63];
		}
	}
	if (bits > 0)
		out[o++] = al[(acc << (6 - bits)) & 63];
	out[o] = '\0';
	return out;
}

/* header.payload.sig from raw JSON parts (sig already encoded). Caller frees. */
static char *hand_token(const char *header, const char *payload, const char *sig)
{
	char *h = b64url(header), *p = b64url(payload);
	size_t n = strlen(h) + strlen(p) + strlen(sig) + 3;
	char *t = malloc(n);
	snprintf(t, n, "%s.%s.%s", h, p, sig);
	free(h);
	free(p);
	return t;
}

START_TEST(test_good_token)
{
	init_auth();
	char *t = sign_es("\"exp\":1767226200,\"services\":[\"etat-civil\",\"scolaire\"]");
	struct lc_claims c;
	char why[128] = "";
	ck_assert_msg(verify(t, &c, why, sizeof why) == 0, "rejected: %s", why);
	ck_assert_str_eq(c.sub, "7c9e6679-7425-40de-944b-e07fc1f90ae7");
	ck_assert_str_eq(c.role, "agent");
	ck_assert_str_eq(c.jti, "j-1");
	ck_assert_uint_eq(c.nservices, 2);
	ck_assert_str_eq(c.services[0], "etat-civil");
	ck_assert_str_eq(c.services[1], "scolaire");
	ck_assert_int_eq(c.exp, 1767226200);
	ck_assert_int_eq(c.iat, NOW);
	ck_assert(lc_claims_has_service(&c, "scolaire"));
	ck_assert(!lc_claims_has_service(&c, "jeunesse"));
	ck_assert(lc_claims_has_role(&c, "agent"));
	ck_assert(!lc_claims_has_role(&c, "admin"));
	free(t);

	/* No services claim: an empty list. aud as an array containing ours is fine. */
	t = sign_with(JWT_ALG_ES256, g_priv_pem,
	              "{\"iss\":\"" ISS "\",\"aud\":[\"other\",\"" AUD "\"],\"sub\":\"u1\","
	              "\"role\":\"citizen\",\"exp\":1767226200}");
	ck_assert_msg(verify(t, &c, why, sizeof why) == 0, "rejected: %s", why);
	ck_assert_uint_eq(c.nservices, 0);
	ck_assert_str_eq(c.jti, "");
	ck_assert_int_eq(c.iat, 0);
	free(t);

	/* now = 0 means the current time. */
	char g[256];
	snprintf(g, sizeof g,
	         "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"u1\",\"role\":\"admin\","
	         "\"exp\":%lld}",
	         (long long)time(NULL) + 600);
	t = sign_with(JWT_ALG_ES256, g_priv_pem, g);
	ck_assert_int_eq(lc_auth_verify(t, 0, &c, why, sizeof why), 0);
	ck_assert_int_eq(lc_auth_verify(t, NOW + 3600 * 24 * 3650, &c, why, sizeof why), -1);
	free(t);
	lc_auth_free();
}
END_TEST

START_TEST(test_alg_none_refused)
{
	init_auth();
	const char *payload = "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"u1\","
	                      "\"role\":\"admin\",\"exp\":1767226200}";
	char *t = hand_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, "");
	ck_assert(strncmp(t, "eyJ", 3) == 0);
	ck_assert(t[strlen(t) - 1] == '.');
	assert_rejected(t, "alg none, empty signature");
	free(t);
	/* The same with a signature-sized tail, and with other spellings of the algorithm. */
	char sig[87];
	memset(sig, 'A', 86);
	sig[86] = '\0';
	const char *headers[] = {"{\"alg\":\"none\"}",
	                         "{\"alg\":\"None\"}",
	                         "{\"alg\":\"es256\"}",
	                         "{\"alg\":\"ES256 \"}",
	                         "{\"alg\":\"ES384\"}",
	                         "{\"alg\":\"RS256\"}",
	                         "{\"alg\":\"HS256\"}",
	                         "{}",
	                         "{\"alg\":null}",
	                         "[]",
	                         "{\"alg\":\"ES256\",\"crit\":[\"exp\"]}"};
	for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
		t = hand_token(headers[i], payload, sig);
		assert_rejected(t, headers[i]);
		free(t);
	}
	lc_auth_free();
}
END_TEST

START_TEST(test_hs256_with_public_key_refused)
{
	init_auth();
	/* The classic libjwt 1.10 confusion: HMAC keyed with the public PEM bytes. */
	char *t = sign_with(JWT_ALG_HS256, g_pub_pem, grants("\"exp\":1767226200"));
	assert_rejected(t, "HS256 keyed with the public key");
	free(t);
	/* Also when the header is then relabelled ES256 (the signature cannot match). */
	t = sign_with(JWT_ALG_HS256, g_pub_pem, grants("\"exp\":1767226200"));
	const char *dot = strchr(t, '.');
	char *h = b64url("{\"alg\":\"ES256\",\"typ\":\"JWT\"}");
	size_t n = strlen(h) + strlen(dot) + 1;
	char *relabelled = malloc(n);
	snprintf(relabelled, n, "%s%s", h, dot);
	assert_rejected(relabelled, "HS256 relabelled ES256");
	free(relabelled);
	free(h);
	free(t);
	lc_auth_free();
}
END_TEST

START_TEST(test_time_claims)
{
	init_auth();
	char *t = sign_es("\"exp\":1767225500"); /* 100 s ago */
	assert_rejected(t, "expired");
	free(t);
	t = sign_es("\"exp\":1767225590"); /* 10 s ago: within the 30 s leeway */
	ck_assert_int_eq(verify(t, NULL, NULL, 0), 0);
	free(t);
	t = sign_es("\"exp\":1767225570"); /* exactly at the leeway: expired */
	assert_rejected(t, "expired at leeway");
	free(t);
	t = sign_es("\"exp\":1767226200,\"nbf\":1767225720"); /* valid in 2 minutes */
	assert_rejected(t, "not yet valid");
	free(t);
	t = sign_es("\"exp\":1767226200,\"nbf\":1767225620"); /* in 20 s: leeway */
	ck_assert_int_eq(verify(t, NULL, NULL, 0), 0);
	free(t);
	t = sign_with(JWT_ALG_ES256, g_priv_pem,
	              "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"u1\",\"role\":\"citizen\"}");
	assert_rejected(t, "missing exp");
	free(t);
	t = sign_es("\"exp\":\"1767226200\"");
	assert_rejected(t, "exp as a string");
	free(t);
	t = sign_es("\"exp\":1767226200,\"nbf\":\"soon\"");
	assert_rejected(t, "nbf as a string");
	free(t);
	t = sign_es("\"exp\":-9223372036854775807");
	assert_rejected(t, "exp at the int64 bound");
	free(t);
	t = sign_es("\"exp\":1767226200,\"nbf\":-9223372036854775807");
	ck_assert_int_eq(verify(t, NULL, NULL, 0), 0);
	free(t);
	lc_auth_free();
}
END_TEST

START_TEST(test_iss_aud)
{
	init_auth();
	const char *bad[] = {
	    "{\"iss\":\"evil\",\"aud\":\"" AUD "\",\"sub\":\"u\",\"role\":\"admin\",\"exp\":1767226200}",
	    "{\"aud\":\"" AUD "\",\"sub\":\"u\",\"role\":\"admin\",\"exp\":1767226200}",
	    "{\"iss\":\"" ISS "\",\"aud\":\"other\",\"sub\":\"u\",\"role\":\"admin\",\"exp\":1767226200}",
	    "{\"iss\":\"" ISS "\",\"sub\":\"u\",\"role\":\"admin\",\"exp\":1767226200}",
	    "{\"iss\":\"" ISS "\",\"aud\":[\"a\",\"b\"],\"sub\":\"u\",\"role\":\"admin\",\"exp\":1767226200}",
	    "{\"iss\":\"" ISS "\",\"aud\":[],\"sub\":\"u\",\"role\":\"admin\",\"exp\":1767226200}",
	    "{\"iss\":\"" ISS "\",\"aud\":\"civitas2\",\"sub\":\"u\",\"role\":\"admin\",\"exp\":1767226200}",
	    "{\"iss\":\"civitas-account \",\"aud\":\"" AUD
	    "\",\"sub\":\"u\",\"role\":\"admin\",\"exp\":1767226200}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *t = sign_with(JWT_ALG_ES256, g_priv_pem, bad[i]);
		assert_rejected(t, bad[i]);
		free(t);
	}
	lc_auth_free();
}
END_TEST

START_TEST(test_tampered_and_other_key)
{
	init_auth();
	char *t = sign_es("\"exp\":1767226200");
	ck_assert_int_eq(verify(t, NULL, NULL, 0), 0);
	char *p = strchr(t, '.') + 5; /* a byte inside the payload segment */
	*p = *p == 'A' ? 'B' : 'A';
	assert_rejected(t, "tampered payload");
	free(t);

	t = sign_es("\"exp\":1767226200");
	char *sig = strrchr(t, '.') + 10;
	*sig = *sig == 'A' ? 'B' : 'A';
	assert_rejected(t, "tampered signature");
	free(t);

	t = sign_with(JWT_ALG_ES256, g_other_priv, grants("\"exp\":1767226200"));
	assert_rejected(t, "signed by another key");
	free(t);

	/* A token the other key accepts is refused once we are keyed with ours, and the
	 * reverse: the key, not the token, decides. */
	char err[128];
	ck_assert_int_eq(lc_auth_init_pem(g_other_pub, strlen(g_other_pub), ISS, AUD, err, sizeof err), 0);
	t = sign_with(JWT_ALG_ES256, g_other_priv, grants("\"exp\":1767226200"));
	ck_assert_int_eq(verify(t, NULL, NULL, 0), 0);
	free(t);
	t = sign_es("\"exp\":1767226200");
	assert_rejected(t, "signed by the first key");
	free(t);
	lc_auth_free();
}
END_TEST

START_TEST(test_garbage)
{
	init_auth();
	const char *junk[] = {"",
	                      "abc",
	                      "a.b.c",
	                      "..",
	                      "...",
	                      "eyJ.eyJ.",
	                      "eyJhbGciOiJFUzI1NiJ9..",
	                      "Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig",
	                      "\xff\xfe.\x01.\x02",
	                      "eyJhbGciOiJFUzI1NiJ9.e30=.AAAA",
	                      "%%%.%%%.%%%"};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
		assert_rejected(junk[i], junk[i]);
	assert_rejected(NULL, "NULL");

	/* A valid token with an extra segment or trailing junk. */
	char *t = sign_es("\"exp\":1767226200");
	size_t n = strlen(t) + 8;
	char *u = malloc(n);
	snprintf(u, n, "%s.AAAA", t);
	assert_rejected(u, "four segments");
	snprintf(u, n, "%s=", t);
	assert_rejected(u, "padding");
	snprintf(u, n, " %s", t);
	assert_rejected(u, "leading space");
	free(u);
	free(t);

	/* A huge token is refused without being parsed. */
	size_t big = 100000;
	char *huge = malloc(big + 1);
	memset(huge, 'A', big);
	huge[20] = '.';
	huge[40] = '.';
	huge[big] = '\0';
	assert_rejected(huge, "huge token");
	free(huge);
	lc_auth_free();

	/* Before init nothing is accepted. */
	t = sign_es("\"exp\":1767226200");
	assert_rejected(t, "not initialised");
	free(t);
}
END_TEST

START_TEST(test_overlong_claims)
{
	init_auth();
	char extra[1024];
	char s64[65];
	memset(s64, 'x', 64);
	s64[64] = '\0';
	/* Built by hand: grants() already carries a jti, and libjwt refuses duplicates. */
#define JTI_FMT                                                                                              \
	"{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"u\",\"role\":\"agent\","                         \
	"\"exp\":1767226200,\"jti\":\"%s\"}"
	snprintf(extra, sizeof extra, JTI_FMT, s64);
	char *t = sign_with(JWT_ALG_ES256, g_priv_pem, extra);
	assert_rejected(t, "jti of 64 characters");
	free(t);
	s64[63] = '\0';
	snprintf(extra, sizeof extra, JTI_FMT, s64);
	t = sign_with(JWT_ALG_ES256, g_priv_pem, extra);
	ck_assert_int_eq(verify(t, NULL, NULL, 0), 0);
	free(t);

	t = sign_with(JWT_ALG_ES256, g_priv_pem,
	              "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"u\",\"role\":\"administrator-x\","
	              "\"exp\":1767226200}");
	ck_assert_int_eq(verify(t, NULL, NULL, 0), 0); /* 15 characters fit role[16] */
	free(t);
	t = sign_with(JWT_ALG_ES256, g_priv_pem,
	              "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"u\",\"role\":\"administrator-xy\","
	              "\"exp\":1767226200}");
	assert_rejected(t, "role of 16 characters");
	free(t);

	t = sign_es("\"exp\":1767226200,\"services\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]");
	assert_rejected(t, "service of 32 characters");
	free(t);
	t = sign_es("\"exp\":1767226200,\"services\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\","
	            "\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"]");
	assert_rejected(t, "17 services");
	free(t);
	t = sign_es("\"exp\":1767226200,\"services\":\"etat-civil\"");
	assert_rejected(t, "services not an array");
	free(t);
	t = sign_es("\"exp\":1767226200,\"services\":[1]");
	assert_rejected(t, "service not a string");
	free(t);
	t = sign_with(JWT_ALG_ES256, g_priv_pem,
	              "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"role\":\"admin\",\"exp\":1767226200}");
	assert_rejected(t, "no sub");
	free(t);
	t = sign_with(JWT_ALG_ES256, g_priv_pem,
	              "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"sub\":\"u\",\"exp\":1767226200}");
	assert_rejected(t, "no role");
	free(t);
	lc_auth_free();
}
END_TEST

/* Writes data to a new temporary file whose name is left in path (the caller unlinks it). */
static void write_temp(char *path, size_t len, const char *data, size_t n)
{
	snprintf(path, len, "/tmp/civitas-test-auth-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
}

START_TEST(test_init_refuses_bad_keys)
{
	char err[256], path[64];
	write_temp(path, sizeof path, "", 0);
	err[0] = '\0';
	ck_assert_int_eq(lc_auth_init(path, ISS, AUD, err, sizeof err), -1);
	ck_assert_uint_gt(strlen(err), 0);
	unlink(path);

	ck_assert_int_eq(lc_auth_init("/nonexistent/civitas/jwt-public.pem", ISS, AUD, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot read"));
	ck_assert_int_eq(lc_auth_init(NULL, ISS, AUD, err, sizeof err), -1);
	ck_assert_int_eq(lc_auth_init("", ISS, AUD, err, sizeof err), -1);

	write_temp(path, sizeof path, "not a key\n", 10);
	ck_assert_int_eq(lc_auth_init(path, ISS, AUD, err, sizeof err), -1);
	unlink(path);

	/* The private key or another curve is not what we verify with. */
	write_temp(path, sizeof path, g_priv_pem, strlen(g_priv_pem));
	ck_assert_int_eq(lc_auth_init(path, ISS, AUD, err, sizeof err), -1);
	unlink(path);
	EVP_PKEY *p384 = EVP_EC_gen("P-384");
	char *p384_pem = pem_of(p384, false);
	ck_assert_int_eq(lc_auth_init_pem(p384_pem, strlen(p384_pem), ISS, AUD, err, sizeof err), -1);
	free(p384_pem);
	EVP_PKEY_free(p384);

	ck_assert_int_eq(lc_auth_init_pem(g_pub_pem, 0, ISS, AUD, err, sizeof err), -1);
	ck_assert_int_eq(lc_auth_init_pem(g_pub_pem, strlen(g_pub_pem), "", AUD, err, sizeof err), -1);
	ck_assert_int_eq(lc_auth_init_pem(g_pub_pem, strlen(g_pub_pem), ISS, NULL, err, sizeof err), -1);

	/* The good file works, and a failed re-init leaves nothing half set. */
	write_temp(path, sizeof path, g_pub_pem, strlen(g_pub_pem));
	ck_assert_int_eq(lc_auth_init(path, ISS, AUD, err, sizeof err), 0);
	unlink(path);
	char *t = sign_es("\"exp\":1767226200");
	ck_assert_int_eq(verify(t, NULL, NULL, 0), 0);
	free(t);
	lc_auth_free();
}
END_TEST

START_TEST(test_roles)
{
	ck_assert_int_eq(lc_role_rank("citizen"), 0);
	ck_assert_int_eq(lc_role_rank("partner"), 1);
	ck_assert_int_eq(lc_role_rank("agent"), 2);
	ck_assert_int_eq(lc_role_rank("editor"), 3);
	ck_assert_int_eq(lc_role_rank("admin"), 4);
	ck_assert_int_eq(lc_role_rank("Admin"), -1);
	ck_assert_int_eq(lc_role_rank(""), -1);
	ck_assert_int_eq(lc_role_rank(NULL), -1);

	struct lc_claims c = {.role = "editor"};
	ck_assert(lc_claims_at_least(&c, "citizen"));
	ck_assert(lc_claims_at_least(&c, "agent"));
	ck_assert(lc_claims_at_least(&c, "editor"));
	ck_assert(!lc_claims_at_least(&c, "admin"));
	ck_assert(!lc_claims_at_least(&c, "superuser"));
	ck_assert(!lc_claims_at_least(NULL, "citizen"));
	ck_assert(lc_claims_has_role(&c, "editor"));
	ck_assert(!lc_claims_has_role(&c, "agent"));
	struct lc_claims odd = {.role = "root"};
	ck_assert(!lc_claims_at_least(&odd, "citizen"));
	ck_assert(!lc_claims_has_service(&c, "etat-civil"));
	ck_assert(!lc_claims_has_service(NULL, "etat-civil"));
}
END_TEST

#define SECRET "0123456789abcdef0123456789abcdef0123456789abcdef" /* 48 bytes */

START_TEST(test_internal_bearer)
{
	ck_assert(!lc_internal_bearer_ok("Bearer " SECRET)); /* nothing loaded yet */
	ck_assert_ptr_null(lc_internal_secret());

	char path[64], err[256];
	write_temp(path, sizeof path, SECRET "\n", strlen(SECRET) + 1);
	ck_assert_int_eq(lc_internal_secret_init(path, err, sizeof err), 0);
	unlink(path);
	ck_assert_str_eq(lc_internal_secret(), SECRET);

	ck_assert(lc_internal_bearer_ok("Bearer " SECRET));
	ck_assert(!lc_internal_bearer_ok("Bearer " SECRET "x"));
	ck_assert(!lc_internal_bearer_ok("Bearer " SECRET "\n"));
	ck_assert(!lc_internal_bearer_ok("Bearer 0123456789abcdef0123456789abcdef0123456789abcdeF"));
	ck_assert(!lc_internal_bearer_ok("Bearer 0123456789abcdef"));
	ck_assert(!lc_internal_bearer_ok(SECRET));
	ck_assert(!lc_internal_bearer_ok("bearer " SECRET));
	ck_assert(!lc_internal_bearer_ok("Basic " SECRET));
	ck_assert(!lc_internal_bearer_ok("Bearer  " SECRET));
	ck_assert(!lc_internal_bearer_ok("Bearer "));
	ck_assert(!lc_internal_bearer_ok(""));
	ck_assert(!lc_internal_bearer_ok(NULL));

	/* Too short, empty, missing: refused at init. */
	write_temp(path, sizeof path, "short-secret\n", 13);
	ck_assert_int_eq(lc_internal_secret_init(path, err, sizeof err), -1);
	unlink(path);
	char s31[40];
	memset(s31, 'k', 31);
	strcpy(s31 + 31, "\n\n");
	write_temp(path, sizeof path, s31, strlen(s31));
	ck_assert_int_eq(lc_internal_secret_init(path, err, sizeof err), -1);
	unlink(path);
	write_temp(path, sizeof path, "", 0);
	ck_assert_int_eq(lc_internal_secret_init(path, err, sizeof err), -1);
	unlink(path);
	ck_assert_int_eq(lc_internal_secret_init("/nonexistent/civitas/secret", err, sizeof err), -1);
	ck_assert_int_eq(lc_internal_secret_set("with a space in the middle of it!!", 34), -1);
	/* The earlier good secret is still the one in force. */
	ck_assert(lc_internal_bearer_ok("Bearer " SECRET));

	/* Exactly 32 bytes with CRLF is the minimum. */
	char s32[40];
	memset(s32, 'z', 32);
	strcpy(s32 + 32, "\r\n");
	write_temp(path, sizeof path, s32, strlen(s32));
	ck_assert_int_eq(lc_internal_secret_init(path, err, sizeof err), 0);
	unlink(path);
	s32[32] = '\0';
	char header[64];
	snprintf(header, sizeof header, "Bearer %s", s32);
	ck_assert(lc_internal_bearer_ok(header));
	ck_assert(!lc_internal_bearer_ok("Bearer " SECRET));
}
END_TEST

static void *verify_many(void *arg)
{
	const char *token = arg;
	long bad = 0;
	for (int i = 0; i < 40; i++) {
		struct lc_claims c;
		if (lc_auth_verify(token, NOW, &c, NULL, 0) != 0 || strcmp(c.role, "agent") != 0)
			bad++;
	}
	return (void *)bad;
}

START_TEST(test_concurrent_verify)
{
	init_auth();
	char *t = sign_es("\"exp\":1767226200,\"services\":[\"scolaire\"]");
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, verify_many, t), 0);
	for (int i = 0; i < 4; i++) {
		void *bad = NULL;
		pthread_join(th[i], &bad);
		ck_assert_int_eq((long)bad, 0);
	}
	free(t);
	lc_auth_free();
}
END_TEST

/* The per-thread cache of verified tokens must never widen what is accepted: a cached token
 * expires on time, and a new key (a rotation) forgets everything verified with the old one. */
START_TEST(test_cache_keeps_every_check)
{
	init_auth();
	char *t = sign_es("\"exp\":"
	                  "9999999999"
	                  ",\"nbf\":1700000000");
	struct lc_claims c;
	char why[128];
	ck_assert_int_eq(lc_auth_verify(t, NOW, &c, why, sizeof why), 0);
	ck_assert_int_eq(lc_auth_verify(t, NOW, &c, why, sizeof why), 0); /* from the cache */
	ck_assert_str_eq(c.sub, "7c9e6679-7425-40de-944b-e07fc1f90ae7");
	ck_assert_int_ne(lc_auth_verify(t, 1600000000, &c, why, sizeof why), 0); /* before nbf */
	ck_assert_str_eq(why, "token not yet valid");
	free(t);

	char exp_soon[64];
	snprintf(exp_soon, sizeof exp_soon, "\"exp\":%lld", (long long)NOW + 60);
	t = sign_es(exp_soon);
	ck_assert_int_eq(lc_auth_verify(t, NOW, &c, why, sizeof why), 0);
	ck_assert_int_ne(lc_auth_verify(t, NOW + 3600, &c, why, sizeof why), 0);
	ck_assert_str_eq(why, "token expired");

	/* Another key now: the cached verification of t no longer counts. */
	char err[256];
	ck_assert_int_eq(lc_auth_init_pem(g_other_pub, strlen(g_other_pub), ISS, AUD, err, sizeof err), 0);
	ck_assert_int_ne(lc_auth_verify(t, NOW, &c, why, sizeof why), 0);
	ck_assert_str_eq(why, "bad signature");
	free(t);
	init_auth();
}
END_TEST

static Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("tokens");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_good_token);
	tcase_add_test(tc, test_alg_none_refused);
	tcase_add_test(tc, test_hs256_with_public_key_refused);
	tcase_add_test(tc, test_time_claims);
	tcase_add_test(tc, test_iss_aud);
	tcase_add_test(tc, test_tampered_and_other_key);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_overlong_claims);
	tcase_add_test(tc, test_init_refuses_bad_keys);
	tcase_add_test(tc, test_concurrent_verify);
	tcase_add_test(tc, test_cache_keeps_every_check);
	suite_add_tcase(s, tc);
	TCase *tr = tcase_create("roles_and_secret");
	tcase_add_test(tr, test_roles);
	tcase_add_test(tr, test_internal_bearer);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	make_keys();
	SRunner *sr = srunner_create(auth_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(g_priv_pem);
	free(g_pub_pem);
	free(g_other_priv);
	free(g_other_pub);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* test_account_tokens.c — access tokens signed by tokens.c verify with libcommon's verifier
 * (claims, 10-minute expiry), the JWKS matches the key, and one-time tokens are stored as the
 * SHA-256 of what is sent. A throwaway P-256 key is made for the test. */
#include <check.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/auth.h"
#include "civitas/crypto.h"

#include "account.h"

static char priv[4096], pub[4096];

static void make_key(void)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(pk);
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
	int n = BIO_read(b, priv, sizeof(priv) - 1);
	priv[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PUBKEY(b, pk);
	n = BIO_read(b, pub, sizeof(pub) - 1);
	pub[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	EVP_PKEY_free(pk);
	char err[256];
	ck_assert_int_eq(tokens_init_pem(priv, strlen(priv), err, sizeof(err)), 0);
	ck_assert_int_eq(lc_auth_init_pem(pub, strlen(pub), "civitas-account", "civitas", err, sizeof(err)),
	                 0);
}

START_TEST(sign_and_verify)
{
	make_key();
	json_t *svc = json_pack("[s, s]", "scolaire", "jeunesse");
	int64_t now = (int64_t)time(NULL);
	char *tok = tokens_issue("0b6f3c1e-1111-4c8a-9d5e-2a2b2c2d2e2f", "agent", svc,
	                         "5d0f3c1e-2222-4c8a-9d5e-2a2b2c2d2e2f", now);
	json_decref(svc);
	ck_assert_ptr_nonnull(tok);
	struct lc_claims c;
	char why[128];
	ck_assert_msg(lc_auth_verify(tok, now, &c, why, sizeof(why)) == 0, "%s", why);
	ck_assert_str_eq(c.sub, "0b6f3c1e-1111-4c8a-9d5e-2a2b2c2d2e2f");
	ck_assert_str_eq(c.role, "agent");
	ck_assert_uint_eq(c.nservices, 2);
	ck_assert_str_eq(c.services[1], "jeunesse");
	ck_assert_int_eq(c.exp - c.iat, ACCESS_TTL_S);
	ck_assert_uint_eq(strlen(c.jti), 36);
	/* expired 10 minutes (+ the verifier's 30 s leeway) later */
	ck_assert_int_eq(lc_auth_verify(tok, now + ACCESS_TTL_S + 31, &c, why, sizeof(why)), -1);
	/* a modified payload does not verify */
	char *dot = strchr(tok, '.');
	dot[3] = dot[3] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(lc_auth_verify(tok, now, &c, why, sizeof(why)), -1);
	free(tok);
	json_t *jwks = tokens_jwks();
	json_t *k = json_array_get(json_object_get(jwks, "keys"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(k, "alg")), "ES256");
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(k, "x"))), 43);
	json_decref(jwks);
	tokens_free();
	lc_auth_free();
}
END_TEST

/* The segments base64url-decoded, as text. */
static char *segment(const char *tok, int which)
{
	const char *a = tok;
	for (int i = 0; i < which; i++)
		a = strchr(a, '.') + 1;
	const char *b = strchr(a, '.');
	size_t n = 0;
	unsigned char *raw = lc_b64url_decode(a, b ? (size_t)(b - a) : strlen(a), &n);
	ck_assert_ptr_nonnull(raw);
	char *t = malloc(n + 1);
	memcpy(t, raw, n);
	t[n] = '\0';
	free(raw);
	return t;
}

/* Tokens are signed without libjwt (tokens.c) but have the form libjwt 1.10 gave them, byte for
 * byte (header, then the claims with sorted keys), and libjwt itself accepts the signature. */
START_TEST(same_form_as_libjwt)
{
	make_key();
	json_t *svc = json_pack("[s]", "etat-civil");
	char *tok = tokens_issue("0b6f3c1e-1111-4c8a-9d5e-2a2b2c2d2e2f", "agent", svc,
	                         "5d0f3c1e-2222-4c8a-9d5e-2a2b2c2d2e2f", 1767226200);
	json_decref(svc);
	ck_assert_ptr_nonnull(tok);
	char *head = segment(tok, 0), *body = segment(tok, 1);
	json_t *jwks = tokens_jwks();
	const char *kid =
	    json_string_value(json_object_get(json_array_get(json_object_get(jwks, "keys"), 0), "kid"));
	char want[160];
	snprintf(want, sizeof(want), "{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
	ck_assert_str_eq(head, want);
	json_t *claims = json_loads(body, 0, NULL);
	const char *jti = json_string_value(json_object_get(claims, "jti"));
	ck_assert_uint_eq(strlen(jti), 36);

	jwt_t *j = NULL;
	ck_assert_int_eq(jwt_new(&j), 0);
	ck_assert_int_eq(jwt_add_header(j, "kid", kid), 0);
	ck_assert_int_eq(jwt_add_grant(j, "iss", "civitas-account"), 0);
	ck_assert_int_eq(jwt_add_grant(j, "aud", "civitas"), 0);
	ck_assert_int_eq(jwt_add_grant(j, "sub", "0b6f3c1e-1111-4c8a-9d5e-2a2b2c2d2e2f"), 0);
	ck_assert_int_eq(jwt_add_grant(j, "role", "agent"), 0);
	ck_assert_int_eq(jwt_add_grant(j, "jti", jti), 0);
	ck_assert_int_eq(jwt_add_grant(j, "sid", "5d0f3c1e-2222-4c8a-9d5e-2a2b2c2d2e2f"), 0);
	ck_assert_int_eq(jwt_add_grant_int(j, "iat", 1767226200), 0);
	ck_assert_int_eq(jwt_add_grant_int(j, "exp", 1767226200 + ACCESS_TTL_S), 0);
	ck_assert_int_eq(jwt_add_grants_json(j, "{\"services\":[\"etat-civil\"]}"), 0);
	ck_assert_int_eq(jwt_set_alg(j, JWT_ALG_ES256, (unsigned char *)priv, (int)strlen(priv)), 0);
	char *ref = jwt_encode_str(j);
	jwt_free(j);
	ck_assert_ptr_nonnull(ref);
	/* ECDSA signatures are randomized: everything up to the second dot is the same. */
	size_t signed_len = (size_t)(strrchr(ref, '.') - ref);
	ck_assert_uint_eq((size_t)(strrchr(tok, '.') - tok), signed_len);
	ck_assert(strncmp(tok, ref, signed_len) == 0);
	free(ref);

	j = NULL;
	ck_assert_int_eq(jwt_decode(&j, tok, (unsigned char *)pub, (int)strlen(pub)), 0);
	ck_assert_int_eq(jwt_get_alg(j), JWT_ALG_ES256);
	jwt_free(j);
	/* Without a session or services: no sid, an empty list. */
	char *t2 = tokens_issue("0b6f3c1e-1111-4c8a-9d5e-2a2b2c2d2e2f", "citizen", NULL, NULL, 1767226200);
	ck_assert_ptr_nonnull(t2);
	char *b2 = segment(t2, 1);
	json_t *c2 = json_loads(b2, 0, NULL);
	ck_assert_ptr_null(json_object_get(c2, "sid"));
	ck_assert_uint_eq(json_array_size(json_object_get(c2, "services")), 0);
	ck_assert(json_is_array(json_object_get(c2, "services")));
	json_decref(c2);
	free(b2);
	free(t2);
	json_decref(claims);
	json_decref(jwks);
	free(head);
	free(body);
	free(tok);
	tokens_free();
	lc_auth_free();
}
END_TEST

START_TEST(refuses_wrong_key)
{
	char err[256];
	ck_assert_int_eq(tokens_init_pem("not a key", 9, err, sizeof(err)), -1);
	ck_assert_ptr_null(tokens_issue("x", "citizen", NULL, NULL, 0));
}
END_TEST

START_TEST(random_tokens_hashed)
{
	char t1[48], h1[65], t2[48], h2[65];
	ck_assert(tokens_random(t1, h1));
	ck_assert(tokens_random(t2, h2));
	ck_assert_uint_eq(strlen(t1), 43); /* 256 bits in base64url */
	ck_assert_str_ne(t1, t2);
	char h[65];
	lc_sha256_hex(t1, strlen(t1), h);
	ck_assert_str_eq(h, h1);
	ck_assert_uint_eq(strlen(h1), 64);
}
END_TEST

/* The successor of a refresh token: a token of the same form, always the same for the same
 * token and key (so a rotation can be answered again), different under another key. */
START_TEST(successor_is_derived_with_the_key)
{
	make_key();
	char t[48], h[65], n1[48], h1[65], n2[48], h2[65];
	ck_assert(tokens_random(t, h));
	ck_assert(tokens_successor(t, n1, h1));
	ck_assert(tokens_successor(t, n2, h2));
	ck_assert_uint_eq(strlen(n1), 43);
	ck_assert_str_eq(n1, n2);
	ck_assert_str_ne(n1, t);
	char hh[65];
	lc_sha256_hex(n1, strlen(n1), hh);
	ck_assert_str_eq(hh, h1);
	ck_assert(tokens_successor(n1, n2, h2)); /* the chain goes on */
	ck_assert_str_ne(n2, n1);
	make_key(); /* another signing key: another successor */
	ck_assert(tokens_successor(t, n2, h2));
	ck_assert_str_ne(n2, n1);
	tokens_free();
	ck_assert(!tokens_successor(t, n2, h2)); /* no key, no successor */
}
END_TEST

/* Recovery codes: dashes, spaces and case do not matter; anything outside the alphabet or of
 * another length is no code; the hash is bound to the account. */
START_TEST(recovery_code_hash_normalises)
{
	const char *id = "0b7d7c1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f";
	char a[65], b[65], c[65];
	ck_assert(recovery_code_hash(id, "ABCD-EFGH-JKLM-NPQR", a));
	ck_assert(recovery_code_hash(id, "abcd efgh jklm npqr", b));
	ck_assert_str_eq(a, b);
	char text[80];
	snprintf(text, sizeof(text), "%s:ABCDEFGHJKLMNPQR", id);
	lc_sha256_hex(text, strlen(text), c);
	ck_assert_str_eq(a, c);
	ck_assert(recovery_code_hash("0b7d7c1e-2f3a-4c5d-8e9f-0a1b2c3d4e60", "ABCD-EFGH-JKLM-NPQR", c));
	ck_assert_str_ne(a, c);
	ck_assert(!recovery_code_hash(id, "ABCD-EFGH-JKLM-NPQ0", c)); /* 0 is not in the alphabet */
	ck_assert(!recovery_code_hash(id, "ABCD-EFGH-JKLM-NPQ", c));
	ck_assert(!recovery_code_hash(id, "ABCD-EFGH-JKLM-NPQRS", c));
	ck_assert(!recovery_code_hash(id, "", c));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("account_tokens");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, sign_and_verify);
	tcase_add_test(tc, same_form_as_libjwt);
	tcase_add_test(tc, refuses_wrong_key);
	tcase_add_test(tc, random_tokens_hashed);
	tcase_add_test(tc, successor_is_derived_with_the_key);
	tcase_add_test(tc, recovery_code_hash_normalises);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

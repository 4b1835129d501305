/* test_crypto.c — unit tests of libcommon/src/crypto.c: base64url both ways (and refusal of
 * non-canonical input), SHA-256 and HMAC-SHA256 against published vectors, tokens, UUIDs,
 * constant-time equality and magic-number sniffing of uploads. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/crypto.h"

START_TEST(b64url_round_trip)
{
	const char *cases[][2] = {{"", ""},        {"f", "Zg"},        {"fo", "Zm8"},
	                          {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"\xfb\xff", "-_8"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *enc = lc_b64url_encode(cases[i][0], strlen(cases[i][0]));
		ck_assert_str_eq(enc, cases[i][1]);
		size_t n = 99;
		unsigned char *dec = lc_b64url_decode(enc, strlen(enc), &n);
		ck_assert_ptr_nonnull(dec);
		ck_assert_uint_eq(n, strlen(cases[i][0]));
		ck_assert_mem_eq(dec, cases[i][0], n);
		free(dec);
		free(enc);
	}
	size_t n;
	ck_assert_ptr_null(lc_b64url_decode("Zm9v=", 5, &n)); /* padding is not base64url here */
	ck_assert_ptr_null(lc_b64url_decode("Zm+v", 4, &n));  /* '+' belongs to plain base64 */
	ck_assert_ptr_null(lc_b64url_decode("Zh", 2, &n));    /* leftover bits set: not canonical */
	ck_assert_ptr_null(lc_b64url_decode("Z", 1, &n));
}
END_TEST

START_TEST(sha256_and_hmac_vectors)
{
	char out[65];
	lc_sha256_hex("abc", 3, out);
	ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* RFC 4231 test case 2 */
	lc_hmac_sha256_hex("Jefe", 4, "what do ya want for nothing?", 28, out);
	ck_assert_str_eq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

START_TEST(tokens_and_ids)
{
	char a[64], b[64];
	ck_assert(lc_random_token(a, sizeof(a), 32));
	ck_assert(lc_random_token(b, sizeof(b), 32));
	ck_assert_uint_eq(strlen(a), 43); /* 256 bits in unpadded base64url */
	ck_assert_str_ne(a, b);
	ck_assert(!lc_random_token(a, 10, 32)); /* too small a buffer is refused, not cut */
	char u[37], v[37];
	lc_uuid_v4(u);
	lc_uuid_v4(v);
	ck_assert_uint_eq(strlen(u), 36);
	ck_assert_str_ne(u, v);
	ck_assert_int_eq(u[14], '4');
	ck_assert(strchr("89ab", u[19]) != NULL);
}
END_TEST

START_TEST(secret_equal)
{
	ck_assert(lc_secret_equal("same-secret", "same-secret"));
	ck_assert(!lc_secret_equal("same-secret", "same-secreT"));
	ck_assert(!lc_secret_equal("short", "shorter"));
	ck_assert(!lc_secret_equal(NULL, "x"));
	ck_assert(lc_secret_equal("", ""));
}
END_TEST

START_TEST(sniffing)
{
	ck_assert_str_eq(lc_sniff_mime("%PDF-1.7\n", 9), "application/pdf");
	ck_assert_str_eq(lc_sniff_mime("\x89PNG\r\n\x1a\n\0\0", 10), "image/png");
	ck_assert_str_eq(lc_sniff_mime("\xff\xd8\xff\xe0", 4), "image/jpeg");
	ck_assert_str_eq(lc_sniff_mime("RIFF\x10\0\0\0WEBPVP8 ", 16), "image/webp");
	ck_assert_str_eq(lc_sniff_mime("  \n<svg xmlns=", 14), "image/svg+xml");
	ck_assert_str_eq(lc_sniff_mime("<?xml version", 13), "image/svg+xml");
	ck_assert_ptr_null(lc_sniff_mime("MZ\x90\0", 4)); /* an executable is none of them */
	ck_assert_ptr_null(lc_sniff_mime("%PD", 3));
	ck_assert_ptr_null(lc_sniff_mime("", 0));
	ck_assert_ptr_null(lc_sniff_mime("RIFF\x10\0\0\0WAVE", 12));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("crypto");
	tcase_add_test(tc, b64url_round_trip);
	tcase_add_test(tc, sha256_and_hmac_vectors);
	tcase_add_test(tc, tokens_and_ids);
	tcase_add_test(tc, secret_equal);
	tcase_add_test(tc, sniffing);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

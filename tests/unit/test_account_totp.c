/* test_account_totp.c — TOTP against the SHA-1 vectors of RFC 6238 appendix B (last 6 digits),
 * drift of one step, replay refusal, and base32 round trips. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "account.h"

static const unsigned char secret[] = "12345678901234567890";

START_TEST(rfc6238_vectors)
{
	static const struct {
		long long t;
		unsigned code;
	} v[] = {{59, 287082},       {1111111109, 81804},  {1111111111, 50471},
	         {1234567890, 5924}, {2000000000, 279037}, {20000000000LL, 353130}};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_uint_eq(totp_code(secret, 20, (uint64_t)(v[i].t / 30)), v[i].code);
}
END_TEST

START_TEST(check_window_and_replay)
{
	/* 1111111109 → step 37037036, code 081804 */
	ck_assert_int_eq(totp_check(secret, 20, "081804", 1111111109, 0), 37037036);
	ck_assert_int_eq(totp_check(secret, 20, "081804", 1111111109 + 30, 0), 37037036); /* one step late */
	ck_assert_int_eq(totp_check(secret, 20, "081804", 1111111109 - 30, 0), 37037036); /* one step early */
	ck_assert_int_eq(totp_check(secret, 20, "081804", 1111111109 + 60, 0), -1);       /* two steps: no */
	ck_assert_int_eq(totp_check(secret, 20, "081804", 1111111109, 37037036), -1);     /* replay */
	ck_assert_int_eq(totp_check(secret, 20, "081805", 1111111109, 0), -1);
	ck_assert_int_eq(totp_check(secret, 20, "81804", 1111111109, 0), -1);
	ck_assert_int_eq(totp_check(secret, 20, "08180a", 1111111109, 0), -1);
	ck_assert_int_eq(totp_check(secret, 20, NULL, 1111111109, 0), -1);
}
END_TEST

START_TEST(base32)
{
	char out[64];
	totp_base32_encode(secret, 20, out, sizeof(out));
	ck_assert_str_eq(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	unsigned char back[32];
	ck_assert_int_eq(totp_base32_decode(out, back, sizeof(back)), 20);
	ck_assert_mem_eq(back, secret, 20);
	ck_assert_int_eq(totp_base32_decode("gezdgnbv", back, sizeof(back)), 5); /* lower case is fine */
	ck_assert_int_eq(totp_base32_decode("GEZ1", back, sizeof(back)), -1);    /* 1 is not base32 */
	totp_base32_encode((const unsigned char *)"f", 1, out, sizeof(out));
	ck_assert_str_eq(out, "MY");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("account_totp");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, rfc6238_vectors);
	tcase_add_test(tc, check_window_and_replay);
	tcase_add_test(tc, base32);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

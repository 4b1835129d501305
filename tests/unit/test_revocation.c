/* test_revocation.c — the list of ended sessions every daemon checks after a token's signature:
 * lookups by session id (any case), replacement of the whole list, entries that are not uuids. */
#include <check.h>
#include <stdlib.h>

#include "civitas/revocation.h"

START_TEST(lookup_and_replace)
{
	ck_assert(!lc_session_revoked("11111111-1111-4111-8111-111111111111"));
	json_t *a = json_pack("[s, s, s, i]", "11111111-1111-4111-8111-111111111111",
	                      "AAAAAAAA-2222-4222-8222-222222222222", "not-a-uuid", 7);
	ck_assert_int_eq(lc_revocations_replace(a), 2);
	ck_assert(lc_session_revoked("11111111-1111-4111-8111-111111111111"));
	ck_assert(lc_session_revoked("aaaaaaaa-2222-4222-8222-222222222222"));
	ck_assert(lc_session_revoked("AAAAAAAA-2222-4222-8222-222222222222"));
	ck_assert(!lc_session_revoked("33333333-3333-4333-8333-333333333333"));
	ck_assert(!lc_session_revoked("not-a-uuid"));
	ck_assert(!lc_session_revoked(""));
	ck_assert(!lc_session_revoked(NULL));
	json_decref(a);
	json_t *b = json_pack("[s]", "33333333-3333-4333-8333-333333333333");
	ck_assert_int_eq(lc_revocations_replace(b), 1);
	ck_assert(!lc_session_revoked("11111111-1111-4111-8111-111111111111")); /* aged out */
	ck_assert(lc_session_revoked("33333333-3333-4333-8333-333333333333"));
	json_decref(b);
	ck_assert_int_eq(lc_revocations_replace(NULL), 0);
	ck_assert(!lc_session_revoked("33333333-3333-4333-8333-333333333333"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("revocation");
	TCase *tc = tcase_create("list");
	tcase_add_test(tc, lookup_and_replace);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

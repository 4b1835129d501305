/* test_account_password.c — the password policy (length in characters, not the e-mail or a
 * name), argon2id PHC round trips with the blueprint's parameters, and the lockout schedule. */
#include <argon2.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "account.h"

START_TEST(policy)
{
	ck_assert_ptr_null(account_password_policy("correct horse battery", "a@b.fr", "Anne", "Durand"));
	ck_assert_str_eq(account_password_policy("short", NULL, NULL, NULL), "out_of_range");
	ck_assert_str_eq(account_password_policy("elevenchars", NULL, NULL, NULL), "out_of_range");
	ck_assert_ptr_null(account_password_policy("twelve chars", NULL, NULL, NULL));
	/* 12 characters of which several take two bytes: counted as characters */
	ck_assert_ptr_null(account_password_policy("éééééééééééé", NULL, NULL, NULL));
	ck_assert_str_eq(account_password_policy("ééééééééééé", NULL, NULL, NULL), "out_of_range");
	char big[200];
	memset(big, 'a', 129);
	big[129] = '\0';
	ck_assert_str_eq(account_password_policy(big, NULL, NULL, NULL), "out_of_range");
	big[128] = '\0';
	ck_assert_ptr_null(account_password_policy(big, NULL, NULL, NULL));
	ck_assert_str_eq(
	    account_password_policy("Anne.Durand@example.org", "anne.durand@example.org", "Anne", "Durand"),
	    "same_as_email");
	ck_assert_str_eq(
	    account_password_policy("anne.durand1", "anne.durand1@example.org", "Anne", "Durand"),
	    "same_as_email");
	ck_assert_str_eq(account_password_policy("Maximilienne", "x@example.org", "maximilienne", "Dupont"),
	                 "same_as_name");
	ck_assert_str_eq(account_password_policy("anne durandeau", "x@example.org", "Anne", "Durandeau"),
	                 "same_as_name");
	ck_assert_str_eq(account_password_policy("AnneDurandeau", "x@example.org", "Anne", "Durandeau"),
	                 "same_as_name");
}
END_TEST

START_TEST(phc_round_trip)
{
	char phc[ACCOUNT_PHC_MAX], phc2[ACCOUNT_PHC_MAX];
	ck_assert_int_eq(account_password_hash("correct horse battery", phc), 0);
	ck_assert_msg(strncmp(phc, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0, "PHC: %s", phc);
	ck_assert(account_password_verify(phc, "correct horse battery"));
	ck_assert(!account_password_verify(phc, "correct horse batterY"));
	/* The PHC string is written here, not by libargon2: its own verifier must read it. */
	ck_assert_int_eq(argon2id_verify(phc, "correct horse battery", strlen("correct horse battery")),
	                 ARGON2_OK);
	ck_assert_int_ne(argon2id_verify(phc, "correct horse batterY", strlen("correct horse batterY")),
	                 ARGON2_OK);
	ck_assert_int_eq(account_password_hash("correct horse battery", phc2), 0);
	ck_assert_str_ne(phc, phc2); /* random salt */
	ck_assert(!account_password_verify(NULL, "anything at all"));
	ck_assert(!account_password_verify("$2y$10$notargon", "anything at all"));
	ck_assert(!account_password_verify("", ""));
}
END_TEST

/* The verifier reads the costs from the stored string (a hash made with other parameters still
 * verifies) and refuses anything malformed, without reading past it. */
START_TEST(phc_parsing)
{
	char other[160];
	const unsigned char salt[16] = "0123456789abcdef";
	ck_assert_int_eq(argon2id_hash_encoded(3, 4096, 2, "le mot de passe", 15, salt, sizeof(salt), 24,
	                                       other, sizeof(other)),
	                 ARGON2_OK);
	ck_assert_msg(strncmp(other, "$argon2id$v=19$m=4096,t=3,p=2$", 30) == 0, "PHC: %s", other);
	ck_assert(account_password_verify(other, "le mot de passe"));
	ck_assert(!account_password_verify(other, "le mot de passE"));

	char good[ACCOUNT_PHC_MAX], bad[ACCOUNT_PHC_MAX + 8];
	ck_assert_int_eq(account_password_hash("correct horse battery", good), 0);
	const char *tail = strrchr(good, '$');
	const char *salt_at = good + strlen("$argon2id$v=19$m=19456,t=2,p=1$");
	/* the hash cut short, one digit outside the alphabet, an extra field, no hash at all */
	snprintf(bad, sizeof(bad), "%.*s", (int)(strlen(good) - 3), good);
	ck_assert(!account_password_verify(bad, "correct horse battery"));
	snprintf(bad, sizeof(bad), "%s", good);
	bad[tail - good + 2] = '-';
	ck_assert(!account_password_verify(bad, "correct horse battery"));
	snprintf(bad, sizeof(bad), "%s$AAAA", good);
	ck_assert(!account_password_verify(bad, "correct horse battery"));
	snprintf(bad, sizeof(bad), "%.*s", (int)(tail - good + 1), good);
	ck_assert(!account_password_verify(bad, "correct horse battery"));
	/* version, costs and salt out of range */
	const char *variants[] = {"$argon2id$v=16$m=19456,t=2,p=1$", "$argon2id$v=19$m=0,t=2,p=1$",
	                          "$argon2id$v=19$m=19456,t=0,p=1$", "$argon2id$v=19$m=19456,t=2,p=99$",
	                          "$argon2id$v=19$m=-1,t=2,p=1$",    "$argon2id$v=19$m=19456,t=2$"};
	for (size_t i = 0; i < sizeof(variants) / sizeof(*variants); i++) {
		snprintf(bad, sizeof(bad), "%s%s", variants[i], salt_at);
		ck_assert_msg(!account_password_verify(bad, "correct horse battery"), "%s", bad);
	}
	snprintf(bad, sizeof(bad), "$argon2id$v=19$m=19456,t=2,p=1$%s", tail);
	ck_assert(!account_password_verify(bad, "correct horse battery")); /* empty salt */
}
END_TEST

START_TEST(lock_schedule)
{
	ck_assert_int_eq(account_lock_minutes(0), 0);
	ck_assert_int_eq(account_lock_minutes(1), 1);
	ck_assert_int_eq(account_lock_minutes(2), 5);
	ck_assert_int_eq(account_lock_minutes(3), 15);
	ck_assert_int_eq(account_lock_minutes(4), 60);
	ck_assert_int_eq(account_lock_minutes(9), 60);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("account_password");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, policy);
	tcase_add_test(tc, phc_round_trip);
	tcase_add_test(tc, phc_parsing);
	tcase_add_test(tc, lock_schedule);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

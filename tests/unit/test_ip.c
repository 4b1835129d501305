/* test_ip.c — unit tests of lc_ip_in_cidrs, which decides whose X-Real-IP header is believed
 * (the gateway's): CIDR arithmetic, malformed lists, IPv6 only on loopback. */
#include <check.h>
#include <stdlib.h>

#include "civitas/http.h"

START_TEST(cidrs)
{
	ck_assert(lc_ip_in_cidrs("127.0.0.1", "127.0.0.0/8"));
	ck_assert(lc_ip_in_cidrs("127.255.1.2", "127.0.0.0/8"));
	ck_assert(!lc_ip_in_cidrs("128.0.0.1", "127.0.0.0/8"));
	ck_assert(lc_ip_in_cidrs("172.18.0.5", "127.0.0.0/8, 172.16.0.0/12"));
	ck_assert(!lc_ip_in_cidrs("172.32.0.5", "127.0.0.0/8,172.16.0.0/12"));
	ck_assert(lc_ip_in_cidrs("10.1.2.3", "10.1.2.3")); /* a bare address is a /32 */
	ck_assert(!lc_ip_in_cidrs("10.1.2.4", "10.1.2.3"));
	ck_assert(lc_ip_in_cidrs("8.8.8.8", "0.0.0.0/0"));     /* trust all: the operator's choice */
	ck_assert(!lc_ip_in_cidrs("10.0.0.1", "10.0.0.0/33")); /* bad prefix length: skipped */
	ck_assert(!lc_ip_in_cidrs("10.0.0.1", "nonsense/8"));
	ck_assert(!lc_ip_in_cidrs("10.0.0.1", ""));
	ck_assert(!lc_ip_in_cidrs("10.0.0.1", NULL));
	ck_assert(!lc_ip_in_cidrs("not-an-ip", "0.0.0.0/0"));
	ck_assert(lc_ip_in_cidrs("::1", ""));
	ck_assert(!lc_ip_in_cidrs("2001:db8::1", "0.0.0.0/0"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ip");
	TCase *tc = tcase_create("cidrs");
	tcase_add_test(tc, cidrs);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

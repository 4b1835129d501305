/* test_config.c — unit tests of the CIVITAS_* configuration table: defaults, required values,
 * number ranges, booleans, files and URLs, and the one-line error each mistake gives. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civitas/config.h"

static const char *env_names[8], *env_values[8];
static size_t env_n;
static const char *fake_getenv(const char *name)
{
	for (size_t i = 0; i < env_n; i++)
		if (strcmp(env_names[i], name) == 0)
			return env_values[i];
	return NULL;
}
static void env_set(const char *n, const char *v)
{
	env_names[env_n] = n;
	env_values[env_n++] = v;
}
static void env_clear(void)
{
	env_n = 0;
}

static long port, threads;
static bool flag;
static char *name, *file, *url;
static const struct lc_config_item items[] = {
    {"CIVITAS_PORT", LC_CFG_INT, "8101", false, 1, 65535, &port},
    {"CIVITAS_THREADS", LC_CFG_INT, NULL, false, 1, 64, &threads},
    {"CIVITAS_FLAG", LC_CFG_BOOL, "false", false, 0, 0, &flag},
    {"CIVITAS_NAME", LC_CFG_STRING, NULL, true, 0, 0, &name},
    {"CIVITAS_FILE", LC_CFG_FILE, NULL, false, 0, 0, &file},
    {"CIVITAS_URL", LC_CFG_URL, NULL, false, 0, 0, &url},
    {NULL, 0, NULL, false, 0, 0, NULL},
};

static int load(char *err)
{
	return lc_config_load(items, err, 256, fake_getenv);
}

START_TEST(defaults_and_values)
{
	char err[256] = "";
	env_clear();
	env_set("CIVITAS_NAME", "content");
	threads = -7;
	ck_assert_int_eq(load(err), 0);
	ck_assert_int_eq(port, 8101);
	ck_assert_int_eq(threads, -7); /* no default, not set: untouched */
	ck_assert(!flag);
	ck_assert_str_eq(name, "content");
	ck_assert_ptr_null(file);
	env_set("CIVITAS_PORT", "9000");
	env_set("CIVITAS_FLAG", "YES");
	env_set("CIVITAS_URL", "https://stats.example");
	ck_assert_int_eq(load(err), 0);
	ck_assert_int_eq(port, 9000);
	ck_assert(flag);
	ck_assert_str_eq(url, "https://stats.example");
}
END_TEST

static void expect_error(const char *var, const char *value, const char *fragment)
{
	char err[256] = "";
	env_clear();
	env_set("CIVITAS_NAME", "content");
	if (var)
		env_set(var, value);
	ck_assert_int_eq(load(err), -1);
	ck_assert_msg(strstr(err, fragment) != NULL, "error \"%s\" lacks \"%s\"", err, fragment);
	ck_assert_msg(strchr(err, '\n') == NULL, "one line only");
}

START_TEST(errors_are_clear)
{
	expect_error("CIVITAS_PORT", "80a", "CIVITAS_PORT=\"80a\" is not a whole number");
	expect_error("CIVITAS_PORT", "70000", "out of range (1..65535)");
	expect_error("CIVITAS_PORT", "0", "out of range");
	expect_error("CIVITAS_PORT", "99999999999999999999999", "not a whole number");
	expect_error("CIVITAS_THREADS", "-1", "CIVITAS_THREADS=-1 is out of range");
	expect_error("CIVITAS_FLAG", "maybe", "CIVITAS_FLAG=\"maybe\" must be one of");
	expect_error("CIVITAS_FILE", "/nonexistent/key.pem", "is not a readable file");
	expect_error("CIVITAS_URL", "ftp://x", "must be an http:// or https:// URL");
	char err[256] = "";
	env_clear();
	ck_assert_int_eq(load(err), -1);
	ck_assert_str_eq(err, "CIVITAS_NAME is required but not set");
	env_set("CIVITAS_NAME", ""); /* empty counts as unset */
	ck_assert_int_eq(load(err), -1);
}
END_TEST

START_TEST(empty_file_refused)
{
	char path[] = "/tmp/civitas-config-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	expect_error("CIVITAS_FILE", path, "is empty");
	FILE *f = fopen(path, "w");
	fputs("key", f);
	fclose(f);
	char err[256];
	env_clear();
	env_set("CIVITAS_NAME", "x");
	env_set("CIVITAS_FILE", path);
	ck_assert_int_eq(load(err), 0);
	ck_assert_str_eq(file, path);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");
	tcase_add_test(tc, defaults_and_values);
	tcase_add_test(tc, errors_are_clear);
	tcase_add_test(tc, empty_file_refused);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

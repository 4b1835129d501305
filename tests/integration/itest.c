/* itest.c — see itest.h. */
#include "itest.h"

#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *itest_env(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		printf("skipped: %s is not set (run through ./civitas test)\n", name);
		exit(77);
	}
	return v;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct itest_resp *r = ud;
	size_t add = size * n;
	char *b = realloc(r->body, r->len + add + 1);
	if (!b)
		return 0;
	memcpy(b + r->len, p, add);
	r->body = b;
	r->len += add;
	r->body[r->len] = '\0';
	return add;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct itest_resp *r = ud;
	size_t add = size * n, have = strlen(r->headers);
	if (have + add + 1 < sizeof(r->headers)) {
		memcpy(r->headers + have, p, add);
		r->headers[have + add] = '\0';
	}
	return add;
}

int itest_http(const char *method, const char *url, const char *const *headers, const char *body, size_t len,
               struct itest_resp *out)
{
	memset(out, 0, sizeof(*out));
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

void itest_resp_free(struct itest_resp *r)
{
	free(r->body);
	r->body = NULL;
}

json_t *itest_json(const struct itest_resp *r)
{
	return r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
}

const char *itest_header(const struct itest_resp *r, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);
	for (const char *line = r->headers; line && *line;) {
		const char *end = strstr(line, "\r\n");
		if (!end)
			break;
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ')
				v++;
			size_t vl = (size_t)(end - v);
			if (vl >= outlen)
				vl = outlen - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return out;
		}
		line = end + 2;
	}
	return NULL;
}

const char *itest_internal_auth(void)
{
	static char hdr[512];
	char path[1024];
	snprintf(path, sizeof(path), "%s/internal-secret", itest_env("CIVITAS_TEST_KEYS"));
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char secret[256] = "";
	ck_assert_ptr_nonnull(fgets(secret, sizeof(secret), f));
	fclose(f);
	secret[strcspn(secret, "\r\n")] = '\0';
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", secret);
	return hdr;
}

void itest_stats_env(void)
{
	char buf[1024];
	const char *keys = itest_env("CIVITAS_TEST_KEYS"), *root = itest_env("CIVITAS_TEST_ROOT");
	setenv("CIVITAS_PORT", "0", 1);
	setenv("CIVITAS_THREADS", "2", 1);
	setenv("CIVITAS_DB_URL", itest_env("CIVITAS_TEST_STATS_DB_URL"), 1);
	snprintf(buf, sizeof(buf), "%s/jwt-public.pem", keys);
	setenv("CIVITAS_JWT_PUBLIC_KEY", buf, 1);
	snprintf(buf, sizeof(buf), "%s/internal-secret", keys);
	setenv("CIVITAS_INTERNAL_SECRET_FILE", buf, 1);
	snprintf(buf, sizeof(buf), "%s/services/stats/migrations", root);
	setenv("CIVITAS_MIGRATIONS_DIR", buf, 1);
	setenv("CIVITAS_SHUTDOWN_GRACE_MS", "2000", 1);
	setenv("CIVITAS_LOG_LEVEL", "warn", 1);
}

void itest_sh(const char *cmd)
{
	int rc = system(cmd);
	ck_assert_msg(rc == 0, "command failed (%d): %s", rc, cmd);
}

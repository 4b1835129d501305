/* itest.c — see itest.h. */
#include "itest.h"

#include <check.h>
#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "civitas/crypto.h"

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

void itest_call(struct itest_resp *r, const char *method, const char *url, const char *auth, const char *body,
                const char *content_type, const char *extra)
{
	const char *headers[4];
	char ct[128];
	size_t n = 0;
	if (auth)
		headers[n++] = auth;
	if (body) {
		snprintf(ct, sizeof(ct), "Content-Type: %s",
		         content_type ? content_type : "application/json");
		headers[n++] = ct;
	}
	if (extra)
		headers[n++] = extra;
	headers[n] = NULL;
	ck_assert_int_eq(itest_http(method, url, headers, body, body ? strlen(body) : 0, r), 0);
}

json_t *itest_expect(struct itest_resp *r, long status)
{
	ck_assert_msg(r->status == status, "expected %ld, got %ld: %s", status, r->status,
	              r->body ? r->body : "");
	json_t *j = itest_json(r);
	itest_resp_free(r);
	return j;
}

const char *itest_jstr(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));
	return s ? s : "";
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
	static __thread char hdr[512];
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

void itest_service_env(const char *service)
{
	char buf[1024], var[64];
	const char *keys = itest_env("CIVITAS_TEST_KEYS"), *root = itest_env("CIVITAS_TEST_ROOT");
	snprintf(var, sizeof(var), "CIVITAS_TEST_%s_DB_URL", service);
	for (char *p = var; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	setenv("CIVITAS_PORT", "0", 1);
	setenv("CIVITAS_THREADS", "2", 1);
	setenv("CIVITAS_DB_URL", itest_env(var), 1);
	snprintf(buf, sizeof(buf), "%s/jwt-public.pem", keys);
	setenv("CIVITAS_JWT_PUBLIC_KEY", buf, 1);
	snprintf(buf, sizeof(buf), "%s/jwt-private.pem", keys);
	setenv("CIVITAS_JWT_PRIVATE_KEY", buf, 1);
	snprintf(buf, sizeof(buf), "%s/internal-secret", keys);
	setenv("CIVITAS_INTERNAL_SECRET_FILE", buf, 1);
	snprintf(buf, sizeof(buf), "%s/services/%s/migrations", root, service);
	setenv("CIVITAS_MIGRATIONS_DIR", buf, 1);
	setenv("CIVITAS_SHUTDOWN_GRACE_MS", "2000", 1);
	setenv("CIVITAS_LOG_LEVEL", "warn", 1);
	const char *smtp = getenv("CIVITAS_TEST_SMTP_URL");
	if (smtp)
		setenv("CIVITAS_SMTP_URL", smtp, 1);
	/* The other daemons of the throwaway stack answer internal calls. */
	const char *base = getenv("CIVITAS_TEST_BASE_URL");
	static const char *const names[] = {"content", "account", "teleservices", "payment", "stats"};
	int http_port = base ? atoi(strrchr(base, ':') + 1) : 0;
	for (int i = 0; http_port && i < 5; i++) {
		snprintf(var, sizeof(var), "CIVITAS_%s_URL", names[i]);
		for (char *p = var; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		snprintf(buf, sizeof(buf), "http://127.0.0.1:%d", http_port + 21 + i);
		setenv(var, buf, 1);
	}
}

void itest_stats_env(void)
{
	itest_service_env("stats");
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	static char data[8192];
	*len = fread(data, 1, sizeof(data) - 1, f);
	data[*len] = '\0';
	fclose(f);
	return data;
}

const char *itest_token(const char *sub, const char *role, const char *services, long ttl)
{
	static __thread char out[4096];
	char path[1024];
	snprintf(path, sizeof(path), "%s/jwt-private.pem", itest_env("CIVITAS_TEST_KEYS"));
	size_t klen;
	char *key = read_all(path, &klen);
	jwt_t *jwt = NULL;
	ck_assert_int_eq(jwt_new(&jwt), 0);
	time_t now = time(NULL);
	char jti[37];
	lc_uuid_v4(jti);
	jwt_add_grant(jwt, "iss", "civitas-account");
	jwt_add_grant(jwt, "aud", "civitas");
	jwt_add_grant(jwt, "sub", sub);
	jwt_add_grant(jwt, "role", role);
	jwt_add_grant(jwt, "jti", jti);
	jwt_add_grant_int(jwt, "iat", now);
	jwt_add_grant_int(jwt, "exp", now + ttl);
	json_t *svc = json_array();
	if (services) {
		char copy[512];
		snprintf(copy, sizeof(copy), "%s", services);
		for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			json_array_append_new(svc, json_string(t));
	}
	json_t *grant = json_pack("{s:o}", "services", svc);
	char *svc_text = json_dumps(grant, JSON_COMPACT);
	json_decref(grant);
	jwt_add_grants_json(jwt, svc_text);
	free(svc_text);
	ck_assert_int_eq(jwt_set_alg(jwt, JWT_ALG_ES256, (unsigned char *)key, (int)klen), 0);
	char *tok = jwt_encode_str(jwt);
	ck_assert_ptr_nonnull(tok);
	snprintf(out, sizeof(out), "%s", tok);
	free(tok); /* libjwt 1.10 allocates with malloc */
	jwt_free(jwt);
	return out;
}

const char *itest_bearer(const char *sub, const char *role, const char *services)
{
	static __thread char hdr[4200];
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", itest_token(sub, role, services, 600));
	return hdr;
}

int itest_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void itest_sh(const char *cmd)
{
	int rc = system(cmd);
	ck_assert_msg(rc == 0, "command failed (%d): %s", rc, cmd);
}

PGconn *itest_db(const char *env_name)
{
	PGconn *c = PQconnectdb(itest_env(env_name));
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s: %s", env_name, PQerrorMessage(c));
	return c;
}

PGresult *itest_sql(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s",
	              sql, PQerrorMessage(c));
	return r;
}

const char *itest_sql1(PGconn *c, const char *sql, int n, const char *const *params)
{
	static char out[8192];
	PGresult *r = itest_sql(c, sql, n, params);
	snprintf(out, sizeof(out), "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return out;
}

bool itest_wait_sql(PGconn *c, const char *sql, int n, const char *const *params, const char *want,
                    int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		if (strcmp(itest_sql1(c, sql, n, params), want) == 0)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

void itest_account_user(PGconn *acc, const char *given, const char *role, const char *services, char id[37],
                        char email[96], char auth[4200])
{
	char rnd[37];
	lc_uuid_v4(rnd);
	snprintf(email, 96, "%.8s.%s@example.org", rnd, given);
	const char *p[] = {email, given, role};
	snprintf(id, 37, "%.36s",
	         itest_sql1(acc,
	                    "INSERT INTO users (email, given_name, family_name, role, email_verified_at)"
	                    " VALUES ($1, $2, 'Martin', $3, now()) RETURNING id",
	                    3, p));
	snprintf(auth, 4200, "%s", itest_bearer(id, role, services));
}

static char *read_file_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *b = malloc(256 * 1024);
	size_t n = b ? fread(b, 1, 256 * 1024 - 1, f) : 0;
	fclose(f);
	if (b)
		b[n] = '\0';
	return b;
}

int itest_mail_count(const char *to, const char *needle, char **last)
{
	const char *dir = itest_env("CIVITAS_TEST_MAIL");
	DIR *d = opendir(dir);
	if (last)
		*last = NULL;
	if (!d)
		return 0;
	char hdr[400], best[300] = "";
	snprintf(hdr, sizeof(hdr), "\r\nTo: %s\r\n", to);
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.' || !strstr(e->d_name, ".eml"))
			continue;
		char path[1200];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		char *m = read_file_all(path);
		if (m && strstr(m, hdr) && (!needle || strstr(m, needle))) {
			n++;
			if (strcmp(e->d_name, best) > 0)
				snprintf(best, sizeof(best), "%s", e->d_name);
		}
		free(m);
	}
	closedir(d);
	if (last && n) {
		char path[1200];
		snprintf(path, sizeof(path), "%s/%s", dir, best);
		*last = read_file_all(path);
	}
	return n;
}

char *itest_mail_wait(const char *to, const char *needle, int want, int seconds)
{
	for (int i = 0; i < seconds * 5; i++) {
		char *m = NULL;
		if (itest_mail_count(to, needle, &m) >= want)
			return m;
		free(m);
		usleep(200 * 1000);
	}
	ck_abort_msg("no e-mail to %s containing %s", to, needle ? needle : "(anything)");
	return NULL;
}

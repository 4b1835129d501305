/* client.c — outgoing HTTP with libcurl: bounded time, bounded answer size, no signals, and the
 * internal bearer for calls between daemons. */
#include "civitas/client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civitas/auth.h"

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct lc_http_resp *r = ud;
	size_t add = size * n;
	if (r->len + add > LC_CLIENT_MAX_BODY)
		return 0; /* curl fails with a write error: an oversized answer is refused whole */
	char *b = realloc(r->body, r->len + add + 1);
	if (!b)
		return 0;
	memcpy(b + r->len, p, add);
	r->body = b;
	r->len += add;
	r->body[r->len] = '\0';
	return add;
}

/* One request on c (a fresh handle, or a kept one after curl_easy_reset); c is not cleaned up. */
static int perform(CURL *c, const char *method, const char *url, const char *const *headers, const void *body,
                   size_t len, long timeout_s, struct lc_http_resp *out)
{
	memset(out, 0, sizeof(*out));
	struct curl_slist *h = NULL;
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s > 0 ? timeout_s : 10L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 3L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	CURLcode cc = curl_easy_perform(c);
	if (cc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
		char *ct = NULL;
		curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
		if (ct)
			snprintf(out->content_type, sizeof(out->content_type), "%s", ct);
		if (out->body && (strncasecmp(out->content_type, "application/json", 16) == 0 ||
		                  strncasecmp(out->content_type, "application/problem+json", 24) == 0))
			out->json = json_loadb(out->body, out->len, 0, NULL);
	} else {
		snprintf(out->error, sizeof(out->error), "%s", curl_easy_strerror(cc));
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL); /* h is freed: a kept handle must not point at it */
	curl_slist_free_all(h);
	return cc == CURLE_OK ? 0 : -1;
}

int lc_http_request(const char *method, const char *url, const char *const *headers, const void *body,
                    size_t len, long timeout_s, struct lc_http_resp *out)
{
	CURL *c = curl_easy_init();
	if (!c) {
		memset(out, 0, sizeof(*out));
		snprintf(out->error, sizeof(out->error), "curl init failed");
		return -1;
	}
	int rc = perform(c, method, url, headers, body, len, timeout_s, out);
	curl_easy_cleanup(c);
	return rc;
}

struct lc_http_keep {
	CURL *c;
};

struct lc_http_keep *lc_http_keep_new(void)
{
	struct lc_http_keep *k = calloc(1, sizeof(*k));
	if (k && !(k->c = curl_easy_init())) {
		free(k);
		k = NULL;
	}
	return k;
}

void lc_http_keep_free(struct lc_http_keep *k)
{
	if (!k)
		return;
	curl_easy_cleanup(k->c);
	free(k);
}

int lc_http_request_kept(struct lc_http_keep *k, const char *method, const char *url,
                         const char *const *headers, const void *body, size_t len, long timeout_s,
                         struct lc_http_resp *out)
{
	curl_easy_reset(k->c); /* the options go, the open connections stay */
	return perform(k->c, method, url, headers, body, len, timeout_s, out);
}

int lc_internal_call(const char *service, const char *method, const char *path, const json_t *body,
                     const char *request_id, struct lc_http_resp *out)
{
	char var[64];
	snprintf(var, sizeof(var), "CIVITAS_%s_URL", service);
	for (char *p = var; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	const char *base = getenv(var);
	if (!base || !*base) {
		memset(out, 0, sizeof(*out));
		snprintf(out->error, sizeof(out->error), "%s is not set", var);
		return -1;
	}
	char url[1024], auth[512], rid[128];
	snprintf(url, sizeof(url), "%s%s", base, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	         lc_internal_secret() ? lc_internal_secret() : "");
	snprintf(rid, sizeof(rid), "X-Request-Id: %s", request_id ? request_id : "");
	const char *headers[] = {"Content-Type: application/json", "Accept: application/json", auth,
	                         request_id ? rid : NULL, NULL};
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	int rc = lc_http_request(method, url, headers, text, text ? strlen(text) : 0, 10, out);
	free(text);
	return rc;
}

void lc_http_resp_free(struct lc_http_resp *r)
{
	free(r->body);
	json_decref(r->json);
	r->body = NULL;
	r->json = NULL;
}

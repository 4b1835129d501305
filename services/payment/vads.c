/* vads.c — the signature and the urlencoded bodies of Lyra's form protocol (see vads.h).
 * Both the forms we send and the notifications we receive go through here. */
#include "vads.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"
#include "civitas/crypto.h"

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool vads_sign(const json_t *fields, const char *key, char out[45])
{
	out[0] = '\0';
	size_t n = 0;
	const char *k;
	const json_t *v;
	const char *names[128];
	json_object_foreach((json_t *)fields, k, v)
	{
		if (strncmp(k, "vads_", 5) != 0)
			continue;
		if (!json_is_string(v) || n == sizeof(names) / sizeof(names[0]))
			return false;
		names[n++] = k;
	}
	qsort(names, n, sizeof(names[0]), cmp_keys);
	struct lc_buf b;
	lc_buf_init(&b, 64 * 1024);
	for (size_t i = 0; i < n; i++) {
		const char *val = json_string_value(json_object_get(fields, names[i]));
		lc_buf_append(&b, val, strlen(val));
		lc_buf_append(&b, "+", 1);
	}
	lc_buf_append(&b, key, strlen(key));
	if (b.overflow) {
		lc_buf_free(&b);
		return false;
	}
	unsigned char mac[32];
	unsigned int maclen = 0;
	HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)lc_buf_cstr(&b), b.len, mac,
	     &maclen);
	lc_buf_free(&b);
	EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen); /* 32 bytes → 44 chars + NUL */
	return true;
}

bool vads_verify(const json_t *fields, const char *key)
{
	const char *given = json_string_value(json_object_get(fields, "signature"));
	char want[45];
	if (!given || !key || !key[0] || !vads_sign(fields, key, want))
		return false;
	return lc_secret_equal(given, want);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes one urlencoded token into a new NUL-terminated string, NULL when malformed. */
static char *decode(const char *s, size_t len)
{
	char *o = malloc(len + 1);
	if (!o)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+')
			o[j++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= len || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
				free(o);
				return NULL;
			}
			o[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			o[j++] = s[i];
	}
	o[j] = '\0';
	if (memchr(o, '\0', j)) {
		free(o);
		return NULL;
	}
	return o;
}

json_t *vads_form_parse(const char *body, size_t len)
{
	json_t *obj = json_object();
	size_t i = 0, count = 0;
	while (obj && i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(body + i, '=', end - i);
			size_t klen = eq ? (size_t)(eq - (body + i)) : end - i;
			char *k = decode(body + i, klen);
			char *v = eq ? decode(eq + 1, (size_t)(body + end - eq - 1)) : strdup("");
			bool ok = k && v && k[0] && ++count <= 100 && !json_object_get(obj, k);
			json_t *sv = ok ? json_string(v) : NULL; /* NULL for invalid UTF-8 */
			if (!sv || json_object_set_new(obj, k, sv) != 0) {
				json_decref(obj);
				obj = NULL;
			}
			free(k);
			free(v);
		}
		i = end + 1;
	}
	return obj;
}

static void encode_into(struct lc_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~')
			lc_buf_append(b, p, 1);
		else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			lc_buf_append(b, e, 3);
		}
	}
}

char *vads_form_encode(const json_t *fields)
{
	struct lc_buf b;
	lc_buf_init(&b, 1u << 20);
	const char *k;
	const json_t *v;
	bool first = true;
	json_object_foreach((json_t *)fields, k, v)
	{
		if (!first)
			lc_buf_append(&b, "&", 1);
		first = false;
		encode_into(&b, k);
		lc_buf_append(&b, "=", 1);
		encode_into(&b, json_is_string(v) ? json_string_value(v) : "");
	}
	lc_buf_cstr(&b);
	if (b.overflow) {
		lc_buf_free(&b);
		return NULL;
	}
	size_t n;
	char *s = lc_buf_steal(&b, &n);
	return s ? s : strdup("");
}

char *vads_html_escape(const char *s)
{
	struct lc_buf b;
	lc_buf_init(&b, 0);
	for (const char *p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '&':
			lc_buf_append(&b, "&amp;", 5);
			break;
		case '<':
			lc_buf_append(&b, "&lt;", 4);
			break;
		case '>':
			lc_buf_append(&b, "&gt;", 4);
			break;
		case '"':
			lc_buf_append(&b, "&quot;", 6);
			break;
		case '\'':
			lc_buf_append(&b, "&#39;", 5);
			break;
		default:
			lc_buf_append(&b, p, 1);
		}
	}
	lc_buf_cstr(&b);
	size_t n;
	char *r = lc_buf_steal(&b, &n);
	return r ? r : strdup("");
}

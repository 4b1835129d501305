/* mail.c — e-mail: French templates rendered into a subject and a body, RFC 5322 messages with
 * UTF-8 headers as encoded words, and SMTP delivery through libcurl. Messages are queued in the
 * outbox (topic "mail.send") by notify.c; the outbox thread calls mail_deliver with retries. */
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/buf.h"
#include "civitas/crypto.h"
#include "civitas/log.h"

#include "account.h"

#define MAX_TEMPLATE (64 * 1024)

void account_public_url(const char *path, char *out, size_t outlen)
{
	if (!path)
		path = "/";
	if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0) {
		snprintf(out, outlen, "%s", path);
		return;
	}
	size_t n = strlen(account_public_base);
	while (n && account_public_base[n - 1] == '/')
		n--;
	snprintf(out, outlen, "%.*s%s%s", (int)n, account_public_base, path[0] == '/' ? "" : "/", path);
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	return n >= 1 && n <= 64 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* The template text (malloc'd) or NULL with errno ENOENT when it does not exist. */
static char *read_template(const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s.txt", account_templates_dir, name);
	size_t len;
	return lc_file_read(path, MAX_TEMPLATE, &len);
}

/* Appends the value of data[key] (string or number; anything else is empty). */
static void append_value(struct lc_buf *b, const json_t *data, const char *key, size_t klen, const char *link)
{
	char k[65];
	if (klen >= sizeof(k))
		return;
	memcpy(k, key, klen);
	k[klen] = '\0';
	if (strcmp(k, "link") == 0) {
		char url[2200];
		account_public_url(link ? link : "/mon-espace.html", url, sizeof(url));
		lc_buf_append(b, url, strlen(url));
		return;
	}
	const json_t *v = json_object_get(data, k);
	if (json_is_string(v))
		lc_buf_append(b, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		lc_buf_printf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		lc_buf_printf(b, "%g", json_real_value(v));
}

static char *substitute(const char *text, const json_t *data, const char *link)
{
	struct lc_buf b;
	lc_buf_init(&b, 256 * 1024);
	for (const char *p = text; *p;) {
		const char *open = strstr(p, "{{");
		const char *close = open ? strstr(open + 2, "}}") : NULL;
		if (!open || !close) {
			lc_buf_append(&b, p, strlen(p));
			break;
		}
		lc_buf_append(&b, p, (size_t)(open - p));
		const char *k = open + 2;
		size_t kl = (size_t)(close - k);
		while (kl && *k == ' ')
			k++, kl--;
		while (kl && k[kl - 1] == ' ')
			kl--;
		append_value(&b, data, k, kl, link);
		p = close + 2;
	}
	if (b.overflow) {
		lc_buf_free(&b);
		return NULL;
	}
	return lc_buf_steal(&b, NULL) ?: strdup("");
}

int mail_render(const char *name, const json_t *data, const char *link, char **subject, char **body)
{
	*subject = *body = NULL;
	if (!name_ok(name))
		return -2;
	char *t = read_template(name);
	if (!t)
		return errno == ENOENT ? -2 : -1;
	int rc = -1;
	if (strncmp(t, "Subject: ", 9) == 0) {
		char *eol = strchr(t, '\n');
		char *rest = eol ? eol + 1 : t + strlen(t);
		if (eol) {
			*eol = '\0';
			if (eol > t && eol[-1] == '\r')
				eol[-1] = '\0';
		}
		if (*rest == '\n')
			rest++;
		else if (rest[0] == '\r' && rest[1] == '\n')
			rest += 2;
		*subject = substitute(t + 9, data, link);
		*body = substitute(rest, data, link);
		rc = *subject && *body ? 0 : -1;
		/* A header may not carry a line break that a value brought in. */
		for (char *p = *subject; p && *p; p++)
			if (*p == '\r' || *p == '\n')
				*p = ' ';
	} else {
		lc_error("template %s does not start with \"Subject: \"", name);
	}
	free(t);
	if (rc != 0) {
		free(*subject);
		free(*body);
		*subject = *body = NULL;
	}
	return rc;
}

static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* RFC 2047 encoded words of at most 45 bytes of text each, cut between UTF-8 characters. */
static void encode_words(struct lc_buf *b, const char *s)
{
	if (is_ascii(s)) {
		lc_buf_append(b, s, strlen(s));
		return;
	}
	size_t n = strlen(s);
	bool first = true;
	while (n) {
		size_t take = n < 45 ? n : 45;
		while (take < n && ((unsigned char)s[take] & 0xc0) == 0x80)
			take--;
		unsigned char out[80];
		int ol = EVP_EncodeBlock(out, (const unsigned char *)s, (int)take);
		lc_buf_printf(b, "%s=?UTF-8?B?%.*s?=", first ? "" : "\r\n ", ol, out);
		first = false;
		s += take;
		n -= take;
	}
}

/* Splits "Name <addr>" into its parts (name may be empty). */
static void split_address(const char *from, char *name, size_t nl, char *addr, size_t al)
{
	const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (!lt || !gt) {
		name[0] = '\0';
		snprintf(addr, al, "%s", from);
		return;
	}
	size_t len = (size_t)(lt - from);
	while (len && from[len - 1] == ' ')
		len--;
	snprintf(name, nl, "%.*s", (int)len, from);
	snprintf(addr, al, "%.*s", (int)(gt - lt - 1), lt + 1);
}

char *mail_message(const char *from, const char *to, const char *subject, const char *body, int64_t now)
{
	struct lc_buf b;
	lc_buf_init(&b, 512 * 1024);
	char name[200], addr[256], date[64], id[37];
	split_address(from, name, sizeof(name), addr, sizeof(addr));
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	snprintf(date, sizeof(date), "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	         months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	lc_uuid_v4(id);
	const char *domain = strchr(addr, '@');
	lc_buf_printf(&b, "Date: %s\r\nFrom: ", date);
	if (name[0]) {
		encode_words(&b, name);
		lc_buf_printf(&b, " <%s>\r\n", addr);
	} else {
		lc_buf_printf(&b, "%s\r\n", addr);
	}
	lc_buf_printf(&b, "To: %s\r\nSubject: ", to);
	encode_words(&b, subject);
	lc_buf_printf(&b,
	              "\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n"
	              "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
	              "Auto-Submitted: auto-generated\r\n\r\n",
	              id, domain ? domain + 1 : "civitas.invalid");
	/* Body lines end in CRLF; libcurl escapes lines that start with a dot. */
	for (const char *p = body; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n')
			lc_buf_append(&b, "\r\n", 2);
		else
			lc_buf_append(&b, p, 1);
	}
	if (b.len < 2 || memcmp(b.data + b.len - 2, "\r\n", 2) != 0)
		lc_buf_append(&b, "\r\n", 2);
	if (b.overflow) {
		lc_buf_free(&b);
		return NULL;
	}
	return lc_buf_steal(&b, NULL);
}

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t room = size * nmemb, left = u->len - u->off;
	size_t n = left < room ? left : room;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return n;
}

int mail_deliver(const char *topic, const json_t *event, char *err, size_t errlen)
{
	const json_t *data = json_object_get(event, "data");
	const char *to = json_string_value(json_object_get(data, "to"));
	const char *subject = json_string_value(json_object_get(data, "subject"));
	const char *body = json_string_value(json_object_get(data, "body"));
	if (!to || !subject || !body) {
		snprintf(err, errlen, "mail event without to, subject or body");
		return -1;
	}
	if (!account_smtp_url || !*account_smtp_url) {
		snprintf(err, errlen, "CIVITAS_SMTP_URL is not set");
		return -1;
	}
	char *msg = mail_message(account_mail_from, to, subject, body, (int64_t)time(NULL));
	if (!msg) {
		snprintf(err, errlen, "cannot build the message");
		return -1;
	}
	char name[200], from[256], rcpt[300];
	split_address(account_mail_from, name, sizeof(name), from, sizeof(from));
	char mail_from[300];
	snprintf(mail_from, sizeof(mail_from), "<%s>", from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	struct upload u = {msg, strlen(msg), 0};
	CURL *c = curl_easy_init();
	struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
	int rc = -1;
	if (c && rcpts) {
		curl_easy_setopt(c, CURLOPT_URL, account_smtp_url);
		curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from);
		curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(c, CURLOPT_READDATA, &u);
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		/* smtps:// or a relay that offers STARTTLS: TLS is used; an smtp:// relay without it
		 * (the local catcher) is plain. */
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
		CURLcode cc = curl_easy_perform(c);
		if (cc == CURLE_OK)
			rc = 0;
		else
			snprintf(err, errlen, "smtp: %s", curl_easy_strerror(cc));
	} else {
		snprintf(err, errlen, "out of memory");
	}
	curl_slist_free_all(rcpts);
	curl_easy_cleanup(c);
	free(msg);
	(void)topic;
	return rc;
}

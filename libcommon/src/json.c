/* json.c — declarative validation of JSON request bodies against a field spec, and the small
 * format validators (uuid, email, date, timestamp, UTF-8 length) that services reuse. */
#include "civitas/json.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/http.h"
#include "civitas/reply.h"

/* --- Validators --- */

size_t lc_utf8_length(const char *s)
{
	size_t n = 0;
	if (!s)
		return 0;
	/* Valid UTF-8 (jansson guarantees it): every byte that is not a continuation starts a
	 * code point. */
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

bool lc_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p++;
		if (c < 0x80)
			continue;
		size_t more;
		unsigned cp, min;
		if (c >= 0xC2 && c <= 0xDF)
			more = 1, cp = c & 0x1F, min = 0x80;
		else if (c >= 0xE0 && c <= 0xEF)
			more = 2, cp = c & 0x0F, min = 0x800;
		else if (c >= 0xF0 && c <= 0xF4)
			more = 3, cp = c & 0x07, min = 0x10000;
		else
			return false; /* continuation byte first, or C0/C1/F5+ (overlong or out of range) */
		if ((size_t)(end - p) < more)
			return false;
		for (size_t i = 0; i < more; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		p += more;
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false; /* overlong, past Unicode, or a UTF-16 surrogate */
	}
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_lower_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* Reads n digits at s into *out; false if any is not a digit. */
static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool lc_json_is_uuid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!is_lower_hex(s[i])) {
			return false;
		}
	}
	return true;
}

bool lc_json_is_email(const char *s)
{
	if (!s)
		return false;
	size_t len = strlen(s);
	if (len < 3 || len > 254)
		return false;
	const char *at = strchr(s, '@');
	if (!at || strchr(at + 1, '@') || at == s || (size_t)(at - s) > 64)
		return false;
	/* Characters that are never in an address a town hall would mail, and that break
	 * headers if they slip through. */
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c == 0x7f || strchr("<>()[]\\,;:\"", c))
			return false;
	}
	const char *dom = at + 1;
	size_t dlen = strlen(dom);
	if (dlen < 3 || !strchr(dom, '.') || dom[0] == '.' || dom[dlen - 1] == '.' || strstr(dom, "..") ||
	    s[0] == '.' || at[-1] == '.')
		return false;
	return true;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* YYYY-MM-DD at s (exactly 10 characters, not necessarily NUL-terminated after). */
static bool date_at(const char *s)
{
	int y, m, d;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

bool lc_json_is_date(const char *s)
{
	return s && strlen(s) == 10 && date_at(s);
}

/* RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM). The leap second :60 is
 * refused: nothing we store needs it and PostgreSQL would roll it over. */
bool lc_json_is_timestamp(const char *s)
{
	if (!s || strlen(s) < 20 || !date_at(s) || (s[10] != 'T' && s[10] != 't'))
		return false;
	int hh, mm, ss;
	const char *p = s + 11;
	if (!digits(p, 2, &hh) || p[2] != ':' || !digits(p + 3, 2, &mm) || p[5] != ':' ||
	    !digits(p + 6, 2, &ss) || hh > 23 || mm > 59 || ss > 59)
		return false;
	p += 8;
	if (*p == '.') {
		int n = 0;
		for (p++; is_digit(*p); p++)
			n++;
		if (n < 1 || n > 9)
			return false;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return true;
	if (*p != '+' && *p != '-')
		return false;
	int oh, om;
	return digits(p + 1, 2, &oh) && p[3] == ':' && digits(p + 4, 2, &om) && p[6] == '\0' && oh <= 23 &&
	       om <= 59;
}

/* --- Spec walk --- */

/* Out of memory aborts: a lost error would turn an invalid body into a valid one. */
static void add_error(json_t *errors, const char *field, const char *code, const char *message)
{
	json_t *e = json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message);
	if (!e || json_array_append_new(errors, e) != 0)
		abort();
}

static const char *type_name(enum lc_jtype t)
{
	switch (t) {
	case LC_J_INT:
		return "an integer";
	case LC_J_NUMBER:
		return "a number";
	case LC_J_BOOL:
		return "a boolean";
	case LC_J_OBJECT:
		return "an object";
	case LC_J_ARRAY:
		return "an array";
	default:
		return "a string";
	}
}

static bool pattern_matches(const char *pattern, const char *s, bool *bad_pattern)
{
	regex_t re;
	/* Compiled per call: specs are few and small, and this keeps the walk free of shared
	 * mutable state between worker threads. */
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
		*bad_pattern = true;
		return false;
	}
	bool ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

/* Checks a string-valued field; on success stores the borrowed pointer in f->out. */
static void check_string(json_t *errors, const struct lc_field *f, json_t *v)
{
	char msg[160];
	const char *s = json_string_value(v);
	/* An embedded NUL would silently cut the value the handler sees. */
	if (strlen(s) != json_string_length(v)) {
		add_error(errors, f->name, LC_JERR_FORMAT, "Must not contain NUL characters.");
		return;
	}
	switch (f->type) {
	case LC_J_UUID:
		if (!lc_json_is_uuid(s)) {
			add_error(errors, f->name, LC_JERR_FORMAT,
			          "Must be a lower-case UUID (8-4-4-4-12 hexadecimal digits).");
			return;
		}
		break;
	case LC_J_EMAIL:
		if (!lc_json_is_email(s)) {
			add_error(errors, f->name, LC_JERR_FORMAT, "Must be a valid email address.");
			return;
		}
		break;
	case LC_J_DATE:
		if (!lc_json_is_date(s)) {
			add_error(errors, f->name, LC_JERR_FORMAT,
			          "Must be a calendar date in the form YYYY-MM-DD.");
			return;
		}
		break;
	case LC_J_TIMESTAMP:
		if (!lc_json_is_timestamp(s)) {
			add_error(errors, f->name, LC_JERR_FORMAT,
			          "Must be an RFC 3339 timestamp such as 2026-01-31T09:30:00Z.");
			return;
		}
		break;
	case LC_J_ENUM: {
		bool found = false;
		for (const char *const *e = f->enum_values; e && *e; e++)
			if (strcmp(*e, s) == 0) {
				found = true;
				break;
			}
		if (!found) {
			add_error(errors, f->name, LC_JERR_ENUM, "This value is not allowed.");
			return;
		}
		break;
	}
	default:
		break;
	}
	if (f->has_min || f->has_max) {
		size_t n = lc_utf8_length(s);
		if (f->has_min && (f->min > 0 && n < (size_t)f->min)) {
			snprintf(msg, sizeof msg, "Must be at least %lld characters long.",
			         (long long)f->min);
			add_error(errors, f->name, LC_JERR_RANGE, msg);
			return;
		}
		if (f->has_max && (f->max < 0 || n > (size_t)f->max)) {
			snprintf(msg, sizeof msg, "Must be at most %lld characters long.", (long long)f->max);
			add_error(errors, f->name, LC_JERR_RANGE, msg);
			return;
		}
	}
	if (f->pattern) {
		bool bad_pattern = false;
		if (!pattern_matches(f->pattern, s, &bad_pattern)) {
			add_error(errors, f->name, LC_JERR_FORMAT,
			          bad_pattern ? "This field cannot be checked (invalid pattern)."
			                      : "Does not have the expected format.");
			return;
		}
	}
	if (f->out)
		*(const char **)f->out = s;
}

static void check_int(json_t *errors, const struct lc_field *f, json_t *v)
{
	char msg[160];
	int64_t n = (int64_t)json_integer_value(v);
	if (f->has_min && n < f->min) {
		snprintf(msg, sizeof msg, "Must be at least %lld.", (long long)f->min);
		add_error(errors, f->name, LC_JERR_RANGE, msg);
		return;
	}
	if (f->has_max && n > f->max) {
		snprintf(msg, sizeof msg, "Must be at most %lld.", (long long)f->max);
		add_error(errors, f->name, LC_JERR_RANGE, msg);
		return;
	}
	if (f->out)
		*(int64_t *)f->out = n;
}

static void check_number(json_t *errors, const struct lc_field *f, json_t *v)
{
	char msg[160];
	double d = json_number_value(v);
	if (f->has_min && d < (double)f->min) {
		snprintf(msg, sizeof msg, "Must be at least %lld.", (long long)f->min);
		add_error(errors, f->name, LC_JERR_RANGE, msg);
		return;
	}
	if (f->has_max && d > (double)f->max) {
		snprintf(msg, sizeof msg, "Must be at most %lld.", (long long)f->max);
		add_error(errors, f->name, LC_JERR_RANGE, msg);
		return;
	}
	if (f->out)
		*(double *)f->out = d;
}

static void check_array(json_t *errors, const struct lc_field *f, json_t *v)
{
	char msg[160];
	size_t n = json_array_size(v);
	if (f->has_min && f->min > 0 && n < (size_t)f->min) {
		snprintf(msg, sizeof msg, "Must have at least %lld items.", (long long)f->min);
		add_error(errors, f->name, LC_JERR_RANGE, msg);
		return;
	}
	if (f->has_max && (f->max < 0 || n > (size_t)f->max)) {
		snprintf(msg, sizeof msg, "Must have at most %lld items.", (long long)f->max);
		add_error(errors, f->name, LC_JERR_RANGE, msg);
		return;
	}
	if (f->out)
		*(json_t **)f->out = v;
}

static bool type_ok(enum lc_jtype t, json_t *v)
{
	switch (t) {
	case LC_J_INT:
		return json_is_integer(v);
	case LC_J_NUMBER:
		return json_is_number(v);
	case LC_J_BOOL:
		return json_is_boolean(v);
	case LC_J_OBJECT:
		return json_is_object(v);
	case LC_J_ARRAY:
		return json_is_array(v);
	default:
		return json_is_string(v);
	}
}

static void check_field(json_t *errors, const struct lc_field *f, json_t *v)
{
	char msg[160];
	if (f->present)
		*f->present = v != NULL;
	if (!v) {
		if (f->required)
			add_error(errors, f->name, LC_JERR_REQUIRED, "This field is required.");
		return;
	}
	if (json_is_null(v)) {
		if (!f->nullable)
			add_error(errors, f->name, LC_JERR_TYPE, "This field must not be null.");
		return;
	}
	if (!type_ok(f->type, v)) {
		snprintf(msg, sizeof msg, "Must be %s.", type_name(f->type));
		add_error(errors, f->name, LC_JERR_TYPE, msg);
		return;
	}
	switch (f->type) {
	case LC_J_INT:
		check_int(errors, f, v);
		break;
	case LC_J_NUMBER:
		check_number(errors, f, v);
		break;
	case LC_J_BOOL:
		if (f->out)
			*(bool *)f->out = json_is_true(v);
		break;
	case LC_J_OBJECT:
		if (f->out)
			*(json_t **)f->out = v;
		break;
	case LC_J_ARRAY:
		check_array(errors, f, v);
		break;
	default:
		check_string(errors, f, v);
		break;
	}
}

json_t *lc_json_check(json_t *obj, const struct lc_field *spec)
{
	json_t *errors = json_array();
	if (!errors)
		abort(); /* returning NULL would mean "valid" */
	if (!json_is_object(obj)) {
		add_error(errors, "", LC_JERR_TYPE, "The body must be a JSON object.");
		return errors;
	}
	for (const struct lc_field *f = spec; f && f->name; f++)
		check_field(errors, f, json_object_get(obj, f->name));

	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		bool known = false;
		for (const struct lc_field *f = spec; f && f->name; f++)
			if (strcmp(f->name, key) == 0) {
				known = true;
				break;
			}
		if (!known)
			add_error(errors, key, LC_JERR_UNKNOWN, "This field is not expected.");
	}
	if (json_array_size(errors) == 0) {
		json_decref(errors);
		return NULL;
	}
	return errors;
}

bool lc_json_parse_or_reply(struct lc_request *rq, const struct lc_field *spec)
{
	json_t *body = lc_rq_json(rq);
	json_t *empty = NULL;
	if (!body)
		body = empty = json_object();
	json_t *errors = lc_json_check(body, spec);
	/* An empty {} has no members, so no out pointer can point into it after the decref. */
	json_decref(empty);
	if (!errors)
		return true;
	lc_reply_problem_errors(rq, 422, "validation_failed", "The request body has invalid fields.", errors);
	return false;
}

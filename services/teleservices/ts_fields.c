/* ts_fields.c — see ts_logic.h: a procedure's definition (fields, required documents) and the
 * answers and documents of a request checked against it. Pure: tested on its own. */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/json.h"

#include "ts_logic.h"

static const char *const field_types[] = {"text",   "textarea",    "number",   "date",   "email", "phone",
                                          "select", "multiselect", "checkbox", "member", NULL};
static const char *const doc_kinds[] = {
    "identity", "family_record_book", "proof_of_address", "qf_certificate", "health_record", "other", NULL};

void ts_add_error(json_t *errors, const char *field, const char *code, const char *message)
{
	json_array_append_new(errors,
	                      json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message));
}

static bool name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 64 || !islower((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* Compiles pattern anchored at both ends ("^(pattern)$"), as a field's pattern is meant. */
static bool anchored_regex(const char *pattern, regex_t *re)
{
	size_t n = strlen(pattern) + 5;
	char *full = malloc(n);
	if (!full)
		return false;
	snprintf(full, n, "^(%s)$", pattern);
	int rc = regcomp(re, full, REG_EXTENDED | REG_NOSUB);
	free(full);
	return rc == 0;
}

static bool pattern_compiles(const char *pattern)
{
	regex_t re;
	if (strlen(pattern) > 500 || !anchored_regex(pattern, &re))
		return false;
	regfree(&re);
	return true;
}

static bool pattern_matches(const char *pattern, const char *s)
{
	regex_t re;
	if (!anchored_regex(pattern, &re))
		return false;
	bool ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

/* The value of an option: a string, or the "value" of {value, label}. */
static const char *option_value(const json_t *opt)
{
	if (json_is_string(opt))
		return json_string_value(opt);
	return json_string_value(json_object_get(opt, "value"));
}

static bool option_allowed(const json_t *def, const char *v)
{
	const json_t *opts = json_object_get(def, "options");
	size_t i;
	const json_t *o;
	json_array_foreach(opts, i, o)
	{
		const char *ov = option_value(o);
		if (ov && v && strcmp(ov, v) == 0)
			return true;
	}
	return false;
}

/* An error on member `member` (NULL: the item itself) of item i of list: "list[i].member". */
static void item_error(json_t *errors, const char *list, size_t i, const char *member, const char *code,
                       const char *message)
{
	char f[96];
	if (member)
		snprintf(f, sizeof(f), "%s[%zu].%s", list, i, member);
	else
		snprintf(f, sizeof(f), "%s[%zu]", list, i);
	ts_add_error(errors, f, code, message);
}

static bool same_name(const json_t *fields, size_t j, const char *name)
{
	const char *other = json_string_value(json_object_get(json_array_get(fields, j), "name"));
	return name && other && strcmp(other, name) == 0;
}

/* name (unique), label and type of field i; false when the type is unknown (nothing more to
 * check). */
static bool check_field_head(const json_t *fields, size_t i, const json_t *d, json_t *errors)
{
	const char *name = json_string_value(json_object_get(d, "name"));
	const char *label = json_string_value(json_object_get(d, "label"));
	if (!name_ok(name)) {
		item_error(errors, "fields", i, "name", "invalid_format", "name is [a-z][a-z0-9_]{0,63}");
	} else {
		for (size_t j = 0; j < i; j++) /* one error for each earlier field of that name */
			if (same_name(fields, j, name))
				item_error(errors, "fields", i, "name", "duplicate",
				           "two fields have this name");
	}
	if (!label || lc_utf8_length(label) < 1 || lc_utf8_length(label) > 200)
		item_error(errors, "fields", i, "label", "required", "label is 1 to 200 characters");
	if (!ts_in_list(json_string_value(json_object_get(d, "type")), field_types)) {
		item_error(errors, "fields", i, "type", "not_allowed", "unknown field type");
		return false;
	}
	return true;
}

/* What field i of a known type may carry: required, options, min/max, pattern, help. */
static void check_field_rules(size_t i, const json_t *d, const char *type, json_t *errors)
{
	const json_t *req = json_object_get(d, "required");
	if (req && !json_is_boolean(req))
		item_error(errors, "fields", i, "required", "wrong_type", "required is a boolean");
	const json_t *opts = json_object_get(d, "options");
	bool needs_opts = strcmp(type, "select") == 0 || strcmp(type, "multiselect") == 0;
	if (needs_opts || opts) {
		bool good = json_is_array(opts) && json_array_size(opts) >= (needs_opts ? 1 : 0) &&
		            json_array_size(opts) <= 100;
		size_t k;
		const json_t *o;
		json_array_foreach(opts, k, o) if (!option_value(o)) good = false;
		if (!good)
			item_error(errors, "fields", i, "options", "invalid_format",
			           "options: 1 to 100 strings or {value, label}");
	}
	static const char *const bounds[] = {"min", "max"};
	for (int b = 0; b < 2; b++) {
		const json_t *v = json_object_get(d, bounds[b]);
		if (!v || json_is_null(v))
			continue;
		bool good = strcmp(type, "date") == 0
		                ? json_is_string(v) && lc_json_is_date(json_string_value(v))
		                : json_is_number(v);
		if (!good)
			item_error(errors, "fields", i, bounds[b], "wrong_type",
			           "a number (a YYYY-MM-DD date for date fields)");
	}
	const json_t *pat = json_object_get(d, "pattern");
	if (pat && !json_is_null(pat) && (!json_is_string(pat) || !pattern_compiles(json_string_value(pat))))
		item_error(errors, "fields", i, "pattern", "invalid_format",
		           "pattern is a POSIX extended regular expression");
	const json_t *help = json_object_get(d, "help");
	if (help && !json_is_null(help) && (!json_is_string(help) || strlen(json_string_value(help)) > 1000))
		item_error(errors, "fields", i, "help", "wrong_type",
		           "help is a string of at most 1000 bytes");
}

/* visible_if of field i: {field: <another field>, equals | in}. */
static void check_field_visible_if(const json_t *fields, size_t i, const json_t *d, json_t *errors)
{
	const json_t *vi = json_object_get(d, "visible_if");
	if (!vi || json_is_null(vi))
		return;
	const char *on = json_string_value(json_object_get(vi, "field"));
	bool known = false;
	for (size_t j = 0; j < json_array_size(fields); j++)
		known = known || (j != i && same_name(fields, j, on));
	bool has_rule = json_object_get(vi, "equals") || json_is_array(json_object_get(vi, "in"));
	if (!json_is_object(vi) || !known || !has_rule)
		item_error(errors, "fields", i, "visible_if", "invalid_format",
		           "visible_if is {field: <another field>, equals | in}");
}

/* NULL when errors is empty (and then freed), else errors. */
static json_t *errors_or_null(json_t *errors)
{
	if (json_array_size(errors) > 0)
		return errors;
	json_decref(errors);
	return NULL;
}

json_t *ts_check_field_defs(const json_t *fields)
{
	json_t *errors = json_array();
	if (!json_is_array(fields) || json_array_size(fields) > 60) {
		ts_add_error(errors, "fields", "wrong_type", "fields must be an array of at most 60 fields");
		return errors;
	}
	size_t i;
	const json_t *d;
	json_array_foreach(fields, i, d)
	{
		if (!json_is_object(d)) {
			item_error(errors, "fields", i, NULL, "wrong_type", "a field is an object");
			continue;
		}
		if (!check_field_head(fields, i, d, errors))
			continue;
		check_field_rules(i, d, json_string_value(json_object_get(d, "type")), errors);
		check_field_visible_if(fields, i, d, errors);
	}
	return errors_or_null(errors);
}

json_t *ts_check_document_defs(const json_t *docs)
{
	json_t *errors = json_array();
	if (!json_is_array(docs) || json_array_size(docs) > 20) {
		ts_add_error(errors, "required_documents", "wrong_type", "an array of at most 20 documents");
		return errors;
	}
	static const char *const list = "required_documents";
	size_t i;
	const json_t *d;
	json_array_foreach(docs, i, d)
	{
		const char *kind = json_string_value(json_object_get(d, "kind"));
		const char *label = json_string_value(json_object_get(d, "label"));
		if (!ts_in_list(kind, doc_kinds))
			item_error(errors, list, i, "kind", "not_allowed", "unknown document kind");
		for (size_t j = 0; kind && j < i; j++) {
			const char *other =
			    json_string_value(json_object_get(json_array_get(docs, j), "kind"));
			if (other && strcmp(other, kind) == 0)
				item_error(errors, list, i, "kind", "duplicate",
				           "this kind is already required");
		}
		if (!label || lc_utf8_length(label) < 1 || lc_utf8_length(label) > 200)
			item_error(errors, list, i, "label", "required", "label is 1 to 200 characters");
		static const char *const flags[] = {"per_member", "optional", "skip_for_self"};
		for (int k = 0; k < 3; k++) {
			const json_t *v = json_object_get(d, flags[k]);
			if (v && !json_is_boolean(v))
				item_error(errors, list, i, flags[k], "wrong_type", "a boolean");
		}
		const json_t *age = json_object_get(d, "max_age_days");
		if (age && !json_is_null(age) &&
		    (!json_is_integer(age) || json_integer_value(age) < 1 || json_integer_value(age) > 3650))
			item_error(errors, list, i, "max_age_days", "out_of_range",
			           "max_age_days is 1 to 3650");
	}
	return errors_or_null(errors);
}

bool ts_field_visible(const json_t *def, const json_t *answers)
{
	const json_t *vi = json_object_get(def, "visible_if");
	if (!vi || json_is_null(vi))
		return true;
	const char *on = json_string_value(json_object_get(vi, "field"));
	const json_t *have = on ? json_object_get(answers, on) : NULL;
	const json_t *eq = json_object_get(vi, "equals");
	if (eq)
		return have ? json_equal(have, eq) : json_is_false(eq) || json_is_null(eq);
	const json_t *in = json_object_get(vi, "in");
	size_t i;
	const json_t *v;
	json_array_foreach(in, i, v) if (have && json_equal(have, v)) return true;
	return false;
}

static bool phone_ok(const char *s)
{
	size_t n = strlen(s), digits = 0;
	if (n < 6 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isdigit(c))
			digits++;
		else if (!(c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || (c == '+' && i == 0)))
			return false;
	}
	return digits >= 6;
}

static bool uuid_in(const json_t *ids, const char *v)
{
	size_t i;
	const json_t *x;
	json_array_foreach(ids, i,
	                   x) if (json_string_value(x) && strcmp(json_string_value(x), v) == 0) return true;
	return false;
}

/* The checks of one type of field on a present, visible value v: the error code (and *msg), or
 * NULL when v is good. min/max are the field's bounds, has_min/has_max whether it has them. */
struct bounds {
	bool has_min, has_max;
	double min, max;
};

static const char *check_text(const json_t *def, const char *type, const json_t *v, struct bounds b,
                              const char **msg)
{
	if (!json_is_string(v))
		return *msg = "expected a string", "wrong_type";
	const char *s = json_string_value(v);
	double len = (double)lc_utf8_length(s);
	double cap = strcmp(type, "text") == 0 ? 500 : 5000;
	if ((b.has_min && len < b.min) || (b.has_max && len > b.max) || len > cap)
		return *msg = "length out of range", "out_of_range";
	const char *pat = json_string_value(json_object_get(def, "pattern"));
	if (pat && !pattern_matches(pat, s))
		return *msg = "does not match the expected format", "invalid_format";
	return NULL;
}

static const char *check_date(const json_t *def, const json_t *v, const char **msg)
{
	if (!json_is_string(v) || !lc_json_is_date(json_string_value(v)))
		return *msg = "expected a date YYYY-MM-DD", "invalid_format";
	const char *s = json_string_value(v);
	const char *dmin = json_string_value(json_object_get(def, "min"));
	const char *dmax = json_string_value(json_object_get(def, "max"));
	if ((dmin && strcmp(s, dmin) < 0) || (dmax && strcmp(s, dmax) > 0))
		return *msg = "date out of range", "out_of_range";
	return NULL;
}

static const char *check_multiselect(const json_t *def, const json_t *v, struct bounds b, const char **msg)
{
	if (!json_is_array(v))
		return *msg = "expected an array of options", "wrong_type";
	double n = (double)json_array_size(v);
	if ((b.has_min && n < b.min) || (b.has_max && n > b.max))
		return *msg = "number of choices out of range", "out_of_range";
	size_t i, j;
	const json_t *x;
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x) || !option_allowed(def, json_string_value(x)))
			return *msg = "not one of the options", "not_allowed";
		for (j = 0; j < i; j++)
			if (json_equal(x, json_array_get(v, j)))
				return *msg = "the same option twice", "not_allowed";
	}
	return NULL;
}

/* Checks one present, visible value; returns the error code or NULL and sets *msg. */
static const char *check_value(const json_t *def, const char *type, const json_t *v, const json_t *member_ids,
                               const char **msg)
{
	const json_t *jmin = json_object_get(def, "min"), *jmax = json_object_get(def, "max");
	struct bounds b = {json_is_number(jmin), json_is_number(jmax), json_number_value(jmin),
	                   json_number_value(jmax)};
	if (strcmp(type, "text") == 0 || strcmp(type, "textarea") == 0)
		return check_text(def, type, v, b, msg);
	if (strcmp(type, "number") == 0) {
		if (!json_is_number(v))
			return *msg = "expected a number", "wrong_type";
		double x = json_number_value(v);
		if ((b.has_min && x < b.min) || (b.has_max && x > b.max))
			return *msg = "value out of range", "out_of_range";
		return NULL;
	}
	if (strcmp(type, "date") == 0)
		return check_date(def, v, msg);
	if (strcmp(type, "email") == 0)
		return !json_is_string(v) || !lc_json_is_email(json_string_value(v))
		           ? (*msg = "expected an e-mail address", "invalid_format")
		           : NULL;
	if (strcmp(type, "phone") == 0)
		return !json_is_string(v) || !phone_ok(json_string_value(v))
		           ? (*msg = "expected a phone number", "invalid_format")
		           : NULL;
	if (strcmp(type, "select") == 0) {
		if (!json_is_string(v))
			return *msg = "expected a string", "wrong_type";
		return !option_allowed(def, json_string_value(v))
		           ? (*msg = "not one of the options", "not_allowed")
		           : NULL;
	}
	if (strcmp(type, "multiselect") == 0)
		return check_multiselect(def, v, b, msg);
	if (strcmp(type, "checkbox") == 0)
		return !json_is_boolean(v) ? (*msg = "expected true or false", "wrong_type") : NULL;
	/* member */
	if (!json_is_string(v) || !lc_json_is_uuid(json_string_value(v)))
		return *msg = "expected a member id", "invalid_format";
	if (!uuid_in(member_ids, json_string_value(v)))
		return *msg = "not a member this request is for", "not_allowed";
	return NULL;
}

size_t ts_check_answers(const json_t *fields, const json_t *answers, const json_t *member_ids, bool complete,
                        json_t *errors)
{
	size_t before = json_array_size(errors);
	char f[96];
	if (!json_is_object(answers)) {
		ts_add_error(errors, "answers", "wrong_type", "answers is an object");
		return 1;
	}
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)answers, key, v)
	{
		bool known = false;
		size_t i;
		const json_t *d;
		json_array_foreach(fields, i, d)
		{
			const char *name = json_string_value(json_object_get(d, "name"));
			if (name && strcmp(name, key) == 0)
				known = true;
		}
		if (!known) {
			snprintf(f, sizeof(f), "answers.%.80s", key);
			ts_add_error(errors, f, "unknown_field", "this procedure has no such field");
		}
	}
	size_t i;
	const json_t *d;
	json_array_foreach(fields, i, d)
	{
		const char *name = json_string_value(json_object_get(d, "name"));
		const char *type = json_string_value(json_object_get(d, "type"));
		if (!name || !type)
			continue;
		snprintf(f, sizeof(f), "answers.%s", name);
		const json_t *val = json_object_get(answers, name);
		bool given =
		    val && !json_is_null(val) && !(json_is_string(val) && json_string_length(val) == 0);
		if (!ts_field_visible(d, answers)) {
			if (given)
				ts_add_error(errors, f, "not_allowed",
				             "this field does not apply to the answers given");
			continue;
		}
		bool required = json_is_true(json_object_get(d, "required"));
		if (!given) {
			if (complete && required)
				ts_add_error(errors, f, "required", "this field is required");
			continue;
		}
		if (complete && required && strcmp(type, "checkbox") == 0 && json_is_false(val)) {
			ts_add_error(errors, f, "required", "this box must be ticked");
			continue;
		}
		if (complete && required && strcmp(type, "multiselect") == 0 && json_is_array(val) &&
		    json_array_size(val) == 0) {
			ts_add_error(errors, f, "required", "choose at least one option");
			continue;
		}
		const char *msg = NULL;
		const char *code = check_value(d, type, val, member_ids, &msg);
		if (code)
			ts_add_error(errors, f, code, msg);
	}
	return json_array_size(errors) - before;
}

/* 1 satisfied, 0 missing, -1 only too old. */
static int doc_found(const json_t *attached, const char *kind, const char *member_id, const json_t *max_age)
{
	int best = 0;
	size_t i;
	const json_t *a;
	json_array_foreach(attached, i, a)
	{
		const char *k = json_string_value(json_object_get(a, "kind"));
		const char *m = json_string_value(json_object_get(a, "member_id"));
		if (!k || strcmp(k, kind) != 0)
			continue;
		if (member_id && m && strcmp(m, member_id) != 0)
			continue;
		if (json_is_integer(max_age) &&
		    json_number_value(json_object_get(a, "age_days")) > (double)json_integer_value(max_age)) {
			best = -1;
			continue;
		}
		return 1;
	}
	return best;
}

size_t ts_check_documents(const json_t *required, const json_t *beneficiaries, const char *self_user_id,
                          const json_t *attached, json_t *errors)
{
	size_t before = json_array_size(errors);
	size_t i;
	const json_t *d;
	json_array_foreach(required, i, d)
	{
		const char *kind = json_string_value(json_object_get(d, "kind"));
		if (!kind || json_is_true(json_object_get(d, "optional")))
			continue;
		bool skip_self = json_is_true(json_object_get(d, "skip_for_self"));
		const json_t *max_age = json_object_get(d, "max_age_days");
		size_t nb = json_array_size(beneficiaries), nself = 0, j;
		const json_t *b;
		json_array_foreach(beneficiaries, j, b)
		{
			const char *u = json_string_value(json_object_get(b, "user_id"));
			if (u && self_user_id && strcmp(u, self_user_id) == 0)
				nself++;
		}
		if (skip_self && nself == nb)
			continue; /* for oneself only (or audience self) */
		char f[160];
		if (json_is_true(json_object_get(d, "per_member")) && nb > 0) {
			json_array_foreach(beneficiaries, j, b)
			{
				const char *m = json_string_value(json_object_get(b, "member_id"));
				const char *u = json_string_value(json_object_get(b, "user_id"));
				if (!m || (skip_self && u && self_user_id && strcmp(u, self_user_id) == 0))
					continue;
				int found = doc_found(attached, kind, m, max_age);
				if (found == 1)
					continue;
				snprintf(f, sizeof(f), "documents.%s.%s", kind, m);
				ts_add_error(errors, f, found < 0 ? "document_too_old" : "missing_document",
				             found < 0 ? "the document attached is too old"
				                       : "this document is required");
			}
			continue;
		}
		int found = doc_found(attached, kind, NULL, max_age);
		if (found == 1)
			continue;
		snprintf(f, sizeof(f), "documents.%s", kind);
		ts_add_error(errors, f, found < 0 ? "document_too_old" : "missing_document",
		             found < 0 ? "the document attached is too old" : "this document is required");
	}
	return json_array_size(errors) - before;
}

bool ts_document_kind_ok(const char *kind)
{
	return ts_in_list(kind, doc_kinds);
}

bool ts_mime_allowed(const char *mime)
{
	return mime && (strcmp(mime, "application/pdf") == 0 || strcmp(mime, "image/jpeg") == 0 ||
	                strcmp(mime, "image/png") == 0);
}

/* ts_logic.c — see ts_logic.h: the pure rules of teleservices (fields, audience, status machine,
 * SLA clock, references, signatures). Everything here is deterministic and tested on its own. */
#include "ts_logic.h"

#include <ctype.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/crypto.h"
#include "civitas/json.h"

static const char *const field_types[] = {"text",   "textarea",    "number",   "date",   "email", "phone",
                                          "select", "multiselect", "checkbox", "member", NULL};
static const char *const doc_kinds[] = {
    "identity", "family_record_book", "proof_of_address", "qf_certificate", "health_record", "other", NULL};

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; s && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static void add_err(json_t *errors, const char *field, const char *code, const char *message)
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

static bool pattern_compiles(const char *pattern)
{
	if (strlen(pattern) > 500)
		return false;
	size_t n = strlen(pattern) + 5;
	char *full = malloc(n);
	if (!full)
		return false;
	snprintf(full, n, "^(%s)$", pattern);
	regex_t re;
	int rc = regcomp(&re, full, REG_EXTENDED | REG_NOSUB);
	free(full);
	if (rc == 0)
		regfree(&re);
	return rc == 0;
}

static bool pattern_matches(const char *pattern, const char *s)
{
	size_t n = strlen(pattern) + 5;
	char *full = malloc(n);
	if (!full)
		return false;
	snprintf(full, n, "^(%s)$", pattern);
	regex_t re;
	bool ok = false;
	if (regcomp(&re, full, REG_EXTENDED | REG_NOSUB) == 0) {
		ok = regexec(&re, s, 0, NULL, 0) == 0;
		regfree(&re);
	}
	free(full);
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

json_t *ts_check_field_defs(const json_t *fields)
{
	json_t *errors = json_array();
	char f[96];
	if (!json_is_array(fields) || json_array_size(fields) > 60) {
		add_err(errors, "fields", "wrong_type", "fields must be an array of at most 60 fields");
		return errors;
	}
	size_t i;
	const json_t *d;
	json_array_foreach(fields, i, d)
	{
		if (!json_is_object(d)) {
			snprintf(f, sizeof(f), "fields[%zu]", i);
			add_err(errors, f, "wrong_type", "a field is an object");
			continue;
		}
		const char *name = json_string_value(json_object_get(d, "name"));
		const char *type = json_string_value(json_object_get(d, "type"));
		const char *label = json_string_value(json_object_get(d, "label"));
		if (!name_ok(name)) {
			snprintf(f, sizeof(f), "fields[%zu].name", i);
			add_err(errors, f, "invalid_format", "name is [a-z][a-z0-9_]{0,63}");
		} else {
			for (size_t j = 0; j < i; j++) {
				const char *other =
				    json_string_value(json_object_get(json_array_get(fields, j), "name"));
				if (other && strcmp(other, name) == 0) {
					snprintf(f, sizeof(f), "fields[%zu].name", i);
					add_err(errors, f, "duplicate", "two fields have this name");
				}
			}
		}
		if (!label || lc_utf8_length(label) < 1 || lc_utf8_length(label) > 200) {
			snprintf(f, sizeof(f), "fields[%zu].label", i);
			add_err(errors, f, "required", "label is 1 to 200 characters");
		}
		if (!in_list(type, field_types)) {
			snprintf(f, sizeof(f), "fields[%zu].type", i);
			add_err(errors, f, "not_allowed", "unknown field type");
			continue;
		}
		const json_t *req = json_object_get(d, "required");
		if (req && !json_is_boolean(req)) {
			snprintf(f, sizeof(f), "fields[%zu].required", i);
			add_err(errors, f, "wrong_type", "required is a boolean");
		}
		const json_t *opts = json_object_get(d, "options");
		bool needs_opts = strcmp(type, "select") == 0 || strcmp(type, "multiselect") == 0;
		if (needs_opts || opts) {
			bool good = json_is_array(opts) && json_array_size(opts) >= (needs_opts ? 1 : 0) &&
			            json_array_size(opts) <= 100;
			size_t k;
			const json_t *o;
			json_array_foreach(opts, k, o) if (!option_value(o)) good = false;
			if (!good) {
				snprintf(f, sizeof(f), "fields[%zu].options", i);
				add_err(errors, f, "invalid_format",
				        "options: 1 to 100 strings or {value, label}");
			}
		}
		static const char *const bounds[] = {"min", "max"};
		for (int b = 0; b < 2; b++) {
			const json_t *v = json_object_get(d, bounds[b]);
			if (!v || json_is_null(v))
				continue;
			bool good = strcmp(type, "date") == 0
			                ? json_is_string(v) && lc_json_is_date(json_string_value(v))
			                : json_is_number(v);
			if (!good) {
				snprintf(f, sizeof(f), "fields[%zu].%s", i, bounds[b]);
				add_err(errors, f, "wrong_type",
				        "a number (a YYYY-MM-DD date for date fields)");
			}
		}
		const json_t *pat = json_object_get(d, "pattern");
		if (pat && !json_is_null(pat) &&
		    (!json_is_string(pat) || !pattern_compiles(json_string_value(pat)))) {
			snprintf(f, sizeof(f), "fields[%zu].pattern", i);
			add_err(errors, f, "invalid_format",
			        "pattern is a POSIX extended regular expression");
		}
		const json_t *help = json_object_get(d, "help");
		if (help && !json_is_null(help) &&
		    (!json_is_string(help) || strlen(json_string_value(help)) > 1000)) {
			snprintf(f, sizeof(f), "fields[%zu].help", i);
			add_err(errors, f, "wrong_type", "help is a string of at most 1000 bytes");
		}
		const json_t *vi = json_object_get(d, "visible_if");
		if (vi && !json_is_null(vi)) {
			const char *on = json_string_value(json_object_get(vi, "field"));
			bool known = false;
			for (size_t j = 0; on && j < json_array_size(fields); j++) {
				const char *other =
				    json_string_value(json_object_get(json_array_get(fields, j), "name"));
				if (j != i && other && strcmp(other, on) == 0)
					known = true;
			}
			bool has_rule =
			    json_object_get(vi, "equals") || json_is_array(json_object_get(vi, "in"));
			if (!json_is_object(vi) || !known || !has_rule) {
				snprintf(f, sizeof(f), "fields[%zu].visible_if", i);
				add_err(errors, f, "invalid_format",
				        "visible_if is {field: <another field>, equals | in}");
			}
		}
	}
	if (json_array_size(errors) == 0) {
		json_decref(errors);
		return NULL;
	}
	return errors;
}

json_t *ts_check_document_defs(const json_t *docs)
{
	json_t *errors = json_array();
	char f[96];
	if (!json_is_array(docs) || json_array_size(docs) > 20) {
		add_err(errors, "required_documents", "wrong_type", "an array of at most 20 documents");
		return errors;
	}
	size_t i;
	const json_t *d;
	json_array_foreach(docs, i, d)
	{
		const char *kind = json_string_value(json_object_get(d, "kind"));
		const char *label = json_string_value(json_object_get(d, "label"));
		if (!in_list(kind, doc_kinds)) {
			snprintf(f, sizeof(f), "required_documents[%zu].kind", i);
			add_err(errors, f, "not_allowed", "unknown document kind");
		}
		for (size_t j = 0; kind && j < i; j++) {
			const char *other =
			    json_string_value(json_object_get(json_array_get(docs, j), "kind"));
			if (other && strcmp(other, kind) == 0) {
				snprintf(f, sizeof(f), "required_documents[%zu].kind", i);
				add_err(errors, f, "duplicate", "this kind is already required");
			}
		}
		if (!label || lc_utf8_length(label) < 1 || lc_utf8_length(label) > 200) {
			snprintf(f, sizeof(f), "required_documents[%zu].label", i);
			add_err(errors, f, "required", "label is 1 to 200 characters");
		}
		static const char *const flags[] = {"per_member", "optional", "skip_for_self"};
		for (int k = 0; k < 3; k++) {
			const json_t *v = json_object_get(d, flags[k]);
			if (v && !json_is_boolean(v)) {
				snprintf(f, sizeof(f), "required_documents[%zu].%s", i, flags[k]);
				add_err(errors, f, "wrong_type", "a boolean");
			}
		}
		const json_t *age = json_object_get(d, "max_age_days");
		if (age && !json_is_null(age) &&
		    (!json_is_integer(age) || json_integer_value(age) < 1 ||
		     json_integer_value(age) > 3650)) {
			snprintf(f, sizeof(f), "required_documents[%zu].max_age_days", i);
			add_err(errors, f, "out_of_range", "max_age_days is 1 to 3650");
		}
	}
	if (json_array_size(errors) == 0) {
		json_decref(errors);
		return NULL;
	}
	return errors;
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

/* Checks one present, visible value; returns the error code or NULL and sets *msg. */
static const char *check_value(const json_t *def, const char *type, const json_t *v, const json_t *member_ids,
                               const char **msg)
{
	const json_t *jmin = json_object_get(def, "min"), *jmax = json_object_get(def, "max");
	bool has_min = json_is_number(jmin), has_max = json_is_number(jmax);
	double mn = has_min ? json_number_value(jmin) : 0, mx = has_max ? json_number_value(jmax) : 0;
	if (strcmp(type, "text") == 0 || strcmp(type, "textarea") == 0) {
		if (!json_is_string(v))
			return *msg = "expected a string", "wrong_type";
		const char *s = json_string_value(v);
		double len = (double)lc_utf8_length(s);
		double cap = strcmp(type, "text") == 0 ? 500 : 5000;
		if ((has_min && len < mn) || (has_max && len > mx) || len > cap)
			return *msg = "length out of range", "out_of_range";
		const char *pat = json_string_value(json_object_get(def, "pattern"));
		if (pat && !pattern_matches(pat, s))
			return *msg = "does not match the expected format", "invalid_format";
		return NULL;
	}
	if (strcmp(type, "number") == 0) {
		if (!json_is_number(v))
			return *msg = "expected a number", "wrong_type";
		double x = json_number_value(v);
		if ((has_min && x < mn) || (has_max && x > mx))
			return *msg = "value out of range", "out_of_range";
		return NULL;
	}
	if (strcmp(type, "date") == 0) {
		if (!json_is_string(v) || !lc_json_is_date(json_string_value(v)))
			return *msg = "expected a date YYYY-MM-DD", "invalid_format";
		const char *s = json_string_value(v);
		const char *dmin = json_string_value(jmin), *dmax = json_string_value(jmax);
		if ((dmin && strcmp(s, dmin) < 0) || (dmax && strcmp(s, dmax) > 0))
			return *msg = "date out of range", "out_of_range";
		return NULL;
	}
	if (strcmp(type, "email") == 0) {
		if (!json_is_string(v) || !lc_json_is_email(json_string_value(v)))
			return *msg = "expected an e-mail address", "invalid_format";
		return NULL;
	}
	if (strcmp(type, "phone") == 0) {
		if (!json_is_string(v) || !phone_ok(json_string_value(v)))
			return *msg = "expected a phone number", "invalid_format";
		return NULL;
	}
	if (strcmp(type, "select") == 0) {
		if (!json_is_string(v))
			return *msg = "expected a string", "wrong_type";
		if (!option_allowed(def, json_string_value(v)))
			return *msg = "not one of the options", "not_allowed";
		return NULL;
	}
	if (strcmp(type, "multiselect") == 0) {
		if (!json_is_array(v))
			return *msg = "expected an array of options", "wrong_type";
		double n = (double)json_array_size(v);
		if ((has_min && n < mn) || (has_max && n > mx))
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
	if (strcmp(type, "checkbox") == 0) {
		if (!json_is_boolean(v))
			return *msg = "expected true or false", "wrong_type";
		return NULL;
	}
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
		add_err(errors, "answers", "wrong_type", "answers is an object");
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
			add_err(errors, f, "unknown_field", "this procedure has no such field");
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
				add_err(errors, f, "not_allowed",
				        "this field does not apply to the answers given");
			continue;
		}
		bool required = json_is_true(json_object_get(d, "required"));
		if (!given) {
			if (complete && required)
				add_err(errors, f, "required", "this field is required");
			continue;
		}
		if (complete && required && strcmp(type, "checkbox") == 0 && json_is_false(val)) {
			add_err(errors, f, "required", "this box must be ticked");
			continue;
		}
		if (complete && required && strcmp(type, "multiselect") == 0 && json_is_array(val) &&
		    json_array_size(val) == 0) {
			add_err(errors, f, "required", "choose at least one option");
			continue;
		}
		const char *msg = NULL;
		const char *code = check_value(d, type, val, member_ids, &msg);
		if (code)
			add_err(errors, f, code, msg);
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
				add_err(errors, f, found < 0 ? "document_too_old" : "missing_document",
				        found < 0 ? "the document attached is too old"
				                  : "this document is required");
			}
			continue;
		}
		int found = doc_found(attached, kind, NULL, max_age);
		if (found == 1)
			continue;
		snprintf(f, sizeof(f), "documents.%s", kind);
		add_err(errors, f, found < 0 ? "document_too_old" : "missing_document",
		        found < 0 ? "the document attached is too old" : "this document is required");
	}
	return json_array_size(errors) - before;
}

int ts_age_years(const char *birth, const char *today)
{
	if (!birth || !today || !lc_json_is_date(birth) || !lc_json_is_date(today))
		return -1;
	int by = atoi(birth), bm = atoi(birth + 5), bd = atoi(birth + 8);
	int ty = atoi(today), tm = atoi(today + 5), td = atoi(today + 8);
	int age = ty - by;
	if (tm < bm || (tm == bm && td < bd))
		age--;
	return age < 0 ? -1 : age;
}

bool ts_member_fits(const json_t *filter, const json_t *member, const char *today)
{
	if (!filter || json_is_null(filter))
		return true;
	const char *rel = json_string_value(json_object_get(filter, "relation"));
	const char *mrel = json_string_value(json_object_get(member, "relation"));
	if (rel && (!mrel || strcmp(rel, mrel) != 0))
		return false;
	const json_t *mn = json_object_get(filter, "min_age"), *mx = json_object_get(filter, "max_age");
	if (!json_is_integer(mn) && !json_is_integer(mx))
		return true;
	int age = ts_age_years(json_string_value(json_object_get(member, "birth_date")), today);
	if (age < 0)
		return false;
	if (json_is_integer(mn) && age < json_integer_value(mn))
		return false;
	if (json_is_integer(mx) && age > json_integer_value(mx))
		return false;
	return true;
}

static const char *const statuses[] = {"draft",    "submitted", "received",  "in_progress", "incomplete",
                                       "accepted", "rejected",  "cancelled", NULL};

bool ts_status_known(const char *status)
{
	return in_list(status, statuses);
}

/* from, to, who may take the step. */
static const struct {
	const char *from, *to;
	unsigned actors; /* bit per enum ts_actor */
} transitions[] = {
    {"draft", "submitted", 1u << TS_CITIZEN},
    {"submitted", "received", 1u << TS_SYSTEM},
    {"received", "in_progress", 1u << TS_AGENT | 1u << TS_CONNECTOR},
    {"received", "incomplete", 1u << TS_AGENT},
    {"in_progress", "incomplete", 1u << TS_AGENT},
    {"incomplete", "received", 1u << TS_CITIZEN},
    {"in_progress", "accepted", 1u << TS_AGENT | 1u << TS_CONNECTOR},
    {"in_progress", "rejected", 1u << TS_AGENT | 1u << TS_CONNECTOR},
    {"draft", "cancelled", 1u << TS_CITIZEN},
    {"submitted", "cancelled", 1u << TS_CITIZEN},
    {"received", "cancelled", 1u << TS_CITIZEN},
    {"incomplete", "cancelled", 1u << TS_CITIZEN},
};

bool ts_transition_allowed(const char *from, const char *to, enum ts_actor actor)
{
	if (!from || !to)
		return false;
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (strcmp(transitions[i].from, from) == 0 && strcmp(transitions[i].to, to) == 0)
			return (transitions[i].actors & (1u << actor)) != 0;
	return false;
}

bool ts_clock_runs(const char *status)
{
	return status && (strcmp(status, "received") == 0 || strcmp(status, "in_progress") == 0);
}

bool ts_is_decision(const char *status)
{
	return status && (strcmp(status, "accepted") == 0 || strcmp(status, "rejected") == 0);
}

const char *ts_template_for(const char *to)
{
	static const char *const map[][2] = {
	    {"received", "request_received"},       {"incomplete", "request_incomplete"},
	    {"accepted", "request_accepted"},       {"rejected", "request_rejected"},
	    {"in_progress", "request_in_progress"}, {"cancelled", "request_cancelled"},
	};
	for (size_t i = 0; to && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], to) == 0)
			return map[i][1];
	return NULL;
}

const char *ts_next_step(const char *status)
{
	static const char *const map[][2] = {
	    {"draft", "Compléter et envoyer la demande"},
	    {"submitted", "Enregistrement de la demande"},
	    {"received", "Examen par le service"},
	    {"in_progress", "Décision du service"},
	    {"incomplete", "Ajouter la pièce ou l'information demandée"},
	    {"accepted", "Aucune : demande acceptée"},
	    {"rejected", "Aucune : demande refusée"},
	    {"cancelled", "Aucune : demande annulée"},
	};
	for (size_t i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], status) == 0)
			return map[i][1];
	return "";
}

double ts_processing_seconds(const struct ts_step *steps, size_t n, int64_t now)
{
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		if (!ts_clock_runs(steps[i].to))
			continue;
		int64_t end = i + 1 < n ? steps[i + 1].at : now;
		if (end > steps[i].at)
			total += (double)(end - steps[i].at);
	}
	return total;
}

void ts_service_code(const char *service, char out[4])
{
	static const char *const map[][2] = {
	    {"etat-civil", "ETC"},
	    {"scolaire", "SCO"},
	    {"jeunesse", "JEU"},
	    {"conservatoire", "CON"},
	};
	for (size_t i = 0; service && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], service) == 0) {
			memcpy(out, map[i][1], 4);
			return;
		}
	size_t k = 0;
	for (const char *p = service; p && *p && k < 3; p++)
		if (isalpha((unsigned char)*p))
			out[k++] = (char)toupper((unsigned char)*p);
	while (k < 3)
		out[k++] = 'X';
	out[3] = '\0';
}

void ts_reference(int year, const char *code, long n, char *out, size_t outlen)
{
	snprintf(out, outlen, "%04d-%s-%06ld", year, code, n);
}

void ts_sign(const char *secret, int64_t t, const char *body, size_t len, char *out, size_t outlen)
{
	char prefix[32];
	int plen = snprintf(prefix, sizeof(prefix), "%" PRId64 ".", t);
	char *msg = malloc((size_t)plen + len + 1);
	char hex[65] = "";
	if (msg) {
		memcpy(msg, prefix, (size_t)plen);
		if (len)
			memcpy(msg + plen, body, len);
		lc_hmac_sha256_hex(secret, strlen(secret), msg, (size_t)plen + len, hex);
		free(msg);
	}
	snprintf(out, outlen, "t=%" PRId64 ",v1=%s", t, hex);
}

bool ts_signature_ok(const char *header, const char *secret, const char *body, size_t len, int64_t now,
                     int64_t tolerance_s)
{
	if (!header || !secret || strncmp(header, "t=", 2) != 0)
		return false;
	char *end = NULL;
	long long t = strtoll(header + 2, &end, 10);
	if (end == header + 2 || strncmp(end, ",v1=", 4) != 0)
		return false;
	const char *given = end + 4;
	if (strlen(given) != 64)
		return false;
	int64_t skew = now - (int64_t)t;
	if (skew > tolerance_s || skew < -tolerance_s)
		return false;
	char expect[160];
	ts_sign(secret, (int64_t)t, body, len, expect, sizeof(expect));
	const char *ev = strstr(expect, ",v1=");
	return ev && lc_secret_equal(ev + 4, given);
}

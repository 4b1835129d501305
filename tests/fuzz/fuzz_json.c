/* fuzz_json.c — libFuzzer target for the body checks: any bytes are parsed with jansson and
 * walked by lc_json_check against a spec that uses every field type, then by each validator. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/json.h"

/* json.c's lc_json_parse_or_reply needs these two from http.c and reply.c; the fuzzer never
 * calls it, and linking the whole HTTP layer would make the target large and slow. */
json_t *lc_rq_json(const struct lc_request *rq);
int lc_reply_problem_errors(struct lc_request *rq, unsigned status, const char *code, const char *detail,
                            json_t *errors);
json_t *lc_rq_json(const struct lc_request *rq)
{
	(void)rq;
	abort();
}
int lc_reply_problem_errors(struct lc_request *rq, unsigned status, const char *code, const char *detail,
                            json_t *errors)
{
	(void)rq, (void)status, (void)code, (void)detail, (void)errors;
	abort();
}

static const char *const kinds[] = {"birth", "marriage", "death", NULL};

static void check_errors(json_t *errors)
{
	if (!errors)
		return;
	/* Every error must be a complete {field, code, message}. */
	if (!json_is_array(errors) || json_array_size(errors) == 0)
		abort();
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e)
	{
		if (!json_is_string(json_object_get(e, "field")) ||
		    !json_is_string(json_object_get(e, "code")) ||
		    !json_is_string(json_object_get(e, "message")))
			abort();
	}
	json_decref(errors);
}

static void validate_strings(json_t *v, int depth)
{
	if (depth > 4)
		return;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		(void)lc_json_is_uuid(s);
		(void)lc_json_is_email(s);
		(void)lc_json_is_date(s);
		(void)lc_json_is_timestamp(s);
		if (lc_utf8_length(s) > strlen(s))
			abort();
		return;
	}
	const char *key;
	json_t *it;
	size_t i;
	if (json_is_object(v)) {
		json_object_foreach(v, key, it)
		{
			validate_strings(it, depth + 1);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, it)
		{
			validate_strings(it, depth + 1);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!root)
		return 0;

	const char *name = NULL, *id = NULL, *mail = NULL, *day = NULL, *at = NULL, *kind = NULL, *zip = NULL;
	int64_t count = 0;
	double amount = 0;
	bool flag = false, name_present = false;
	json_t *obj = NULL, *list = NULL;
	const struct lc_field spec[] = {
	    {.name = "name",
	     .type = LC_J_STRING,
	     .required = true,
	     .has_min = true,
	     .min = 1,
	     .has_max = true,
	     .max = 20,
	     .out = &name,
	     .present = &name_present},
	    {.name = "count",
	     .type = LC_J_INT,
	     .has_min = true,
	     .min = -5,
	     .has_max = true,
	     .max = 1000,
	     .out = &count},
	    {.name = "big", .type = LC_J_INT},
	    {.name = "amount",
	     .type = LC_J_NUMBER,
	     .has_min = true,
	     .min = 0,
	     .has_max = true,
	     .max = 1000000,
	     .out = &amount},
	    {.name = "flag", .type = LC_J_BOOL, .nullable = true, .out = &flag},
	    {.name = "id", .type = LC_J_UUID, .out = &id},
	    {.name = "email", .type = LC_J_EMAIL, .out = &mail},
	    {.name = "day", .type = LC_J_DATE, .out = &day},
	    {.name = "at", .type = LC_J_TIMESTAMP, .nullable = true, .out = &at},
	    {.name = "kind", .type = LC_J_ENUM, .enum_values = kinds, .out = &kind},
	    {.name = "zip", .type = LC_J_STRING, .pattern = "^[0-9]{5}$", .out = &zip},
	    {.name = "obj", .type = LC_J_OBJECT, .out = &obj},
	    {.name = "list",
	     .type = LC_J_ARRAY,
	     .has_min = true,
	     .min = 1,
	     .has_max = true,
	     .max = 3,
	     .out = &list},
	    {0},
	};
	json_t *errors = lc_json_check(root, spec);
	if (!errors) {
		/* Accepted: the outs must hold what the spec promised. */
		if (!name || lc_utf8_length(name) < 1 || lc_utf8_length(name) > 20)
			abort();
		if (count < -5 || count > 1000)
			abort();
		if (id && !lc_json_is_uuid(id))
			abort();
		if (day && !lc_json_is_date(day))
			abort();
		if (list && (json_array_size(list) < 1 || json_array_size(list) > 3))
			abort();
	}
	check_errors(errors);

	/* An empty spec refuses every member of an object. */
	const struct lc_field none[] = {{0}};
	check_errors(lc_json_check(root, none));

	validate_strings(root, 0);
	json_decref(root);
	return 0;
}

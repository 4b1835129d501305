/* json.h — declarative checks of JSON request bodies.
 * A spec is an array of fields; one walk fills typed C values or lists *every* bad field,
 * which the caller answers as one 422 problem (code validation_failed, errors[]). */
#ifndef CIVITAS_JSON_H
#define CIVITAS_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lc_request;

enum lc_jtype {
	LC_J_STRING, /* out: const char ** (borrowed from the JSON object); min/max = length in code points */
	LC_J_INT,    /* out: int64_t *; min/max = value bounds (a real like 1.5 is wrong_type) */
	LC_J_NUMBER, /* out: double * */
	LC_J_BOOL,   /* out: bool * */
	LC_J_UUID,   /* out: const char ** canonical lower-case 8-4-4-4-12 */
	LC_J_EMAIL,  /* out: const char **; one '@', a dot in the domain, <= 254 chars, no spaces */
	LC_J_DATE,   /* out: const char ** YYYY-MM-DD, a real calendar date */
	LC_J_TIMESTAMP, /* out: const char ** RFC 3339 with Z or offset */
	LC_J_ENUM,      /* out: const char **; value must be in enum_values (NULL-terminated) */
	LC_J_OBJECT,    /* out: json_t ** (borrowed) */
	LC_J_ARRAY,     /* out: json_t ** (borrowed); min/max = number of items */
};

struct lc_field {
	const char *name;
	enum lc_jtype type;
	bool required;
	bool nullable; /* JSON null accepted (out left untouched, *present set true) */
	bool has_min, has_max;
	int64_t min, max;
	const char *pattern;            /* POSIX extended regex for strings, anchored by the caller */
	const char *const *enum_values; /* for LC_J_ENUM */
	void *out;                      /* may be NULL: validated only */
	bool *present;                  /* may be NULL: set true when the field was given */
};

/* Constructors for the common shapes, so that a spec reads as a list of fields:
 *
 *   const struct lc_field spec[] = {
 *       LC_F_STRING("title", 1, 200, &title, .required = true),
 *       LC_F_EMAIL("email", &email, .required = true),
 *       LC_F_ENUM("kind", kinds, &kind),
 *       LC_F_DATE("starts_on", &starts, .nullable = true, .present = &has_starts),
 *       {0},
 *   };
 *
 * Each takes the name, what the shape needs and the out pointer; anything else (.required,
 * .nullable, .present, .pattern) follows as designated initialisers. min/max of a string are
 * its length in code points. */
#define LC_F_STRING(field, lo, hi, outp, ...)                                                                \
	{                                                                                                    \
		.name = (field), .type = LC_J_STRING, .has_min = true, .min = (lo), .has_max = true,         \
		.max = (hi), .out = (outp), __VA_ARGS__                                                      \
	}
#define LC_F_EMAIL(field, outp, ...)                                                                         \
	{                                                                                                    \
		.name = (field), .type = LC_J_EMAIL, .out = (outp), __VA_ARGS__                              \
	}
#define LC_F_DATE(field, outp, ...)                                                                          \
	{                                                                                                    \
		.name = (field), .type = LC_J_DATE, .out = (outp), __VA_ARGS__                               \
	}
#define LC_F_TIMESTAMP(field, outp, ...)                                                                     \
	{                                                                                                    \
		.name = (field), .type = LC_J_TIMESTAMP, .out = (outp), __VA_ARGS__                          \
	}
#define LC_F_UUID(field, outp, ...)                                                                          \
	{                                                                                                    \
		.name = (field), .type = LC_J_UUID, .out = (outp), __VA_ARGS__                               \
	}
#define LC_F_BOOL(field, outp, ...)                                                                          \
	{                                                                                                    \
		.name = (field), .type = LC_J_BOOL, .out = (outp), __VA_ARGS__                               \
	}
#define LC_F_ENUM(field, values, outp, ...)                                                                  \
	{                                                                                                    \
		.name = (field), .type = LC_J_ENUM, .enum_values = (values), .out = (outp), __VA_ARGS__      \
	}
#define LC_F_INT(field, lo, hi, outp, ...)                                                                   \
	{                                                                                                    \
		.name = (field), .type = LC_J_INT, .has_min = true, .min = (lo), .has_max = true,            \
		.max = (hi), .out = (outp), __VA_ARGS__                                                      \
	}
#define LC_F_OBJECT(field, outp, ...)                                                                        \
	{                                                                                                    \
		.name = (field), .type = LC_J_OBJECT, .out = (outp), __VA_ARGS__                             \
	}
#define LC_F_ARRAY(field, lo, hi, outp, ...)                                                                 \
	{                                                                                                    \
		.name = (field), .type = LC_J_ARRAY, .has_min = true, .min = (lo), .has_max = true,          \
		.max = (hi), .out = (outp), __VA_ARGS__                                                      \
	}
/* One line of text: no control characters (no newline, no tab). */
#define LC_PATTERN_LINE "^[^[:cntrl:]]+$"

/* Which problems json_check reports, in errors[].code. */
#define LC_JERR_REQUIRED "required"
#define LC_JERR_TYPE     "wrong_type"
#define LC_JERR_RANGE    "out_of_range"   /* number bounds, string length, array size */
#define LC_JERR_FORMAT   "invalid_format" /* uuid, email, date, timestamp, pattern */
#define LC_JERR_ENUM     "not_allowed"
#define LC_JERR_UNKNOWN  "unknown_field"

/* Checks obj against spec (terminated by name == NULL). Fills outs of good fields.
 * Returns NULL when all is good, otherwise a new array of {field, code, message} (caller decrefs).
 * A non-object obj gives one error with field "". Unknown members are errors. */
json_t *lc_json_check(json_t *obj, const struct lc_field *spec);

/* Checks the request's JSON body (an empty body counts as {}). On failure replies 422
 * validation_failed with errors[] and returns false: the handler just returns. */
bool lc_json_parse_or_reply(struct lc_request *rq, const struct lc_field *spec);

/* Small validators also used by services. */
bool lc_json_is_uuid(const char *s);
bool lc_json_is_email(const char *s);
bool lc_json_is_date(const char *s);
bool lc_json_is_timestamp(const char *s);
size_t lc_utf8_length(const char *s); /* code points of a valid UTF-8 string */
/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF. */
bool lc_utf8_valid(const char *s, size_t len);

#endif

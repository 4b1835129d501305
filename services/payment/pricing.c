/* pricing.c — grid checks and the price for a quotient familial (see pricing.h). A declared,
 * expired or missing quotient pays the default price: only a verified one earns a bracket. */
#include "pricing.h"

#include <stdio.h>
#include <string.h>

static void err(json_t *errors, const char *field, const char *code, const char *msg)
{
	json_array_append_new(errors,
	                      json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", msg));
}

int pay_grid_check(const json_t *brackets, int64_t default_cents, int64_t max_cents, json_t *errors)
{
	int n = 0;
	if (!json_is_array(brackets) || json_array_size(brackets) < 1 || json_array_size(brackets) > 20) {
		err(errors, "brackets", "out_of_range", "1 to 20 brackets");
		return 1;
	}
	int64_t prev = -1;
	size_t i;
	const json_t *b;
	json_array_foreach(brackets, i, b)
	{
		char f[48];
		const json_t *q = json_object_get(b, "qf_max"), *p = json_object_get(b, "price_cents");
		if (!json_is_object(b) || json_object_size(b) != 2 || !json_is_integer(q) ||
		    !json_is_integer(p)) {
			snprintf(f, sizeof(f), "brackets[%zu]", i);
			err(errors, f, "wrong_type", "a bracket is {qf_max, price_cents}, both integers");
			n++;
			continue;
		}
		if (json_integer_value(q) < 0 || json_integer_value(q) > 100000 ||
		    json_integer_value(q) <= prev) {
			snprintf(f, sizeof(f), "brackets[%zu].qf_max", i);
			err(errors, f, "out_of_range",
			    "qf_max is 0 to 100000 and increases from one bracket to the next");
			n++;
		}
		if (json_integer_value(p) < 0 || json_integer_value(p) > max_cents) {
			snprintf(f, sizeof(f), "brackets[%zu].price_cents", i);
			err(errors, f, "out_of_range", "price_cents is 0 or more, within the maximum");
			n++;
		} else if (json_integer_value(p) > default_cents) {
			snprintf(f, sizeof(f), "brackets[%zu].price_cents", i);
			err(errors, f, "out_of_range", "no bracket costs more than the default price");
			n++;
		}
		prev = json_integer_value(q);
	}
	return n;
}

int64_t pay_grid_price(const json_t *brackets, int64_t default_cents, const json_t *quotient,
                       const char *today, const char **basis, int64_t *qf)
{
	*qf = -1;
	const json_t *v = json_object_get(quotient, "value");
	const char *state = json_string_value(json_object_get(quotient, "state"));
	const char *until = json_string_value(json_object_get(quotient, "valid_until"));
	if (!json_is_object(quotient) || !json_is_number(v) || !state) {
		*basis = PAY_BASIS_MISSING;
		return default_cents;
	}
	*qf = json_is_integer(v) ? json_integer_value(v) : (int64_t)json_real_value(v);
	if (strcmp(state, "expired") == 0 || (until && today && strncmp(until, today, 10) < 0)) {
		*basis = PAY_BASIS_EXPIRED;
		return default_cents;
	}
	if (strcmp(state, "verified") != 0) {
		*basis = PAY_BASIS_DECLARED;
		return default_cents;
	}
	size_t i;
	const json_t *b;
	json_array_foreach(brackets, i, b)
	{
		if (*qf <= json_integer_value(json_object_get(b, "qf_max"))) {
			*basis = PAY_BASIS_VERIFIED;
			return json_integer_value(json_object_get(b, "price_cents"));
		}
	}
	*basis = PAY_BASIS_VERIFIED; /* above every bracket: the highest (default) price */
	return default_cents;
}

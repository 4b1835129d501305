/* ts_members.c — see ts_logic.h: who a request may be for (the applicant, household members who
 * fit the procedure's filter of relation and age). Pure: tested on its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/json.h"

#include "ts_logic.h"

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

static const json_t *find_member(const json_t *hh, const char *id)
{
	size_t i;
	const json_t *m;
	json_array_foreach(json_object_get(hh, "members"), i, m)
	{
		const char *mid = json_string_value(json_object_get(m, "id"));
		if (mid && id && strcmp(mid, id) == 0)
			return m;
	}
	return NULL;
}

/* The request's snapshot of who it is for: the member as the household described it then. */
static void add_beneficiary(json_t *benef, json_t *ids, const json_t *id, const json_t *mem)
{
	json_array_append(ids, (json_t *)id);
	json_array_append_new(benef, json_pack("{s:O, s:O?, s:O?, s:O?, s:O?, s:O?}", "member_id", id,
	                                       "given_name", json_object_get(mem, "given_name"),
	                                       "family_name", json_object_get(mem, "family_name"),
	                                       "birth_date", json_object_get(mem, "birth_date"), "relation",
	                                       json_object_get(mem, "relation"), "user_id",
	                                       json_object_get(mem, "user_id")));
}

/* Why member_ids[i] cannot be chosen, or NULL when it can. */
static const char *member_refused(const json_t *hh, const json_t *filter, const json_t *list, size_t i,
                                  const char *today, const char **code)
{
	const json_t *v = json_array_get(list, i);
	const json_t *mem = find_member(hh, json_string_value(v));
	*code = "not_allowed";
	if (!mem)
		return *code = "not_found", "not a member of your household";
	if (!ts_member_fits(filter, mem, today))
		return "this member does not fit the procedure (age or relation)";
	for (size_t j = 0; j < i; j++)
		if (json_equal(json_array_get(list, j), v))
			return "the same member twice";
	return NULL;
}

void ts_resolve_members(const json_t *proc, const json_t *hh, const json_t *member_ids, const char *today,
                        json_t *errors, json_t **benef, json_t **ids)
{
	*benef = json_array();
	*ids = json_array();
	const char *aud = json_string_value(json_object_get(proc, "audience"));
	size_t i;
	const json_t *v;
	if (aud && strcmp(aud, "self") == 0) {
		if (json_array_size(member_ids) > 0)
			ts_add_error(errors, "member_ids", "not_allowed",
			             "this procedure is for the applicant only");
		return;
	}
	if (aud && strcmp(aud, "household") == 0) {
		json_array_foreach(json_object_get(hh, "members"), i, v)
		    add_beneficiary(*benef, *ids, json_object_get(v, "id"), v);
		return;
	}
	const json_t *filter = json_object_get(proc, "member_filter");
	json_array_foreach(member_ids, i, v)
	{
		const char *code, *why = member_refused(hh, filter, member_ids, i, today, &code);
		if (why) {
			char f[48];
			snprintf(f, sizeof(f), "member_ids[%zu]", i);
			ts_add_error(errors, f, code, why);
			continue;
		}
		add_beneficiary(*benef, *ids, v, find_member(hh, json_string_value(v)));
	}
}

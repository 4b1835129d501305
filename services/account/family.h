/* family.h — what the identity side of civitas-account asks of the family side (households,
 * members, quotient familial, documents vault): demo seeding and GDPR export and erasure. */
#ifndef CIVITAS_ACCOUNT_FAMILY_H
#define CIVITAS_ACCOUNT_FAMILY_H

#include <jansson.h>

#include "civitas/db.h"
#include "civitas/router.h"

struct lc_db;

/* The family area's routes and statements (routes_family.c); account_service lists them as
 * .more_routes and .more_statements. */
extern const struct lc_route family_routes[];
extern const struct lc_sql family_sql[];

/* The household a user belongs to (through household_members.user_id), for GET /me and
 * /internal/v1/users/{id}: writes its id to out and returns 1, 0 when none, -1 on error.
 * SQL equivalent: (SELECT household_id FROM household_members WHERE user_id = $1). */
int family_household_of(struct lc_db *db, const char *user_id, char out[37]);

/* Seeds the demo household of user_id (two adults, two children, verified quotient familial,
 * documents in the vault); idempotent. Returns 0 or -1. */
int family_seed_demo(struct lc_db *db, const char *user_id);
/* Everything held about the person's household, as JSON (new reference), or NULL on error. */
json_t *family_export(struct lc_db *db, const char *user_id);
/* Erases the person's household data (documents, members) or detaches them from a household
 * shared with another adult. Returns 0 or -1. */
int family_erase(struct lc_db *db, const char *user_id);

#endif

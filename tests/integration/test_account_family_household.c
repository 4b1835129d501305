/* test_account_family_household.c — the compte famille of civitas-account against the real
 * PostgreSQL: household and address (If-Match), members and their checks, another household's
 * ids, invitation of a second adult, quotient familial declared then verified by an agent
 * (audited, notified), internal lookups, GDPR export and erasure, demo seeding. */
#include "account_family_itest.h"
#include "family.h"

static void setup(void)
{
	fam_setup();
}
static void teardown(void)
{
	fam_teardown();
}

static json_t *household(const struct fam_user *u, char etag[64])
{
	struct itest_resp r;
	fam_call(&r, "GET", "/api/account/v1/me/household", u, NULL, NULL, NULL);
	json_t *h = fam_ok(&r, 200);
	if (etag)
		ck_assert_ptr_nonnull(itest_header(&r, "ETag", etag, 64));
	itest_resp_free(&r);
	return h;
}

START_TEST(household_and_members)
{
	struct fam_user a, b;
	fam_user_make(&a, "Camille", "citizen", NULL);
	fam_user_make(&b, "Bruno", "citizen", NULL);
	char etag[64], im[96];
	json_t *h = household(&a, etag);
	/* Made on first use, with the person as its first adult. */
	ck_assert(json_is_null(json_object_get(h, "address")));
	ck_assert(json_is_null(json_object_get(h, "quotient_familial")));
	json_t *members = json_object_get(h, "members");
	ck_assert_int_eq(json_array_size(members), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(members, 0), "user_id")), a.id);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(members, 0), "given_name")),
	                 "Camille");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(h, "adult_user_ids"), 0)), a.id);
	char hid[37];
	snprintf(hid, sizeof(hid), "%s", json_string_value(json_object_get(h, "id")));
	json_decref(h);
	const char *p[] = {a.id};
	ck_assert_str_eq(fam_sql1("SELECT household_id FROM users WHERE id = $1::uuid", 1, p), hid);
	/* The same household on every call; the identity side's GET /me shows it. */
	h = household(&a, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(h, "id")), hid);
	json_decref(h);
	struct itest_resp r;
	fam_call(&r, "GET", "/api/account/v1/me", &a, NULL, NULL, NULL);
	h = fam_ok(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(h, "household_id")), hid);
	json_decref(h);
	itest_resp_free(&r);

	/* Address: If-Match required, checked, and a bad postcode changes nothing. */
	const char *addr = "{\"address\":{\"line1\":\"12 rue des Tilleuls\",\"postcode\":\"45630\","
	                   "\"city\":\"Beaulieu-sur-Loire\"}}";
	fam_call(&r, "PATCH", "/api/account/v1/me/household", &a, addr, NULL, NULL);
	json_decref(fam_problem(&r, 428, "precondition_required"));
	itest_resp_free(&r);
	fam_call(&r, "PATCH", "/api/account/v1/me/household", &a, addr, "If-Match: \"h999\"", NULL);
	json_decref(fam_problem(&r, 412, "precondition_failed"));
	itest_resp_free(&r);
	snprintf(im, sizeof(im), "If-Match: %s", etag);
	fam_call(&r, "PATCH", "/api/account/v1/me/household", &a,
	         "{\"address\":{\"line1\":\"x\",\"postcode\":\"4563\",\"city\":\"B\"}}", im, NULL);
	json_t *prob = fam_problem(&r, 422, "validation_failed");
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(json_object_get(prob, "errors"), 0), "field")),
	    "address.postcode");
	json_decref(prob);
	itest_resp_free(&r);
	fam_call(&r, "PATCH", "/api/account/v1/me/household", &a, addr, im, NULL);
	h = fam_ok(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(h, "address"), "postcode")),
	                 "45630");
	ck_assert(json_is_null(json_object_get(json_object_get(h, "address"), "line2")));
	json_decref(h);
	itest_resp_free(&r);
	fam_call(&r, "PATCH", "/api/account/v1/me/household", &a, addr, im, NULL); /* the old ETag again */
	json_decref(fam_problem(&r, 412, "precondition_failed"));
	itest_resp_free(&r);

	/* Members: a child in CE1; refused: a 10-year-old "adult", a school class for an adult,
	 * a class that does not exist, a birth in the future. */
	fam_call(&r, "POST", "/api/account/v1/me/household/members", &a,
	         "{\"relation\":\"child\",\"given_name\":\"Léa\",\"family_name\":\"Martin\",\"birth_date\":"
	         "\"2018-04-02\","
	         "\"sex\":\"F\",\"school_class\":\"ce1\"}",
	         NULL, NULL);
	json_t *m = fam_ok(&r, 201);
	char loc[256], metag[64], mid[37], mpath[160];
	ck_assert_ptr_nonnull(itest_header(&r, "Location", loc, sizeof(loc)));
	ck_assert_ptr_nonnull(itest_header(&r, "ETag", metag, sizeof(metag)));
	snprintf(mid, sizeof(mid), "%s", json_string_value(json_object_get(m, "id")));
	ck_assert_ptr_nonnull(strstr(loc, mid));
	ck_assert_str_eq(json_string_value(json_object_get(m, "school_class")), "ce1");
	ck_assert(json_is_null(json_object_get(m, "user_id")));
	ck_assert_int_ge(json_integer_value(json_object_get(m, "age")), 7);
	json_decref(m);
	itest_resp_free(&r);
	static const char *const bad[] = {
	    "{\"relation\":\"adult\",\"given_name\":\"X\",\"family_name\":\"Y\",\"birth_date\":\"2015-01-"
	    "01\"}",
	    "{\"relation\":\"adult\",\"given_name\":\"X\",\"family_name\":\"Y\",\"birth_date\":\"1980-01-"
	    "01\","
	    "\"school_class\":\"cp\"}",
	    "{\"relation\":\"child\",\"given_name\":\"X\",\"family_name\":\"Y\",\"birth_date\":\"2018-01-"
	    "01\","
	    "\"school_class\":\"ce7\"}",
	    "{\"relation\":\"child\",\"given_name\":\"X\",\"family_name\":\"Y\",\"birth_date\":\"2999-01-"
	    "01\"}",
	    "{\"relation\":\"child\",\"given_name\":\"\",\"family_name\":\"Y\",\"birth_date\":\"2018-01-"
	    "01\"}",
	    "{\"relation\":\"pet\",\"given_name\":\"Rex\",\"family_name\":\"Y\",\"birth_date\":\"2018-01-"
	    "01\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fam_call(&r, "POST", "/api/account/v1/me/household/members", &a, bad[i], NULL, NULL);
		json_decref(fam_problem(&r, 422, "validation_failed"));
		itest_resp_free(&r);
	}
	h = household(&a, NULL);
	ck_assert_int_eq(json_array_size(json_object_get(h, "members")), 2);
	json_decref(h);

	/* Edit with the member's ETag; a stale one is refused. */
	snprintf(mpath, sizeof(mpath), "/api/account/v1/me/household/members/%s", mid);
	snprintf(im, sizeof(im), "If-Match: %s", metag);
	fam_call(&r, "PATCH", mpath, &a, "{\"school_class\":\"ce2\",\"sex\":null}", im, NULL);
	m = fam_ok(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(m, "school_class")), "ce2");
	ck_assert(json_is_null(json_object_get(m, "sex")));
	json_decref(m);
	itest_resp_free(&r);
	fam_call(&r, "PATCH", mpath, &a, "{\"school_class\":\"cm1\"}", im, NULL);
	json_decref(fam_problem(&r, 412, "precondition_failed"));
	itest_resp_free(&r);
	/* An adult with an account keeps the names of their profile. */
	char spath[160];
	snprintf(spath, sizeof(spath), "/api/account/v1/me/household/members/%s",
	         "00000000-0000-4000-8000-000000000000");
	fam_call(&r, "PATCH", spath, &a, "{\"school_class\":\"cm1\"}", "If-Match: *", NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);

	/* b's household is another one: a's member is not there. */
	fam_call(&r, "GET", mpath, &b, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	fam_call(&r, "PATCH", mpath, &b, "{\"school_class\":\"cm1\"}", "If-Match: *", NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	fam_call(&r, "DELETE", mpath, &b, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	h = household(&b, NULL);
	ck_assert_str_ne(json_string_value(json_object_get(h, "id")), hid);
	ck_assert_int_eq(json_array_size(json_object_get(h, "members")), 1);
	json_decref(h);

	/* The only adult with an account cannot remove themselves; the child can be removed. */
	h = household(&a, NULL);
	const char *self =
	    json_string_value(json_object_get(json_array_get(json_object_get(h, "members"), 0), "id"));
	snprintf(spath, sizeof(spath), "/api/account/v1/me/household/members/%s", self);
	json_decref(h);
	fam_call(&r, "DELETE", spath, &a, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 409, "conflict"));
	itest_resp_free(&r);
	fam_call(&r, "DELETE", mpath, &a, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 204);
	itest_resp_free(&r);
	fam_call(&r, "GET", mpath, &a, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);

	/* The internal lookup gives the contract's shape. */
	char ipath[128];
	snprintf(ipath, sizeof(ipath), "/internal/v1/households/%s", hid);
	const char *internal[] = {itest_internal_auth(), NULL};
	itest_http("GET", fam_url(ipath), internal, NULL, 0, &r);
	h = fam_ok(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(h, "id")), hid);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(h, "address"), "city")),
	                 "Beaulieu-sur-Loire");
	ck_assert_int_eq(json_array_size(json_object_get(h, "members")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(h, "adult_user_ids")), 1);
	json_decref(h);
	itest_resp_free(&r);
	itest_http("GET", fam_url("/internal/v1/households/00000000-0000-4000-8000-000000000000"), internal,
	           NULL, 0, &r);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
}
END_TEST

/* The token of an invitation, from the in-portal notification the invited person received. */
static void invitation_token(const char *user_id, char out[64])
{
	const char *p[] = {user_id};
	const char *link = fam_sql1("SELECT link FROM notifications WHERE user_id = $1::uuid"
	                            " AND template = 'household_invitation' ORDER BY created_at DESC LIMIT 1",
	                            1, p);
	const char *t = strstr(link, "invitation=");
	ck_assert_msg(t != NULL, "no invitation link: %s", link);
	snprintf(out, 64, "%s", t + 11);
}

START_TEST(invitation_of_a_second_adult)
{
	struct fam_user a, b, c;
	fam_user_make(&a, "Camille", "citizen", NULL);
	fam_user_make(&b, "Bruno", "citizen", NULL);
	fam_user_make(&c, "Chloe", "citizen", NULL);
	json_t *h = household(&a, NULL);
	char hid[37];
	snprintf(hid, sizeof(hid), "%s", json_string_value(json_object_get(h, "id")));
	json_decref(h);
	/* b already has a household of their own, with a document: it comes along when they join. */
	struct itest_resp r;
	fam_upload(&r, &b, "application/pdf", "identity", fam_pdf, sizeof(fam_pdf) - 1, NULL);
	ck_assert_int_eq(r.status, 201);
	itest_resp_free(&r);

	char body[200];
	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", b.email);
	fam_call(&r, "POST", "/api/account/v1/me/household/invitations", &a, body, NULL, NULL);
	json_t *inv = fam_ok(&r, 201);
	ck_assert_str_eq(json_string_value(json_object_get(inv, "email")), b.email);
	ck_assert_ptr_null(json_object_get(inv, "token"));
	json_decref(inv);
	itest_resp_free(&r);
	fam_call(&r, "GET", "/api/account/v1/me/household/invitations", &a, NULL, NULL, NULL);
	inv = fam_ok(&r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(inv, "items")), 1);
	json_decref(inv);
	itest_resp_free(&r);
	/* An address without an account gets an e-mail queued. */
	fam_call(&r, "POST", "/api/account/v1/me/household/invitations", &a,
	         "{\"email\":\"nobody.yet@example.net\"}", NULL, NULL);
	ck_assert_int_eq(r.status, 201);
	itest_resp_free(&r);
	ck_assert_str_ne(fam_sql1("SELECT count(*) FROM outbox WHERE topic = 'mail.send'"
	                          " AND payload::text LIKE '%nobody.yet@example.net%'",
	                          0, NULL),
	                 "0");

	char token[64];
	invitation_token(b.id, token);
	/* Someone else with the link gets nothing; a made-up token neither. */
	snprintf(body, sizeof(body), "{\"token\":\"%s\"}", token);
	fam_call(&r, "POST", "/api/account/v1/me/household/join", &c, body, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	fam_call(&r, "POST", "/api/account/v1/me/household/join", &b,
	         "{\"token\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	/* b accepts: one household, two adults with an account, b's document with them. */
	fam_call(&r, "POST", "/api/account/v1/me/household/join", &b, body, NULL, NULL);
	h = fam_ok(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(h, "id")), hid);
	ck_assert_int_eq(json_array_size(json_object_get(h, "adult_user_ids")), 2);
	json_decref(h);
	itest_resp_free(&r);
	const char *pb[] = {b.id};
	ck_assert_str_eq(fam_sql1("SELECT household_id FROM users WHERE id = $1::uuid", 1, pb), hid);
	fam_call(&r, "GET", "/api/account/v1/me/documents", &a, NULL, NULL, NULL);
	h = fam_ok(&r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(h, "items")), 1);
	json_decref(h);
	itest_resp_free(&r);
	/* Used once. */
	fam_call(&r, "POST", "/api/account/v1/me/household/join", &b, body, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	/* Two adults with an account is the most: no more invitations. */
	fam_call(&r, "POST", "/api/account/v1/me/household/invitations", &a,
	         "{\"email\":\"third@example.net\"}", NULL, NULL);
	json_decref(fam_problem(&r, 409, "conflict"));
	itest_resp_free(&r);

	/* b leaves again (their own member entry); a stays. */
	h = household(&b, NULL);
	char bpath[160] = "";
	json_t *members = json_object_get(h, "members");
	for (size_t i = 0; i < json_array_size(members); i++) {
		const char *uid = json_string_value(json_object_get(json_array_get(members, i), "user_id"));
		if (uid && strcmp(uid, b.id) == 0)
			snprintf(bpath, sizeof(bpath), "/api/account/v1/me/household/members/%s",
			         json_string_value(json_object_get(json_array_get(members, i), "id")));
	}
	json_decref(h);
	ck_assert(bpath[0]);
	fam_call(&r, "DELETE", bpath, &a, NULL, NULL, NULL); /* not by a */
	json_decref(fam_problem(&r, 409, "conflict"));
	itest_resp_free(&r);
	fam_call(&r, "DELETE", bpath, &b, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 204);
	itest_resp_free(&r);
	ck_assert_str_eq(
	    fam_sql1("SELECT COALESCE(household_id::text, 'none') FROM users WHERE id = $1::uuid", 1, pb),
	    "none");
	h = household(&b, NULL);
	ck_assert_str_ne(json_string_value(json_object_get(h, "id")), hid);
	json_decref(h);
}
END_TEST

START_TEST(quotient_familial)
{
	struct fam_user a, agent, citizen2;
	fam_user_make(&a, "Camille", "citizen", NULL);
	fam_user_make(&agent, "Agnes", "agent", "scolaire");
	fam_user_make(&citizen2, "Bruno", "citizen", NULL);
	json_t *h = household(&a, NULL);
	char hid[37];
	snprintf(hid, sizeof(hid), "%s", json_string_value(json_object_get(h, "id")));
	json_decref(h);
	struct itest_resp r;
	fam_upload(&r, &a, "application/pdf", "identity", fam_pdf, sizeof(fam_pdf) - 1, NULL);
	json_t *d = fam_ok(&r, 201);
	char not_cert[37], cert[37], body[200];
	snprintf(not_cert, sizeof(not_cert), "%s", json_string_value(json_object_get(d, "id")));
	json_decref(d);
	itest_resp_free(&r);
	fam_upload(&r, &a, "application/pdf", "qf_certificate", fam_pdf, sizeof(fam_pdf) - 1, NULL);
	d = fam_ok(&r, 201);
	snprintf(cert, sizeof(cert), "%s", json_string_value(json_object_get(d, "id")));
	json_decref(d);
	itest_resp_free(&r);

	/* Declared with a document that is no certificate, or someone else's: refused. */
	snprintf(body, sizeof(body), "{\"value\":850,\"document_id\":\"%s\"}", not_cert);
	fam_call(&r, "POST", "/api/account/v1/me/household/quotient", &a, body, NULL, NULL);
	json_decref(fam_problem(&r, 422, "validation_failed"));
	itest_resp_free(&r);
	snprintf(body, sizeof(body), "{\"value\":850,\"document_id\":\"%s\"}", cert);
	fam_call(&r, "POST", "/api/account/v1/me/household/quotient", &citizen2, body, NULL, NULL);
	json_decref(fam_problem(&r, 422, "validation_failed"));
	itest_resp_free(&r);
	fam_call(&r, "POST", "/api/account/v1/me/household/quotient", &a,
	         "{\"value\":-3,\"document_id\":\"x\"}", NULL, NULL);
	json_t *p = fam_problem(&r, 422, "validation_failed");
	ck_assert_int_eq(json_array_size(json_object_get(p, "errors")), 2);
	json_decref(p);
	itest_resp_free(&r);
	fam_call(&r, "POST", "/api/account/v1/me/household/quotient", &a, body, NULL, NULL);
	json_t *q = fam_ok(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(q, "state")), "declared");
	ck_assert_int_eq(json_integer_value(json_object_get(q, "value")), 850);
	ck_assert_str_eq(json_string_value(json_object_get(q, "document_id")), cert);
	json_decref(q);
	itest_resp_free(&r);

	/* The agents' queue: citizens do not see it; the agent finds the household there. */
	fam_call(&r, "GET", "/api/account/v1/agent/households?quotient=declared", &a, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	bool listed = false;
	char path[256] = "/api/account/v1/agent/households?quotient=declared&limit=100";
	for (int pages = 0; pages < 50 && !listed; pages++) {
		fam_call(&r, "GET", path, &agent, NULL, NULL, NULL);
		json_t *list = fam_ok(&r, 200);
		itest_resp_free(&r);
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(list, "items"), i, it)
		{
			if (strcmp(json_string_value(json_object_get(it, "id")), hid) == 0) {
				listed = true;
				ck_assert_str_eq(json_string_value(json_object_get(
				                     json_object_get(it, "certificate"), "id")),
				                 cert);
				ck_assert_ptr_nonnull(
				    strstr(json_string_value(json_object_get(it, "adults")), "Camille"));
			}
		}
		const char *next = json_string_value(json_object_get(list, "next_cursor"));
		if (next)
			snprintf(path, sizeof(path),
			         "/api/account/v1/agent/households?quotient=declared&limit=100&cursor=%s",
			         next);
		json_decref(list);
		if (!next)
			break;
	}
	ck_assert(listed);
	fam_call(&r, "GET", "/api/account/v1/agent/households?quotient=maybe", &agent, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 422, "validation_failed"));
	itest_resp_free(&r);

	/* The agent opens the certificate: the view is in the audit trail. */
	snprintf(path, sizeof(path), "/api/account/v1/agent/households/%s/quotient/certificate", hid);
	fam_call(&r, "GET", path, &a, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	fam_call(&r, "GET", path, &agent, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(memcmp(r.body, fam_pdf, r.len), 0);
	itest_resp_free(&r);
	const char *ap[] = {agent.id, cert};
	ck_assert_str_eq(
	    fam_sql1("SELECT count(*) FROM audit WHERE actor_id = $1::uuid AND action = 'document.download'"
	             " AND target_id = $2",
	             2, ap),
	    "1");

	/* Verify: past dates refused, then verified, audited, and the family notified. */
	snprintf(path, sizeof(path), "/api/account/v1/agent/households/%s/quotient", hid);
	fam_call(&r, "POST", path, &agent, "{\"value\":845,\"valid_until\":\"2001-12-31\"}", NULL, NULL);
	json_decref(fam_problem(&r, 422, "validation_failed"));
	itest_resp_free(&r);
	fam_call(&r, "POST", path, &a, "{\"value\":845,\"valid_until\":\"2099-12-31\"}", NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	fam_call(&r, "POST", "/api/account/v1/agent/households/00000000-0000-4000-8000-000000000000/quotient",
	         &agent, "{\"value\":845,\"valid_until\":\"2099-12-31\"}", NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	fam_call(&r, "POST", path, &agent, "{\"value\":845,\"valid_until\":\"2099-12-31\"}", NULL, NULL);
	q = fam_ok(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(q, "state")), "verified");
	ck_assert_int_eq(json_integer_value(json_object_get(q, "value")), 845);
	ck_assert_str_eq(json_string_value(json_object_get(q, "valid_until")), "2099-12-31");
	json_decref(q);
	itest_resp_free(&r);
	const char *hp[] = {agent.id, hid};
	ck_assert_str_eq(
	    fam_sql1("SELECT count(*) FROM audit WHERE actor_id = $1::uuid AND action = 'quotient.verify'"
	             " AND target_id = $2",
	             2, hp),
	    "1");
	const char *up[] = {a.id};
	ck_assert_str_eq(
	    fam_sql1(
	        "SELECT body FROM notifications WHERE user_id = $1::uuid AND template = 'quotient_verified'",
	        1, up)[0] != '\0'
	        ? "yes"
	        : "no",
	    "yes");
	ck_assert_ptr_nonnull(strstr(fam_sql1("SELECT body FROM notifications WHERE user_id = $1::uuid"
	                                      " AND template = 'quotient_verified'",
	                                      1, up),
	                             "845"));
	/* Gone from the declared queue, found among the verified; once its date passes, expired. */
	h = household(&a, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(h, "quotient_familial"), "state")),
	                 "verified");
	json_decref(h);
	const char *hh[] = {hid};
	PQclear(
	    fam_sql("UPDATE households SET qf_valid_until = current_date - 1 WHERE id = $1::uuid", 1, hh));
	h = household(&a, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(h, "quotient_familial"), "state")),
	                 "expired");
	json_decref(h);
	/* The internal view carries the state too. */
	snprintf(path, sizeof(path), "/internal/v1/households/%s", hid);
	const char *internal[] = {itest_internal_auth(), NULL};
	itest_http("GET", fam_url(path), internal, NULL, 0, &r);
	h = fam_ok(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(h, "quotient_familial"), "state")),
	                 "expired");
	json_decref(h);
	itest_resp_free(&r);
}
END_TEST

START_TEST(export_and_erasure)
{
	struct fam_user a, b;
	fam_user_make(&a, "Camille", "citizen", NULL);
	fam_user_make(&b, "Bruno", "citizen", NULL);
	struct itest_resp r;
	fam_call(&r, "POST", "/api/account/v1/me/household/members", &a,
	         "{\"relation\":\"child\",\"given_name\":\"Hugo\",\"family_name\":\"Martin\",\"birth_date\":"
	         "\"2021-02-01\","
	         "\"school_class\":\"ms\"}",
	         NULL, NULL);
	ck_assert_int_eq(r.status, 201);
	itest_resp_free(&r);
	fam_upload(&r, &a, "application/pdf", "family_record_book", fam_pdf, sizeof(fam_pdf) - 1, NULL);
	ck_assert_int_eq(r.status, 201);
	json_t *d = itest_json(&r);
	char doc[37];
	snprintf(doc, sizeof(doc), "%s", json_string_value(json_object_get(d, "id")));
	json_decref(d);
	itest_resp_free(&r);
	const char *pa[] = {a.id};
	PQclear(fam_sql("INSERT INTO sessions (user_id, ip) VALUES ($1::uuid, '192.0.2.7')", 1, pa));

	fam_call(&r, "GET", "/api/account/v1/me/export", &a, NULL, NULL, NULL);
	json_t *x = fam_ok(&r, 200);
	itest_resp_free(&r);
	json_t *user = json_object_get(x, "user");
	ck_assert_str_eq(json_string_value(json_object_get(user, "email")), a.email);
	ck_assert_ptr_null(json_object_get(user, "password_hash"));
	ck_assert_ptr_null(json_object_get(user, "search_text")); /* the admins' search key, a copy */
	json_t *fam = json_object_get(x, "family");
	ck_assert_int_eq(json_array_size(json_object_get(json_object_get(fam, "household"), "members")), 2);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(json_object_get(fam, "documents"), 0), "id")),
	    doc);
	json_t *sessions = json_object_get(json_object_get(x, "records"), "sessions");
	ck_assert_int_eq(json_array_size(sessions), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(sessions, 0), "ip")), "192.0.2.7");
	char *text = json_dumps(x, 0);
	ck_assert_ptr_null(strstr(text, "$argon2id$"));
	free(text);
	json_decref(x);

	/* A wrong password erases nothing. */
	fam_call(&r, "DELETE", "/api/account/v1/me", &a, "{\"password\":\"not the password\"}", NULL, NULL);
	json_decref(fam_problem(&r, 403, "invalid_credentials"));
	itest_resp_free(&r);
	ck_assert_str_eq(fam_sql1("SELECT count(*) FROM sessions WHERE user_id = $1::uuid", 1, pa), "1");
	fam_call(&r, "DELETE", "/api/account/v1/me", &a, "{}", NULL, NULL);
	json_decref(fam_problem(&r, 422, "validation_failed"));
	itest_resp_free(&r);

	fam_call(&r, "DELETE", "/api/account/v1/me", &a, "{\"password\":\"" FAM_PASSWORD "\"}", NULL, NULL);
	ck_assert_int_eq(r.status, 204);
	itest_resp_free(&r);
	/* The row stays, anonymised; sessions, household, members, documents are gone; the audit
	 * trail keeps the erasure. */
	PGresult *u = fam_sql(
	    "SELECT email, given_name, password_hash IS NULL, erased_at IS NOT NULL, household_id IS NULL"
	    " FROM users WHERE id = $1::uuid",
	    1, pa);
	ck_assert_int_eq(PQntuples(u), 1);
	ck_assert_ptr_null(strstr(PQgetvalue(u, 0, 0), "example.org"));
	ck_assert_str_ne(PQgetvalue(u, 0, 1), "Camille");
	ck_assert_str_eq(PQgetvalue(u, 0, 2), "t");
	ck_assert_str_eq(PQgetvalue(u, 0, 3), "t");
	ck_assert_str_eq(PQgetvalue(u, 0, 4), "t");
	PQclear(u);
	ck_assert_str_eq(fam_sql1("SELECT count(*) FROM sessions WHERE user_id = $1::uuid", 1, pa), "0");
	ck_assert_str_eq(fam_sql1("SELECT count(*) FROM household_members WHERE user_id = $1::uuid", 1, pa),
	                 "0");
	const char *pd[] = {doc};
	ck_assert_str_eq(fam_sql1("SELECT count(*) FROM documents WHERE id = $1::uuid", 1, pd), "0");
	ck_assert_str_eq(
	    fam_sql1(
	        "SELECT count(*) FROM household_members WHERE given_name = 'Hugo' AND household_id NOT IN"
	        " (SELECT id FROM households)",
	        0, NULL),
	    "0");
	ck_assert_str_eq(
	    fam_sql1("SELECT count(*) FROM audit WHERE action = 'account.erase' AND target_id = $1", 1, pa),
	    "1");
	/* The old token opens nothing any more. */
	fam_call(&r, "GET", "/api/account/v1/me/household", &a, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	fam_call(&r, "GET", "/api/account/v1/me/export", &a, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	(void)b;
}
END_TEST

START_TEST(shared_household_erasure)
{
	struct fam_user a, b;
	fam_user_make(&a, "Camille", "citizen", NULL);
	fam_user_make(&b, "Bruno", "citizen", NULL);
	json_t *h = household(&a, NULL);
	char hid[37];
	snprintf(hid, sizeof(hid), "%s", json_string_value(json_object_get(h, "id")));
	json_decref(h);
	struct itest_resp r;
	char body[200], token[64];
	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", b.email);
	fam_call(&r, "POST", "/api/account/v1/me/household/invitations", &a, body, NULL, NULL);
	ck_assert_int_eq(r.status, 201);
	itest_resp_free(&r);
	invitation_token(b.id, token);
	snprintf(body, sizeof(body), "{\"token\":\"%s\"}", token);
	fam_call(&r, "POST", "/api/account/v1/me/household/join", &b, body, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
	/* b's identity document (theirs) and a shared family book. */
	h = household(&b, NULL);
	char bmember[96] = "";
	json_t *members = json_object_get(h, "members");
	for (size_t i = 0; i < json_array_size(members); i++) {
		const char *uid = json_string_value(json_object_get(json_array_get(members, i), "user_id"));
		if (uid && strcmp(uid, b.id) == 0)
			snprintf(bmember, sizeof(bmember), "X-Member-Id: %s",
			         json_string_value(json_object_get(json_array_get(members, i), "id")));
	}
	json_decref(h);
	fam_upload(&r, &b, "application/pdf", "identity", fam_pdf, sizeof(fam_pdf) - 1, bmember);
	ck_assert_int_eq(r.status, 201);
	itest_resp_free(&r);
	fam_upload(&r, &b, "application/pdf", "family_record_book", fam_pdf, sizeof(fam_pdf) - 1, NULL);
	ck_assert_int_eq(r.status, 201);
	itest_resp_free(&r);
	fam_call(&r, "DELETE", "/api/account/v1/me", &b, "{\"password\":\"" FAM_PASSWORD "\"}", NULL, NULL);
	ck_assert_int_eq(r.status, 204);
	itest_resp_free(&r);
	/* a keeps the household and the shared book; b's identity document went with b. */
	h = household(&a, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(h, "id")), hid);
	ck_assert_int_eq(json_array_size(json_object_get(h, "adult_user_ids")), 1);
	json_decref(h);
	fam_call(&r, "GET", "/api/account/v1/me/documents", &a, NULL, NULL, NULL);
	h = fam_ok(&r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(h, "items")), 1);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(json_object_get(h, "items"), 0), "kind")),
	    "family_record_book");
	json_decref(h);
	itest_resp_free(&r);
}
END_TEST

START_TEST(demo_household)
{
	struct fam_user a;
	fam_user_make(&a, "Camille", "citizen", NULL);
	for (int round = 0; round < 2; round++) /* idempotent */
		ck_assert_int_eq(family_seed_demo(lc_db_thread(), a.id), 0);
	json_t *h = household(&a, NULL);
	json_t *members = json_object_get(h, "members");
	ck_assert_int_eq(json_array_size(members), 4);
	int adults = 0, children = 0;
	for (size_t i = 0; i < 4; i++) {
		json_t *m = json_array_get(members, i);
		const char *rel = json_string_value(json_object_get(m, "relation"));
		if (strcmp(rel, "adult") == 0)
			adults++;
		if (strcmp(rel, "child") == 0) {
			children++;
			json_int_t age = json_integer_value(json_object_get(m, "age"));
			const char *k = json_string_value(json_object_get(m, "school_class"));
			ck_assert((age == 7 && strcmp(k, "ce1") == 0) || (age == 4 && strcmp(k, "ms") == 0));
		}
	}
	ck_assert_int_eq(adults, 2);
	ck_assert_int_eq(children, 2);
	json_t *q = json_object_get(h, "quotient_familial");
	ck_assert_str_eq(json_string_value(json_object_get(q, "state")), "verified");
	ck_assert_int_eq(json_integer_value(json_object_get(q, "value")), 850);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(h, "address"), "city")),
	                 "Beaulieu-sur-Loire");
	json_decref(h);
	/* Every kind the procedures ask for, with real PDF and PNG bytes. */
	struct itest_resp r;
	fam_call(&r, "GET", "/api/account/v1/me/documents?limit=100", &a, NULL, NULL, NULL);
	json_t *list = fam_ok(&r, 200);
	itest_resp_free(&r);
	json_t *items = json_object_get(list, "items");
	/* Two adults' and Léa's identity cards, the shared book, an address proof, the QF
	 * certificate and two children's health records. */
	ck_assert_int_eq(json_array_size(items), 8);
	static const char *const kinds[] = {"identity", "family_record_book", "proof_of_address",
	                                    "qf_certificate", "health_record"};
	for (size_t k = 0; k < 5; k++) {
		int n = 0;
		for (size_t i = 0; i < json_array_size(items); i++)
			n += strcmp(json_string_value(json_object_get(json_array_get(items, i), "kind")),
			            kinds[k]) == 0;
		ck_assert_int_eq(n, k == 0 ? 3 : k == 4 ? 2 : 1);
	}
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		char path[160];
		snprintf(path, sizeof(path), "/api/account/v1/me/documents/%s/content",
		         json_string_value(json_object_get(it, "id")));
		fam_call(&r, "GET", path, &a, NULL, NULL, NULL);
		ck_assert_int_eq(r.status, 200);
		ck_assert_str_eq(lc_sniff_mime(r.body, r.len),
		                 json_string_value(json_object_get(it, "mime")));
		if (strcmp(json_string_value(json_object_get(it, "mime")), "application/pdf") == 0)
			ck_assert_ptr_nonnull(strstr(r.body + r.len - 8, "%%EOF"));
		itest_resp_free(&r);
	}
	json_decref(list);
}
END_TEST

int main(void)
{
	itest_env("CIVITAS_TEST_ACCOUNT_DB_URL");
	Suite *s = suite_create("account_family_household");
	TCase *tc = tcase_create("household");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, household_and_members);
	tcase_add_test(tc, invitation_of_a_second_adult);
	tcase_add_test(tc, quotient_familial);
	tcase_add_test(tc, export_and_erasure);
	tcase_add_test(tc, shared_household_erasure);
	tcase_add_test(tc, demo_household);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test_account_admin.c — civitas-account in-process: role changes by an admin (If-Match, audit
 * row), admins' mandatory TOTP enrolment and login with replay refused, notify idempotency
 * (one notification, one e-mail), audit events from other services stored once, lookups. */
#include "civitas/crypto.h"

#include "account_itest.h"

static char *j(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *j(const char *fmt, ...)
{
	static char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

#define PW "un mot de passe solide"

START_TEST(admin_changes_a_role_audited)
{
	char admin_mail[128], agent_mail[128], admin_id[64], agent_id[64], bearer[4300], url[200];
	struct itest_resp r;
	unique_email(admin_mail, sizeof(admin_mail), "admin");
	unique_email(agent_mail, sizeof(agent_mail), "agent");
	snprintf(admin_id, sizeof(admin_id), "%s", make_user(admin_mail, PW, "admin"));
	snprintf(agent_id, sizeof(agent_id), "%s", make_user(agent_mail, PW, "citizen"));
	/* not an admin: the admin routes do not exist */
	snprintf(bearer, sizeof(bearer), "%s", itest_bearer(agent_id, "editor", NULL));
	ck_assert_int_eq(call("GET", API "/admin/users", NULL, &r, bearer, NULL), 404);
	itest_resp_free(&r);
	snprintf(bearer, sizeof(bearer), "%s", itest_bearer(admin_id, "admin", NULL));
	ck_assert_int_eq(call("GET", j(API "/admin/users?q=%s&limit=5", agent_mail), NULL, &r, bearer, NULL),
	                 200);
	json_t *list = itest_json(&r);
	json_t *u = json_array_get(json_object_get(list, "items"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(u, "id")), agent_id);
	char im[120];
	snprintf(im, sizeof(im), "If-Match: %s", json_string_value(json_object_get(u, "etag")));
	json_decref(list);
	itest_resp_free(&r);
	snprintf(url, sizeof(url), API "/admin/users/%s", agent_id);
	const char *change = "{\"role\":\"agent\",\"services\":[\"scolaire\",\"jeunesse\"]}";
	ck_assert_int_eq(call("PATCH", url, change, &r, bearer, NULL), 428);
	itest_resp_free(&r);
	ck_assert_int_eq(call("PATCH", url, "{\"role\":\"chef\"}", &r, bearer, im, NULL), 422);
	itest_resp_free(&r);
	ck_assert_int_eq(call("PATCH", url, "{\"services\":[\"Bad Name\"]}", &r, bearer, im, NULL), 422);
	itest_resp_free(&r);
	ck_assert_str_eq(sql("SELECT role FROM users WHERE id = $1", agent_id),
	                 "citizen"); /* bad input changed nothing */
	/* the person's open session ends with the change: its tokens carry the old rights */
	char sid[64];
	snprintf(sid, sizeof(sid), "%s",
	         sql("INSERT INTO sessions (user_id) VALUES ($1) RETURNING id", agent_id));
	ck_assert_int_eq(call("PATCH", url, change, &r, bearer, im, NULL), 200);
	ck_assert_str_eq(sql("SELECT coalesce(revoked_why, 'open') FROM sessions WHERE id = $1", sid),
	                 "rights_changed");
	ck_assert(strstr(r.body, "\"role\":\"agent\""));
	ck_assert(strstr(r.body, "[\"scolaire\",\"jeunesse\"]"));
	itest_resp_free(&r);
	ck_assert_int_eq(call("PATCH", url, "{\"disabled\":true}", &r, bearer, im, NULL),
	                 412); /* stale ETag */
	itest_resp_free(&r);
	ck_assert_int_eq(call("GET", j(API "/admin/audit?action=user.role_change&actor=%s", admin_mail), NULL,
	                      &r, bearer, NULL),
	                 200);
	json_t *a = itest_json(&r);
	json_t *e = json_array_get(json_object_get(a, "items"), 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "target_id")), agent_id);
	ck_assert_str_eq(json_string_value(json_object_get(e, "actor_id")), admin_id);
	ck_assert_str_eq(json_string_value(json_object_get(e, "actor_email")), admin_mail);
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(json_object_get(e, "details"), "before"), "role")),
	                 "citizen");
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(json_object_get(e, "details"), "after"), "role")),
	                 "agent");
	json_decref(a);
	itest_resp_free(&r);
	/* the new role is in the next token */
	ck_assert_int_eq(
	    call("POST", API "/login", j("{\"email\":\"%s\",\"password\":\"" PW "\"}", agent_mail), &r, NULL),
	    200);
	ck_assert(strstr(r.body, "\"role\":\"agent\""));
	itest_resp_free(&r);
	/* an admin cannot demote themselves */
	snprintf(url, sizeof(url), API "/admin/users/%s", admin_id);
	ck_assert_int_eq(call("PATCH", url, "{\"role\":\"citizen\"}", &r, bearer, "If-Match: *", NULL), 409);
	itest_resp_free(&r);
	/* creating an agent account: 201 + Location, a link to choose a password */
	char newbie[128];
	unique_email(newbie, sizeof(newbie), "nouvel.agent");
	ck_assert_int_eq(
	    call("POST", API "/admin/users",
	         j("{\"email\":\"%s\",\"given_name\":\"Noé\",\"family_name\":\"Arnaud\",\"role\":\"agent\","
	           "\"services\":[\"etat-civil\"]}",
	           newbie),
	         &r, bearer, NULL),
	    201);
	char loc[200];
	ck_assert_ptr_nonnull(itest_header(&r, "Location", loc, sizeof(loc)));
	itest_resp_free(&r);
	free(wait_mail(newbie, "reinitialisation.html?token=", 1));
	ck_assert_int_eq(
	    call(
	        "POST", API "/admin/users",
	        j("{\"email\":\"%s\",\"given_name\":\"N\",\"family_name\":\"A\",\"role\":\"agent\"}", newbie),
	        &r, bearer, NULL),
	    409);
	itest_resp_free(&r);
}
END_TEST

static const char *current_code(const char *base32)
{
	static char code[8];
	unsigned char secret[64];
	int n = totp_base32_decode(base32, secret, sizeof(secret));
	ck_assert_int_eq(n, 20);
	snprintf(code, sizeof(code), "%06u", totp_code(secret, (size_t)n, (uint64_t)(time(NULL) / 30)));
	return code;
}

START_TEST(admin_must_enrol_totp)
{
	char email[128], enrol[64], secret[64];
	struct itest_resp r;
	unique_email(email, sizeof(email), "admin.totp");
	make_user(email, PW, "admin");
	const char *creds = j("{\"email\":\"%s\",\"password\":\"" PW "\"}", email);
	char body[512];
	snprintf(body, sizeof(body), "%s", creds);
	ck_assert_int_eq(call("POST", API "/login", body, &r, NULL), 403);
	json_t *p = itest_json(&r);
	ck_assert_str_eq(json_string_value(json_object_get(p, "code")), "totp_enrolment_required");
	snprintf(enrol, sizeof(enrol), "%s", json_string_value(json_object_get(p, "enrolment_token")));
	json_decref(p);
	char sc[64];
	ck_assert_ptr_null(itest_header(&r, "Set-Cookie", sc, sizeof(sc))); /* no session yet */
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", API "/me/totp/setup", "{\"enrolment_token\":\"nope\"}", &r, NULL), 401);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", API "/me/totp/setup", j("{\"enrolment_token\":\"%s\"}", enrol), &r, NULL), 200);
	json_t *s = itest_json(&r);
	snprintf(secret, sizeof(secret), "%s", json_string_value(json_object_get(s, "secret")));
	ck_assert(strncmp(json_string_value(json_object_get(s, "otpauth_uri")),
	                  "otpauth://totp/Civitas:", 23) == 0);
	json_decref(s);
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", API "/me/totp/confirm",
	                      j("{\"enrolment_token\":\"%s\",\"code\":\"000000\"}", enrol), &r, NULL),
	                 strcmp(current_code(secret), "000000") == 0 ? 200 : 422);
	itest_resp_free(&r);
	char code[8];
	snprintf(code, sizeof(code), "%s", current_code(secret));
	ck_assert_int_eq(call("POST", API "/me/totp/confirm",
	                      j("{\"enrolment_token\":\"%s\",\"code\":\"%s\"}", enrol, code), &r, NULL),
	                 200);
	itest_resp_free(&r);
	/* the enrolment grant is spent */
	ck_assert_int_eq(
	    call("POST", API "/me/totp/setup", j("{\"enrolment_token\":\"%s\"}", enrol), &r, NULL), 401);
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", API "/login", body, &r, NULL), 401);
	ck_assert_str_eq(code_of(&r), "totp_required");
	itest_resp_free(&r);
	/* the code used to confirm cannot log in (replay of its step); wait for the next step */
	ck_assert_int_eq(call("POST", API "/login",
	                      j("{\"email\":\"%s\",\"password\":\"" PW "\",\"totp\":\"%s\"}", email, code),
	                      &r, NULL),
	                 401);
	ck_assert_str_eq(code_of(&r), "invalid_totp");
	itest_resp_free(&r);
	while (strcmp(current_code(secret), code) == 0)
		sleep(1);
	snprintf(code, sizeof(code), "%s", current_code(secret));
	ck_assert_int_eq(call("POST", API "/login",
	                      j("{\"email\":\"%s\",\"password\":\"" PW "\",\"totp\":\"%s\"}", email, code),
	                      &r, NULL),
	                 200);
	ck_assert(strstr(r.body, "\"role\":\"admin\""));
	ck_assert(strstr(r.body, "\"totp_enabled\":true"));
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", API "/login",
	                      j("{\"email\":\"%s\",\"password\":\"" PW "\",\"totp\":\"%s\"}", email, code),
	                      &r, NULL),
	                 401); /* the same code twice */
	itest_resp_free(&r);
}
END_TEST

START_TEST(notify_is_idempotent)
{
	char email[128], id[64], key[80], bearer[4300];
	struct itest_resp r;
	unique_email(email, sizeof(email), "notifie");
	snprintf(id, sizeof(id), "%s", make_user(email, PW, "citizen"));
	snprintf(key, sizeof(key), "itest-%ld-%ld", (long)getpid(), random());
	const char *ia = itest_internal_auth();
	char body[1024];
	snprintf(
	    body, sizeof(body),
	    "{\"user_id\":\"%s\",\"template\":\"password_changed\",\"data\":{},\"idempotency_key\":\"%s\","
	    "\"link\":\"/mon-espace.html\"}",
	    id, key);
	ck_assert_int_eq(call("POST", "/internal/v1/notify", body, &r, NULL), 404); /* no secret: not there */
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", "/internal/v1/notify", body, &r, ia, NULL), 202);
	ck_assert(strstr(r.body, "\"duplicate\":false"));
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", "/internal/v1/notify", body, &r, ia, NULL), 202);
	ck_assert(strstr(r.body, "\"duplicate\":true"));
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", "/internal/v1/notify",
	         j("{\"user_id\":\"%s\",\"template\":\"no_such_template\",\"idempotency_key\":\"k-%s\"}", id,
	           key),
	         &r, ia, NULL),
	    422);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", "/internal/v1/notify",
	         "{\"user_id\":\"00000000-0000-4000-8000-000000000000\",\"template\":\"password_changed\","
	         "\"idempotency_key\":\"x-unknown\"}",
	         &r, ia, NULL),
	    404);
	itest_resp_free(&r);
	snprintf(bearer, sizeof(bearer), "%s", itest_bearer(id, "citizen", NULL));
	ck_assert_int_eq(call("GET", API "/me/notifications", NULL, &r, bearer, NULL), 200);
	json_t *n = itest_json(&r);
	ck_assert_int_eq(json_array_size(json_object_get(n, "items")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(n, "unread")), 1);
	char nid[64];
	snprintf(nid, sizeof(nid), "%s",
	         json_string_value(json_object_get(json_array_get(json_object_get(n, "items"), 0), "id")));
	json_decref(n);
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", j(API "/me/notifications/%s/read", nid), NULL, &r, bearer, NULL), 204);
	itest_resp_free(&r);
	/* someone else's notification does not exist for this caller */
	ck_assert_int_eq(call("POST", j(API "/me/notifications/%s/read", nid), NULL, &r,
	                      itest_bearer("00000000-0000-4000-8000-000000000001", "citizen", NULL), NULL),
	                 404);
	itest_resp_free(&r);
	free(wait_mail(email, "/mon-espace.html", 1));
	sleep(1); /* a second e-mail would have been sent by now */
	ck_assert_int_eq(count_mail(email, "/mon-espace.html", NULL), 1);
	/* lookups other services use */
	ck_assert_int_eq(call("GET", j("/internal/v1/users?email=%s", email), NULL, &r, ia, NULL), 200);
	ck_assert(strstr(r.body, id));
	itest_resp_free(&r);
	ck_assert_int_eq(call("GET", j("/internal/v1/users/%s", id), NULL, &r, ia, NULL), 200);
	ck_assert(strstr(r.body, "\"household_id\":null"));
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("GET", "/internal/v1/users?email=absent.person@example.org", NULL, &r, ia, NULL), 404);
	itest_resp_free(&r);
}
END_TEST

/* Other services tell people the outcome of what they asked: a partner's directory change
 * (notify.* events, to a person with an account), an employer's offer (mail.* events, to an
 * address); templates outside the allowed lists are dropped, not retried. */
START_TEST(decisions_reach_partners_and_employers)
{
	char email[128], id[64], ev[37], employer[128];
	struct itest_resp r;
	const char *ia = itest_internal_auth();
	unique_email(email, sizeof(email), "partenaire");
	snprintf(id, sizeof(id), "%s", make_user(email, PW, "partner"));
	lc_uuid_v4(ev);
	ck_assert_int_eq(
	    call("POST", "/internal/v1/events",
	         j("{\"id\":\"%s\",\"topic\":\"notify.directory_change_rejected\",\"source\":\"content\","
	           "\"occurred_at\":\"2026-01-05T10:00:00Z\",\"data\":{\"user_id\":\"%s\",\"template\":"
	           "\"directory_change_rejected\",\"link\":\"/ma-structure.html\",\"data\":{\"name\":"
	           "\"Club de voile\",\"comment\":\"Le site indiqué ne répond pas.\"}}}",
	           ev, id),
	         &r, ia, NULL),
	    200);
	itest_resp_free(&r);
	char *m = wait_mail(email, "Le site indiqué ne répond pas.", 1);
	ck_assert_ptr_nonnull(strstr(m, "/ma-structure.html"));
	ck_assert_ptr_nonnull(strstr(m, "Club de voile"));
	free(m);
	/* A template no other service may send through events: dropped (acknowledged). */
	lc_uuid_v4(ev);
	ck_assert_int_eq(call("POST", "/internal/v1/events",
	                      j("{\"id\":\"%s\",\"topic\":\"notify.password_reset\",\"source\":\"content\","
	                        "\"occurred_at\":\"2026-01-05T10:00:00Z\",\"data\":{\"user_id\":\"%s\","
	                        "\"template\":\"password_reset\",\"data\":{}}}",
	                        ev, id),
	                      &r, ia, NULL),
	                 200);
	itest_resp_free(&r);
	unique_email(employer, sizeof(employer), "employeur");
	lc_uuid_v4(ev);
	ck_assert_int_eq(
	    call("POST", "/internal/v1/events",
	         j("{\"id\":\"%s\",\"topic\":\"mail.job_rejected\",\"source\":\"content\","
	           "\"occurred_at\":\"2026-01-05T10:00:00Z\",\"data\":{\"email\":\"%s\",\"template\":"
	           "\"job_rejected\",\"data\":{\"title\":\"Vendeur\",\"employer\":\"Fromagerie\","
	           "\"link\":\"https://ville.example/emploi.html\",\"comment\":\"Salaire manquant\"}}}",
	           ev, employer),
	         &r, ia, NULL),
	    200);
	itest_resp_free(&r);
	m = wait_mail(employer, "Salaire manquant", 1);
	ck_assert_ptr_nonnull(strstr(m, "https://ville.example/emploi.html"));
	free(m);
	sleep(1);
	ck_assert_int_eq(count_mail(email, NULL, NULL), 1); /* not the password reset */
	/* A notify call names a person or a service, not both, not neither. */
	ck_assert_int_eq(call("POST", "/internal/v1/notify",
	                      j("{\"user_id\":\"%s\",\"service\":\"scolaire\",\"template\":"
	                        "\"password_changed\",\"idempotency_key\":\"both-%s\"}",
	                        id, ev),
	                      &r, ia, NULL),
	                 422);
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", "/internal/v1/notify",
	                      j("{\"template\":\"password_changed\",\"idempotency_key\":\"none-%s\"}", ev),
	                      &r, ia, NULL),
	                 422);
	itest_resp_free(&r);
}
END_TEST

START_TEST(audit_events_and_jwks)
{
	struct itest_resp r;
	const char *ia = itest_internal_auth();
	char ev_id[37], body[1024];
	lc_uuid_v4(ev_id);
	snprintf(
	    body, sizeof(body),
	    "{\"id\":\"%s\",\"topic\":\"audit.document.download\",\"source\":\"teleservices\","
	    "\"occurred_at\":\"2026-01-05T10:00:00Z\",\"data\":{\"at\":\"2026-01-05T10:00:00Z\",\"service\":"
	    "\"teleservices\",\"actor_id\":\"%s\",\"actor_role\":\"agent\",\"action\":\"document.download\","
	    "\"target_type\":\"document\",\"target_id\":\"%s\",\"details\":{}}}",
	    ev_id, ev_id, ev_id);
	ck_assert_int_eq(call("POST", "/internal/v1/events", body, &r, ia, NULL), 200);
	itest_resp_free(&r);
	ck_assert_int_eq(call("POST", "/internal/v1/events", body, &r, ia, NULL), 200);
	ck_assert(strstr(r.body, "\"duplicate\":true"));
	itest_resp_free(&r);
	ck_assert_str_eq(sql("SELECT count(*) FROM audit WHERE target_id = $1", ev_id), "1");
	char other[37];
	lc_uuid_v4(other);
	ck_assert_int_eq(call("POST", "/internal/v1/events",
	                      j("{\"id\":\"%s\",\"topic\":\"request.submitted\",\"source\":\"teleservices\","
	                        "\"occurred_at\":\"2026-01-05T10:00:00Z\",\"data\":{}}",
	                        other),
	                      &r, ia, NULL),
	                 200);
	itest_resp_free(&r);
	ck_assert_int_eq(call("GET", API "/.well-known/jwks.json", NULL, &r, NULL), 200);
	ck_assert(strstr(r.body, "\"kty\":\"EC\""));
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", "/internal/v1/demo", "{\"password\":\"civitas-demo-2026\"}", &r, ia, NULL), 200);
	itest_resp_free(&r);
	ck_assert_int_eq(
	    call("POST", "/internal/v1/demo", "{\"password\":\"civitas-demo-2026\"}", &r, ia, NULL), 200);
	ck_assert(strstr(r.body, "\"created\":0"));
	itest_resp_free(&r);
	ck_assert_str_eq(
	    sql("SELECT role || ':' || array_to_string(services, ',') FROM users WHERE email = $1",
	        "agent.scolaire@mairie.example"),
	    "agent:scolaire");
}
END_TEST

/* An administrator's bearer, a word unique to this run (prefix and the pid) and three accounts
 * <word>.<i>@example.org of the given roles, for the admins' lists. */
static void admin_and_three(char bearer[4300], char word[64], const char *prefix, char ids[3][64],
                            const char *const roles[3])
{
	char admin_id[64], mail[128];
	unique_email(mail, sizeof(mail), "admin");
	snprintf(admin_id, sizeof(admin_id), "%s", make_user(mail, PW, "admin"));
	snprintf(bearer, 4300, "%s", itest_bearer(admin_id, "admin", NULL));
	snprintf(word, 64, "%s%ld", prefix, (long)getpid());
	for (int i = 0; i < 3; i++) {
		snprintf(mail, sizeof(mail), "%s.%d@example.org", word, i);
		snprintf(ids[i], 64, "%s", make_user(mail, PW, roles[i]));
	}
}

/* The admins' lists page by cursor (they answered next_cursor null whatever followed): three
 * accounts sharing a word, two a page, newest first; the audit trail one row a page. */
START_TEST(admin_lists_page_by_cursor)
{
	char word[64], bearer[4300], ids[3][64];
	struct itest_resp r;
	static const char *const roles[3] = {"citizen", "citizen", "citizen"};
	admin_and_three(bearer, word, "pagecursor", ids, roles);
	for (int i = 0; i < 3; i++) {
		/* distinct creation times, the newest last */
		sql(j("UPDATE users SET created_at = now() - interval '%d minutes' WHERE id = $1", 3 - i),
		    ids[i]);
	}
	ck_assert_int_eq(call("GET", j(API "/admin/users?q=%s&limit=2", word), NULL, &r, bearer, NULL), 200);
	json_t *page = itest_json(&r);
	itest_resp_free(&r);
	json_t *items = json_object_get(page, "items");
	ck_assert_int_eq(json_array_size(items), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "id")), ids[2]);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 1), "id")), ids[1]);
	const char *cursor = json_string_value(json_object_get(page, "next_cursor"));
	ck_assert_ptr_nonnull(cursor);
	ck_assert_int_eq(
	    call("GET", j(API "/admin/users?q=%s&limit=2&cursor=%s", word, cursor), NULL, &r, bearer, NULL),
	    200);
	json_decref(page);
	page = itest_json(&r);
	itest_resp_free(&r);
	items = json_object_get(page, "items");
	ck_assert_int_eq(json_array_size(items), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "id")), ids[0]);
	ck_assert(json_is_null(json_object_get(page, "next_cursor")));
	json_decref(page);
	/* the audit trail: the second page starts after the first */
	for (int i = 0; i < 2; i++)
		sql("INSERT INTO audit (service, action) VALUES ('account', $1)", "test.page_by_cursor");
	ck_assert_int_eq(call("GET", API "/admin/audit?limit=1", NULL, &r, bearer, NULL), 200);
	page = itest_json(&r);
	itest_resp_free(&r);
	char first[64];
	snprintf(first, sizeof(first), "%s",
	         json_string_value(json_object_get(json_array_get(json_object_get(page, "items"), 0), "id")));
	cursor = json_string_value(json_object_get(page, "next_cursor"));
	ck_assert_ptr_nonnull(cursor);
	ck_assert_int_eq(call("GET", j(API "/admin/audit?limit=1&cursor=%s", cursor), NULL, &r, bearer, NULL),
	                 200);
	json_decref(page);
	page = itest_json(&r);
	itest_resp_free(&r);
	ck_assert_int_eq(json_array_size(json_object_get(page, "items")), 1);
	ck_assert_str_ne(
	    json_string_value(json_object_get(json_array_get(json_object_get(page, "items"), 0), "id")),
	    first);
	json_decref(page);
}
END_TEST

/* The admins' lists are written by the daemon from binary rows (h_admin.c, cell_json): each item
 * equals, as JSON, what the handlers built before from USER_COLUMNS' text (user_json and the
 * etag) and from the audit trail's text columns — with what JSON escapes, non-ASCII, NULLs, a
 * role's services, a household, a later page; q= found by the walk of the head of the list and
 * by the exact statement (a term too rare for the head: fewer matches than a page). */
static json_t *old_user_item(PGconn *c, const char *id)
{
	const char *p[] = {id};
	PGresult *r = PQexecParams(c, "SELECT " USER_COLUMNS " FROM account.users WHERE id = $1::uuid", 1,
	                           NULL, p, NULL, NULL, 0);
	ck_assert_int_eq(PQntuples(r), 1);
	json_t *u = user_json(r, 0, true);
	json_object_set_new(u, "etag", json_string(PQgetvalue(r, 0, UC_ETAG)));
	PQclear(r);
	return u;
}

static json_t *old_audit_item(PGconn *c, const char *id)
{
	const char *p[] = {id};
	PGresult *r = PQexecParams(
	    c,
	    "SELECT a.id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), a.service,"
	    " a.actor_id, a.actor_role, a.action, a.target_type, a.target_id, a.ip, a.request_id,"
	    " a.details::text, (SELECT email FROM account.users u WHERE u.id = a.actor_id)"
	    " FROM account.audit a WHERE a.id = $1::uuid",
	    1, NULL, p, NULL, NULL, 0);
	ck_assert_int_eq(PQntuples(r), 1);
#define NUL(k) (PQgetisnull(r, 0, (k)) ? NULL : PQgetvalue(r, 0, (k)))
	json_t *a = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s, s:s?, s:s?, s:s?, s:s?, s:o}", "id",
	                      PQgetvalue(r, 0, 0), "at", PQgetvalue(r, 0, 1), "service", PQgetvalue(r, 0, 2),
	                      "actor_id", NUL(3), "actor_email", NUL(11), "actor_role", NUL(4), "action",
	                      PQgetvalue(r, 0, 5), "target_type", NUL(6), "target_id", NUL(7), "ip", NUL(8),
	                      "request_id", NUL(9), "details", json_loads(PQgetvalue(r, 0, 10), 0, NULL));
#undef NUL
	PQclear(r);
	return a;
}

/* Every item of the page at path equals its old rendering (old(c, item's id)); returns the count. */
static size_t items_as_before(const char *bearer, const char *path, PGconn *c,
                              json_t *(*old)(PGconn *, const char *))
{
	struct itest_resp r;
	ck_assert_int_eq(call("GET", path, NULL, &r, bearer, NULL), 200);
	json_t *page = itest_json(&r);
	itest_resp_free(&r);
	ck_assert_ptr_nonnull(page);
	json_t *it;
	size_t i;
	json_array_foreach(json_object_get(page, "items"), i, it)
	{
		json_t *want = old(c, json_string_value(json_object_get(it, "id")));
		char *g = json_dumps(it, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);
		ck_assert_msg(json_equal(it, want), "%s item %zu:\n got %s\nwant %s", path, i, g, w);
		free(g);
		free(w);
		json_decref(want);
	}
	size_t n = json_array_size(json_object_get(page, "items"));
	json_decref(page);
	return n;
}

START_TEST(admin_lists_items_as_before)
{
	char word[64], bearer[4300], ids[3][64];
	static const char *const roles[3] = {"citizen", "agent", "citizen"};
	admin_and_three(bearer, word, "asbefore", ids, roles);
	/* names with what JSON escapes and non-ASCII; a phone, services, a disabled account */
	sql("UPDATE users SET given_name = E'Ana\\\"\\\\ \\t/ \u00e9\u00e8 \u2603', family_name = "
	    "E'L\\'\\u0001x',"
	    " phone = '+33 1 23', notify_portal = false, created_at = now() - interval '1 minute' WHERE id = "
	    "$1",
	    ids[0]);
	sql("UPDATE users SET services = '{scolaire,etat-civil}', totp_enabled_at = now() WHERE id = $1",
	    ids[1]);
	sql("UPDATE users SET disabled_at = now(), email_verified_at = NULL WHERE id = $1", ids[2]);
	PGconn *c = PQconnectdb(itest_env("CIVITAS_TEST_ACCOUNT_DB_URL"));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	ck_assert_int_eq(items_as_before(bearer, j(API "/admin/users?q=%s", word), c, old_user_item), 3);
	ck_assert_int_eq(items_as_before(bearer, j(API "/admin/users?q=%s&limit=1", word), c, old_user_item),
	                 1);
	ck_assert_int_eq(
	    items_as_before(bearer, j(API "/admin/users?q=%s&role=agent", word), c, old_user_item), 1);
	ck_assert_int_eq(
	    items_as_before(bearer, j(API "/admin/users?q=%s&role=citizen&limit=1", word), c, old_user_item),
	    1);
	ck_assert_int_eq(items_as_before(bearer, j(API "/admin/users?q=%s.0", word), c, old_user_item), 1);
	ck_assert_uint_gt(items_as_before(bearer, API "/admin/users?limit=100", c, old_user_item), 3);
	ck_assert_uint_gt(items_as_before(bearer, API "/admin/users?role=agent", c, old_user_item), 0);
	/* the audit trail: a row with every column, one with the NULLs, details with escapes */
	char action[96];
	snprintf(action, sizeof(action), "%s.full", word);
	sql(j("INSERT INTO audit (service, actor_id, actor_role, action, target_type, target_id, ip,"
	      " request_id, details) VALUES ('account', '%s', 'agent', '%s', 'user', $1, '192.0.2.1',"
	      " 'req-1', '{\"role\": \"a\\\"b\", \"n\": [1, 2.50, null], \"\u00e9\": {}}')",
	      ids[1], action),
	    ids[0]);
	snprintf(action, sizeof(action), "%s.bare", word);
	sql("INSERT INTO audit (service, action) VALUES ('account', $1)", action);
	ck_assert_int_eq(items_as_before(bearer, j(API "/admin/audit?action=%s", word), c, old_audit_item),
	                 2);
	ck_assert_int_eq(items_as_before(bearer, j(API "/admin/audit?actor=%s", ids[1]), c, old_audit_item),
	                 1);
	ck_assert_uint_gt(items_as_before(bearer, API "/admin/audit?limit=100", c, old_audit_item), 1);
	PQfinish(c);
}
END_TEST

int main(void)
{
	itest_env("CIVITAS_TEST_ACCOUNT_DB_URL");
	itest_env("CIVITAS_TEST_MAIL");
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	Suite *s = suite_create("account_admin");
	TCase *tc = tcase_create("account in-process");
	tcase_add_checked_fixture(tc, account_setup, account_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, admin_changes_a_role_audited);
	tcase_add_test(tc, admin_must_enrol_totp);
	tcase_add_test(tc, notify_is_idempotent);
	tcase_add_test(tc, decisions_reach_partners_and_employers);
	tcase_add_test(tc, audit_events_and_jwks);
	tcase_add_test(tc, admin_lists_page_by_cursor);
	tcase_add_test(tc, admin_lists_items_as_before);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* test_payment_systempay.c — civitas-payment configured for Systempay against a small fake of
 * Lyra's gateway written here: the fake receives the browser's form, checks its signature with
 * this file's own implementation of Lyra's algorithm (test_payment_itest.h), and answers with a
 * server-to-server IPN signed the same way; the service must accept exactly that, and refuse a
 * wrong key, another mode or the sandbox's endpoint. The fake also answers Lyra's REST refund
 * (Transaction/CancelOrRefund), used for payments that arrive after their checkout ended. */
#include <check.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <stdatomic.h>

#include "test_payment_itest.h"

#define SHOP_KEY  "sp-test-key-7DhqBz3kVf9x"
#define SHOP_SITE "12345678"

static struct person admin, citizen;
static struct MHD_Daemon *fake;
static atomic_int forms_ok, forms_bad;
static atomic_long ipn_status;
static char key_file[256], password_file[256];
#define REST_PASSWORD "testpassword_Rk29fLq"
/* what the fake's REST refund saw: the Basic credentials were right, the body's uuid and amount */
static atomic_int refunds_ok, refunds_bad;
static char refund_seen[160];

struct upload {
	char *data;
	size_t len;
};

static int hexv(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

/* The fake's own urlencoded parser (values are small). */
static json_t *parse_form(const char *s)
{
	json_t *o = json_object();
	char *copy = strdup(s), *save = NULL;
	for (char *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq)
			continue;
		*eq = '\0';
		char *v = eq + 1, *o2 = v;
		for (char *p = v; *p; p++) {
			if (*p == '+')
				*o2++ = ' ';
			else if (*p == '%' && hexv(p[1]) >= 0 && hexv(p[2]) >= 0) {
				*o2++ = (char)(hexv(p[1]) * 16 + hexv(p[2]));
				p += 2;
			} else
				*o2++ = *p;
		}
		*o2 = '\0';
		json_object_set_new(o, kv, json_string(v));
	}
	free(copy);
	return o;
}

static enum MHD_Result on_conn(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *data, size_t *size, void **state)
{
	(void)cls, (void)version, (void)method;
	struct upload *u = *state;
	if (!u) {
		u = calloc(1, sizeof(*u));
		*state = u;
		return MHD_YES;
	}
	if (*size) {
		u->data = realloc(u->data, u->len + *size + 1);
		memcpy(u->data + u->len, data, *size);
		u->len += *size;
		u->data[u->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/api-payment/V4/Transaction/CancelOrRefund") == 0) {
		/* Lyra's REST refund: Basic shop id and API password (encoded here with OpenSSL) */
		const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
		unsigned char want[128];
		EVP_EncodeBlock(want, (const unsigned char *)SHOP_SITE ":" REST_PASSWORD,
		                (int)strlen(SHOP_SITE ":" REST_PASSWORD));
		json_t *req = json_loads(u->data ? u->data : "", 0, NULL);
		bool good = auth && strncmp(auth, "Basic ", 6) == 0 &&
		            strcmp(auth + 6, (const char *)want) == 0 && req &&
		            json_string_value(json_object_get(req, "uuid"));
		const char *answer = good ? "{\"status\":\"SUCCESS\",\"answer\":{\"uuid\":"
		                            "\"rf0000000000000000000000000000a1\"}}"
		                          : "{\"status\":\"ERROR\",\"answer\":{\"errorCode\":\"INT_905\","
		                            "\"errorMessage\":\"invalid credentials\"}}";
		if (good) {
			snprintf(refund_seen, sizeof(refund_seen), "%s %lld %s",
			         json_string_value(json_object_get(req, "uuid")),
			         (long long)json_integer_value(json_object_get(req, "amount")),
			         json_string_value(json_object_get(req, "currency")) ?: "");
			atomic_fetch_add(&refunds_ok, 1);
		} else
			atomic_fetch_add(&refunds_bad, 1);
		json_decref(req);
		struct MHD_Response *resp =
		    MHD_create_response_from_buffer(strlen(answer), (void *)answer, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Content-Type", "application/json");
		enum MHD_Result rc = MHD_queue_response(c, 200, resp);
		MHD_destroy_response(resp);
		return rc;
	}
	json_t *form = parse_form(u->data ? u->data : "");
	char sig[64];
	lyra_sign(form, SHOP_KEY, sig);
	bool ok = strcmp(url, "/vads-payment/") == 0 && strcmp(itest_jstr(form, "signature"), sig) == 0 &&
	          strcmp(itest_jstr(form, "vads_site_id"), SHOP_SITE) == 0;
	if (ok) {
		atomic_fetch_add(&forms_ok, 1);
		/* the gateway's IPN: the order's fields and the outcome, signed with the shop key */
		json_t *ipn = json_object();
		const char *k;
		json_t *v;
		json_object_foreach(form, k,
		                    v) if (strncmp(k, "vads_", 5) == 0 && strcmp(k, "vads_url_return") != 0 &&
		                           strcmp(k, "vads_return_mode") != 0) json_object_set(ipn, k, v);
		json_object_set_new(ipn, "vads_trans_status", json_string("AUTHORISED"));
		json_object_set_new(ipn, "vads_trans_uuid", json_string("0a1b2c3d4e5f60718293a4b5c6d7e8f9"));
		json_object_set_new(ipn, "vads_operation_type", json_string("DEBIT"));
		json_object_set_new(ipn, "vads_url_check_src", json_string("PAY"));
		json_t *body = NULL;
		atomic_store(&ipn_status, post_ipn("systempay", ipn, SHOP_KEY, &body));
		json_decref(body);
		json_decref(ipn);
	} else
		atomic_fetch_add(&forms_bad, 1);
	json_decref(form);
	const char *page = ok ? "<p>Paiement accepté</p>" : "<p>Signature incorrecte</p>";
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(strlen(page), (void *)page, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc = MHD_queue_response(c, ok ? 200 : 400, resp);
	MHD_destroy_response(resp);
	return rc;
}

static void on_done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode t)
{
	(void)cls, (void)c, (void)t;
	struct upload *u = *state;
	if (u) {
		free(u->data);
		free(u);
	}
	*state = NULL;
}

static void setup(void)
{
	fake = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_conn, NULL,
	                        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
	ck_assert_ptr_nonnull(fake);
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/vads-payment/",
	         MHD_get_daemon_info(fake, MHD_DAEMON_INFO_BIND_PORT)->port);
	snprintf(key_file, sizeof(key_file), "/tmp/civitas-systempay-key-%d", (int)getpid());
	FILE *f = fopen(key_file, "w");
	ck_assert_ptr_nonnull(f);
	fputs(SHOP_KEY "\n", f);
	fclose(f);
	setenv("CIVITAS_SYSTEMPAY_KEY_FILE", key_file, 1);
	setenv("CIVITAS_SYSTEMPAY_SITE_ID", SHOP_SITE, 1);
	setenv("CIVITAS_SYSTEMPAY_MODE", "TEST", 1);
	setenv("CIVITAS_SYSTEMPAY_URL", url, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/api-payment/V4/",
	         MHD_get_daemon_info(fake, MHD_DAEMON_INFO_BIND_PORT)->port);
	setenv("CIVITAS_SYSTEMPAY_REST_URL", url, 1);
	snprintf(password_file, sizeof(password_file), "/tmp/civitas-systempay-password-%d", (int)getpid());
	f = fopen(password_file, "w");
	ck_assert_ptr_nonnull(f);
	fputs(REST_PASSWORD "\n", f);
	fclose(f);
	unsetenv("CIVITAS_SYSTEMPAY_API_PASSWORD_FILE");
	pay_start_with("systempay");
	person_make(&admin, "admin", "admin", NULL);
	person_make(&citizen, "camille", "citizen", NULL);
	household_make(&citizen, "850", "verified", 200);
}

static void teardown(void)
{
	pay_stop();
	MHD_stop_daemon(fake);
	unlink(key_file);
	unlink(password_file);
	unsetenv("CIVITAS_SYSTEMPAY_API_PASSWORD_FILE");
}

START_TEST(systempay_form_and_ipn)
{
	char body[512], key[48], co[37], redirect[256];
	snprintf(body, sizeof(body),
	         "{\"household_id\":\"%s\",\"label\":\"Conservatoire\",\"due_date\":\"2026-12-31\","
	         "\"lines\":[{\"label\":\"Trimestre\",\"quantity\":1,\"unit_cents\":7500}]}",
	         citizen.household);
	struct itest_resp r;
	call(&r, "POST", "/invoices", admin.auth, body, NULL);
	json_t *inv = itest_expect(&r, 201);
	snprintf(body, sizeof(body), "{\"invoice_ids\":[\"%s\"]}", itest_jstr(inv, "id"));
	lc_uuid_v4(key);
	char hk[100];
	snprintf(hk, sizeof(hk), "Idempotency-Key: %s", key);
	call(&r, "POST", "/checkouts", citizen.auth, body, hk);
	json_t *c = itest_expect(&r, 201);
	snprintf(co, sizeof(co), "%s", itest_jstr(c, "id"));
	snprintf(redirect, sizeof(redirect), "%s", itest_jstr(c, "redirect_url"));
	json_decref(c);

	/* the hand-over page: the form goes to the Systempay URL with our shop's fields */
	call(&r, "GET", redirect, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	const char *action = strstr(r.body, "action=\"");
	ck_assert_ptr_nonnull(action);
	char action_url[256];
	snprintf(action_url, sizeof(action_url), "%.*s", (int)(strchr(action + 8, '"') - action - 8),
	         action + 8);
	ck_assert_str_eq(action_url, getenv("CIVITAS_SYSTEMPAY_URL"));
	/* every hidden field of the form, posted as the browser would */
	json_t *form = json_object();
	for (const char *p = r.body; (p = strstr(p, "type=\"hidden\" name=\"")) != NULL;) {
		p += strlen("type=\"hidden\" name=\"");
		const char *e = strchr(p, '"');
		char name[64], value[512];
		snprintf(name, sizeof(name), "%.*s", (int)(e - p), p);
		const char *v = strstr(e, "value=\"") + 7;
		snprintf(value, sizeof(value), "%.*s", (int)(strchr(v, '"') - v), v);
		json_object_set_new(form, name, json_string(value));
	}
	itest_resp_free(&r);
	ck_assert_str_eq(itest_jstr(form, "vads_site_id"), SHOP_SITE);
	ck_assert_str_eq(itest_jstr(form, "vads_ctx_mode"), "TEST");
	ck_assert_str_eq(itest_jstr(form, "vads_amount"), "7500");
	ck_assert_str_eq(itest_jstr(form, "vads_currency"), "978");
	ck_assert_str_eq(itest_jstr(form, "vads_order_id"), co);
	ck_assert_int_eq(strlen(itest_jstr(form, "vads_trans_id")), 6);
	char sig[64];
	lyra_sign(form, SHOP_KEY, sig);
	ck_assert_str_eq(itest_jstr(form, "signature"), sig);
	const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	const char *fb = form_body(form);
	ck_assert_int_eq(itest_http("POST", action_url, h, fb, strlen(fb), &r), 0);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
	ck_assert_int_eq(atomic_load(&forms_ok), 1);
	ck_assert_int_eq(atomic_load(&ipn_status), 200);
	const char *p[] = {co, itest_jstr(inv, "id")};
	ck_assert_str_eq(itest_sql1(pay_pg,
	                            "SELECT status || ':' || provider_ref FROM checkouts WHERE id = $1::uuid",
	                            1, p),
	                 "succeeded:0a1b2c3d4e5f60718293a4b5c6d7e8f9");
	ck_assert_str_eq(
	    itest_sql1(pay_pg, "SELECT status FROM invoices WHERE id = $2::uuid AND $1 <> ''", 2, p), "paid");

	/* refused: another key, another mode, the sandbox's key, the sandbox's endpoint */
	json_t *resp;
	json_t *f = ipn_fields(co, SHOP_SITE, "7500", "AUTHORISED", "x1");
	ck_assert_int_eq(post_ipn("systempay", f, "another-key", &resp), 403);
	json_decref(resp);
	json_decref(f);
	f = ipn_fields(co, SHOP_SITE, "7500", "AUTHORISED", "x2");
	json_object_set_new(f, "vads_ctx_mode", json_string("PRODUCTION"));
	ck_assert_int_eq(post_ipn("systempay", f, SHOP_KEY, &resp), 403);
	json_decref(resp);
	json_decref(f);
	f = ipn_fields(co, "10000001", "7500", "AUTHORISED", "x3");
	ck_assert_int_eq(post_ipn("systempay", f, sandbox_key(), &resp), 403);
	json_decref(resp);
	json_decref(f);
	f = ipn_fields(co, SHOP_SITE, "7500", "AUTHORISED", "x4");
	ck_assert_int_eq(post_ipn("sandbox", f, SHOP_KEY, &resp), 403);
	json_decref(resp);
	json_decref(f);
	/* a tampered form is refused by the gateway */
	json_object_set_new(form, "vads_amount", json_string("1"));
	fb = form_body(form);
	ck_assert_int_eq(itest_http("POST", action_url, h, fb, strlen(fb), &r), 0);
	ck_assert_int_eq(r.status, 400);
	itest_resp_free(&r);
	ck_assert_int_eq(atomic_load(&forms_bad), 1);
	/* Systempay refunds are made in its back office: refused here, nothing recorded */
	char path[96];
	snprintf(path, sizeof(path), "/invoices/%s/refunds", itest_jstr(inv, "id"));
	call(&r, "POST", path, admin.auth, "{\"amount_cents\":100,\"reason\":\"Test\"}", NULL);
	json_decref(itest_expect(&r, 409));
	json_decref(form);
	json_decref(inv);
}
END_TEST

/* An invoice in a checkout of the citizen that ran out of time; its id into co. */
static void expired_checkout(char co[37])
{
	char body[512], key[48], hk[100];
	snprintf(body, sizeof(body),
	         "{\"household_id\":\"%s\",\"label\":\"Cantine\",\"due_date\":\"2026-12-31\","
	         "\"lines\":[{\"label\":\"Repas\",\"quantity\":2,\"unit_cents\":410}]}",
	         citizen.household);
	struct itest_resp r;
	call(&r, "POST", "/invoices", admin.auth, body, NULL);
	json_t *inv = itest_expect(&r, 201);
	snprintf(body, sizeof(body), "{\"invoice_ids\":[\"%s\"]}", itest_jstr(inv, "id"));
	json_decref(inv);
	lc_uuid_v4(key);
	snprintf(hk, sizeof(hk), "Idempotency-Key: %s", key);
	call(&r, "POST", "/checkouts", citizen.auth, body, hk);
	json_t *c = itest_expect(&r, 201);
	snprintf(co, 37, "%s", itest_jstr(c, "id"));
	json_decref(c);
	const char *p[] = {co};
	PQclear(itest_sql(pay_pg, "UPDATE checkouts SET status = 'expired' WHERE id = $1::uuid", 1, p));
}

/* A payment after its checkout ended goes back to the payer: through Lyra's REST API when its
 * password is configured, else kept for the treasury until an agent marks it refunded. */
START_TEST(systempay_late_payments)
{
	char co[37], path[128];
	expired_checkout(co);
	json_t *resp, *f = ipn_fields(co, SHOP_SITE, "820", "AUTHORISED", "aa00000000000000000000000000000b");
	ck_assert_int_eq(post_ipn("systempay", f, SHOP_KEY, &resp), 200);
	json_decref(f);
	ck_assert_str_eq(itest_jstr(resp, "outcome"), "late_payment");
	ck_assert_str_eq(itest_jstr(resp, "late_refund"), "to_refund");
	json_decref(resp);
	const char *p[] = {co};
	ck_assert_str_eq(itest_sql1(pay_pg,
	                            "SELECT status || ' ' || (note LIKE '%back office%') FROM late_payments"
	                            " WHERE checkout_id = $1::uuid",
	                            1, p),
	                 "to_refund true");
	ck_assert_int_eq(atomic_load(&refunds_ok) + atomic_load(&refunds_bad), 0);
	/* the treasury lists it, refunds it in the back office and says so (audited) */
	struct itest_resp r;
	call(&r, "GET", "/late-payments?status=to_refund", admin.auth, NULL, NULL);
	json_t *list = itest_expect(&r, 200);
	json_t *item = NULL, *it;
	size_t i;
	json_array_foreach(json_object_get(list, "items"), i,
	                   it) if (!strcmp(itest_jstr(it, "checkout_id"), co)) item = it;
	ck_assert_ptr_nonnull(item);
	snprintf(path, sizeof(path), "/late-payments/%s/resolve", itest_jstr(item, "id"));
	json_decref(list);
	call(&r, "POST", path, admin.auth, "{\"refund_ref\":\"\"}", NULL);
	json_decref(itest_expect(&r, 422));
	call(&r, "POST", path, admin.auth, "{\"refund_ref\":\"BO-2026-0042\"}", NULL);
	json_t *done = itest_expect(&r, 200);
	ck_assert_str_eq(itest_jstr(done, "status"), "refunded");
	ck_assert(json_is_true(json_object_get(done, "manual")));
	json_decref(done);
	call(&r, "POST", path, admin.auth, "{\"refund_ref\":\"BO-2026-0042\"}", NULL);
	json_decref(itest_expect(&r, 409));
	ck_assert_str_eq(
	    itest_sql1(pay_pg,
	               "SELECT count(*) FROM outbox WHERE topic IN ('audit.payment.late_refund_owed',"
	               " 'audit.payment.late_refund') AND payload::text LIKE '%' || (SELECT id::text"
	               " FROM late_payments WHERE checkout_id = $1::uuid) || '%'",
	               1, p),
	    "2");

	/* with the REST API password the service refunds it itself */
	pay_stop();
	setenv("CIVITAS_SYSTEMPAY_API_PASSWORD_FILE", password_file, 1);
	pay_start_with("systempay");
	expired_checkout(co);
	f = ipn_fields(co, SHOP_SITE, "820", "AUTHORISED", "bb00000000000000000000000000000c");
	ck_assert_int_eq(post_ipn("systempay", f, SHOP_KEY, &resp), 200);
	ck_assert_str_eq(itest_jstr(resp, "late_refund"), "refunded");
	json_decref(resp);
	ck_assert_int_eq(atomic_load(&refunds_ok), 1);
	ck_assert_int_eq(atomic_load(&refunds_bad), 0);
	ck_assert_str_eq(refund_seen, "bb00000000000000000000000000000c 820 EUR");
	ck_assert_str_eq(itest_sql1(pay_pg,
	                            "SELECT status || ' ' || refund_ref || ' ' || (resolved_by IS NULL) FROM"
	                            " late_payments WHERE checkout_id = $1::uuid",
	                            1, p),
	                 "refunded rf0000000000000000000000000000a1 true");
	/* replayed: nothing refunded twice */
	ck_assert_int_eq(post_ipn("systempay", f, SHOP_KEY, &resp), 200);
	ck_assert_str_eq(itest_jstr(resp, "outcome"), "duplicate");
	json_decref(resp);
	json_decref(f);
	ck_assert_int_eq(atomic_load(&refunds_ok), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("payment_systempay");
	TCase *tc = tcase_create("systempay");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, systempay_form_and_ipn);
	tcase_add_test(tc, systempay_late_payments);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

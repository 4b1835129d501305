/* test_account_family_documents.c — the documents vault of civitas-account against the real
 * PostgreSQL: upload, list, download headers, delete; wrong magic bytes, wrong types, over-size
 * files, the household quota, another household's ids, the internal routes. */
#include "account_family_itest.h"

static void setup(void)
{
	fam_setup();
}
static void teardown(void)
{
	fam_teardown();
}

static json_t *upload_pdf(const struct fam_user *u, const char *kind, const char *extra)
{
	struct itest_resp r;
	fam_upload(&r, u, "application/pdf", kind, fam_pdf, sizeof(fam_pdf) - 1, extra);
	json_t *d = fam_ok(&r, 201);
	char loc[256];
	ck_assert_ptr_nonnull(itest_header(&r, "Location", loc, sizeof(loc)));
	ck_assert_ptr_nonnull(strstr(loc, json_string_value(json_object_get(d, "id"))));
	itest_resp_free(&r);
	return d;
}

START_TEST(upload_list_download_delete)
{
	struct fam_user a;
	fam_user_make(&a, "Camille", "citizen", NULL);
	json_t *d = upload_pdf(&a, "identity", "X-Filename: ..%2F..%2FCarte%20d%27identit%C3%A9.pdf");
	char sha[65];
	lc_sha256_hex(fam_pdf, sizeof(fam_pdf) - 1, sha);
	ck_assert_str_eq(json_string_value(json_object_get(d, "sha256")), sha);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "size")), (json_int_t)(sizeof(fam_pdf) - 1));
	ck_assert_str_eq(json_string_value(json_object_get(d, "mime")), "application/pdf");
	ck_assert_str_eq(json_string_value(json_object_get(d, "kind")), "identity");
	ck_assert_str_eq(json_string_value(json_object_get(d, "filename")), "Carte d'identité.pdf");
	ck_assert(json_is_null(json_object_get(d, "member_id")));
	ck_assert(json_is_null(json_object_get(d, "valid_until")));
	ck_assert_ptr_nonnull(json_string_value(json_object_get(d, "uploaded_at")));
	char id[37], path[160];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(d, "id")));
	json_decref(d);

	/* Three more, one PNG with a member and an end of validity: the list pages through them. */
	struct itest_resp r;
	fam_call(&r, "GET", "/api/account/v1/me/household", &a, NULL, NULL, NULL);
	json_t *hh = fam_ok(&r, 200);
	itest_resp_free(&r);
	const char *self =
	    json_string_value(json_object_get(json_array_get(json_object_get(hh, "members"), 0), "id"));
	char member_hdr[96];
	snprintf(member_hdr, sizeof(member_hdr), "X-Member-Id: %s", self);
	json_decref(hh);
	const char *headers[] = {a.auth,     "Content-Type: image/png",   "X-Document-Kind: health_record",
	                         member_hdr, "X-Valid-Until: 2031-01-31", NULL};
	itest_http("POST", fam_url("/api/account/v1/me/documents"), headers, (const char *)fam_png,
	           sizeof(fam_png), &r);
	d = fam_ok(&r, 201);
	ck_assert_str_eq(json_string_value(json_object_get(d, "member_id")), member_hdr + 13);
	ck_assert_str_eq(json_string_value(json_object_get(d, "valid_until")), "2031-01-31");
	ck_assert_str_eq(json_string_value(json_object_get(d, "filename")), "document.png");
	json_decref(d);
	itest_resp_free(&r);
	json_decref(upload_pdf(&a, "proof_of_address", NULL));
	json_decref(upload_pdf(&a, "other", NULL));

	fam_call(&r, "GET", "/api/account/v1/me/documents?limit=3", &a, NULL, NULL, NULL);
	json_t *page = fam_ok(&r, 200);
	itest_resp_free(&r);
	ck_assert_int_eq(json_array_size(json_object_get(page, "items")), 3);
	const char *cursor = json_string_value(json_object_get(page, "next_cursor"));
	ck_assert_ptr_nonnull(cursor);
	snprintf(path, sizeof(path), "/api/account/v1/me/documents?limit=3&cursor=%s", cursor);
	json_decref(page);
	fam_call(&r, "GET", path, &a, NULL, NULL, NULL);
	page = fam_ok(&r, 200);
	itest_resp_free(&r);
	ck_assert_int_eq(json_array_size(json_object_get(page, "items")), 1);
	ck_assert(json_is_null(json_object_get(page, "next_cursor")));
	/* Oldest last: the first upload ends the list. */
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(json_object_get(page, "items"), 0), "id")), id);
	json_decref(page);
	fam_call(&r, "GET", "/api/account/v1/me/documents?kind=health_record", &a, NULL, NULL, NULL);
	page = fam_ok(&r, 200);
	itest_resp_free(&r);
	ck_assert_int_eq(json_array_size(json_object_get(page, "items")), 1);
	json_decref(page);
	fam_call(&r, "GET", "/api/account/v1/me/documents?kind=passport", &a, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 422, "validation_failed"));
	itest_resp_free(&r);

	/* Download: the stored bytes and type, as an attachment that no browser sniffs. */
	snprintf(path, sizeof(path), "/api/account/v1/me/documents/%s/content", id);
	fam_call(&r, "GET", path, &a, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.len, sizeof(fam_pdf) - 1);
	ck_assert_int_eq(memcmp(r.body, fam_pdf, r.len), 0);
	char h[512];
	ck_assert_str_eq(itest_header(&r, "Content-Type", h, sizeof(h)), "application/pdf");
	ck_assert_str_eq(itest_header(&r, "X-Content-Type-Options", h, sizeof(h)), "nosniff");
	ck_assert_str_eq(
	    itest_header(&r, "Content-Disposition", h, sizeof(h)),
	    "attachment; filename=\"Carte d'identit_.pdf\"; filename*=UTF-8''Carte%20d%27identit%C3%A9.pdf");
	itest_resp_free(&r);

	/* Another household sees none of it: 404 everywhere, and nothing is deleted. */
	struct fam_user b;
	fam_user_make(&b, "Bruno", "citizen", NULL);
	snprintf(path, sizeof(path), "/api/account/v1/me/documents/%s", id);
	fam_call(&r, "GET", path, &b, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	fam_call(&r, "DELETE", path, &b, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	snprintf(path, sizeof(path), "/api/account/v1/me/documents/%s/content", id);
	fam_call(&r, "GET", path, &b, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	fam_call(&r, "GET", "/api/account/v1/me/documents", &b, NULL, NULL, NULL);
	page = fam_ok(&r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(page, "items")), 0);
	json_decref(page);
	itest_resp_free(&r);
	/* Nor may b attach a document to a's member. */
	fam_upload(&r, &b, "application/pdf", "identity", fam_pdf, sizeof(fam_pdf) - 1, member_hdr);
	json_decref(fam_problem(&r, 422, "validation_failed"));
	itest_resp_free(&r);

	/* The internal routes give any document to other daemons, and nothing without the secret. */
	snprintf(path, sizeof(path), "/internal/v1/documents/%s", id);
	const char *internal[] = {itest_internal_auth(), NULL};
	itest_http("GET", fam_url(path), internal, NULL, 0, &r);
	d = fam_ok(&r, 200);
	ck_assert_str_eq(json_string_value(json_object_get(d, "sha256")), sha);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(d, "household_id")));
	json_decref(d);
	itest_resp_free(&r);
	itest_http("GET", fam_url(path), NULL, NULL, 0, &r);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	snprintf(path, sizeof(path), "/internal/v1/documents/%s/content", id);
	itest_http("GET", fam_url(path), internal, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(memcmp(r.body, fam_pdf, r.len), 0);
	ck_assert_str_eq(itest_header(&r, "Content-Type", h, sizeof(h)), "application/pdf");
	itest_resp_free(&r);

	/* Delete: gone for good, bytes too. */
	snprintf(path, sizeof(path), "/api/account/v1/me/documents/%s", id);
	fam_call(&r, "DELETE", path, &a, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 204);
	itest_resp_free(&r);
	fam_call(&r, "GET", path, &a, NULL, NULL, NULL);
	json_decref(fam_problem(&r, 404, "not_found"));
	itest_resp_free(&r);
	const char *p[] = {id};
	ck_assert_str_eq(
	    fam_sql1("SELECT count(*) FROM document_contents WHERE document_id = $1::uuid", 1, p), "0");
}
END_TEST

START_TEST(refused_uploads)
{
	struct fam_user a;
	fam_user_make(&a, "Camille", "citizen", NULL);
	struct itest_resp r;
	/* The bytes of a PNG declared as a PDF, an HTML page declared as a PDF, a type not kept. */
	fam_upload(&r, &a, "application/pdf", "identity", fam_png, sizeof(fam_png), NULL);
	json_decref(fam_problem(&r, 415, "unsupported_media_type"));
	itest_resp_free(&r);
	const char html[] = "<html><script>alert(1)</script></html>";
	fam_upload(&r, &a, "application/pdf", "identity", html, sizeof(html) - 1, NULL);
	json_decref(fam_problem(&r, 415, "unsupported_media_type"));
	itest_resp_free(&r);
	fam_upload(&r, &a, "text/html", "identity", html, sizeof(html) - 1, NULL);
	json_decref(fam_problem(&r, 415, "unsupported_media_type"));
	itest_resp_free(&r);
	fam_upload(&r, &a, "image/jpeg", "identity", fam_pdf, sizeof(fam_pdf) - 1, NULL);
	json_decref(fam_problem(&r, 415, "unsupported_media_type"));
	itest_resp_free(&r);
	/* Bad headers: every one reported. */
	const char *headers[] = {a.auth,
	                         "Content-Type: application/pdf",
	                         "X-Document-Kind: passport",
	                         "X-Member-Id: 42",
	                         "X-Valid-Until: 2031-02-30",
	                         "X-Filename: bad%zz",
	                         NULL};
	itest_http("POST", fam_url("/api/account/v1/me/documents"), headers, fam_pdf, sizeof(fam_pdf) - 1,
	           &r);
	json_t *p = fam_problem(&r, 422, "validation_failed");
	ck_assert_int_eq(json_array_size(json_object_get(p, "errors")), 4);
	json_decref(p);
	itest_resp_free(&r);
	/* Empty body. */
	fam_upload(&r, &a, "application/pdf", "identity", "", 0, NULL);
	json_decref(fam_problem(&r, 422, "validation_failed"));
	itest_resp_free(&r);

	/* 10 MiB + 1 byte: refused, the limit is in the problem, nothing stored. */
	size_t big = 10u * 1024 * 1024 + 1;
	char *data = malloc(big);
	ck_assert_ptr_nonnull(data);
	memset(data, 'x', big);
	memcpy(data, "%PDF-1.4\n", 9);
	fam_upload(&r, &a, "application/pdf", "other", data, big, NULL);
	p = fam_problem(&r, 413, "payload_too_large");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(p, "detail")), "10485760"));
	ck_assert_int_eq(json_integer_value(json_object_get(p, "limit")), 10485760);
	json_decref(p);
	itest_resp_free(&r);
	fam_call(&r, "GET", "/api/account/v1/me/documents", &a, NULL, NULL, NULL);
	json_t *none = fam_ok(&r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(none, "items")), 0);
	json_decref(none);
	itest_resp_free(&r);
	/* Past the gateway's 12 MiB the daemon refuses before reading the body. */
	size_t huge = 12u * 1024 * 1024 + 1;
	char *more = malloc(huge);
	ck_assert_ptr_nonnull(more);
	memset(more, 'x', huge);
	memcpy(more, "%PDF-1.4\n", 9);
	fam_upload(&r, &a, "application/pdf", "other", more, huge, NULL);
	json_decref(fam_problem(&r, 413, "payload_too_large"));
	itest_resp_free(&r);
	free(more);
	/* Exactly 10 MiB is kept. */
	fam_upload(&r, &a, "application/pdf", "other", data, big - 1, NULL);
	json_t *d = fam_ok(&r, 201);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "size")), (json_int_t)(big - 1));
	json_decref(d);
	itest_resp_free(&r);
	free(data);

	/* The household quota: 100 MiB in all. Fill it up to 1 byte short with metadata rows (their
	 * bytes do not matter to the count), then one more small file does not fit. */
	fam_call(&r, "GET", "/api/account/v1/me/household", &a, NULL, NULL, NULL);
	json_t *hh = fam_ok(&r, 200);
	itest_resp_free(&r);
	const char *q[] = {json_string_value(json_object_get(hh, "id"))};
	PQclear(
	    fam_sql("INSERT INTO documents (household_id, kind, filename, mime, size, sha256)"
	            " SELECT $1::uuid, 'other', 'filler.pdf', 'application/pdf', 10485760, repeat('0', 64)"
	            " FROM generate_series(1, 8)",
	            1, q));
	PQclear(fam_sql(
	    "INSERT INTO documents (household_id, kind, filename, mime, size, sha256)"
	    " VALUES ($1::uuid, 'other', 'filler.pdf', 'application/pdf', 10485760 - 10, repeat('0', 64))",
	    1, q));
	const char *before = fam_sql1("SELECT count(*) FROM documents WHERE household_id = $1::uuid", 1, q);
	ck_assert_str_eq(before, "10");
	fam_upload(&r, &a, "application/pdf", "identity", fam_pdf, sizeof(fam_pdf) - 1, NULL);
	p = fam_problem(&r, 413, "payload_too_large");
	ck_assert_int_eq(json_integer_value(json_object_get(p, "limit")), 104857600);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "used")), 104857590);
	json_decref(p);
	itest_resp_free(&r);
	ck_assert_str_eq(fam_sql1("SELECT count(*) FROM documents WHERE household_id = $1::uuid", 1, q),
	                 "10");
	/* A 10-byte file still fits exactly. */
	const char tiny[] = "%PDF-1.4\n\n";
	fam_upload(&r, &a, "application/pdf", "other", tiny, 10, NULL);
	ck_assert_int_eq(r.status, 201);
	itest_resp_free(&r);
	json_decref(hh);

	/* No token, no vault. */
	const char *anon[] = {"Content-Type: application/pdf", "X-Document-Kind: identity", NULL};
	itest_http("POST", fam_url("/api/account/v1/me/documents"), anon, fam_pdf, sizeof(fam_pdf) - 1, &r);
	json_decref(fam_problem(&r, 401, "unauthorized"));
	itest_resp_free(&r);
}
END_TEST

int main(void)
{
	itest_env("CIVITAS_TEST_ACCOUNT_DB_URL");
	Suite *s = suite_create("account_family_documents");
	TCase *tc = tcase_create("vault");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, upload_list_download_delete);
	tcase_add_test(tc, refused_uploads);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

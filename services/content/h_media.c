/* h_media.c — images for covers and logos: PNG, JPEG or WebP recognised by their magic bytes
 * (SVG and everything else refused), 5 MiB at most, served with long cache headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/audit.h"
#include "civitas/auth.h"
#include "civitas/cache.h"
#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/json.h"
#include "civitas/reply.h"

#include "common.h"
#include "handlers.h"

#define MEDIA_MAX (5u * 1024 * 1024)

struct media_ctx {
	struct lc_request *rq;
	struct lc_outcome out;
	const char *id, *mime, *alt, *filename;
	const char *data;
	size_t len;
};

static enum lc_tx_result upload_tx(struct lc_db *db, void *arg)
{
	struct media_ctx *c = arg;
	lc_outcome_reset(&c->out);
	char id[37], sha[65], size[24];
	lc_uuid_v4(id);
	lc_sha256_hex(c->data, c->len, sha);
	snprintf(size, sizeof(size), "%zu", c->len);
	/* bytea in hex text form: parameters travel as text. */
	char *hex = malloc(2 * c->len + 3);
	if (!hex)
		return LC_TX_ERROR;
	hex[0] = '\\';
	hex[1] = 'x';
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < c->len; i++) {
		hex[2 + 2 * i] = digits[(unsigned char)c->data[i] >> 4];
		hex[3 + 2 * i] = digits[(unsigned char)c->data[i] & 15];
	}
	hex[2 + 2 * c->len] = '\0';
	const char *p[] = {id, c->mime, size, sha, c->filename, c->alt, hex, caller_id(c->rq)};
	int rc = lc_db_run(db, "media_insert", 8, p);
	free(hex);
	if (rc < 0)
		return LC_TX_ERROR;
	if (lc_audit(db, c->rq, "media.upload", "media", id, NULL) < 0)
		return LC_TX_ERROR;
	const char *pg[] = {id};
	bool failed;
	c->out.body = lc_db_json(db, "media_get_meta", 1, pg, &failed);
	if (!c->out.body)
		return LC_TX_ERROR;
	c->out.status = 201;
	snprintf(c->out.location, sizeof(c->out.location), "/api/content/v1/media/%s", id);
	return LC_TX_COMMIT;
}

int h_media_upload(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "partner"))
		return LC_REPLIED;
	size_t len = 0;
	const char *data = lc_rq_body(rq, &len);
	if (!data || len == 0)
		return lc_reply_field(rq, "", "required", "Send the image as the request body.");
	const char *mime = lc_sniff_mime(data, len);
	if (!mime || (strcmp(mime, "image/png") != 0 && strcmp(mime, "image/jpeg") != 0 &&
	              strcmp(mime, "image/webp") != 0))
		return lc_reply_problem(rq, 415, "unsupported_media_type",
		                        "Only PNG, JPEG and WebP images are accepted.");
	const char *ct = lc_rq_header(rq, "Content-Type");
	if (ct && strncmp(ct, mime, strlen(mime)) != 0 && strncmp(ct, "application/octet-stream", 24) != 0)
		return lc_reply_problem(rq, 415, "unsupported_media_type",
		                        "Content-Type does not match the image.");
	const char *alt = lc_rq_query(rq, "alt"), *filename = lc_rq_query(rq, "filename");
	if (alt && lc_utf8_length(alt) > 300)
		return lc_reply_field(rq, "alt", "out_of_range", "At most 300 characters.");
	if (filename && lc_utf8_length(filename) > 200)
		return lc_reply_field(rq, "filename", "out_of_range", "At most 200 characters.");
	struct media_ctx c = {.rq = rq,
	                      .mime = mime,
	                      .alt = alt ? alt : "",
	                      .filename = filename ? filename : "",
	                      .data = data,
	                      .len = len};
	return content_reply(rq, lc_db_tx(lc_rq_db(rq), upload_tx, &c), &c.out);
}

int h_media_get(struct lc_request *rq)
{
	const char *id = lc_rq_param(rq, "id");
	if (!lc_json_is_uuid(id))
		return lc_reply_problem(rq, 404, "not_found", "No such media.");
	char etag[70];
	const char *p[] = {id};
	PGresult *r = lc_db_exec(lc_rq_db(rq), "media_get", 1, p);
	if (!r)
		return lc_db_fail_reply(rq);
	if (PQntuples(r) != 1) {
		PQclear(r);
		return lc_reply_problem(rq, 404, "not_found", "No such media.");
	}
	snprintf(etag, sizeof(etag), "\"%s\"", PQgetvalue(r, 0, 1));
	lc_rq_add_header(rq, "ETag", etag);
	/* Media never change once stored (a new upload is a new id). */
	lc_rq_add_header(rq, "Cache-Control", "public, max-age=31536000, immutable");
	const char *inm = lc_rq_header(rq, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		PQclear(r);
		return lc_reply_empty(rq, 304);
	}
	size_t n = 0;
	unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 2), &n);
	char mime[32];
	snprintf(mime, sizeof(mime), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	if (!bytes)
		return lc_reply_problem(rq, 500, "internal", "Cannot read the media.");
	int rc = lc_reply_bytes(rq, 200, mime, bytes, n);
	PQfreemem(bytes);
	return rc;
}

int h_media_list(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return LC_REPLIED;
	return content_keyset_list(rq, "media_list", NULL, 0, NULL, NULL);
}

static enum lc_tx_result alt_tx(struct lc_db *db, void *arg)
{
	struct media_ctx *c = arg;
	lc_outcome_reset(&c->out);
	const char *p[] = {c->id, c->alt};
	int n = lc_db_run(db, "media_set_alt", 2, p);
	if (n < 0)
		return LC_TX_ERROR;
	if (n == 0)
		return lc_outcome_fail(&c->out, 404, "not_found", "No such media.");
	const char *pg[] = {c->id};
	bool failed;
	c->out.body = lc_db_json(db, "media_get_meta", 1, pg, &failed);
	if (!c->out.body)
		return LC_TX_ERROR;
	c->out.status = 200;
	return lc_audit(db, c->rq, "media.update", "media", c->id, NULL) < 0 ? LC_TX_ERROR : LC_TX_COMMIT;
}

int h_media_update(struct lc_request *rq)
{
	if (!lc_require_role_or_reply(rq, "agent"))
		return LC_REPLIED;
	struct media_ctx c = {.rq = rq, .id = lc_rq_param(rq, "id")};
	const struct lc_field spec[] = {
	    LC_F_STRING("alt", 0, 300, &c.alt, .required = true),
	    {0},
	};
	if (!lc_json_parse_or_reply(rq, spec))
		return LC_REPLIED;
	if (!lc_json_is_uuid(c.id))
		return lc_reply_problem(rq, 404, "not_found", "No such media.");
	enum lc_tx_result tx = lc_db_tx(lc_rq_db(rq), alt_tx, &c);
	if (tx == LC_TX_COMMIT)
		lc_cache_clear(); /* covers carry their alternative text */
	return content_reply(rq, tx, &c.out);
}

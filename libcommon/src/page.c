/* page.c — ?limit= and ?cursor= for every list, and the {items, next_cursor} envelope.
 * Cursors are opaque to clients but plain JSON to the service: keyset values, never offsets. */
#include "civitas/page.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/crypto.h"
#include "civitas/http.h"
#include "civitas/reply.h"

static bool bad(struct lc_request *rq, const char *field, const char *code, const char *message)
{
	json_t *errors = json_pack("[{s:s, s:s, s:s}]", "field", field, "code", code, "message", message);
	lc_reply_problem_errors(rq, 422, "validation_failed", "The list parameters are invalid.", errors);
	return false;
}

static void decref(void *p)
{
	json_decref(p);
}

bool lc_page_or_reply(struct lc_request *rq, struct lc_page *page)
{
	page->limit = LC_PAGE_DEFAULT;
	page->cursor = NULL;
	const char *limit = lc_rq_query(rq, "limit");
	if (limit) {
		char *end;
		errno = 0;
		long n = strtol(limit, &end, 10);
		if (errno || end == limit || *end)
			return bad(rq, "limit", "wrong_type", "limit must be a whole number");
		if (n < 1 || n > LC_PAGE_MAX)
			return bad(rq, "limit", "out_of_range", "limit must be between 1 and 100");
		page->limit = (int)n;
	}
	const char *cursor = lc_rq_query(rq, "cursor");
	if (cursor && *cursor) {
		size_t n = 0, len = strlen(cursor);
		unsigned char *raw = len <= 1024 ? lc_b64url_decode(cursor, len, &n) : NULL;
		json_t *obj = raw ? json_loadb((const char *)raw, n, 0, NULL) : NULL;
		free(raw);
		if (!json_is_object(obj)) {
			json_decref(obj);
			return bad(rq, "cursor", "invalid_format", "cursor is not one this API gave out");
		}
		if (!lc_rq_defer(rq, decref, obj))
			return lc_reply_problem(rq, 500, "internal", "Out of memory."), false;
		page->cursor = obj;
	}
	return true;
}

char *lc_cursor_encode(const json_t *cursor)
{
	char *text = json_dumps(cursor, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return NULL;
	char *enc = lc_b64url_encode(text, strlen(text));
	free(text);
	return enc;
}

json_t *lc_page_body(json_t *items, json_t *next)
{
	json_t *nc = json_null();
	if (next) {
		char *enc = lc_cursor_encode(next);
		json_decref(next);
		if (enc) {
			nc = json_string(enc);
			free(enc);
		}
	}
	return json_pack("{s:o, s:o}", "items", items ? items : json_array(), "next_cursor", nc);
}

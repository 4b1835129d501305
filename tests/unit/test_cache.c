/* test_cache.c — the micro-cache of whole answers (libcommon cache.c): hits before the entry's
 * TTL, misses after it, a clear forgets everything, long keys are not kept. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define ZLIB_CONST
#include <zlib.h>

#include "civitas/cache.h"
#include "civitas/cache_reply.h"

static char got[256];
static char got_etag[80];
static const char *got_type;

static void copy_len(const struct lc_cache_entry *e, void *arg)
{
	(void)e;
	(void)arg;
}

static void copy(const struct lc_cache_entry *e, void *arg)
{
	(void)arg;
	memcpy(got, e->body, e->len);
	got[e->len] = '\0';
	strcpy(got_etag, e->etag);
	got_type = e->type;
}

START_TEST(hit_then_expiry)
{
	lc_cache_clear();
	lc_cache_put("a:slug", "{\"x\":1}", 7, "\"e1\"", "application/json", 1000, LC_CACHE_TTL_MS);
	ck_assert(lc_cache_get("a:slug", 1000, copy, NULL));
	ck_assert_str_eq(got, "{\"x\":1}");
	ck_assert_str_eq(got_etag, "\"e1\"");
	ck_assert_str_eq(got_type, "application/json");
	ck_assert(lc_cache_get("a:slug", 1000 + LC_CACHE_TTL_MS / 2 - 1, copy, NULL));
	ck_assert(!lc_cache_get("a:slug", 1000 + LC_CACHE_TTL_MS, copy, NULL)); /* expired */
	ck_assert(!lc_cache_get("a:other", 1000, copy, NULL));
}
END_TEST

/* Past half its life an entry is read again by one caller only; the others keep hitting it
 * until it expires (never after), then the fresh answer is served from its put on. */
START_TEST(refresh_ahead_by_one_caller)
{
	const uint64_t t0 = 20000, half = t0 + LC_CACHE_TTL_MS / 2;
	lc_cache_clear();
	lc_cache_put("r:k", "old", 3, "\"o\"", "application/json", t0, LC_CACHE_TTL_MS);
	ck_assert(!lc_cache_get("r:k", half, copy, NULL)); /* the one sent to read again */
	for (int i = 0; i < 5; i++) {
		ck_assert(lc_cache_get("r:k", half + 1 + (uint64_t)i, copy, NULL));
		ck_assert_str_eq(got, "old");
	}
	ck_assert(lc_cache_get("r:k", t0 + LC_CACHE_TTL_MS - 1, copy, NULL));
	ck_assert(!lc_cache_get("r:k", t0 + LC_CACHE_TTL_MS, copy, NULL)); /* never past expiry */
	lc_cache_put("r:k", "new", 3, "\"n\"", "application/json", half + 10, LC_CACHE_TTL_MS);
	ck_assert(lc_cache_get("r:k", half + 11, copy, NULL));
	ck_assert_str_eq(got, "new");
	/* The fresh entry has a half-life of its own: one caller again, then hits. */
	ck_assert(!lc_cache_get("r:k", half + 10 + LC_CACHE_TTL_MS / 2, copy, NULL));
	ck_assert(lc_cache_get("r:k", half + 11 + LC_CACHE_TTL_MS / 2, copy, NULL));
	/* A refresh that never stores (its read failed): the entry still expires on time. */
	ck_assert(!lc_cache_get("r:k", half + 10 + LC_CACHE_TTL_MS, copy, NULL));
}
END_TEST

/* While the watcher answers for the cache, an entry lives its long TTL; once it stops (the
 * database cannot be read), every entry falls back to one second from its put. */
START_TEST(vouched_entries_live_long)
{
	lc_cache_clear();
	lc_cache_vouch(0);
	ck_assert_uint_eq(lc_cache_ttl_ms(100), LC_CACHE_TTL_MS);
	lc_cache_vouch(50000);
	ck_assert_uint_eq(lc_cache_ttl_ms(100), LC_CACHE_WATCHED_TTL_MS);
	lc_cache_put("w:k", "v", 1, "\"w\"", "application/json", 100, lc_cache_ttl_ms(100));
	ck_assert(lc_cache_get("w:k", 100 + 5 * LC_CACHE_TTL_MS, copy, NULL));
	lc_cache_vouch(6000); /* the watcher's last reading */
	ck_assert(lc_cache_get("w:k", 5999, copy, NULL));
	ck_assert(!lc_cache_get("w:k", 6001, copy, NULL));
	ck_assert_uint_eq(lc_cache_ttl_ms(6001), LC_CACHE_TTL_MS);
	lc_cache_vouch(0);
}
END_TEST

START_TEST(clear_and_replace)
{
	lc_cache_clear();
	lc_cache_put("a:k", "one", 3, "\"1\"", "application/json", 5000, LC_CACHE_TTL_MS);
	lc_cache_put("a:k", "two", 3, "\"2\"", "application/json", 5000, LC_CACHE_TTL_MS);
	ck_assert(lc_cache_get("a:k", 5001, copy, NULL));
	ck_assert_str_eq(got, "two");
	lc_cache_clear();
	ck_assert(!lc_cache_get("a:k", 5001, copy, NULL));
	/* An entry stored after the clear is valid again. */
	lc_cache_put("a:k", "three", 5, "\"3\"", "application/json", 5000, LC_CACHE_TTL_MS);
	ck_assert(lc_cache_get("a:k", 5001, copy, NULL));
	ck_assert_str_eq(got, "three");
}
END_TEST

/* A handler misses, reads, and a write clears the cache before it stores: what it read may be
 * older than that write, so it is not kept. The next miss and put work again. */
START_TEST(clear_during_a_read)
{
	lc_cache_clear();
	ck_assert(!lc_cache_get("sla:k", 7000, copy, NULL));
	lc_cache_clear(); /* a status change committed while the report was computed */
	lc_cache_put("sla:k", "old", 3, "", "application/json", 7000, 60000);
	ck_assert(!lc_cache_get("sla:k", 7001, copy, NULL));
	lc_cache_put("sla:k", "new", 3, "", "application/json", 7001, 60000);
	ck_assert(lc_cache_get("sla:k", 7002, copy, NULL));
	ck_assert_str_eq(got, "new");
}
END_TEST

START_TEST(long_keys_not_cached)
{
	char key[LC_CACHE_KEY_MAX + 10];
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	lc_cache_put(key, "v", 1, "\"v\"", "application/json", 1, LC_CACHE_TTL_MS);
	ck_assert(!lc_cache_get(key, 1, copy, NULL));
}
END_TEST

START_TEST(bytes_bounded)
{
	lc_cache_clear();
	size_t big = LC_CACHE_BYTES_MAX / 4 + 1;
	char *body = malloc(big);
	ck_assert_ptr_nonnull(body);
	memset(body, 'x', big);
	char key[32];
	int kept = 0;
	for (int i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), "big:%d", i);
		lc_cache_put(key, body, big, "\"b\"", "application/json", 100, LC_CACHE_TTL_MS);
		kept += lc_cache_get(key, 100, copy_len, NULL);
	}
	ck_assert_int_eq(kept, 3); /* three fit under the bound, the others are not kept */
	lc_cache_put("small", body, 1, "\"s\"", "application/json", 100,
	             LC_CACHE_TTL_MS); /* a small one still fits */
	ck_assert(lc_cache_get("small", 100, copy_len, NULL));
	free(body);
}
END_TEST

/* A held entry outlives its replacement and a clear: a reply sends it without a copy, so the
 * bytes stay until the last holder releases them (ASan in the debug build would see a read of
 * freed memory). */
START_TEST(held_entry_outlives_its_replacement)
{
	lc_cache_clear();
	lc_cache_put("h:k", "first", 5, "\"1\"", "application/json", 9000, LC_CACHE_TTL_MS);
	const struct lc_cache_entry *e = lc_cache_acquire("h:k", 9001);
	ck_assert_ptr_nonnull(e);
	lc_cache_put("h:k", "second", 6, "\"2\"", "application/json", 9002, LC_CACHE_TTL_MS);
	lc_cache_clear();
	ck_assert_str_eq(e->body, "first");
	ck_assert_str_eq(e->etag, "\"1\"");
	lc_cache_release(e);
	ck_assert_ptr_null(lc_cache_acquire("h:k", 9003)); /* cleared */
	lc_cache_release(NULL);                            /* harmless */
}
END_TEST

static size_t gunzip(const char *in, size_t len, char *out, size_t cap)
{
	z_stream z = {0};
	ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (const Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	size_t n = z.total_out;
	inflateEnd(&z);
	return n;
}

/* Stored with LC_CACHE_GZIP, a list keeps a gzip'd copy that inflates back to the very bytes;
 * a small body, or one stored without the flag, keeps none. */
START_TEST(gzip_copy_inflates_to_the_body)
{
	lc_cache_clear();
	char body[4096], back[8192];
	size_t n = 0;
	for (int i = 0; n + 64 < sizeof(body); i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		                      "{\"id\":%d,\"title\":\"Conseil municipal\"},", i);
	const struct lc_cache_entry *e =
	    lc_cache_store("g:k", body, n, "\"g\"", "application/json", 100, LC_CACHE_TTL_MS, LC_CACHE_GZIP);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(e->gz);
	ck_assert_uint_lt(e->gz_len, n / 4);
	ck_assert_uint_eq(gunzip(e->gz, e->gz_len, back, sizeof(back)), n);
	ck_assert_int_eq(memcmp(back, body, n), 0);
	ck_assert_int_eq(memcmp(e->body, body, n), 0);
	lc_cache_release(e);
	e = lc_cache_store("g:small", "{\"a\":1}", 7, "\"s\"", "application/json", 100, LC_CACHE_TTL_MS,
	                   LC_CACHE_GZIP);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_null(e->gz);
	lc_cache_release(e);
	lc_cache_put("g:plain", body, n, "\"p\"", "application/json", 100, LC_CACHE_TTL_MS);
	e = lc_cache_acquire("g:plain", 101);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_null(e->gz);
	lc_cache_release(e);
}
END_TEST

/* Who gets the gzip'd copy: RFC 9110's Accept-Encoding, weights included. */
START_TEST(accept_encoding_weights)
{
	ck_assert(!lc_takes_gzip(NULL));
	ck_assert(!lc_takes_gzip(""));
	ck_assert(lc_takes_gzip("gzip"));
	ck_assert(lc_takes_gzip("GZip"));
	ck_assert(lc_takes_gzip("x-gzip"));
	ck_assert(lc_takes_gzip("gzip, deflate, br"));
	ck_assert(lc_takes_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
	ck_assert(lc_takes_gzip("gzip;q=0.001"));
	ck_assert(lc_takes_gzip("gzip ; q=1"));
	ck_assert(lc_takes_gzip("*"));
	ck_assert(lc_takes_gzip("identity;q=1, *;q=0.1"));
	ck_assert(!lc_takes_gzip("deflate, br"));
	ck_assert(!lc_takes_gzip("identity"));
	ck_assert(!lc_takes_gzip("gzipx, xgzip"));
	ck_assert(!lc_takes_gzip("gzip;q=0"));
	ck_assert(!lc_takes_gzip("gzip; q=0.000"));
	ck_assert(!lc_takes_gzip("gzip;q=0., br"));
	ck_assert(!lc_takes_gzip("*;q=0"));
	ck_assert(!lc_takes_gzip("gzip;q=0, *")); /* named and refused: the wildcard does not bring it back */
	ck_assert(!lc_takes_gzip(";;,, ;q=1"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("content_cache");
	TCase *tc = tcase_create("cache");
	tcase_add_test(tc, hit_then_expiry);
	tcase_add_test(tc, refresh_ahead_by_one_caller);
	tcase_add_test(tc, vouched_entries_live_long);
	tcase_add_test(tc, clear_and_replace);
	tcase_add_test(tc, clear_during_a_read);
	tcase_add_test(tc, long_keys_not_cached);
	tcase_add_test(tc, bytes_bounded);
	tcase_add_test(tc, held_entry_outlives_its_replacement);
	tcase_add_test(tc, gzip_copy_inflates_to_the_body);
	tcase_add_test(tc, accept_encoding_weights);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

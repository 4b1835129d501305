/* test_content_text.c — the content service's pure text logic: Markdown comes out inert (no raw
 * HTML, only http/https/mailto/relative links), slugs, HTML escaping, the search query built
 * from what a citizen types, iCalendar escaping and folding, and the scheduling rule. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"

#include "demo_data.h"
#include "ical.h"
#include "markdown.h"

static char *render(const char *md)
{
	char *html = md_render(md, strlen(md));
	ck_assert_ptr_nonnull(html);
	return html;
}

/* The demo's news name days relative to the seeding, so that they agree with their dates. */
START_TEST(demo_texts_are_dated)
{
	time_t now = 1764892800; /* 2025-12-05T00:00:00Z */
	char *t = demo_dated("Conseil du {{J-10}}, travaux le {{J+27}} ; {{J+0}}. {{J*3}} {{Jx}}", now);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t, "Conseil du 25 novembre, travaux le 1er janvier ; 5 décembre. {{J*3}} {{Jx}}");
	free(t);
	t = demo_dated("", now);
	ck_assert_str_eq(t, "");
	free(t);
	/* No seeded text keeps a placeholder or names a season or month outright. */
	for (size_t i = 0; i < demo_narticles; i++) {
		const struct demo_article *a = &demo_articles[i];
		if (strcmp(a->kind, "news") != 0)
			continue;
		const char *parts[] = {a->title, a->summary, a->body};
		for (int k = 0; k < 3; k++) {
			char *d = demo_dated(parts[k], now);
			ck_assert_msg(!strstr(d, "{{"), "%s: placeholder left", a->slug);
			static const char *const seasonal[] = {"printemps",  " été",  "automne", "hiver",
			                                       "rentrée",    " mars", " avril",  " juin",
			                                       " septembre", "hier"};
			for (size_t w = 0; w < sizeof(seasonal) / sizeof(seasonal[0]); w++)
				ck_assert_msg(!strstr(parts[k], seasonal[w]), "%s names « %s »", a->slug,
				              seasonal[w]);
			free(d);
		}
	}
}
END_TEST

START_TEST(markdown_raw_html_is_omitted)
{
	char *h = render(
	    "<script>alert(1)</script>\n\nHello <b onclick=\"x()\">bold</b>\n\n<iframe src=x></iframe>");
	ck_assert_ptr_null(strstr(h, "<script"));
	ck_assert_ptr_null(strstr(h, "<b "));
	ck_assert_ptr_null(strstr(h, "onclick"));
	ck_assert_ptr_null(strstr(h, "<iframe"));
	ck_assert_ptr_nonnull(strstr(h, "Hello"));
	free(h);
}
END_TEST

START_TEST(markdown_links_allowlist)
{
	char *h =
	    render("[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](java&#115;cript:x) "
	           "[d](data:text/html,x) [e](vbscript:x) [f](file:///etc/passwd) [g](ftp://x.example) "
	           "[ok1](https://example.org) [ok2](http://example.org/p?q=1) [ok3](mailto:a@b.example) "
	           "[ok4](/agenda.html) [ok5](#top) [ok6](page.html?slug=x) <javascript:alert(1)>");
	/* The autolink <javascript:...> stays as plain text: no attribute carries a bad scheme. */
	ck_assert_ptr_null(strcasestr(h, "href=\"javascript"));
	ck_assert_ptr_null(strcasestr(h, "href=\"java"));
	ck_assert_ptr_nonnull(strstr(h, "javascript:alert(1)"));
	ck_assert_ptr_null(strstr(h, "data:"));
	ck_assert_ptr_null(strstr(h, "vbscript"));
	ck_assert_ptr_null(strstr(h, "file:"));
	ck_assert_ptr_null(strstr(h, "ftp:"));
	ck_assert_ptr_nonnull(strstr(h, "href=\"https://example.org\""));
	ck_assert_ptr_nonnull(strstr(h, "href=\"http://example.org/p?q=1\""));
	ck_assert_ptr_nonnull(strstr(h, "href=\"mailto:a@b.example\""));
	ck_assert_ptr_nonnull(strstr(h, "href=\"/agenda.html\""));
	ck_assert_ptr_nonnull(strstr(h, "href=\"#top\""));
	ck_assert_ptr_nonnull(strstr(h, "href=\"page.html?slug=x\""));
	/* The words of refused links stay readable. */
	ck_assert_ptr_nonnull(strstr(h, "<p>a b c d e f g "));
	free(h);
	h = render("![x](javascript:alert(1)) ![y](mailto:a@b.example) ![z](https://example.org/i.png)");
	ck_assert_ptr_null(strcasestr(h, "javascript"));
	ck_assert_ptr_null(strstr(h, "mailto"));
	ck_assert_ptr_nonnull(strstr(h, "src=\"https://example.org/i.png\""));
	free(h);
	/* nested: a refused link holding an image */
	h = render("[![i](https://example.org/i.png)](javascript:x)");
	ck_assert_ptr_null(strcasestr(h, "javascript"));
	ck_assert_ptr_nonnull(strstr(h, "<img"));
	free(h);
}
END_TEST

START_TEST(url_predicate)
{
	ck_assert(md_url_allowed("https://a.example", false));
	ck_assert(md_url_allowed("HTTP://a.example", false));
	ck_assert(md_url_allowed("mailto:x@y.example", false));
	ck_assert(!md_url_allowed("mailto:x@y.example", true));
	ck_assert(md_url_allowed("/relative:colon", false));
	ck_assert(md_url_allowed("a/b:c", false));
	ck_assert(!md_url_allowed("javascript:x", false));
	ck_assert(!md_url_allowed(" javascript:x", false));
	ck_assert(!md_url_allowed("java\tscript:x", false));
	ck_assert(!md_url_allowed("https:\\\\evil", false));
	ck_assert(!md_url_allowed(NULL, false));
}
END_TEST

START_TEST(slugs)
{
	char s[64];
	content_slugify("École élémentaire : inscriptions 2026 !", s, sizeof(s));
	ck_assert_str_eq(s, "ecole-elementaire-inscriptions-2026");
	content_slugify("L’œuvre de Noël à Beaulieu-sur-Loire", s, sizeof(s));
	ck_assert_str_eq(s, "l-oeuvre-de-noel-a-beaulieu-sur-loire");
	content_slugify("  --  ", s, sizeof(s));
	ck_assert_str_eq(s, "");
	content_slugify("Un titre beaucoup trop long pour tenir", s, 16);
	ck_assert_str_eq(s, "un-titre");
	ck_assert(content_slug_ok("ecole-2026", 80));
	ck_assert(!content_slug_ok("Ecole", 80));
	ck_assert(!content_slug_ok("a--b", 80));
	ck_assert(!content_slug_ok("-a", 80));
	ck_assert(!content_slug_ok("a-", 80));
	ck_assert(!content_slug_ok("", 80));
	ck_assert(!content_slug_ok("abcdef", 5));
}
END_TEST

START_TEST(html_escape)
{
	char *e = content_html_escape("<a href=\"x\">Tom & Jerry's</a>");
	ck_assert_str_eq(e, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
	free(e);
	e = content_html_escape("");
	ck_assert_str_eq(e, "");
	free(e);
}
END_TEST

START_TEST(search_query)
{
	char q[256];
	ck_assert_int_eq(content_search_query("école maternelle", q, sizeof(q)), 2);
	ck_assert_str_eq(q, "école & maternelle:*");
	ck_assert_int_eq(content_search_query("  ') | !(x) & y:*  ", q, sizeof(q)), 2);
	ck_assert_str_eq(q, "x & y:*");
	ck_assert_int_eq(content_search_query("''' !!! ", q, sizeof(q)), 0);
	ck_assert_str_eq(q, "");
	ck_assert_int_eq(content_search_query(NULL, q, sizeof(q)), 0);
	/* at most 8 words */
	ck_assert_int_eq(content_search_query("a b c d e f g h i j", q, sizeof(q)), 8);
	/* a tiny buffer never overflows */
	char small[8];
	content_search_query("bibliotheque municipale", small, sizeof(small));
	ck_assert_uint_lt(strlen(small), sizeof(small));
}
END_TEST

START_TEST(scheduling)
{
	const int64_t now = 1000000;
	ck_assert(!content_is_live(false, 0, 0, now));
	ck_assert(content_is_live(true, 0, 0, now));
	ck_assert(content_is_live(true, now, 0, now));      /* publish_at is inclusive */
	ck_assert(!content_is_live(true, now + 1, 0, now)); /* one second early */
	ck_assert(content_is_live(true, 0, now + 1, now));
	ck_assert(!content_is_live(true, 0, now, now)); /* unpublish_at is exclusive */
	ck_assert(!content_is_live(true, now - 10, now - 1, now));
}
END_TEST

START_TEST(ical_escaping)
{
	struct lc_buf b;
	lc_buf_init(&b, 0);
	ck_assert(ical_text_line(&b, "SUMMARY", "Fête; du, village\\ soir\nsuite\r"));
	ck_assert_str_eq(lc_buf_cstr(&b), "SUMMARY:Fête\\; du\\, village\\\\ soir\\nsuite\r\n");
	lc_buf_free(&b);
	/* Folding: no line longer than 75 octets, a UTF-8 sequence is never cut. */
	lc_buf_init(&b, 0);
	char longtext[400] = "";
	for (int i = 0; i < 60; i++)
		strcat(longtext, "é");
	strcat(longtext, "abcdefghijklmnopqrstuvwxyz");
	ck_assert(ical_text_line(&b, "DESCRIPTION", longtext));
	const char *s = lc_buf_cstr(&b);
	size_t unfolded = 0;
	for (const char *line = s; *line;) {
		const char *end = strstr(line, "\r\n");
		ck_assert_ptr_nonnull(end);
		ck_assert_uint_le((size_t)(end - line), 75);
		/* a continuation starts with one space, then a character start (not 10xxxxxx) */
		if (line != s) {
			ck_assert_int_eq(line[0], ' ');
			ck_assert_int_ne((unsigned char)line[1] & 0xc0, 0x80);
			unfolded += (size_t)(end - line) - 1;
		} else {
			unfolded += (size_t)(end - line);
		}
		line = end + 2;
	}
	ck_assert_uint_eq(unfolded, strlen("DESCRIPTION:") + strlen(longtext));
	lc_buf_free(&b);
	char st[17];
	ck_assert(ical_utc_stamp("2026-03-01T18:05:09Z", st));
	ck_assert_str_eq(st, "20260301T180509Z");
	ck_assert(!ical_utc_stamp("2026-03-01T18:05:09+01:00", st));
	ck_assert(!ical_utc_stamp("2026-03-01 18:05:09Z", st));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("content_text");
	TCase *tc = tcase_create("text");
	tcase_add_test(tc, markdown_raw_html_is_omitted);
	tcase_add_test(tc, markdown_links_allowlist);
	tcase_add_test(tc, url_predicate);
	tcase_add_test(tc, slugs);
	tcase_add_test(tc, demo_texts_are_dated);
	tcase_add_test(tc, html_escape);
	tcase_add_test(tc, search_query);
	tcase_add_test(tc, scheduling);
	tcase_add_test(tc, ical_escaping);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

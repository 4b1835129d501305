/* h_feeds.c — the Atom feed of the news and the sitemap of the public site (an index of parts:
 * sections, pages, upcoming events and the directory; the news year by year), with absolute URLs
 * from CIVITAS_PUBLIC_URL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"
#include "civitas/cache_reply.h"
#include "civitas/http.h"
#include "civitas/reply.h"

#include "common.h"
#include "handlers.h"
#include "markdown.h"

/* Appends s escaped for XML; false on overflow or OOM. */
static bool xml(struct lc_buf *b, const char *s)
{
	char *e = content_html_escape(s);
	if (!e)
		return false;
	bool ok = lc_buf_append(b, e, strlen(e));
	free(e);
	return ok;
}

/* Replies with the document and keeps it in the micro-cache under key. */
static int reply_xml(struct lc_request *rq, struct lc_buf *b, bool ok, const char *type, const char *key)
{
	if (!ok) {
		lc_buf_free(b);
		return lc_reply_problem(rq, 500, "internal", "The document is too large.");
	}
	size_t len;
	char *data = lc_buf_steal(b, &len);
	int rc = lc_cache_store_reply(rq, key, data ? data : "", data ? len : 0, type, "public, max-age=300");
	free(data);
	return rc;
}

int h_feed_atom(struct lc_request *rq)
{
	int rc;
	if (lc_cache_hit(rq, "feed.atom", "public, max-age=300", &rc))
		return rc;
	PGresult *r = lc_db_exec(lc_rq_db(rq), "art_feed", 0, NULL);
	if (!r)
		return lc_db_fail_reply(rq);
	const char *base = content_public_url();
	struct lc_buf b;
	lc_buf_init(&b, 8u << 20);
	const char *updated = PQntuples(r) > 0 ? PQgetvalue(r, 0, 6) : "2026-01-01T00:00:00Z";
	bool ok = lc_buf_printf(
	    &b,
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n"
	    "<title>Actualités de la commune</title>\n<id>%s/actualites.html</id>\n"
	    "<link rel=\"alternate\" type=\"text/html\" href=\"%s/actualites.html\"/>\n"
	    "<link rel=\"self\" type=\"application/atom+xml\" href=\"%s/api/content/v1/feed.atom\"/>\n"
	    "<updated>%s</updated>\n",
	    base, base, base, updated);
	for (int i = 0; ok && i < PQntuples(r); i++) {
		ok = lc_buf_printf(&b, "<entry>\n<id>urn:uuid:%s</id>\n<title>", PQgetvalue(r, i, 0)) &&
		     xml(&b, PQgetvalue(r, i, 2)) &&
		     lc_buf_printf(&b, "</title>\n<link rel=\"alternate\" href=\"%s/page.html?slug=", base) &&
		     xml(&b, PQgetvalue(r, i, 1)) &&
		     lc_buf_printf(&b,
		                   "\"/>\n<published>%s</published>\n<updated>%s</updated>\n<author><name>",
		                   PQgetvalue(r, i, 5), PQgetvalue(r, i, 6)) &&
		     xml(&b, PQgetvalue(r, i, 7)[0] ? PQgetvalue(r, i, 7) : "Mairie") &&
		     lc_buf_printf(&b, "</name></author>\n<summary>") && xml(&b, PQgetvalue(r, i, 3)) &&
		     lc_buf_printf(&b, "</summary>\n<content type=\"html\">") &&
		     xml(&b, PQgetvalue(r, i, 4)) && lc_buf_printf(&b, "</content>\n</entry>\n");
	}
	PQclear(r);
	ok = ok && lc_buf_printf(&b, "</feed>\n");
	return reply_xml(rq, &b, ok, "application/atom+xml; charset=utf-8", "feed.atom");
}

static bool url_entry(struct lc_buf *b, const char *base, const char *path, const char *slug,
                      const char *lastmod)
{
	bool ok = lc_buf_printf(b, "<url><loc>%s%s", base, path) && (!slug || xml(b, slug)) &&
	          lc_buf_printf(b, "</loc>");
	if (ok && lastmod && *lastmod)
		ok = lc_buf_printf(b, "<lastmod>%s</lastmod>", lastmod);
	return ok && lc_buf_printf(b, "</url>\n");
}

/* The sitemap is an index (sitemaps.org) of parts, so that no document grows with the years
 * and each stays far under the protocol's 50,000 URLs: "pages.xml" (the fixed pages, sections,
 * upcoming events, the directory) and one part per year of articles ("2024.xml"). */
#define SITEMAP_PARTS "/api/content/v1/sitemap/"

static int reply_db_fail(struct lc_request *rq, struct lc_buf *b)
{
	lc_buf_free(b);
	return lc_db_fail_reply(rq);
}

int h_sitemap(struct lc_request *rq)
{
	int rc;
	if (lc_cache_hit(rq, "sitemap.xml", "public, max-age=300", &rc))
		return rc;
	PGresult *r = lc_db_exec(lc_rq_db(rq), "art_sitemap_years", 0, NULL);
	if (!r)
		return lc_db_fail_reply(rq);
	const char *base = content_public_url();
	struct lc_buf b;
	lc_buf_init(&b, 1u << 20);
	bool ok = lc_buf_printf(&b,
	                        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	                        "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
	                        "<sitemap><loc>%s" SITEMAP_PARTS "pages.xml</loc></sitemap>\n",
	                        base);
	for (int i = 0; ok && i < PQntuples(r); i++)
		ok = lc_buf_printf(&b, "<sitemap><loc>%s" SITEMAP_PARTS "%s.xml</loc></sitemap>\n", base,
		                   PQgetvalue(r, i, 0));
	PQclear(r);
	ok = ok && lc_buf_printf(&b, "</sitemapindex>\n");
	return reply_xml(rq, &b, ok, "application/xml; charset=utf-8", "sitemap.xml");
}

/* The fixed pages, sections, upcoming events and the directory. */
static int sitemap_pages(struct lc_request *rq, struct lc_buf *b, const char *base)
{
	static const char *const pages[] = {"/",
	                                    "/actualites.html",
	                                    "/agenda.html",
	                                    "/demarches.html",
	                                    "/associations.html",
	                                    "/emploi.html",
	                                    "/recherche.html",
	                                    "/plan-du-site.html",
	                                    "/contact.html",
	                                    "/mentions-legales.html",
	                                    "/accessibilite.html",
	                                    "/donnees-personnelles.html",
	                                    NULL};
	static const struct {
		const char *stmt, *path;
	} parts[] = {
	    {"sec_sitemap", "/page.html?rubrique="},
	    {"ev_sitemap", "/agenda.html?evenement="},
	    {"org_sitemap", "/associations.html?structure="},
	};
	bool ok = true;
	for (int i = 0; ok && pages[i]; i++)
		ok = url_entry(b, base, pages[i], NULL, NULL);
	for (size_t k = 0; ok && k < sizeof(parts) / sizeof(parts[0]); k++) {
		PGresult *r = lc_db_exec(lc_rq_db(rq), parts[k].stmt, 0, NULL);
		if (!r)
			return -1;
		for (int i = 0; ok && i < PQntuples(r); i++)
			ok = url_entry(b, base, parts[k].path, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
		PQclear(r);
	}
	return ok ? 1 : 0;
}

/* GET /sitemap/{part}: "pages.xml" or "YYYY.xml" (a year that holds live articles); else 404. */
int h_sitemap_part(struct lc_request *rq)
{
	const char *part = lc_rq_param(rq, "part");
	char key[48];
	int year = 0;
	bool pages = strcmp(part, "pages.xml") == 0;
	if (!pages) {
		char tail[8] = "";
		if (strlen(part) != 8 || sscanf(part, "%4d%7s", &year, tail) != 2 ||
		    strcmp(tail, ".xml") != 0 || year < 1900 || year > 9999 || part[0] < '1' || part[0] > '9')
			return lc_reply_problem(rq, 404, "not_found", "No such part of the sitemap.");
	}
	snprintf(key, sizeof(key), "sitemap/%s", part);
	int rc;
	if (lc_cache_hit(rq, key, "public, max-age=300", &rc))
		return rc;
	const char *base = content_public_url();
	struct lc_buf b;
	lc_buf_init(&b, 16u << 20);
	bool ok = lc_buf_printf(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	                            "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	if (pages) {
		int st = ok ? sitemap_pages(rq, &b, base) : 0;
		if (st < 0)
			return reply_db_fail(rq, &b);
		ok = st > 0;
	} else {
		char y[8];
		snprintf(y, sizeof(y), "%d", year);
		const char *p[] = {y};
		PGresult *r = lc_db_exec(lc_rq_db(rq), "art_sitemap_year", 1, p);
		if (!r)
			return reply_db_fail(rq, &b);
		if (PQntuples(r) == 0) {
			PQclear(r);
			lc_buf_free(&b);
			return lc_reply_problem(rq, 404, "not_found", "No such part of the sitemap.");
		}
		for (int i = 0; ok && i < PQntuples(r); i++)
			ok =
			    url_entry(&b, base, "/page.html?slug=", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
		PQclear(r);
	}
	ok = ok && lc_buf_printf(&b, "</urlset>\n");
	return reply_xml(rq, &b, ok, "application/xml; charset=utf-8", key);
}

/* markdown.c — Markdown to HTML with cmark (raw HTML omitted, links limited to relative, http,
 * https and mailto), slugs, HTML escaping, the French search query and the scheduling rule. */
#include "markdown.h"

#include <cmark.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "civitas/buf.h"

bool md_url_allowed(const char *url, bool image)
{
	if (!url)
		return false;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	/* A scheme is what comes before the first ':' when no '/', '?' or '#' precedes it. */
	size_t i = 0;
	for (; url[i] && url[i] != ':'; i++)
		if (url[i] == '/' || url[i] == '?' || url[i] == '#')
			return true; /* relative */
	if (!url[i])
		return true; /* relative, no colon at all */
	static const char *const schemes[] = {"http", "https", "mailto"};
	for (size_t k = 0; k < sizeof(schemes) / sizeof(schemes[0]); k++) {
		if (image && k == 2)
			break;
		if (strlen(schemes[k]) == i && strncasecmp(url, schemes[k], i) == 0)
			return true;
	}
	return false;
}

/* Moves the children of a refused link or image before it and removes it: the text stays. */
static void unlink_node(cmark_node *node)
{
	cmark_node *child;
	while ((child = cmark_node_first_child(node)) != NULL) {
		cmark_node_unlink(child);
		cmark_node_insert_before(node, child);
	}
	cmark_node_free(node);
}

char *md_render(const char *markdown, size_t len)
{
	cmark_node *doc = cmark_parse_document(markdown ? markdown : "", markdown ? len : 0, CMARK_OPT_SAFE);
	if (!doc)
		return NULL;
	/* Collect first, change after: the iterator must not see freed nodes. */
	size_t n = 0, cap = 0;
	struct bad_node {
		cmark_node *node;
	} *bad = NULL;
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(node);
		if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE))
			continue;
		if (md_url_allowed(cmark_node_get_url(node), t == CMARK_NODE_IMAGE))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct bad_node *nb = realloc(bad, ncap * sizeof(*nb));
			if (!nb) {
				free(bad);
				cmark_iter_free(it);
				cmark_node_free(doc);
				return NULL;
			}
			bad = nb;
			cap = ncap;
		}
		bad[n++].node = node;
	}
	cmark_iter_free(it);
	/* Innermost first (they were collected outer to inner). */
	while (n > 0)
		unlink_node(bad[--n].node);
	free(bad);
	char *html = cmark_render_html(doc, CMARK_OPT_SAFE);
	cmark_node_free(doc);
	return html;
}

/* Folds the Latin-1 supplement and Latin Extended-A letters French uses to ASCII. Returns the
 * replacement ("" when the character is dropped) for a two-byte UTF-8 sequence. */
static const char *fold2(unsigned char a, unsigned char b)
{
	unsigned cp = ((a & 0x1fu) << 6) | (b & 0x3fu);
	static const struct {
		unsigned lo, hi;
		const char *s;
	} map[] = {
	    {0xc0, 0xc5, "a"},  {0xc6, 0xc6, "ae"}, {0xc7, 0xc7, "c"},    {0xc8, 0xcb, "e"},
	    {0xcc, 0xcf, "i"},  {0xd1, 0xd1, "n"},  {0xd2, 0xd6, "o"},    {0xd8, 0xd8, "o"},
	    {0xd9, 0xdc, "u"},  {0xdd, 0xdd, "y"},  {0xdf, 0xdf, "ss"},   {0xe0, 0xe5, "a"},
	    {0xe6, 0xe6, "ae"}, {0xe7, 0xe7, "c"},  {0xe8, 0xeb, "e"},    {0xec, 0xef, "i"},
	    {0xf1, 0xf1, "n"},  {0xf2, 0xf6, "o"},  {0xf8, 0xf8, "o"},    {0xf9, 0xfc, "u"},
	    {0xfd, 0xfd, "y"},  {0xff, 0xff, "y"},  {0x152, 0x153, "oe"}, {0x178, 0x178, "y"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (cp >= map[i].lo && cp <= map[i].hi)
			return map[i].s;
	return "";
}

void content_slugify(const char *title, char *out, size_t max)
{
	size_t o = 0, last_word_end = 0;
	bool dash = false;
	if (max == 0)
		return;
	out[0] = '\0';
	for (const unsigned char *p = (const unsigned char *)(title ? title : ""); *p;) {
		const char *piece = NULL;
		char one[2] = {0, 0};
		if (*p < 0x80) {
			if (isalnum(*p)) {
				one[0] = (char)tolower(*p);
				piece = one;
			}
			p++;
		} else if ((*p & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
			piece = fold2(p[0], p[1]);
			if (!*piece)
				piece = NULL;
			p += 2;
		} else {
			p++;
			while ((*p & 0xc0) == 0x80)
				p++;
		}
		if (!piece) {
			dash = o > 0;
			continue;
		}
		size_t pl = strlen(piece);
		if (dash) {
			if (o + 1 + pl >= max)
				break;
			last_word_end = o;
			out[o++] = '-';
			dash = false;
		}
		if (o + pl >= max) {
			/* Cut at the last word boundary rather than in the middle of a word. */
			if (last_word_end > 0)
				o = last_word_end;
			break;
		}
		memcpy(out + o, piece, pl);
		o += pl;
	}
	out[o] = '\0';
	while (o > 0 && out[o - 1] == '-')
		out[--o] = '\0';
}

bool content_slug_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '-') {
			if (s[i + 1] == '-')
				return false;
		} else if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9')) {
			return false;
		}
	}
	return true;
}

char *content_html_escape(const char *s)
{
	struct lc_buf b;
	lc_buf_init(&b, 0);
	for (const char *p = s ? s : ""; *p; p++) {
		bool ok;
		switch (*p) {
		case '&':
			ok = lc_buf_append(&b, "&amp;", 5);
			break;
		case '<':
			ok = lc_buf_append(&b, "&lt;", 4);
			break;
		case '>':
			ok = lc_buf_append(&b, "&gt;", 4);
			break;
		case '"':
			ok = lc_buf_append(&b, "&quot;", 6);
			break;
		case '\'':
			ok = lc_buf_append(&b, "&#39;", 5);
			break;
		default:
			ok = lc_buf_append(&b, p, 1);
		}
		if (!ok) {
			lc_buf_free(&b);
			return NULL;
		}
	}
	if (b.len == 0 && !lc_buf_append(&b, "", 0)) {
		lc_buf_free(&b);
		return NULL;
	}
	lc_buf_cstr(&b);
	return lc_buf_steal(&b, NULL);
}

int content_search_query(const char *q, char *out, size_t outlen)
{
	int words = 0;
	size_t o = 0;
	if (outlen == 0)
		return 0;
	out[0] = '\0';
	const unsigned char *p = (const unsigned char *)(q ? q : "");
	while (*p && words < 8) {
		while (*p && *p < 0x80 && !isalnum(*p))
			p++;
		const unsigned char *start = p;
		while (*p && (*p >= 0x80 || isalnum(*p)))
			p++;
		size_t wl = (size_t)(p - start);
		if (wl == 0)
			break;
		if (wl > 40)
			wl = 40;
		/* Do not end a word in the middle of a UTF-8 sequence. */
		while (wl > 0 && (start[wl] & 0xc0) == 0x80 && start + wl < p)
			wl--;
		if (o + wl + 6 >= outlen)
			break;
		if (words > 0) {
			memcpy(out + o, " & ", 3);
			o += 3;
		}
		memcpy(out + o, start, wl);
		o += wl;
		words++;
	}
	if (words > 0) {
		memcpy(out + o, ":*", 2);
		o += 2;
	}
	out[o] = '\0';
	return words;
}

bool content_is_live(bool published, int64_t publish_at, int64_t unpublish_at, int64_t now)
{
	if (!published)
		return false;
	if (publish_at && now < publish_at)
		return false;
	if (unpublish_at && now >= unpublish_at)
		return false;
	return true;
}

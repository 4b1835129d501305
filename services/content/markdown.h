/* markdown.h — the pure text helpers of the content service: Markdown to safe HTML (cmark with
 * raw HTML off and a link allowlist), slugs, HTML/XML escaping, the search query, scheduling. */
#ifndef CIVITAS_CONTENT_MARKDOWN_H
#define CIVITAS_CONTENT_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Renders Markdown as HTML: raw HTML is omitted, links and images whose URL is not relative,
 * http, https or mailto (images: relative, http, https) lose their target and keep their text.
 * Returns a malloc'd string (caller frees), NULL on OOM. */
char *md_render(const char *markdown, size_t len);

/* Is url allowed as a link target (images: mailto refused)? Relative URLs are allowed. */
bool md_url_allowed(const char *url, bool image);

/* A URL slug from a French title: lower case ASCII, accents folded ("École" → "ecole"),
 * words joined by '-', at most max-1 bytes (cut on a word boundary when possible).
 * Writes "" when nothing usable is left. */
void content_slugify(const char *title, char *out, size_t max);
/* Does s match ^[a-z0-9]+(-[a-z0-9]+)*$ and fit max bytes? */
bool content_slug_ok(const char *s, size_t max);

/* Appends s escaped for HTML text and attributes (& < > " ') to a malloc'd buffer: returns
 * the new string (caller frees) or NULL on OOM. */
char *content_html_escape(const char *s);

/* Search-as-you-type: words of q (letters and digits, UTF-8 kept) joined as a to_tsquery
 * string "w1 & w2 & w3:*" into out (the last word is a prefix). Returns the number of words
 * (0: nothing to search; out is ""). At most 8 words of 40 bytes. */
int content_search_query(const char *q, char *out, size_t outlen);

/* Is a published article live at `now` (unix seconds)? publish_at/unpublish_at of 0 mean
 * unset: live from publication with no end. Live when publish_at <= now < unpublish_at. */
bool content_is_live(bool published, int64_t publish_at, int64_t unpublish_at, int64_t now);

#endif

/* ical.h — RFC 5545 text: escaping of TEXT values and folding of content lines. */
#ifndef CIVITAS_CONTENT_ICAL_H
#define CIVITAS_CONTENT_ICAL_H

#include <stdbool.h>

struct lc_buf;

/* Appends "NAME:value\r\n" with value escaped as TEXT (\\ ; , and newlines) and the line folded
 * at 75 octets without cutting a UTF-8 sequence. Returns false on overflow. */
bool ical_text_line(struct lc_buf *b, const char *name, const char *value);
/* Same without escaping (DTSTART, UID...): value must already be valid for the property. */
bool ical_raw_line(struct lc_buf *b, const char *name, const char *value);
/* "2026-03-01T18:00:00Z" → "20260301T180000Z" into out (17 bytes). False when malformed. */
bool ical_utc_stamp(const char *rfc3339_utc, char out[17]);

#endif

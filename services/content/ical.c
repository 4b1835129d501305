/* ical.c — iCalendar (RFC 5545) lines for the agenda export: TEXT escaping, 75-octet folding,
 * UTC date-times. */
#include "ical.h"

#include <ctype.h>
#include <string.h>

#include "civitas/buf.h"

/* Appends line (without CRLF) folded: CRLF + space before each 75-octet chunk after the first. */
static bool fold(struct lc_buf *b, const char *line, size_t len)
{
	size_t col = 0;
	for (size_t i = 0; i < len;) {
		size_t clen = 1;
		unsigned char c = (unsigned char)line[i];
		if (c >= 0xf0)
			clen = 4;
		else if (c >= 0xe0)
			clen = 3;
		else if (c >= 0xc0)
			clen = 2;
		if (i + clen > len)
			clen = len - i;
		if (col + clen > 75) {
			if (!lc_buf_append(b, "\r\n ", 3))
				return false;
			col = 1;
		}
		if (!lc_buf_append(b, line + i, clen))
			return false;
		col += clen;
		i += clen;
	}
	return lc_buf_append(b, "\r\n", 2);
}

bool ical_text_line(struct lc_buf *b, const char *name, const char *value)
{
	struct lc_buf line;
	lc_buf_init(&line, 1 << 20);
	bool ok = lc_buf_printf(&line, "%s:", name);
	for (const char *p = value ? value : ""; ok && *p; p++) {
		switch (*p) {
		case '\\':
			ok = lc_buf_append(&line, "\\\\", 2);
			break;
		case ';':
			ok = lc_buf_append(&line, "\\;", 2);
			break;
		case ',':
			ok = lc_buf_append(&line, "\\,", 2);
			break;
		case '\n':
			ok = lc_buf_append(&line, "\\n", 2);
			break;
		case '\r':
			break;
		default:
			/* Other control characters are not allowed in TEXT. */
			if ((unsigned char)*p >= 0x20 || *p == '\t')
				ok = lc_buf_append(&line, p, 1);
		}
	}
	ok = ok && fold(b, line.data ? line.data : "", line.len);
	lc_buf_free(&line);
	return ok;
}

bool ical_raw_line(struct lc_buf *b, const char *name, const char *value)
{
	struct lc_buf line;
	lc_buf_init(&line, 1 << 16);
	bool ok = lc_buf_printf(&line, "%s:%s", name, value ? value : "");
	ok = ok && fold(b, line.data, line.len);
	lc_buf_free(&line);
	return ok;
}

bool ical_utc_stamp(const char *s, char out[17])
{
	/* YYYY-MM-DDTHH:MM:SSZ */
	if (!s || strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return false;
	static const int digits[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
	int o = 0;
	for (size_t i = 0; i < sizeof(digits) / sizeof(digits[0]); i++) {
		if (!isdigit((unsigned char)s[digits[i]]))
			return false;
		out[o++] = s[digits[i]];
		if (i == 7)
			out[o++] = 'T';
	}
	out[o++] = 'Z';
	out[o] = '\0';
	return true;
}

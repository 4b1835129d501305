/* buf.c — growable byte buffer with a hard cap.
 * Used for request bodies (the cap is the route's max_body) and for rendered text. */
#include "civitas/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lc_buf_init(struct lc_buf *b, size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit;
}

static bool reserve(struct lc_buf *b, size_t extra)
{
	if (b->limit && b->len + extra > b->limit) {
		b->overflow = true;
		return false;
	}
	size_t need = b->len + extra + 1; /* room for the NUL */
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p) {
		b->overflow = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

bool lc_buf_append(struct lc_buf *b, const void *p, size_t n)
{
	if (!reserve(b, n))
		return false;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

bool lc_buf_printf(struct lc_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	if ((size_t)n < sizeof(small))
		return lc_buf_append(b, small, (size_t)n);
	if (!reserve(b, (size_t)n))
		return false;
	va_list again;
	va_start(again, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
	va_end(again);
	b->len += (size_t)n;
	return true;
}

const char *lc_buf_cstr(struct lc_buf *b)
{
	if (!b->data && !reserve(b, 0))
		return "";
	if (!b->data)
		return "";
	b->data[b->len] = '\0';
	return b->data;
}

char *lc_buf_steal(struct lc_buf *b, size_t *len)
{
	lc_buf_cstr(b);
	char *p = b->data;
	if (len)
		*len = b->len;
	size_t limit = b->limit;
	lc_buf_init(b, limit);
	return p;
}

void lc_buf_free(struct lc_buf *b)
{
	free(b->data);
	lc_buf_init(b, b->limit);
}

void lc_buf_csv_cell(struct lc_buf *b, const char *s, bool last)
{
	bool formula = s[0] && strchr("=+-@", s[0]);
	bool quote = strpbrk(s, ",\"\r\n") != NULL || formula;
	if (quote)
		lc_buf_append(b, "\"", 1);
	if (formula)
		lc_buf_append(b, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			lc_buf_append(b, "\"", 1);
		lc_buf_append(b, p, 1);
	}
	if (quote)
		lc_buf_append(b, "\"", 1);
	lc_buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
}

char *lc_file_read(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *data = malloc(max + 1);
	if (!data) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	size_t n = fread(data, 1, max + 1, f);
	int bad = ferror(f);
	fclose(f);
	if (bad || n > max) {
		free(data);
		errno = bad ? EIO : EFBIG;
		return NULL;
	}
	data[n] = '\0';
	*len = n;
	return data;
}

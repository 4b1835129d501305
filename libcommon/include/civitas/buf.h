/* buf.h — a growable byte buffer with a hard cap, used for bodies and rendered text; and the
 * reading of a whole small file. */
#ifndef CIVITAS_BUF_H
#define CIVITAS_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct lc_buf {
	char *data; /* always NUL-terminated when len > 0 or after lc_buf_cstr */
	size_t len, cap;
	size_t limit; /* 0: no limit; appends past it fail and set overflow */
	bool overflow;
};

void lc_buf_init(struct lc_buf *b, size_t limit);
/* Returns false (and sets overflow) when the append would pass the limit or memory runs out. */
bool lc_buf_append(struct lc_buf *b, const void *p, size_t n);
bool lc_buf_printf(struct lc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *lc_buf_cstr(struct lc_buf *b);
/* Hands the data to the caller (free() it); the buffer is left empty. */
char *lc_buf_steal(struct lc_buf *b, size_t *len);
void lc_buf_free(struct lc_buf *b);
/* Appends one CSV cell (RFC 4180: quoted when needed) and "," or, for the last of a row, CRLF.
 * A cell starting like a spreadsheet formula (= + - @) gets a ' in front (CSV injection). */
void lc_buf_csv_cell(struct lc_buf *b, const char *s, bool last);

/* Reads a whole small file (keys, templates, demo documents): a malloc'd buffer with a NUL
 * after the data (caller frees), its length in *len; NULL with errno set (ENOENT, EFBIG when
 * it is larger than max, EIO). */
char *lc_file_read(const char *path, size_t max, size_t *len);

#endif

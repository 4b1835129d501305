/* cell_json.c — JSON text of binary result cells, byte for byte what PostgreSQL's jsonb output
 * gives for the same values, so a list written here equals the one a SQL function built. */
#include "civitas/cell_json.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "civitas/log.h"

/* Type oids of the built-in types (pg_type.dat: stable across versions). */
enum {
	OID_BOOL = 16,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_TEXT = 25,
	OID_TEXT_ARRAY = 1009,
	OID_VARCHAR = 1043,
	OID_TIMESTAMPTZ = 1184,
	OID_UUID = 2950,
	OID_UUID_ARRAY = 2951,
	OID_JSONB = 3802,
};

/* Seconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC). */
#define PG_EPOCH_OFFSET 946684800LL

static uint64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

bool lc_json_write_string(struct lc_buf *b, const char *s, size_t n)
{
	bool ok = lc_buf_append(b, "\"", 1);
	size_t run = 0; /* bytes copied as they are, flushed before each escape */
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = c == '"'    ? "\\\""
		                  : c == '\\' ? "\\\\"
		                  : c == '\b' ? "\\b"
		                  : c == '\f' ? "\\f"
		                  : c == '\n' ? "\\n"
		                  : c == '\r' ? "\\r"
		                  : c == '\t' ? "\\t"
		                              : NULL;
		if (!esc && c >= 0x20)
			continue;
		ok = lc_buf_append(b, s + run, i - run) &&
		     (esc ? lc_buf_append(b, esc, 2) : lc_buf_printf(b, "\\u%04x", c));
		run = i + 1;
	}
	return ok && lc_buf_append(b, s + run, n - run) && lc_buf_append(b, "\"", 1);
}

static bool write_uuid(struct lc_buf *b, const unsigned char *u)
{
	static const char hex[] = "0123456789abcdef";
	char s[38], *o = s;
	*o++ = '"';
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[u[i] >> 4];
		*o++ = hex[u[i] & 15];
	}
	*o++ = '"';
	return lc_buf_append(b, s, (size_t)(o - s));
}

/* Writes v in decimal at the end of a char buffer, width digits at least (zero-padded);
 * returns the start. */
static char *digits(char *end, uint64_t v, int width)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
		width--;
	} while (v || width > 0);
	return end;
}

bool lc_json_write_int(struct lc_buf *b, int64_t v)
{
	char s[24], *e = s + sizeof(s), *p = digits(e, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 1);
	if (v < 0)
		*--p = '-';
	return lc_buf_append(b, p, (size_t)(e - p));
}

/* Microseconds since 2000-01-01 UTC → "YYYY-MM-DDTHH:MM:SSZ", the second truncated (floor, as
 * to_char takes the seconds field). The civil date by arithmetic (days from civil, H. Hinnant):
 * gmtime_r takes glibc's time zone lock on every call, which every worker thread would share. */
static bool write_timestamptz(struct lc_buf *b, int64_t us)
{
	if (us == INT64_MAX || us == INT64_MIN) /* infinity, -infinity */
		return lc_buf_append(b, "null", 4);
	int64_t secs = us / 1000000 - (us % 1000000 < 0);
	int64_t days = secs / 86400 - (secs % 86400 < 0), sod = secs - days * 86400;
	int64_t z = days + 10957 + 719468; /* days since 0000-03-01 */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
	int64_t year = yoe + era * 400 + (month <= 2);
	if (year < 1 || year > 9999) /* outside what this writes; never a request's date */
		return false;
	char s[22];
	digits(s + 5, (uint64_t)year, 4);
	s[0] = '"', s[5] = '-';
	digits(s + 8, (uint64_t)month, 2);
	s[8] = '-';
	digits(s + 11, (uint64_t)day, 2);
	s[11] = 'T';
	digits(s + 14, (uint64_t)(sod / 3600), 2);
	s[14] = ':';
	digits(s + 17, (uint64_t)(sod / 60 % 60), 2);
	s[17] = ':';
	digits(s + 20, (uint64_t)(sod % 60), 2);
	s[20] = 'Z', s[21] = '"';
	return lc_buf_append(b, s, sizeof(s));
}

/* A one-dimensional uuid[] or text[] in binary: ndim, has-nulls flag, element type, (length,
 * lower bound) per dimension, then each element as its length (-1: NULL) and its bytes (a uuid's
 * 16, a text's own). */
static bool write_array(struct lc_buf *b, const unsigned char *p, size_t len, bool uuids)
{
	if (len < 12 || be(p, 4) > 1)
		return false;
	size_t n = be(p, 4) == 1 && len >= 20 ? (size_t)be(p + 12, 4) : 0, at = be(p, 4) == 1 ? 20 : 12;
	bool ok = lc_buf_append(b, "[", 1);
	for (size_t i = 0; ok && i < n; i++) {
		if (at + 4 > len)
			return false;
		uint32_t el = (uint32_t)be(p + at, 4);
		at += 4;
		ok = (i == 0 || lc_buf_append(b, ", ", 2));
		if (el == UINT32_MAX) {
			ok = ok && lc_buf_append(b, "null", 4);
			continue;
		}
		if ((uuids && el != 16) || el > len - at)
			return false;
		ok =
		    ok && (uuids ? write_uuid(b, p + at) : lc_json_write_string(b, (const char *)p + at, el));
		at += el;
	}
	return ok && lc_buf_append(b, "]", 1);
}

bool lc_json_write_cell(struct lc_buf *b, const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return lc_buf_append(b, "null", 4);
	const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
	size_t len = (size_t)PQgetlength(r, row, col);
	Oid type = PQftype(r, col);
	bool ok = false, known = true;
	switch (type) {
	case OID_TEXT:
	case OID_VARCHAR:
		ok = lc_json_write_string(b, (const char *)p, len);
		break;
	case OID_UUID:
		ok = len == 16 && write_uuid(b, p);
		break;
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
		ok = (len == 2 || len == 4 || len == 8) && lc_json_write_int(b, lc_cell_int(r, row, col));
		break;
	case OID_BOOL:
		ok = len == 1 && (p[0] ? lc_buf_append(b, "true", 4) : lc_buf_append(b, "false", 5));
		break;
	case OID_TIMESTAMPTZ:
		ok = len == 8 && write_timestamptz(b, (int64_t)be(p, 8));
		break;
	case OID_JSONB: /* a version byte (1), then the text jsonb_out prints */
		ok = len >= 1 && p[0] == 1 && lc_buf_append(b, p + 1, len - 1);
		break;
	case OID_UUID_ARRAY:
	case OID_TEXT_ARRAY:
		ok = write_array(b, p, len, type == OID_UUID_ARRAY);
		break;
	default:
		known = false;
	}
	if (!known)
		lc_error("cell_json: column %d has type %u, which it does not write", col, (unsigned)type);
	return ok;
}

int64_t lc_cell_int(const PGresult *r, int row, int col)
{
	int len = PQgetlength(r, row, col);
	if (PQgetisnull(r, row, col) || (len != 2 && len != 4 && len != 8))
		return 0;
	/* sign-extend the big-endian value of its width */
	uint64_t v = be((const unsigned char *)PQgetvalue(r, row, col), len);
	return (int64_t)(v << (64 - 8 * len)) >> (64 - 8 * len);
}

double lc_cell_float8(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8)
		return 0;
	uint64_t bits = be((const unsigned char *)PQgetvalue(r, row, col), 8);
	double d;
	memcpy(&d, &bits, sizeof(d));
	return d;
}

bool lc_json_write_keys(struct lc_buf *b, const PGresult *r, int row, const struct lc_json_key *keys,
                        size_t n, lc_json_special_fn *special, void *arg)
{
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++) {
		int col = keys[i].col;
		ok = lc_buf_append(b, keys[i].text, strlen(keys[i].text));
		if (col >= 0)
			ok = ok && lc_json_write_cell(b, r, row, col);
		else if (col != LC_JSON_NONE)
			ok = ok && special && special(b, r, row, col, arg);
	}
	return ok;
}

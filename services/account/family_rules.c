/* family_rules.c — see family_rules.h. Pure functions: the unit tests include this file and
 * the handlers call it, so a rule is written once. */
#include "family_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civitas/json.h"

const char *const fam_relations[] = {"adult", "child", "other", NULL};
const char *const fam_sexes[] = {"F", "M", NULL};
const char *const fam_school_classes[] = {"tps", "ps", "ms", "gs", "cp",   "ce1", "ce2", "cm1", "cm2",
                                          "6e",  "5e", "4e", "3e", "2nde", "1re", "tle", NULL};
const char *const fam_document_kinds[] = {
    "identity", "family_record_book", "proof_of_address", "qf_certificate", "health_record", "other", NULL};
const char *const fam_document_mimes[] = {"application/pdf", "image/jpeg", "image/png", NULL};

bool fam_in(const char *const *values, const char *s)
{
	for (size_t i = 0; s && values[i]; i++)
		if (strcmp(values[i], s) == 0)
			return true;
	return false;
}

static bool split_date(const char *s, int *y, int *m, int *d)
{
	if (!s || !lc_json_is_date(s))
		return false;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	return true;
}

int fam_age_on(const char *birth, const char *on)
{
	int by, bm, bd, oy, om, od;
	if (!split_date(birth, &by, &bm, &bd) || !split_date(on, &oy, &om, &od))
		return -1;
	if (by > oy || (by == oy && (bm > om || (bm == om && bd > od))))
		return -1;
	int age = oy - by;
	/* Not yet had this year's birthday? 29 February counts from 1 March in common years,
	 * which the plain month/day comparison gives: (2, 28) < (2, 29). */
	if (om < bm || (om == bm && od < bd))
		age--;
	return age;
}

const char *fam_member_check(const char *relation, const char *birth_date, const char *school_class,
                             bool has_account, const char *today, const char **code, const char **message)
{
	if (!fam_in(fam_relations, relation)) {
		*code = LC_JERR_ENUM;
		*message = "relation must be adult, child or other";
		return "relation";
	}
	if (!birth_date) {
		if (has_account)
			goto school;
		*code = LC_JERR_REQUIRED;
		*message = "birth_date is required";
		return "birth_date";
	}
	int age = fam_age_on(birth_date, today);
	if (age < 0 || age > 120) {
		*code = LC_JERR_RANGE;
		*message = "birth_date must be a past date, at most 120 years ago";
		return "birth_date";
	}
	if (strcmp(relation, "adult") == 0 && age < FAM_ADULT_MIN_AGE) {
		*code = LC_JERR_RANGE;
		*message = "an adult member is at least 18 years old";
		return "birth_date";
	}
	if (strcmp(relation, "child") == 0 && age > FAM_CHILD_MAX_AGE) {
		*code = LC_JERR_RANGE;
		*message = "a child member is at most 25 years old (use relation other)";
		return "birth_date";
	}
school:
	if (school_class) {
		if (!fam_in(fam_school_classes, school_class)) {
			*code = LC_JERR_ENUM;
			*message = "school_class is not a known class (tps, ps, ms, gs, cp, ce1 ... tle)";
			return "school_class";
		}
		if (strcmp(relation, "child") != 0) {
			*code = LC_JERR_ENUM;
			*message = "only a child has a school class";
			return "school_class";
		}
	}
	return NULL;
}

int fam_quota_check(uint64_t used, uint64_t incoming)
{
	if (incoming > FAM_FILE_MAX)
		return 1;
	if (used > FAM_HOUSEHOLD_MAX || incoming > FAM_HOUSEHOLD_MAX - used)
		return 2;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
	size_t n;
	unsigned cp;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xE0) == 0xC0)
		n = 2, cp = p[0] & 0x1Fu;
	else if ((p[0] & 0xF0) == 0xE0)
		n = 3, cp = p[0] & 0x0Fu;
	else if ((p[0] & 0xF8) == 0xF0)
		n = 4, cp = p[0] & 0x07u;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3Fu);
	}
	static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static bool utf8_valid(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

bool fam_percent_decode(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	for (const char *p = in; *p; p++) {
		int c = (unsigned char)*p;
		if (c == '%') {
			int hi = hexval(p[1]), lo = hi >= 0 ? hexval(p[2]) : -1;
			if (hi < 0 || lo < 0)
				return false;
			c = hi << 4 | lo;
			p += 2;
		}
		if (o + 1 >= outlen)
			return false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return utf8_valid((const unsigned char *)out, o);
}

const char *fam_mime_ext(const char *mime)
{
	if (!mime)
		return NULL;
	if (strcmp(mime, "application/pdf") == 0)
		return "pdf";
	if (strcmp(mime, "image/jpeg") == 0)
		return "jpg";
	if (strcmp(mime, "image/png") == 0)
		return "png";
	return NULL;
}

static bool ext_fits(const char *ext, const char *mime)
{
	const char *want = fam_mime_ext(mime);
	if (!want)
		return true;
	if (strcasecmp(ext, want) == 0)
		return true;
	return strcmp(want, "jpg") == 0 && strcasecmp(ext, "jpeg") == 0;
}

void fam_sanitize_filename(const char *in, const char *mime, char *out, size_t outlen)
{
	char clean[FAM_FILENAME_MAX * 2 + 8];
	size_t o = 0;
	const char *ext = fam_mime_ext(mime);
	if (!ext)
		ext = "bin";
	if (in) {
		/* Keep what follows the last directory separator of either convention. */
		const char *base = in;
		for (const char *p = in; *p; p++)
			if (*p == '/' || *p == '\\')
				base = p + 1;
		const unsigned char *p = (const unsigned char *)base;
		size_t len = strlen(base);
		bool space = false;
		for (size_t i = 0; i < len && o + 5 < sizeof(clean);) {
			size_t n = utf8_seq(p + i, len - i);
			if (!n) { /* invalid byte: dropped */
				i++;
				continue;
			}
			if (n == 1) {
				unsigned char c = p[i];
				bool bad = c < 0x20 || c == 0x7F || strchr(":*?\"<>|", c) != NULL;
				if (bad || c == ' ' || c == '\t') {
					space = o > 0;
					i++;
					continue;
				}
				if (c == '.' && o == 0) { /* no hidden files, no ".." */
					i++;
					continue;
				}
			}
			if (space) {
				clean[o++] = ' ';
				space = false;
			}
			memcpy(clean + o, p + i, n);
			o += n;
			i += n;
		}
	}
	clean[o] = '\0';
	/* Split name and extension; add or fix the extension to match the stored type. */
	char *dot = strrchr(clean, '.');
	const char *name_ext = NULL;
	if (dot && dot != clean && ext_fits(dot + 1, mime)) {
		name_ext = dot + 1;
		*dot = '\0';
	}
	size_t cl = strlen(clean);
	while (cl > 0 && (clean[cl - 1] == '.' || clean[cl - 1] == ' '))
		clean[--cl] = '\0';
	if (!clean[0])
		snprintf(clean, sizeof(clean), "document");
	char ext_buf[8];
	snprintf(ext_buf, sizeof(ext_buf), "%s", name_ext ? name_ext : ext);
	size_t cap = outlen - 1 < FAM_FILENAME_MAX ? outlen - 1 : FAM_FILENAME_MAX;
	size_t room = cap > strlen(ext_buf) + 1 ? cap - strlen(ext_buf) - 1 : 0;
	size_t cut = 0, len = strlen(clean);
	while (cut < len) {
		size_t n = utf8_seq((const unsigned char *)clean + cut, len - cut);
		if (!n || cut + n > room)
			break;
		cut += n;
	}
	clean[cut] = '\0';
	snprintf(out, outlen, "%s.%s", clean, ext_buf);
}

bool fam_content_disposition(const char *filename, char *out, size_t outlen)
{
	char ascii[FAM_FILENAME_MAX + 1], enc[FAM_FILENAME_MAX * 3 + 1];
	size_t a = 0, e = 0;
	for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
		unsigned char c = *p;
		if (a < sizeof(ascii) - 1 && (c < 0x80 || (c & 0xC0) == 0xC0))
			ascii[a++] =
			    (c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '%') ? (char)c : '_';
		bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		             strchr("!#$&+-.^_`|~", c) != NULL;
		if (e + 4 > sizeof(enc))
			return false;
		if (plain && c != 0) {
			enc[e++] = (char)c;
		} else {
			snprintf(enc + e, 4, "%%%02X", c);
			e += 3;
		}
	}
	ascii[a] = '\0';
	enc[e] = '\0';
	int n = snprintf(out, outlen, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
	return n > 0 && (size_t)n < outlen;
}

/* family.c — the family side's answers to the identity side (family.h): the household of a
 * user, GDPR export and erasure, and the demo household with real (small) PDF and PNG files. */
#include "family.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/buf.h"
#include "civitas/db.h"

#include "family_int.h"
#include "family_rules.h"

int family_household_of(struct lc_db *db, const char *user_id, char out[37])
{
	const char *p[] = {user_id};
	return fam_exec_first(db, "fam_hh_of_user", 1, p, out, 37);
}

json_t *family_export(struct lc_db *db, const char *user_id)
{
	char hh[37];
	int found = family_household_of(db, user_id, hh);
	if (found < 0)
		return NULL;
	if (!found)
		return json_pack("{s:n, s:[], s:[]}", "household", "documents", "invitations");
	bool err;
	json_t *household = fam_db_household_json(db, hh, true, NULL, &err);
	if (!household)
		return NULL;
	const char *p[] = {hh};
	PGresult *d = lc_db_exec(db, "fam_doc_all", 1, p);
	PGresult *v = d ? lc_db_exec(db, "fam_inv_all", 1, p) : NULL;
	if (!d || !v) {
		PQclear(d);
		json_decref(household);
		return NULL;
	}
	json_t *docs = json_array(), *invs = json_array();
	for (int i = 0; i < PQntuples(d); i++) {
		json_t *doc = fam_document_row(d, i);
		char url[160];
		snprintf(url, sizeof(url), FAM_API "/me/documents/%s/content", PQgetvalue(d, i, 0));
		json_object_set_new(doc, "content_url", json_string(url));
		json_array_append_new(docs, doc);
	}
	for (int i = 0; i < PQntuples(v); i++)
		json_array_append_new(invs, json_pack("{s:o, s:o, s:o, s:o, s:o}", "id", fam_col(v, i, 0),
		                                      "email", fam_col(v, i, 1), "created_at",
		                                      fam_col(v, i, 2), "expires_at", fam_col(v, i, 3),
		                                      "accepted_at", fam_col(v, i, 4)));
	PQclear(d);
	PQclear(v);
	return json_pack("{s:o, s:o, s:o}", "household", household, "documents", docs, "invitations", invs);
}

int family_erase(struct lc_db *db, const char *user_id)
{
	const char *u[] = {user_id};
	PGresult *r = lc_db_exec(db, "fam_user_get", 1, u);
	if (!r)
		return -1;
	if (PQntuples(r) == 1) {
		/* Invitations sent to this address: the person is gone, they cannot be accepted. */
		const char *e[] = {PQgetvalue(r, 0, 2)};
		int rc = fam_exec_first(db, "fam_inv_erase_email", 1, e, NULL, 0);
		if (rc < 0) {
			PQclear(r);
			return -1;
		}
	}
	PQclear(r);
	char hh[37];
	int found = family_household_of(db, user_id, hh);
	if (found <= 0)
		return found;
	const char *h[] = {hh};
	if (fam_exec_first(db, "fam_hh_lock", 1, h, NULL, 0) != 1)
		return -1;
	r = lc_db_exec(db, "fam_hh_counts", 1, h);
	if (!r)
		return -1;
	int accounts = atoi(PQgetvalue(r, 0, 1));
	PQclear(r);
	if (accounts < 2) /* the whole household goes: members, documents, invitations */
		return fam_exec_first(db, "fam_hh_delete", 1, h, NULL, 0) < 0 ? -1 : 0;
	/* Shared with another adult: they keep the household; the person's own documents go. */
	if (fam_exec_first(db, "fam_member_docs_delete", 1, u, NULL, 0) < 0 ||
	    fam_exec_first(db, "fam_member_delete_user", 1, u, NULL, 0) < 0 ||
	    fam_exec_first(db, "fam_hh_bump", 1, h, NULL, 0) < 0)
		return -1;
	return 0;
}

/* --- demo files: tiny but valid documents, made here so that the demo needs no binary --- */

/* UTF-8 → WinAnsi (Latin-1 range) with PDF string escapes. */
static void pdf_text(struct lc_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p++;
		if ((c & 0xE0) == 0xC0 && (*p & 0xC0) == 0x80) {
			c = (c & 0x1Fu) << 6 | (*p++ & 0x3Fu);
		} else if ((c & 0xF0) == 0xE0 && (p[0] & 0xC0) == 0x80 && (p[1] & 0xC0) == 0x80) {
			c = (c & 0x0Fu) << 12 | (p[0] & 0x3Fu) << 6 | (p[1] & 0x3Fu);
			p += 2;
			/* The few WinAnsi characters above Latin-1 that French text uses. */
			c = c == 0x20AC ? 0x80 : c == 0x2014 ? 0x97 : c == 0x2019 ? 0x92 : '?';
		} else if (c >= 0x80) {
			while ((*p & 0xC0) == 0x80)
				p++;
			c = '?';
		}
		if (c == '(' || c == ')' || c == '\\')
			lc_buf_printf(b, "\\%c", (char)c);
		else if (c > 0xFF)
			lc_buf_append(b, "?", 1);
		else {
			char ch = (char)c;
			lc_buf_append(b, &ch, 1);
		}
	}
}

/* A one-page PDF with a title and lines of text. Caller frees; *len set. NULL on OOM. */
static char *demo_pdf(const char *title, const char *const *lines, size_t *len)
{
	struct lc_buf content, pdf;
	lc_buf_init(&content, 0);
	lc_buf_init(&pdf, 0);
	lc_buf_printf(&content, "BT /F1 18 Tf 56 780 Td (");
	pdf_text(&content, title);
	lc_buf_printf(&content, ") Tj /F1 11 Tf");
	for (size_t i = 0; lines[i]; i++) {
		lc_buf_printf(&content, " 0 -%d Td (", i == 0 ? 36 : 18);
		pdf_text(&content, lines[i]);
		lc_buf_printf(&content, ") Tj");
	}
	lc_buf_printf(&content, " ET\n");
	long off[6];
	lc_buf_printf(&pdf, "%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n");
	off[1] = (long)pdf.len;
	lc_buf_printf(&pdf, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	off[2] = (long)pdf.len;
	lc_buf_printf(&pdf, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
	off[3] = (long)pdf.len;
	lc_buf_printf(&pdf,
	              "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << "
	              "/F1 5 0 R >> >> /Contents 4 0 R >>\nendobj\n");
	off[4] = (long)pdf.len;
	lc_buf_printf(&pdf, "4 0 obj\n<< /Length %zu >>\nstream\n", content.len);
	lc_buf_append(&pdf, content.data, content.len);
	lc_buf_printf(&pdf, "endstream\nendobj\n");
	off[5] = (long)pdf.len;
	lc_buf_printf(
	    &pdf, "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding "
	          ">>\nendobj\n");
	long xref = (long)pdf.len;
	lc_buf_printf(&pdf, "xref\n0 6\n0000000000 65535 f \n");
	for (int i = 1; i <= 5; i++)
		lc_buf_printf(&pdf, "%010ld 00000 n \n", off[i]);
	lc_buf_printf(&pdf, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", xref);
	lc_buf_free(&content);
	if (pdf.overflow) {
		lc_buf_free(&pdf);
		return NULL;
	}
	return lc_buf_steal(&pdf, len);
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void png_chunk(struct lc_buf *b, const char *type, const unsigned char *data, size_t n)
{
	unsigned char hdr[8];
	be32(hdr, (uint32_t)n);
	memcpy(hdr + 4, type, 4);
	lc_buf_append(b, hdr, 8);
	if (n)
		lc_buf_append(b, data, n);
	uint32_t crc = crc32_update(0, (const unsigned char *)type, 4);
	crc = crc32_update(crc, data, n);
	unsigned char c[4];
	be32(c, crc);
	lc_buf_append(b, c, 4);
}

/* A small RGB PNG (a letter-like page: white with a blue header band and grey text lines),
 * deflate in stored blocks so that no compressor is needed. Caller frees. */
static char *demo_png(size_t *len)
{
	enum { W = 96, H = 128 };
	size_t raw_len = (size_t)H * (1 + W * 3);
	unsigned char *raw = malloc(raw_len);
	if (!raw)
		return NULL;
	for (int y = 0; y < H; y++) {
		unsigned char *row = raw + (size_t)y * (1 + W * 3);
		row[0] = 0; /* filter: none */
		for (int x = 0; x < W; x++) {
			unsigned char r = 255, g = 255, bl = 255;
			if (y < 18)
				r = 0, g = 0x55, bl = 0xA4; /* header band */
			else if (y > 30 && y % 10 < 3 && x > 8 && x < W - 8 - (y % 30))
				r = g = bl = 150; /* lines of "text" */
			row[1 + x * 3] = r;
			row[2 + x * 3] = g;
			row[3 + x * 3] = bl;
		}
	}
	struct lc_buf z, png;
	lc_buf_init(&z, 0);
	lc_buf_init(&png, 0);
	lc_buf_append(&z, "\x78\x01", 2);
	uint32_t a = 1, b2 = 0;
	for (size_t i = 0; i < raw_len; i++) {
		a = (a + raw[i]) % 65521;
		b2 = (b2 + a) % 65521;
	}
	for (size_t off = 0; off < raw_len;) {
		size_t n = raw_len - off > 65535 ? 65535 : raw_len - off;
		unsigned char h[5] = {off + n == raw_len ? 1 : 0, (unsigned char)(n & 0xFF),
		                      (unsigned char)(n >> 8), (unsigned char)(~n & 0xFF),
		                      (unsigned char)((~n >> 8) & 0xFF)};
		lc_buf_append(&z, h, 5);
		lc_buf_append(&z, raw + off, n);
		off += n;
	}
	unsigned char ad[4];
	be32(ad, b2 << 16 | a);
	lc_buf_append(&z, ad, 4);
	free(raw);
	lc_buf_append(&png, "\x89PNG\r\n\x1a\n", 8);
	unsigned char ihdr[13];
	be32(ihdr, W);
	be32(ihdr + 4, H);
	ihdr[8] = 8;  /* bit depth */
	ihdr[9] = 2;  /* RGB */
	ihdr[10] = 0; /* deflate */
	ihdr[11] = 0;
	ihdr[12] = 0;
	png_chunk(&png, "IHDR", ihdr, sizeof(ihdr));
	png_chunk(&png, "IDAT", (const unsigned char *)z.data, z.len);
	png_chunk(&png, "IEND", NULL, 0);
	bool bad = z.overflow || png.overflow;
	lc_buf_free(&z);
	if (bad) {
		lc_buf_free(&png);
		return NULL;
	}
	return lc_buf_steal(&png, len);
}

/* date = today shifted by years and days, as YYYY-MM-DD. */
static void date_from_today(int years, int days, char out[11])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	tm.tm_year += years;
	tm.tm_mday += days;
	tm.tm_hour = 12;
	time_t t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

struct demo_doc {
	const char *kind, *member_id, *filename, *valid_until, *title;
	const char *lines[6];
	bool png;
};

static int demo_insert(struct lc_db *db, const char *hh, const char *user_id, const struct demo_doc *d,
                       char id[37])
{
	size_t len = 0;
	char *data = d->png ? demo_png(&len) : demo_pdf(d->title, d->lines, &len);
	if (!data)
		return -1;
	int rc = fam_db_document_insert(db, hh, d->member_id, d->kind, d->filename,
	                                d->png ? "image/png" : "application/pdf", data, len, d->valid_until,
	                                user_id, id);
	free(data);
	return rc;
}

static int demo_member(struct lc_db *db, const char *hh, const char *relation, const char *given,
                       const char *family, const char *birth, const char *sex, const char *klass, char id[37])
{
	const char *p[] = {hh, relation, given, family, birth, sex, klass};
	return fam_exec_first(db, "fam_member_insert", 7, p, id, 37) == 1 ? 0 : -1;
}

int family_seed_demo(struct lc_db *db, const char *user_id)
{
	char hh[37];
	if (fam_db_ensure_household(db, user_id, hh) != 1)
		return -1;
	const char *h[] = {hh};
	PGresult *r = lc_db_exec(db, "fam_hh_counts", 1, h);
	if (!r)
		return -1;
	int members = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (members > 1)
		return 0; /* seeded already */
	const char *u[] = {user_id};
	r = lc_db_exec(db, "fam_user_get", 1, u);
	if (!r || PQntuples(r) != 1) {
		PQclear(r);
		return -1;
	}
	char given[128], family[128];
	snprintf(given, sizeof(given), "%s", PQgetvalue(r, 0, 0));
	snprintf(family, sizeof(family), "%s", PQgetvalue(r, 0, 1));
	PQclear(r);

	const char *addr[] = {hh, "12 rue des Tilleuls", NULL, "45630", "Beaulieu-sur-Loire"};
	const char *self_birth[] = {user_id, "1987-05-14", "F"};
	if (fam_exec_first(db, "fam_hh_address", 5, addr, NULL, 0) != 1 ||
	    fam_exec_first(db, "fam_member_set_birth", 3, self_birth, NULL, 0) < 0)
		return -1;
	char self_id[37];
	if (fam_exec_first(db, "fam_member_of_user", 1, u, self_id, sizeof(self_id)) != 1)
		return -1;
	char ce1_birth[11], ms_birth[11], partner[37], lea[37], hugo[37];
	date_from_today(-7, -75, ce1_birth); /* 7 years old, in CE1 */
	date_from_today(-4, -120, ms_birth); /* 4 years old, in moyenne section */
	if (demo_member(db, hh, "adult", "Julien", family, "1985-09-03", "M", NULL, partner) < 0 ||
	    demo_member(db, hh, "child", "Léa", family, ce1_birth, "F", "ce1", lea) < 0 ||
	    demo_member(db, hh, "child", "Hugo", family, ms_birth, "M", "ms", hugo) < 0)
		return -1;

	char id_until[11], addr_until[11], qf_until[24], cert[37], tmp[37];
	date_from_today(8, 0, id_until);
	date_from_today(0, 90, addr_until);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	snprintf(qf_until, sizeof(qf_until), "%04d-12-31", tm.tm_year + 1900 + 1);
	char self_name[300], partner_name[300], lea_name[300], hugo_name[300];
	snprintf(self_name, sizeof(self_name), "Titulaire : %s %s", given, family);
	snprintf(partner_name, sizeof(partner_name), "Titulaire : Julien %s", family);
	snprintf(lea_name, sizeof(lea_name), "Enfant : Léa %s, née le %s", family, ce1_birth);
	snprintf(hugo_name, sizeof(hugo_name), "Enfant : Hugo %s, né le %s", family, ms_birth);
	const char *demo_note = "Document de démonstration généré par Civitas.";
	const struct demo_doc docs[] = {
	    {"identity",
	     self_id,
	     "carte-identite.pdf",
	     id_until,
	     "Carte nationale d'identité",
	     {self_name, demo_note, NULL},
	     false},
	    {"identity",
	     partner,
	     "carte-identite-julien.pdf",
	     id_until,
	     "Carte nationale d'identité",
	     {partner_name, demo_note, NULL},
	     false},
	    /* The conservatoire asks for the pupil's identity document (Léa is old enough). */
	    {"identity",
	     lea,
	     "carte-identite-lea.pdf",
	     id_until,
	     "Carte nationale d'identité",
	     {lea_name, demo_note, NULL},
	     false},
	    {"family_record_book",
	     NULL,
	     "livret-de-famille.pdf",
	     NULL,
	     "Livret de famille",
	     {"Mariage et naissances des enfants", lea_name, hugo_name, demo_note, NULL},
	     false},
	    {"proof_of_address", NULL, "justificatif-domicile.png", addr_until, NULL, {NULL}, true},
	    {"health_record",
	     lea,
	     "carnet-vaccinations-lea.pdf",
	     NULL,
	     "Carnet de santé — vaccinations",
	     {lea_name, "DTP, coqueluche, Hib, hépatite B, pneumocoque, ROR, méningocoque C : à jour",
	      demo_note, NULL},
	     false},
	    {"health_record",
	     hugo,
	     "carnet-vaccinations-hugo.pdf",
	     NULL,
	     "Carnet de santé — vaccinations",
	     {hugo_name, "DTP, coqueluche, Hib, hépatite B, pneumocoque, ROR, méningocoque C : à jour",
	      demo_note, NULL},
	     false},
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (demo_insert(db, hh, user_id, &docs[i], tmp) < 0)
			return -1;
	char qf_line[96];
	snprintf(qf_line, sizeof(qf_line), "Quotient familial : 850 €, valable jusqu'au 31/12/%04d",
	         tm.tm_year + 1900 + 1);
	const struct demo_doc qf = {"qf_certificate",
	                            NULL,
	                            "attestation-quotient-familial.pdf",
	                            qf_until,
	                            "Attestation de quotient familial (CAF)",
	                            {self_name, qf_line, demo_note, NULL},
	                            false};
	if (demo_insert(db, hh, user_id, &qf, cert) < 0)
		return -1;
	const char *declare[] = {hh, "850", cert};
	const char *verify[] = {hh, "850", qf_until, NULL};
	if (fam_exec_first(db, "fam_qf_declare", 3, declare, NULL, 0) < 0 ||
	    fam_exec_first(db, "fam_qf_verify", 4, verify, NULL, 0) != 1)
		return -1;
	return 0;
}

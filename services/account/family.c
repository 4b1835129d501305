/* family.c — the family side's answers to the identity side (family.h): the household of a
 * user, GDPR export and erasure, and the demo household (its documents are files shipped in
 * demo-documents/). */
#include "family.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/buf.h"
#include "civitas/crypto.h"
#include "civitas/db.h"
#include "civitas/log.h"

#include "account.h"
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

/* The demo documents are files shipped with the daemon (services/account/demo-documents,
 * installed beside the templates): real PDFs and a PNG, read when the demo is seeded. */
#define DEMO_FILE_MAX (1024 * 1024)

struct demo_doc {
	const char *kind, *member_id, *filename, *valid_until;
};

static int demo_insert(struct lc_db *db, const char *hh, const char *user_id, const struct demo_doc *d,
                       char id[37])
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", account_demo_dir, d->filename);
	size_t len = 0;
	char *data = lc_file_read(path, DEMO_FILE_MAX, &len);
	if (!data) {
		lc_error("demo document %s: %s", path, strerror(errno));
		return -1;
	}
	const char *mime = lc_sniff_mime(data, len);
	int rc = mime ? fam_db_document_insert(db, hh, d->member_id, d->kind, d->filename, mime, data, len,
	                                       d->valid_until, user_id, id)
	              : -1;
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
	char family[128];
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
	/* Three identity cards (the conservatoire asks for the pupil's: Léa is old enough), the
	 * family record book, an address proof, two health records; then the QF certificate. */
	const struct demo_doc docs[] = {
	    {"identity", self_id, "carte-identite.pdf", id_until},
	    {"identity", partner, "carte-identite-julien.pdf", id_until},
	    {"identity", lea, "carte-identite-lea.pdf", id_until},
	    {"family_record_book", NULL, "livret-de-famille.pdf", NULL},
	    {"proof_of_address", NULL, "justificatif-domicile.png", addr_until},
	    {"health_record", lea, "carnet-vaccinations-lea.pdf", NULL},
	    {"health_record", hugo, "carnet-vaccinations-hugo.pdf", NULL},
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (demo_insert(db, hh, user_id, &docs[i], tmp) < 0)
			return -1;
	const struct demo_doc qf = {"qf_certificate", NULL, "attestation-quotient-familial.pdf", qf_until};
	if (demo_insert(db, hh, user_id, &qf, cert) < 0)
		return -1;
	const char *declare[] = {hh, "850", cert};
	const char *verify[] = {hh, "850", qf_until, NULL};
	if (fam_exec_first(db, "fam_qf_declare", 3, declare, NULL, 0) < 0 ||
	    fam_exec_first(db, "fam_qf_verify", 4, verify, NULL, 0) != 1)
		return -1;
	return 0;
}

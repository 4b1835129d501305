/* test_teleservices_itest.h — helpers of the teleservices integration tests: the daemon
 * in-process, people, households and vault documents made straight in account's tables (the
 * real account daemon of the stack answers the internal calls), and calls with a token. */
#ifndef CIVITAS_TEST_TELESERVICES_ITEST_H
#define CIVITAS_TEST_TELESERVICES_ITEST_H

#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civitas/crypto.h"
#include "civitas/service.h"

#include "itest.h"
#include "routes.h"

static struct lc_running *ts_svc;
static char ts_base[64];
static PGconn *acc_pg, *tele_pg;

struct person {
	char id[37], email[96], auth[4200];
	char household[37], adult[37], child[37], baby[37];
	char doc_book[37], doc_address[37], doc_health[37], doc_qf[37], doc_identity_child[37];
};

static inline void ts_start(void)
{
	itest_service_env("teleservices");
	ts_svc = lc_service_start(&teleservices_service);
	ck_assert_ptr_nonnull(ts_svc);
	snprintf(ts_base, sizeof(ts_base), "http://127.0.0.1:%u", lc_service_port(ts_svc));
	acc_pg = itest_db("CIVITAS_TEST_ACCOUNT_DB_URL");
	tele_pg = itest_db("CIVITAS_TEST_TELESERVICES_DB_URL");
}

static inline void ts_stop(void)
{
	PQfinish(acc_pg);
	PQfinish(tele_pg);
	lc_service_stop(ts_svc);
}

static inline const char *ts_url(const char *path)
{
	static __thread char u[4096]; /* per thread: concurrency tests build URLs from many threads */
	snprintf(u, sizeof(u), "%s/api/teleservices/v1%s", ts_base, path);
	return u;
}

/* A user row in account (citizen, agent or admin) and a token with those services. */
static inline void person_make(struct person *u, const char *given, const char *role, const char *services)
{
	memset(u, 0, sizeof(*u));
	itest_account_user(acc_pg, given, role, services, u->id, u->email, u->auth);
}

/* A document in the household's vault with these bytes. */
static inline void vault_doc(struct person *u, const char *member, const char *kind, const char *bytes,
                             char out[37])
{
	char sha[65], size[24];
	lc_sha256_hex(bytes, strlen(bytes), sha);
	snprintf(size, sizeof(size), "%zu", strlen(bytes));
	const char *p[] = {u->household, member, kind, sha, size, u->id};
	snprintf(
	    out, 37, "%.36s",
	    itest_sql1(
	        acc_pg,
	        "INSERT INTO documents (household_id, member_id, kind, filename, mime, size, sha256, "
	        "uploaded_by)"
	        " VALUES ($1, NULLIF($2, '')::uuid, $3, $3 || '.pdf', 'application/pdf', $5::bigint, $4, $6)"
	        " RETURNING id",
	        6, p));
	const char *q[] = {out, bytes};
	PQclear(itest_sql(
	    acc_pg,
	    "INSERT INTO document_contents (document_id, content) VALUES ($1, convert_to($2, 'UTF8'))", 2,
	    q));
}

/* A household: the person (adult), a child of 7 and a baby of 1, with the school documents of
 * the child and the household's quotient certificate in the vault. */
static inline void household_make(struct person *u)
{
	snprintf(
	    u->household, sizeof(u->household), "%.36s",
	    itest_sql1(
	        acc_pg,
	        "INSERT INTO households (address_line1, postcode, city) VALUES ('3 rue des Lilas', '45190',"
	        " 'Beaulieu-sur-Loire') RETURNING id",
	        0, NULL));
	const char *p[] = {u->household, u->id};
	snprintf(u->adult, sizeof(u->adult), "%.36s",
	         itest_sql1(acc_pg,
	                    "INSERT INTO household_members (household_id, relation, given_name, family_name, "
	                    "birth_date, user_id)"
	                    " VALUES ($1, 'adult', 'Camille', 'Martin', '1988-04-02', $2) RETURNING id",
	                    2, p));
	snprintf(
	    u->child, sizeof(u->child), "%.36s",
	    itest_sql1(
	        acc_pg,
	        "INSERT INTO household_members (household_id, relation, given_name, family_name, birth_date)"
	        " VALUES ($1, 'child', 'Léo', 'Martin', (current_date - interval '7 years')::date) "
	        "RETURNING id",
	        1, p));
	snprintf(
	    u->baby, sizeof(u->baby), "%.36s",
	    itest_sql1(
	        acc_pg,
	        "INSERT INTO household_members (household_id, relation, given_name, family_name, birth_date)"
	        " VALUES ($1, 'child', 'Inès', 'Martin', (current_date - interval '1 year')::date) "
	        "RETURNING id",
	        1, p));
	vault_doc(u, u->child, "family_record_book", "%PDF-1.4 livret de famille", u->doc_book);
	vault_doc(u, "", "proof_of_address", "%PDF-1.4 facture edf", u->doc_address);
	vault_doc(u, u->child, "health_record", "%PDF-1.4 carnet de sante", u->doc_health);
	vault_doc(u, "", "qf_certificate", "%PDF-1.4 attestation caf", u->doc_qf);
	vault_doc(u, u->child, "identity", "%PDF-1.4 carte identite", u->doc_identity_child);
}

/* A call with a token (auth may be NULL), a JSON body (may be NULL) and one more header. */
static inline void call(struct itest_resp *r, const char *method, const char *path, const char *auth,
                        const char *json, const char *extra)
{
	itest_call(r, method, ts_url(path), auth, json, NULL, extra);
}

/* Does errors[] of a problem name this field? */
static inline bool has_error(const json_t *problem, const char *field)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(problem, "errors"), i,
	                   e) if (strcmp(itest_jstr(e, "field"), field) == 0) return true;
	return false;
}

/* A published procedure for oneself (état civil) with a fresh slug "<prefix>-xxxxxxxx", and a
 * citizen id that account does not know yet with a token for it. */
static inline void self_procedure_make(const char *prefix, char slug[48], char user[37], char auth[4200])
{
	char rnd[37];
	lc_uuid_v4(rnd);
	lc_uuid_v4(user);
	snprintf(slug, 48, "%s-%.8s", prefix, rnd);
	const char *pp[] = {slug};
	PQclear(itest_sql(tele_pg,
	                  "INSERT INTO procedures (slug, version, title, service, audience, status)"
	                  " VALUES ($1, 1, 'Attestation d''accueil', 'etat-civil', 'self', 'published')",
	                  1, pp));
	snprintf(auth, 4200, "%s", itest_bearer(user, "citizen", NULL));
}

/* A draft of procedure slug by the caller of auth; its id into id. */
static inline void draft_make(const char *slug, const char *auth, char id[37])
{
	char body[256];
	snprintf(body, sizeof(body), "{\"procedure\":\"%s\"}", slug);
	struct itest_resp r;
	call(&r, "POST", "/requests", auth, body, NULL);
	json_t *j = itest_expect(&r, 201);
	snprintf(id, 37, "%s", itest_jstr(j, "id"));
	json_decref(j);
}

static inline void seed_demo(void)
{
	const char *h[] = {itest_internal_auth(), "Content-Type: application/json", NULL};
	struct itest_resp r;
	char u[128];
	snprintf(u, sizeof(u), "%s/internal/v1/demo", ts_base);
	ck_assert_int_eq(itest_http("POST", u, h, "{}", 2, &r), 0);
	json_decref(itest_expect(&r, 200));
}

#endif

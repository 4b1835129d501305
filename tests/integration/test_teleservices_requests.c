/* test_teleservices_requests.c — civitas-teleservices in-process against the stack's database
 * and its real account daemon: procedures (validation, versions), requests for a child with
 * vault documents copied at submission, every missing field and document listed, idempotent
 * submit, the status machine (legal and illegal steps) with its timeline and notifications,
 * 404 for other citizens and other services, bundles all or nothing, the SLA arithmetic in
 * SQL and /sla, uploads, and connectors (signature, retry, status callback). */
#include <check.h>
#include <microhttpd.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <time.h>

#include "test_teleservices_itest.h"
#include "ts_logic.h"

static struct person citizen, other, agent_sco, agent_jeu, admin;

static void setup(void)
{
	ts_start();
	seed_demo();
	person_make(&citizen, "camille", "citizen", NULL);
	household_make(&citizen);
	person_make(&other, "paul", "citizen", NULL);
	person_make(&agent_sco, "agent-sco", "agent", "scolaire");
	person_make(&agent_jeu, "agent-jeu", "agent", "jeunesse");
	person_make(&admin, "admin", "admin", NULL);
}

static void teardown(void)
{
	ts_stop();
}

/* A school draft for the 7-year-old with the given answers and vault documents. Returns id. */
static const char *school_draft(const char *answers, bool with_docs, char id[37])
{
	char body[1024];
	if (with_docs)
		snprintf(body, sizeof(body),
		         "{\"procedure\":\"inscription-scolaire\",\"member_ids\":[\"%s\"],\"answers\":%s,"
		         "\"document_ids\":[\"%s\",\"%s\",\"%s\"]}",
		         citizen.child, answers, citizen.doc_book, citizen.doc_address, citizen.doc_health);
	else
		snprintf(body, sizeof(body),
		         "{\"procedure\":\"inscription-scolaire\",\"member_ids\":[\"%s\"],\"answers\":%s}",
		         citizen.child, answers);
	struct itest_resp r;
	call(&r, "POST", "/requests", citizen.auth, body, NULL);
	char loc[256];
	ck_assert_ptr_nonnull(itest_header(&r, "Location", loc, sizeof(loc)));
	json_t *j = itest_expect(&r, 201);
	ck_assert_str_eq(itest_jstr(j, "status"), "draft");
	snprintf(id, 37, "%s", itest_jstr(j, "id"));
	ck_assert_ptr_nonnull(strstr(loc, id));
	json_decref(j);
	return id;
}

static json_t *transition(const char *auth, const char *id, const char *to, const char *comment, long status)
{
	char path[128], body[512];
	snprintf(path, sizeof(path), "/requests/%s/transition", id);
	if (comment)
		snprintf(body, sizeof(body), "{\"to\":\"%s\",\"comment\":\"%s\"}", to, comment);
	else
		snprintf(body, sizeof(body), "{\"to\":\"%s\"}", to);
	struct itest_resp r;
	call(&r, "POST", path, auth, body, NULL);
	return itest_expect(&r, status);
}

static json_t *submit(const char *auth, const char *id, const char *key, long status)
{
	char path[128], h[200];
	snprintf(path, sizeof(path), "/requests/%s/submit", id);
	snprintf(h, sizeof(h), "Idempotency-Key: %s", key ? key : "");
	struct itest_resp r;
	call(&r, "POST", path, auth, NULL, key ? h : NULL);
	return itest_expect(&r, status);
}

/* A timestamp of an answer keeps the form every client parses: RFC 3339 in UTC, to the second
 * ("2026-01-05T10:00:00Z"), whichever SQL helper or cache wrote it. */
static void assert_rfc3339_utc(const char *field, const char *v)
{
	regex_t re;
	ck_assert_int_eq(
	    regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", REG_EXTENDED), 0);
	int rc = v ? regexec(&re, v, 0, NULL, 0) : REG_NOMATCH;
	regfree(&re);
	ck_assert_msg(rc == 0, "%s is not RFC 3339 UTC: %s", field, v ? v : "(null)");
}

static const char *GOOD = "{\"niveau\":\"CE1\",\"ecole\":\"jules-ferry\",\"cantine\":true}";

START_TEST(procedures_validation_and_versions)
{
	struct itest_resp r;
	/* The four demo procedures are public. */
	call(&r, "GET", "/procedures?service=scolaire", NULL, NULL, NULL);
	json_t *j = itest_expect(&r, 200);
	ck_assert_int_ge(json_array_size(json_object_get(j, "items")), 1);
	json_decref(j);
	static const char *const slugs[] = {"acte-de-naissance", "inscription-scolaire", "accueil-de-loisirs",
	                                    "inscription-conservatoire"};
	for (int i = 0; i < 4; i++) {
		char path[96];
		snprintf(path, sizeof(path), "/procedures/%s", slugs[i]);
		call(&r, "GET", path, NULL, NULL, NULL);
		j = itest_expect(&r, 200);
		ck_assert_int_eq(json_integer_value(json_object_get(j, "sla_days")), 6);
		json_decref(j);
	}
	/* Only admins create; a citizen gets 404, a bad definition 422 with every problem. */
	char slug[40], body[2048], rnd[37];
	lc_uuid_v4(rnd);
	snprintf(slug, sizeof(slug), "test-%.8s", rnd);
	snprintf(body, sizeof(body),
	         "{\"slug\":\"%s\",\"title\":\"Test\",\"service\":\"scolaire\",\"audience\":\"self\","
	         "\"fields\":[{\"name\":\"q\",\"label\":\"Q\",\"type\":\"text\",\"required\":true}],"
	         "\"required_documents\":[],\"status\":\"published\"}",
	         slug);
	call(&r, "POST", "/procedures", citizen.auth, body, NULL);
	json_decref(itest_expect(&r, 404));
	call(&r, "POST", "/procedures", admin.auth,
	     "{\"slug\":\"Bad Slug\",\"title\":\"\",\"service\":\"scolaire\",\"audience\":\"nobody\","
	     "\"fields\":[{\"name\":\"x\",\"label\":\"X\",\"type\":\"select\"}],"
	     "\"required_documents\":[{\"kind\":\"passport\",\"label\":\"P\"}]}",
	     NULL);
	j = itest_expect(&r, 422);
	ck_assert(has_error(j, "slug") && has_error(j, "title") && has_error(j, "audience"));
	ck_assert(has_error(j, "fields[0].options") && has_error(j, "required_documents[0].kind"));
	json_decref(j);
	call(&r, "POST", "/procedures", admin.auth, body, NULL);
	char etag[64];
	ck_assert_ptr_nonnull(itest_header(&r, "ETag", etag, sizeof(etag)));
	j = itest_expect(&r, 201);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), 1);
	char v1[37];
	snprintf(v1, sizeof(v1), "%s", itest_jstr(j, "id"));
	json_decref(j);
	call(&r, "POST", "/procedures", admin.auth, body, NULL);
	json_decref(itest_expect(&r, 409));
	/* A request made with version 1... */
	call(&r, "POST", "/requests", citizen.auth,
	     strcat(strcat(strcpy((char[200]){0}, "{\"procedure\":\""), slug),
	            "\",\"answers\":{\"q\":\"a\"}}"),
	     NULL);
	j = itest_expect(&r, 201);
	char req[37];
	snprintf(req, sizeof(req), "%s", itest_jstr(j, "id"));
	json_decref(j);
	/* ...PATCH without If-Match is 428, with a stale one 412, then a new version. */
	char path[96], im[96];
	snprintf(path, sizeof(path), "/procedures/%s", slug);
	call(&r, "PATCH", path, admin.auth, "{\"sla_days\":10}", NULL);
	json_decref(itest_expect(&r, 428));
	call(&r, "PATCH", path, admin.auth, "{\"sla_days\":10}", "If-Match: \"0000\"");
	json_decref(itest_expect(&r, 412));
	snprintf(im, sizeof(im), "If-Match: %s", etag);
	call(&r, "PATCH", path, admin.auth,
	     "{\"sla_days\":10,\"fields\":[{\"name\":\"q\",\"label\":\"Q2\",\"type\":\"number\"}]}", im);
	j = itest_expect(&r, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "sla_days")), 10);
	json_decref(j);
	/* The draft keeps version 1 (its text answer stays valid). */
	snprintf(path, sizeof(path), "/requests/%s", req);
	call(&r, "GET", path, citizen.auth, NULL, NULL);
	j = itest_expect(&r, 200);
	ck_assert_str_eq(itest_jstr(json_object_get(j, "procedure"), "id"), v1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "procedure"), "version")), 1);
	json_decref(j);
	json_decref(submit(citizen.auth, req, NULL, 200));
}
END_TEST

/* The request's current ETag as an If-Match header (into im), read as its owner. */
static void if_match_of(const char *id, char im[96])
{
	char path[128], etag[64];
	snprintf(path, sizeof(path), "/requests/%s", id);
	struct itest_resp r;
	call(&r, "GET", path, citizen.auth, NULL, NULL);
	ck_assert_ptr_nonnull(itest_header(&r, "ETag", etag, sizeof(etag)));
	json_decref(itest_expect(&r, 200));
	snprintf(im, 96, "If-Match: %s", etag);
}

/* A complete school request submitted: received, with its reference. Returns the request as the
 * submission answered it (decref it). */
static json_t *school_received(char id[37], char reference[32])
{
	school_draft(GOOD, true, id);
	json_t *j = submit(citizen.auth, id, NULL, 200);
	ck_assert_str_eq(itest_jstr(j, "status"), "received");
	snprintf(reference, 32, "%s", itest_jstr(j, "reference"));
	return j;
}

/* The id of the request document copied from vault document vault_id. */
static void copied_doc_of(const json_t *request, const char *vault_id, char out[37])
{
	size_t i;
	json_t *d;
	out[0] = '\0';
	json_array_foreach(json_object_get(request, "documents"), i, d)
	{
		ck_assert(json_is_true(json_object_get(d, "copied")));
		if (strcmp(itest_jstr(d, "vault_document_id"), vault_id) == 0)
			snprintf(out, 37, "%s", itest_jstr(d, "id"));
	}
}

START_TEST(school_refuses_wrong_member_and_foreign_vault)
{
	struct itest_resp r;
	/* Wrong member: the baby is too young. */
	char body[512];
	snprintf(body, sizeof(body), "{\"procedure\":\"inscription-scolaire\",\"member_ids\":[\"%s\"]}",
	         citizen.baby);
	call(&r, "POST", "/requests", citizen.auth, body, NULL);
	json_t *j = itest_expect(&r, 422);
	ck_assert(has_error(j, "member_ids[0]"));
	json_decref(j);
	/* A vault document of another household is not found. */
	snprintf(body, sizeof(body), "{\"procedure\":\"inscription-scolaire\",\"document_ids\":[\"%s\"]}",
	         citizen.doc_book);
	call(&r, "POST", "/requests", other.auth, body, NULL);
	j = itest_expect(&r, 422);
	ck_assert(has_error(j, "document_ids[0]"));
	json_decref(j);
}
END_TEST

START_TEST(school_submit_lists_every_missing_thing)
{
	/* A draft without documents nor answers: submit lists every missing thing. */
	char id[37];
	school_draft("{}", false, id);
	json_t *j = submit(citizen.auth, id, NULL, 422);
	ck_assert(has_error(j, "answers.niveau") && has_error(j, "answers.ecole"));
	char f[128];
	snprintf(f, sizeof(f), "documents.family_record_book.%s", citizen.child);
	ck_assert(has_error(j, f));
	snprintf(f, sizeof(f), "documents.proof_of_address.%s", citizen.child);
	ck_assert(has_error(j, f));
	snprintf(f, sizeof(f), "documents.health_record.%s", citizen.child);
	ck_assert(has_error(j, f));
	json_decref(j);
}
END_TEST

START_TEST(school_draft_edits_need_if_match)
{
	struct itest_resp r;
	char id[37], path[160], im[96], body[512];
	school_draft("{}", false, id);
	/* visible_if: a derogation needs its reason. Edits send the ETag they read. */
	if_match_of(id, im);
	snprintf(path, sizeof(path), "/requests/%s", id);
	snprintf(body, sizeof(body),
	         "{\"answers\":{\"niveau\":\"CE1\",\"ecole\":\"jules-ferry\",\"derogation\":true},"
	         "\"document_ids\":[\"%s\",\"%s\",\"%s\"]}",
	         citizen.doc_book, citizen.doc_address, citizen.doc_health);
	call(&r, "PATCH", path, citizen.auth, body, NULL);
	json_decref(itest_expect(&r, 428));
	call(&r, "PATCH", path, citizen.auth, body, "If-Match;"); /* curl sends it empty: as good as none */
	json_decref(itest_expect(&r, 428));
	call(&r, "PATCH", path, citizen.auth, body, im);
	char etag[80];
	ck_assert_ptr_nonnull(itest_header(&r, "ETag", etag, sizeof(etag)));
	json_t *j = itest_expect(&r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(j, "documents")), 3);
	json_decref(j);
	call(&r, "PATCH", path, citizen.auth, body, im); /* the ETag changed */
	char current[80];                                /* a 412 says which version is current */
	ck_assert_ptr_nonnull(itest_header(&r, "ETag", current, sizeof(current)));
	ck_assert_str_eq(current, etag);
	json_decref(itest_expect(&r, 412));
	j = submit(citizen.auth, id, "key-1", 422);
	ck_assert(has_error(j, "answers.motif_derogation"));
	ck_assert_int_eq(json_array_size(json_object_get(j, "errors")), 1);
	json_decref(j);
	/* Answering the reason with the new ETag is accepted. */
	if_match_of(id, im);
	call(&r, "PATCH", path, citizen.auth,
	     "{\"answers\":{\"niveau\":\"CE1\",\"ecole\":\"jules-ferry\",\"derogation\":true,"
	     "\"motif_derogation\":\"Garde par les grands-parents\"}}",
	     im);
	json_decref(itest_expect(&r, 200));
}
END_TEST

START_TEST(school_request_hidden_from_other_citizens)
{
	/* Someone else cannot see, edit, submit or cancel it. */
	struct itest_resp r;
	char id[37], path[160];
	school_draft("{}", false, id);
	snprintf(path, sizeof(path), "/requests/%s", id);
	call(&r, "GET", path, other.auth, NULL, NULL);
	json_decref(itest_expect(&r, 404));
	call(&r, "PATCH", path, other.auth, "{\"answers\":{}}", "If-Match: *");
	json_decref(itest_expect(&r, 404));
	json_decref(submit(other.auth, id, NULL, 404));
	snprintf(path, sizeof(path), "/requests/%s/cancel", id);
	call(&r, "POST", path, other.auth, NULL, NULL);
	json_decref(itest_expect(&r, 404));
}
END_TEST

START_TEST(school_submit_copies_vault_once)
{
	struct itest_resp r;
	char id[37], path[160];
	school_draft("{\"niveau\":\"CE1\",\"ecole\":\"jules-ferry\",\"derogation\":true,"
	             "\"motif_derogation\":\"Garde par les grands-parents\"}",
	             true, id);
	/* Submitted and received with a reference, documents copied. */
	json_t *j = submit(citizen.auth, id, "key-1", 200);
	ck_assert_str_eq(itest_jstr(j, "status"), "received");
	regex_t re;
	ck_assert_int_eq(regcomp(&re, "^[0-9]{4}-SCO-[0-9]{6}$", REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_int_eq(regexec(&re, itest_jstr(j, "reference"), 0, NULL, 0), 0);
	regfree(&re);
	char reference[32];
	snprintf(reference, sizeof(reference), "%s", itest_jstr(j, "reference"));
	json_t *tl = json_object_get(j, "timeline");
	ck_assert_int_eq(json_array_size(tl), 2);
	ck_assert_str_eq(itest_jstr(json_array_get(tl, 0), "to"), "submitted");
	ck_assert_str_eq(itest_jstr(json_array_get(tl, 1), "from"), "submitted");
	ck_assert_str_eq(itest_jstr(json_array_get(tl, 1), "to"), "received");
	ck_assert_str_eq(itest_jstr(json_array_get(tl, 1), "by"), "system");
	char copied_doc[37];
	copied_doc_of(j, citizen.doc_book, copied_doc);
	json_decref(j);
	/* Idempotent: the same key answers the same request, another key is a conflict. */
	j = submit(citizen.auth, id, "key-1", 200);
	ck_assert_str_eq(itest_jstr(j, "reference"), reference);
	json_decref(j);
	json_decref(submit(citizen.auth, id, "key-2", 409));
	/* The vault changes afterwards; the request keeps what was sent. */
	const char *pv[] = {citizen.doc_book};
	PQclear(itest_sql(acc_pg, "UPDATE document_contents SET content = 'changed' WHERE document_id = $1",
	                  1, pv));
	snprintf(path, sizeof(path), "/requests/%s/documents/%s", id, copied_doc);
	call(&r, "GET", path, citizen.auth, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(r.len, strlen("%PDF-1.4 livret de famille"));
	ck_assert(memcmp(r.body, "%PDF-1.4 livret de famille", r.len) == 0);
	itest_resp_free(&r);
}
END_TEST

START_TEST(school_request_seen_by_its_service_only)
{
	struct itest_resp r;
	char id[37], path[160], reference[32], copied_doc[37];
	json_t *j = school_received(id, reference);
	copied_doc_of(j, citizen.doc_book, copied_doc);
	json_decref(j);
	/* Agents: another service sees nothing; the school agent finds it in the queue. */
	snprintf(path, sizeof(path), "/requests/%s/documents/%s", id, copied_doc);
	call(&r, "GET", path, agent_jeu.auth, NULL, NULL);
	json_decref(itest_expect(&r, 404));
	snprintf(path, sizeof(path), "/requests/%s", id);
	call(&r, "GET", path, agent_jeu.auth, NULL, NULL);
	json_decref(itest_expect(&r, 404));
	call(&r, "GET", "/queue?service=scolaire", agent_jeu.auth, NULL, NULL);
	json_decref(itest_expect(&r, 404));
	call(&r, "GET", "/queue", citizen.auth, NULL, NULL);
	json_decref(itest_expect(&r, 404));
	char q[160];
	snprintf(q, sizeof(q), "/queue?service=scolaire&q=%s", reference);
	call(&r, "GET", q, agent_sco.auth, NULL, NULL);
	j = itest_expect(&r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 1);
	json_decref(j);
	call(&r, "GET", "/queue", agent_jeu.auth, NULL, NULL);
	j = itest_expect(&r, 200);
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(j, "items"), i, d)
	    ck_assert_str_eq(itest_jstr(d, "service"), "jeunesse");
	json_decref(j);
	/* Agent download is audited (an audit.* outbox event). */
	snprintf(path, sizeof(path), "/requests/%s/documents/%s", id, copied_doc);
	call(&r, "GET", path, agent_sco.auth, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	itest_resp_free(&r);
	const char *pa[] = {id};
	ck_assert_str_eq(itest_sql1(tele_pg,
	                            "SELECT count(*) FROM outbox WHERE topic = 'audit.document.download'"
	                            " AND payload->'data'->>'target_id' = $1",
	                            1, pa),
	                 "1");
}
END_TEST

START_TEST(school_request_steps_to_a_decision)
{
	struct itest_resp r;
	char id[37], path[160], reference[32];
	json_decref(school_received(id, reference));
	/* Illegal steps answer 409 and change nothing. */
	json_decref(transition(agent_sco.auth, id, "accepted", NULL, 409));
	json_decref(transition(agent_jeu.auth, id, "in_progress", NULL, 404));
	json_decref(transition(citizen.auth, id, "in_progress", NULL, 404));
	json_decref(transition(agent_sco.auth, id, "incomplete", NULL, 422)); /* needs a message */
	/* Ask for a missing document; the citizen adds one and resubmits: back to received. */
	json_t *j = transition(agent_sco.auth, id, "incomplete",
	                       "Merci de joindre un justificatif plus récent.", 200);
	ck_assert_str_eq(itest_jstr(j, "status"), "incomplete");
	ck_assert_int_eq(json_array_size(json_object_get(j, "messages")), 1);
	json_decref(j);
	snprintf(path, sizeof(path), "/requests/%s/documents?kind=proof_of_address&filename=facture.pdf", id);
	const char *pdf = "%PDF-1.7 nouvelle facture";
	const char *hu[] = {citizen.auth, "Content-Type: application/pdf", NULL};
	ck_assert_int_eq(itest_http("POST", ts_url(path), hu, pdf, strlen(pdf), &r), 0);
	json_decref(itest_expect(&r, 201));
	j = submit(citizen.auth, id, NULL, 200);
	ck_assert_str_eq(itest_jstr(j, "status"), "received");
	json_decref(j);
	json_decref(transition(agent_sco.auth, id, "in_progress", NULL, 200));
	/* Cancelling once in progress is refused. */
	snprintf(path, sizeof(path), "/requests/%s/cancel", id);
	call(&r, "POST", path, citizen.auth, NULL, NULL);
	json_decref(itest_expect(&r, 409));
	/* Private note and message. */
	snprintf(path, sizeof(path), "/requests/%s/notes", id);
	call(&r, "POST", path, agent_sco.auth, "{\"body\":\"Dossier vérifié par téléphone\"}", NULL);
	json_decref(itest_expect(&r, 201));
	call(&r, "POST", path, citizen.auth, "{\"body\":\"je peux ?\"}", NULL);
	json_decref(itest_expect(&r, 404));
	j = transition(agent_sco.auth, id, "accepted", "Bienvenue à l'école Jules-Ferry", 200);
	ck_assert_str_eq(itest_jstr(j, "status"), "accepted");
	ck_assert_int_eq(json_array_size(json_object_get(j, "notes")), 1);
	json_decref(j);
	json_decref(transition(agent_sco.auth, id, "rejected", "trop tard", 409));
	json_decref(transition(agent_sco.auth, id, "in_progress", NULL, 409));
	/* The citizen sees the whole timeline, no notes. */
	snprintf(path, sizeof(path), "/requests/%s", id);
	call(&r, "GET", path, citizen.auth, NULL, NULL);
	j = itest_expect(&r, 200);
	ck_assert_ptr_null(json_object_get(j, "notes"));
	json_t *tl = json_object_get(j, "timeline");
	static const char *const path_to[] = {"submitted", "received",    "incomplete",
	                                      "received",  "in_progress", "accepted"};
	ck_assert_int_eq(json_array_size(tl), 6);
	for (size_t i = 0; i < 6; i++) {
		json_t *s = json_array_get(tl, i);
		ck_assert_str_eq(itest_jstr(s, "to"), path_to[i]);
		ck_assert(json_is_string(json_object_get(s, "at")));
		ck_assert(json_object_get(s, "from") && json_object_get(s, "by") &&
		          json_object_get(s, "comment"));
	}
	ck_assert_str_eq(itest_jstr(json_array_get(tl, 2), "comment"),
	                 "Merci de joindre un justificatif plus récent.");
	json_decref(j);
	/* Mes demandes lists it with its next step. */
	call(&r, "GET", "/me/requests", citizen.auth, NULL, NULL);
	j = itest_expect(&r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 1);
	ck_assert(
	    json_is_string(json_object_get(json_array_get(json_object_get(j, "items"), 0), "next_step")));
	json_decref(j);
	/* Every notice went through the outbox to account: received ×2, incomplete, in_progress,
	 * accepted — each once, naming the reference. */
	const char *pn[] = {citizen.id};
	ck_assert_msg(
	    itest_wait_sql(acc_pg, "SELECT count(*) FROM notifications WHERE user_id = $1::uuid", 1, pn, "5",
	                   30),
	    "notifications: %s",
	    itest_sql1(acc_pg, "SELECT count(*) FROM notifications WHERE user_id = $1::uuid", 1, pn));
	const char *pr[] = {citizen.id, reference};
	ck_assert_str_eq(
	    itest_sql1(acc_pg,
	               "SELECT count(*) FROM notifications WHERE user_id = $1::uuid AND template = "
	               "'request_incomplete'"
	               " AND strpos(body, $2) > 0 AND strpos(body, 'justificatif plus récent') > 0",
	               2, pr),
	    "1");
	/* Stats received request.submitted and status changes with durations. */
	const char *pa[] = {id};
	ck_assert_str_eq(
	    itest_sql1(tele_pg,
	               "SELECT count(*) FROM outbox WHERE target = 'stats' AND topic = 'request.submitted'"
	               " AND payload->'data'->>'request_id' = $1",
	               1, pa),
	    "1");
	ck_assert_str_eq(
	    itest_sql1(
	        tele_pg,
	        "SELECT count(*) FROM outbox WHERE target = 'stats' AND topic = 'request.status_changed'"
	        " AND payload->'data'->>'request_id' = $1 AND payload->'data' ? 'processing_seconds'",
	        1, pa),
	    "6");
}
END_TEST

/* E-mails (the stack's account merges one request's notices over CIVITAS_MAIL_MERGE_S, a few
 * seconds in tests): received then in progress right after make one message naming the latest
 * state; a later step makes another. The agents of the service hear when the citizen writes
 * and completes the request; the agents of another service do not. */
START_TEST(request_mails_merge_steps_and_tell_the_agents)
{
	char id[37], reference[32], path[160], *m;
	const char *pa[] = {agent_sco.id, agent_jeu.id};
	PQclear(itest_sql(acc_pg, "UPDATE users SET services = '{scolaire}' WHERE id = $1::uuid", 1, pa));
	PQclear(itest_sql(acc_pg, "UPDATE users SET services = '{jeunesse}' WHERE id = $1::uuid", 1, pa + 1));
	json_decref(school_received(id, reference));
	json_decref(transition(agent_sco.auth, id, "in_progress", NULL, 200));
	m = itest_mail_wait(citizen.email, reference, 1, 60);
	bool latest = strstr(m, "en cours de traitement") && !strstr(m, "Nous avons bien re");
	free(m);
	ck_assert_msg(latest, "the merged mail names the latest step only");
	sleep(2); /* a second message for these two steps would have followed the first by now */
	ck_assert_int_eq(itest_mail_count(citizen.email, reference, NULL), 1);
	/* A later step: a second message, with the agent's words. */
	json_decref(
	    transition(agent_sco.auth, id, "incomplete", "Merci de joindre le carnet de vaccination.", 200));
	m = itest_mail_wait(citizen.email, reference, 2, 60);
	ck_assert_ptr_nonnull(strstr(m, "carnet de vaccination"));
	free(m);
	/* The citizen writes, then sends the request back; the agent takes it and accepts it at once
	 * (received, in progress, accepted in a few seconds: one more message to the citizen, the
	 * decision). The school's agents are told of the message and of the completion. */
	snprintf(path, sizeof(path), "/requests/%s/messages", id);
	struct itest_resp r;
	call(&r, "POST", path, citizen.auth, "{\"body\":\"Le carnet est joint, merci.\"}", NULL);
	json_decref(itest_expect(&r, 201));
	json_decref(submit(citizen.auth, id, NULL, 200));
	json_decref(transition(agent_sco.auth, id, "in_progress", NULL, 200));
	json_decref(transition(agent_sco.auth, id, "accepted", NULL, 200));
	m = itest_mail_wait(agent_sco.email, "Le carnet est joint, merci.", 1, 60);
	ck_assert_ptr_nonnull(strstr(m, "/admin/demarches/demande?id="));
	free(m);
	m = itest_mail_wait(agent_sco.email, "a complété sa demande", 1, 60);
	ck_assert_ptr_nonnull(strstr(m, reference));
	free(m);
	ck_assert_int_eq(itest_mail_count(agent_jeu.email, reference, NULL), 0);
	m = itest_mail_wait(citizen.email, reference, 3, 60);
	bool decision = strstr(m, "a été acceptée") != NULL;
	free(m);
	ck_assert_msg(decision, "the third message is the decision");
	sleep(2);
	ck_assert_int_eq(itest_mail_count(citizen.email, reference, NULL), 3);
}
END_TEST

START_TEST(cancel_and_uploads)
{
	struct itest_resp r;
	char id[37], path[200];
	school_draft(GOOD, true, id);
	/* Upload rules: the declared type must be what the bytes are; size capped. */
	snprintf(path, sizeof(path), "/requests/%s/documents?kind=other&filename=x.pdf", id);
	const char *hpng[] = {citizen.auth, "Content-Type: image/png", NULL};
	ck_assert_int_eq(itest_http("POST", ts_url(path), hpng, "%PDF-1.4 x", 10, &r), 0);
	json_decref(itest_expect(&r, 415));
	const char *htxt[] = {citizen.auth, "Content-Type: text/plain", NULL};
	ck_assert_int_eq(itest_http("POST", ts_url(path), htxt, "hello", 5, &r), 0);
	json_decref(itest_expect(&r, 415));
	size_t big = 10u * 1024 * 1024 + 1;
	char *buf = calloc(1, big);
	memcpy(buf, "%PDF-1.4", 8);
	const char *hpdf[] = {citizen.auth, "Content-Type: application/pdf", "Expect:", NULL};
	ck_assert_int_eq(itest_http("POST", ts_url(path), hpdf, buf, big, &r), 0);
	json_decref(itest_expect(&r, 413));
	free(buf);
	const char *hother[] = {other.auth, "Content-Type: application/pdf", NULL};
	ck_assert_int_eq(itest_http("POST", ts_url(path), hother, "%PDF-1.4 x", 10, &r), 0);
	json_decref(itest_expect(&r, 404));
	snprintf(path, sizeof(path), "/requests/%s/documents?kind=passport&filename=x.pdf", id);
	ck_assert_int_eq(itest_http("POST", ts_url(path), hpdf, "%PDF-1.4 x", 10, &r), 0);
	json_decref(itest_expect(&r, 422));
	/* Cancel a received request; then nothing more can happen to it. */
	json_t *j = submit(citizen.auth, id, NULL, 200);
	json_decref(j);
	snprintf(path, sizeof(path), "/requests/%s/cancel", id);
	call(&r, "POST", path, citizen.auth, "{\"comment\":\"Nous déménageons\"}", NULL);
	j = itest_expect(&r, 200);
	ck_assert_str_eq(itest_jstr(j, "status"), "cancelled");
	json_decref(j);
	call(&r, "POST", path, citizen.auth, NULL, NULL);
	json_decref(itest_expect(&r, 409));
	json_decref(transition(agent_sco.auth, id, "in_progress", NULL, 409));
	json_decref(submit(citizen.auth, id, NULL, 409));
}
END_TEST

START_TEST(bundles_all_or_nothing)
{
	struct itest_resp r;
	char school[37], leisure[37], body[1024];
	school_draft(GOOD, true, school);
	/* Leisure centre without its quotient certificate. */
	snprintf(body, sizeof(body),
	         "{\"procedure\":\"accueil-de-loisirs\",\"member_ids\":[\"%s\"],\"answers\":{\"periode\":"
	         "\"mercredis\","
	         "\"jours\":[\"mercredi\"],\"contact_urgence\":\"Mamie\",\"telephone_urgence\":\"06 12 34 56 "
	         "78\"},"
	         "\"document_ids\":[\"%s\"]}",
	         citizen.child, citizen.doc_health);
	call(&r, "POST", "/requests", citizen.auth, body, NULL);
	json_t *j = itest_expect(&r, 201);
	snprintf(leisure, sizeof(leisure), "%s", itest_jstr(j, "id"));
	json_decref(j);
	snprintf(body, sizeof(body), "{\"requests\":[\"%s\",\"%s\"]}", school, leisure);
	call(&r, "POST", "/bundles", citizen.auth, body, "Idempotency-Key: bundle-1");
	j = itest_expect(&r, 422);
	ck_assert(has_error(j, "requests[1].documents.qf_certificate"));
	json_decref(j);
	/* Nothing moved: the school request is still a draft. */
	char path[128];
	snprintf(path, sizeof(path), "/requests/%s", school);
	call(&r, "GET", path, citizen.auth, NULL, NULL);
	j = itest_expect(&r, 200);
	ck_assert_str_eq(itest_jstr(j, "status"), "draft");
	json_decref(j);
	/* Attach the certificate from the vault, then both go at once. */
	snprintf(path, sizeof(path), "/requests/%s/documents", leisure);
	snprintf(body, sizeof(body), "{\"document_id\":\"%s\"}", citizen.doc_qf);
	call(&r, "POST", path, citizen.auth, body, NULL);
	json_decref(itest_expect(&r, 201));
	snprintf(body, sizeof(body), "{\"requests\":[\"%s\",\"%s\"]}", school, leisure);
	call(&r, "POST", "/bundles", citizen.auth, body, "Idempotency-Key: bundle-1");
	j = itest_expect(&r, 201);
	json_t *reqs = json_object_get(j, "requests");
	ck_assert_int_eq(json_array_size(reqs), 2);
	ck_assert_str_eq(itest_jstr(json_array_get(reqs, 0), "status"), "received");
	ck_assert_str_eq(itest_jstr(json_array_get(reqs, 1), "status"), "received");
	ck_assert(strstr(itest_jstr(json_array_get(reqs, 1), "reference"), "-JEU-") != NULL);
	char bid[37];
	snprintf(bid, sizeof(bid), "%s", itest_jstr(j, "id"));
	json_decref(j);
	/* Replay with the same key answers the same bundle. */
	call(&r, "POST", "/bundles", citizen.auth, body, "Idempotency-Key: bundle-1");
	j = itest_expect(&r, 200);
	ck_assert_str_eq(itest_jstr(j, "id"), bid);
	json_decref(j);
	call(&r, "POST", "/bundles", citizen.auth, body, "Idempotency-Key: bundle-2");
	json_decref(itest_expect(&r, 422));
}
END_TEST

/* A published procedure of a new service of its own (prefix-<random>), and a bearer of the
 * school agent for that service. */
static void throwaway_service(const char *prefix, const char *title, char svc[40], char slug[48],
                              char agent_auth[4200])
{
	char rnd[37], body[1024];
	lc_uuid_v4(rnd);
	snprintf(svc, 40, "%s-%.8s", prefix, rnd);
	snprintf(slug, 48, "%s-%.8s", prefix, rnd);
	snprintf(body, sizeof(body),
	         "{\"slug\":\"%s\",\"title\":\"%s\",\"service\":\"%s\",\"audience\":\"self\","
	         "\"fields\":[],\"status\":\"published\"}",
	         slug, title, svc);
	struct itest_resp r;
	call(&r, "POST", "/procedures", admin.auth, body, NULL);
	json_decref(itest_expect(&r, 201));
	snprintf(agent_auth, 4200, "%s", itest_bearer(agent_sco.id, "agent", svc));
}

/* The queue's ids for a query of a service, in order, as "0,2" (indexes into ids; "?" for an
 * id not among them). */
static void queue_of(const char *auth, const char *svc, const char *query, char ids[][37], int n, char *out,
                     size_t cap)
{
	char path[256];
	snprintf(path, sizeof(path), "/queue?service=%s%s", svc, query);
	struct itest_resp r;
	call(&r, "GET", path, auth, NULL, NULL);
	json_t *j = itest_expect(&r, 200), *it;
	size_t i;
	out[0] = '\0';
	json_array_foreach(json_object_get(j, "items"), i, it)
	{
		int k = 0;
		while (k < n && strcmp(ids[k], itest_jstr(it, "id")) != 0)
			k++;
		snprintf(out + strlen(out), cap - strlen(out), "%s%c", i ? "," : "", k < n ? '0' + k : '?');
	}
	json_decref(j);
}

/* Each shape of the queue's filters is its own statement (db_teleservices.c, QUEUE): the open
 * work, all, an open status, a closed one, each with an assignee or not, the text filter. */
START_TEST(queue_shapes)
{
	char svc[40], slug[48], agent_auth[4200];
	struct itest_resp r;
	/* a title with what JSON escapes (the queue's items are written by the daemon) */
	throwaway_service("shp", "Formes \\\"\u00e0\\\" \\\\ \\/ x", svc, slug, agent_auth);
	/* 0 accepted, 1 rejected, 2 in progress (mine), 3 received, 4 accepted (mine), in that
	 * order of reception; none late. */
	char ids[5][37];
	static const char *const end[5] = {"accepted", "rejected", "in_progress", NULL, "accepted"};
	for (int i = 0; i < 5; i++) {
		draft_make(slug, citizen.auth, ids[i]);
		json_decref(submit(citizen.auth, ids[i], NULL, 200));
		if (end[i])
			json_decref(transition(agent_auth, ids[i], "in_progress", NULL, 200));
		if (end[i] && strcmp(end[i], "in_progress") != 0)
			json_decref(transition(agent_auth, ids[i], end[i], "ok", 200));
		if (i == 2 || i == 4) {
			char path[128];
			snprintf(path, sizeof(path), "/requests/%s/assign", ids[i]);
			call(&r, "POST", path, agent_auth, "{}", NULL);
			json_decref(itest_expect(&r, 200));
		}
	}
	static const struct {
		const char *query, *want;
	} cases[] = {
	    {"", "2,3"},
	    {"&late=false", "2,3"},
	    {"&late=true", ""},
	    {"&status=all", "0,1,2,3,4"},
	    {"&status=all&limit=2", "0,1"},
	    {"&status=all&limit=2&cursor=eyJvIjoyfQ", "2,3"}, /* {"o":2} */
	    {"&status=received", "3"},
	    {"&status=in_progress", "2"},
	    {"&status=submitted", ""},
	    {"&status=accepted", "0,4"},
	    {"&status=rejected", "1"},
	    {"&status=cancelled", ""},
	    {"&status=accepted&late=true", ""},
	    {"&assignee=me", "2"},
	    {"&assignee=me&status=all", "2,4"},
	    {"&assignee=me&status=in_progress", "2"},
	    {"&assignee=me&status=received", ""},
	    {"&assignee=me&status=accepted", "4"},
	    {"&assignee=me&status=rejected", ""},
	    {"&assignee=00000000-0000-0000-0000-0000000000aa&status=all", ""},
	    {"&q=formes&status=all", "0,1,2,3,4"},
	    {"&q=formes&assignee=me", "2"},
	    {"&q=formes&status=accepted&assignee=me", "4"},
	    {"&q=absent-partout", ""},
	};
	char got[64];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		queue_of(agent_auth, svc, cases[i].query, ids, 5, got, sizeof(got));
		ck_assert_msg(strcmp(got, cases[i].want) == 0, "queue%s: %s, want %s", cases[i].query, got,
		              cases[i].want);
	}
	/* Each item is request_summary_json's text, byte for byte, for the decided requests (their
	 * clock is stopped, so processing_seconds cannot move between the two reads); the open ones
	 * equal it as JSON, processing_seconds up to the seconds between the two reads. */
	char path[128];
	snprintf(path, sizeof(path), "/queue?service=%s&status=all", svc);
	call(&r, "GET", path, agent_auth, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	char *page = strndup(r.body, r.len);
	itest_resp_free(&r);
	for (int i = 0; i < 5; i++) {
		const char *pi[] = {ids[i]};
		const char *sql =
		    itest_sql1(tele_pg,
		               "SELECT request_summary_json(r, p)::text FROM requests r"
		               " JOIN procedures p ON p.id = r.procedure_id WHERE r.id = $1::uuid",
		               1, pi);
		if (i != 2 && i != 3) {
			ck_assert_msg(strstr(page, sql) != NULL, "item %d not in the page: %s", i, sql);
			continue;
		}
		json_t *want = json_loads(sql, 0, NULL), *all = json_loads(page, 0, NULL), *it,
		       *got_it = NULL;
		size_t k;
		json_array_foreach(json_object_get(all, "items"), k,
		                   it) if (strcmp(itest_jstr(it, "id"), ids[i]) == 0) got_it = it;
		ck_assert_ptr_nonnull(want);
		ck_assert_ptr_nonnull(got_it);
		/* the daemon's arithmetic of the running clock (running_seconds, rounded as numeric) */
		json_int_t secs_want = json_integer_value(json_object_get(want, "processing_seconds")),
		           secs_got = json_integer_value(json_object_get(got_it, "processing_seconds"));
		ck_assert(json_is_integer(json_object_get(got_it, "processing_seconds")));
		ck_assert_msg(secs_got <= secs_want && secs_got >= secs_want - 5,
		              "processing_seconds %lld, SQL %lld", (long long)secs_got, (long long)secs_want);
		json_object_del(want, "processing_seconds");
		json_object_del(got_it, "processing_seconds");
		ck_assert_msg(json_equal(want, got_it), "item %d differs from request_summary_json", i);
		json_decref(want);
		json_decref(all);
	}
	ck_assert(strstr(page, "\"title\": \"Formes \\\"\u00e0\\\" \\\\ / x\"") != NULL);
	free(page);
}
END_TEST

/* The reference of the first request of a queue page ("" when empty), asked with one more header
 * (may be NULL); the caller frees it. */
static char *first_reference(const char *auth, const char *path, const char *extra)
{
	struct itest_resp r;
	call(&r, "GET", path, auth, NULL, extra);
	json_t *j = itest_expect(&r, 200);
	char *ref = strdup(itest_jstr(json_array_get(json_object_get(j, "items"), 0), "reference"));
	json_decref(j);
	return ref;
}

/* The first request of a queue page (asked with one more header, may be NULL) has this status and
 * this assignee (a 200, not a 304). */
static void first_is(const char *auth, const char *path, const char *extra, const char *status,
                     const char *assignee)
{
	struct itest_resp r;
	call(&r, "GET", path, auth, NULL, extra);
	json_t *j = itest_expect(&r, 200), *it = json_array_get(json_object_get(j, "items"), 0);
	ck_assert_str_eq(itest_jstr(it, "status"), status);
	ck_assert_str_eq(itest_jstr(it, "assignee_id"), assignee);
	json_decref(j);
}

/* A queue page is kept for a second (h_agent.c): what an agent does through this daemon shows at
 * once, a write that bypasses it (another replica, SQL) within the second; an unchanged page
 * revalidates with its ETag; the text filter is never kept. */
START_TEST(queue_page_kept_for_a_second)
{
	char svc[40], slug[48], agent_auth[4200], id[37], path[160], etag[80], inm[100];
	struct itest_resp r;
	throwaway_service("kpt", "Page gardée", svc, slug, agent_auth);
	draft_make(slug, citizen.auth, id);
	json_decref(submit(citizen.auth, id, NULL, 200));
	snprintf(path, sizeof(path), "/queue?service=%s", svc);
	call(&r, "GET", path, agent_auth, NULL, NULL);
	ck_assert_ptr_nonnull(itest_header(&r, "ETag", etag, sizeof(etag)));
	char cc[40];
	ck_assert_str_eq(itest_header(&r, "Cache-Control", cc, sizeof(cc)), "no-store");
	json_t *j = itest_expect(&r, 200);
	json_t *it = json_array_get(json_object_get(j, "items"), 0);
	ck_assert_str_eq(itest_jstr(it, "id"), id);
	ck_assert(json_is_null(json_object_get(it, "assignee_id")));
	json_decref(j);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	call(&r, "GET", path, agent_auth, NULL, inm);
	ck_assert_int_eq(r.status, 304);
	itest_resp_free(&r);
	/* The agent takes it: the very next read shows it (an assignment clears the kept page too);
	 * then starts it: the next read shows that. */
	char act[128];
	snprintf(act, sizeof(act), "/requests/%s/assign", id);
	call(&r, "POST", act, agent_auth, "{}", NULL);
	json_decref(itest_expect(&r, 200));
	first_is(agent_auth, path, inm, "received", agent_sco.id);
	json_decref(transition(agent_auth, id, "in_progress", NULL, 200));
	first_is(agent_auth, path, NULL, "in_progress", agent_sco.id);
	/* A change this daemon did not make (another replica's) shows within the second; until then
	 * the kept page is sent (checked when this runs within half the second of the read that kept
	 * it: past that, the next read may refresh it ahead), unless the agent asks for a live one. */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	call(&r, "GET", path, agent_auth, NULL, NULL);
	json_decref(itest_expect(&r, 200));
	const char *pi[] = {id};
	PQclear(itest_sql(tele_pg, "UPDATE requests SET reference = 'KPT-HORS-DAEMON' WHERE id = $1::uuid", 1,
	                  pi));
	char *ref = first_reference(agent_auth, path, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 400)
		ck_assert_str_ne(ref, "KPT-HORS-DAEMON");
	free(ref);
	ref = first_reference(agent_auth, path, "Cache-Control: no-cache");
	ck_assert_str_eq(ref, "KPT-HORS-DAEMON");
	free(ref);
	usleep(1100 * 1000);
	ref = first_reference(agent_auth, path, NULL);
	ck_assert_str_eq(ref, "KPT-HORS-DAEMON");
	free(ref);
	/* The text filter reads every time: a second bypassing write shows at once. */
	char ids[1][37], got[16];
	memcpy(ids[0], id, sizeof(ids[0]));
	queue_of(agent_auth, svc, "&q=kpt-hors", ids, 1, got, sizeof(got));
	ck_assert_str_eq(got, "0");
	PQclear(itest_sql(tele_pg, "UPDATE requests SET reference = 'KPT-AUTRE' WHERE id = $1::uuid", 1, pi));
	queue_of(agent_auth, svc, "&q=kpt-hors", ids, 1, got, sizeof(got));
	ck_assert_str_eq(got, "");
}
END_TEST

START_TEST(sla_arithmetic)
{
	/* The SQL function on its own: 1 day received, 5 days incomplete, 2 days in progress. */
	static const char ats[] = "{2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,"
	                          "2026-01-07T00:00:00Z,2026-01-07T00:00:00Z,2026-01-09T00:00:00Z}";
	const char *p[] = {ats, "{submitted,received,incomplete,received,in_progress,accepted}",
	                   "2026-03-01T00:00:00Z"};
	ck_assert_str_eq(
	    itest_sql1(tele_pg,
	               "SELECT sla_processing_seconds($1::timestamptz[], $2::text[], $3::timestamptz)", 3, p),
	    "259200");
	/* The same with the C twin. */
	struct ts_step s[] = {{0, "submitted"},           {0, "received"},
	                      {86400, "incomplete"},      {6 * 86400, "received"},
	                      {6 * 86400, "in_progress"}, {8 * 86400, "accepted"}};
	ck_assert_double_eq(ts_processing_seconds(s, 6, 100 * 86400), 259200);
	/* Open and in progress: runs to now. */
	const char *p2[] = {"{2026-01-01T00:00:00Z,2026-01-03T00:00:00Z}", "{received,in_progress}",
	                    "2026-01-05T12:00:00Z"};
	ck_assert_str_eq(
	    itest_sql1(tele_pg,
	               "SELECT sla_processing_seconds($1::timestamptz[], $2::text[], $3::timestamptz)", 3,
	               p2),
	    "388800");

	/* /sla over requests of a throwaway service: three decided (2, 4 and 9 days, one with 20
	 * days incomplete in between), one open and late. */
	char svc[40], slug[48], agent_auth[4200];
	struct itest_resp r;
	throwaway_service("sla", "SLA", svc, slug, agent_auth);
	char ids[4][37];
	for (int i = 0; i < 4; i++) {
		draft_make(slug, citizen.auth, ids[i]);
		json_decref(submit(citizen.auth, ids[i], NULL, 200));
		if (i == 2) {
			json_decref(transition(agent_auth, ids[i], "incomplete", "pièce", 200));
			json_decref(submit(citizen.auth, ids[i], NULL, 200));
		}
		json_decref(transition(agent_auth, ids[i], "in_progress", NULL, 200));
		if (i < 3)
			json_decref(
			    transition(agent_auth, ids[i], i == 1 ? "rejected" : "accepted", "ok", 200));
	}
	/* Rewrite the timelines from T0 = 40 days ago: 2 and 4 days; 1 day then 20 days incomplete
	 * then 8 days (9 counted); an open one in progress for 40 days. */
	static const char *const tl[4][2] = {
	    {"{0,0,1,2}", "{submitted,received,in_progress,accepted}"},
	    {"{0,0,1,4}", "{submitted,received,in_progress,rejected}"},
	    {"{0,0,1,21,21,29}", "{submitted,received,incomplete,received,in_progress,accepted}"},
	    {"{0,0,1}", "{submitted,received,in_progress}"},
	};
	for (int i = 0; i < 4; i++) {
		const char *q[] = {ids[i], tl[i][0], tl[i][1]};
		PQclear(itest_sql(tele_pg, "DELETE FROM request_steps WHERE request_id = $1::uuid", 1, q));
		PQclear(itest_sql(
		    tele_pg,
		    "INSERT INTO request_steps (request_id, at, to_status, by_role)"
		    " SELECT $1::uuid, now() - interval '40 days' + d * interval '1 day', st, 'system'"
		    " FROM unnest($2::int[], $3::text[]) WITH ORDINALITY AS u(d, st, n) ORDER BY n",
		    3, q));
		PQclear(itest_sql(
		    tele_pg,
		    "UPDATE requests SET received_at = now() - interval '40 days',"
		    " processing_s = CASE WHEN status = 'in_progress' THEN 0 ELSE processing_s END,"
		    " clock_since = CASE WHEN status = 'in_progress' THEN now() - interval '39 days' END"
		    " WHERE id = $1::uuid",
		    1, q));
	}
	char path[160];
	snprintf(path, sizeof(path), "/sla?service=%s&from=2000-01-01", svc);
	call(&r, "GET", path, agent_auth, NULL, NULL);
	json_t *j = itest_expect(&r, 200);
	json_t *row = json_array_get(json_object_get(j, "services"), 0);
	ck_assert_msg(row != NULL, "no SLA row");
	ck_assert_int_eq(json_integer_value(json_object_get(row, "count")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "decided")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "median_seconds")), 4 * 86400);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "late")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "open_late")), 1);
	double share = json_number_value(json_object_get(row, "within_sla_share"));
	ck_assert(share > 0.66 && share < 0.67);
	char computed_at[32];
	snprintf(computed_at, sizeof(computed_at), "%s", itest_jstr(j, "computed_at"));
	assert_rfc3339_utc("computed_at", computed_at);
	json_decref(j);
	/* Late requests come first in the queue; its timestamps are RFC 3339 UTC. */
	snprintf(path, sizeof(path), "/queue?service=%s&status=all", svc);
	call(&r, "GET", path, agent_auth, NULL, NULL);
	j = itest_expect(&r, 200);
	json_t *first = json_array_get(json_object_get(j, "items"), 0);
	ck_assert_str_eq(itest_jstr(first, "id"), ids[3]);
	ck_assert(json_is_true(json_object_get(first, "late")));
	static const char *const stamps[] = {"submitted_at", "received_at", "created_at", "updated_at"};
	for (size_t k = 0; k < sizeof(stamps) / sizeof(stamps[0]); k++)
		assert_rfc3339_utc(stamps[k], itest_jstr(first, stamps[k]));
	ck_assert(json_is_null(json_object_get(first, "decided_at")));
	json_decref(j);
	snprintf(path, sizeof(path), "/queue?service=%s&late=true", svc);
	call(&r, "GET", path, agent_auth, NULL, NULL);
	j = itest_expect(&r, 200);
	ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 1);
	json_decref(j);
	/* Another service's agent: 404; the CSV export for the service. */
	call(&r, "GET", path, agent_jeu.auth, NULL, NULL);
	json_decref(itest_expect(&r, 404));
	snprintf(path, sizeof(path), "/exports/%s.csv?from=2000-01-01", svc);
	call(&r, "GET", path, agent_auth, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert(strncmp(r.body, "reference,procedure,", 20) == 0);
	int lines = 0;
	for (const char *c = r.body; *c; c++)
		lines += *c == '\n';
	ck_assert_int_eq(lines, 5);
	itest_resp_free(&r);
	call(&r, "GET", path, agent_jeu.auth, NULL, NULL);
	json_decref(itest_expect(&r, 404));

	/* The figures are kept for a while: the same question within the window gets the same
	 * answer, computed at the same instant, even after the database changed behind the
	 * service's back (SQL)... */
	snprintf(path, sizeof(path), "/sla?service=%s&from=2000-01-01", svc);
	const char *pd[] = {ids[0]};
	PQclear(itest_sql(tele_pg, "UPDATE requests SET status = 'cancelled' WHERE id = $1::uuid", 1, pd));
	call(&r, "GET", path, agent_auth, NULL, NULL);
	j = itest_expect(&r, 200);
	ck_assert_str_eq(itest_jstr(j, "computed_at"), computed_at);
	row = json_array_get(json_object_get(j, "services"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "decided")), 3);
	json_decref(j);
	PQclear(itest_sql(tele_pg, "UPDATE requests SET status = 'accepted' WHERE id = $1::uuid", 1, pd));
	/* ...and a change of status through the service clears them: the open request decided. */
	json_decref(transition(agent_auth, ids[3], "accepted", "ok", 200));
	call(&r, "GET", path, agent_auth, NULL, NULL);
	j = itest_expect(&r, 200);
	row = json_array_get(json_object_get(j, "services"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "decided")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(row, "open")), 0);
	assert_rfc3339_utc("computed_at", itest_jstr(j, "computed_at"));
	json_decref(j);
}
END_TEST

/* ---------- connector: a receiver that fails once, then checks signatures ---------- */

static atomic_int hits, good_sigs;
static char received_body[65536];
static const char *CONN_SECRET = "connector-secret-for-tests-0123";

struct upload {
	char *data;
	size_t len;
};

static enum MHD_Result on_conn(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *data, size_t *size, void **state)
{
	struct upload *u = *state;
	if (!u) {
		u = calloc(1, sizeof(*u));
		*state = u;
		return MHD_YES;
	}
	if (*size) {
		u->data = realloc(u->data, u->len + *size + 1);
		memcpy(u->data + u->len, data, *size);
		u->len += *size;
		u->data[u->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	int n = atomic_fetch_add(&hits, 1) + 1;
	const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Civitas-Signature");
	if (ts_signature_ok(sig, CONN_SECRET, u->data ? u->data : "", u->len, time(NULL), 300)) {
		atomic_fetch_add(&good_sigs, 1);
		snprintf(received_body, sizeof(received_body), "%s", u->data ? u->data : "");
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc = MHD_queue_response(c, n == 1 ? 503 : 200, resp);
	MHD_destroy_response(resp);
	return rc;
}

static void on_done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode t)
{
	struct upload *u = *state;
	if (u) {
		free(u->data);
		free(u);
	}
	*state = NULL;
}

START_TEST(connector_signature_retry_and_status)
{
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_conn, NULL,
	                                        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
	ck_assert_ptr_nonnull(d);
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = info->port;
	char svc[40], rnd[37], slug[48], body[1024], path[160];
	lc_uuid_v4(rnd);
	snprintf(svc, sizeof(svc), "conn-%.8s", rnd);
	snprintf(slug, sizeof(slug), "conn-%.8s", rnd);
	struct itest_resp r;
	snprintf(path, sizeof(path), "/connectors/%s", svc);
	snprintf(body, sizeof(body),
	         "{\"url\":\"http://127.0.0.1:%u/hook\",\"secret\":\"%s\",\"events\":[\"accepted\"]}", port,
	         CONN_SECRET);
	call(&r, "PUT", path, agent_sco.auth, body, NULL);
	json_decref(itest_expect(&r, 404));
	call(&r, "PUT", path, admin.auth, body, NULL);
	json_t *j = itest_expect(&r, 200);
	ck_assert_ptr_null(json_object_get(j, "secret"));
	json_decref(j);
	snprintf(body, sizeof(body),
	         "{\"slug\":\"%s\",\"title\":\"Conn\",\"service\":\"%s\",\"audience\":\"self\",\"fields\":[],"
	         "\"status\":\"published\"}",
	         slug, svc);
	call(&r, "POST", "/procedures", admin.auth, body, NULL);
	json_decref(itest_expect(&r, 201));
	char id[37];
	draft_make(slug, citizen.auth, id);
	j = submit(citizen.auth, id, NULL, 200);
	char reference[32];
	snprintf(reference, sizeof(reference), "%s", itest_jstr(j, "reference"));
	json_decref(j);

	/* The software moves it to in_progress through the signed callback. */
	snprintf(path, sizeof(path), "/connectors/%s/status", svc);
	char cb[256], sig[160], sigh[200];
	snprintf(cb, sizeof(cb), "{\"reference\":\"%s\",\"status\":\"in_progress\"}", reference);
	ts_sign(CONN_SECRET, time(NULL) - 400, cb, strlen(cb), sig, sizeof(sig)); /* stale */
	snprintf(sigh, sizeof(sigh), "X-Civitas-Signature: %s", sig);
	call(&r, "POST", path, NULL, cb, sigh);
	json_decref(itest_expect(&r, 401));
	ts_sign("wrong-secret-0123456789", time(NULL), cb, strlen(cb), sig, sizeof(sig));
	snprintf(sigh, sizeof(sigh), "X-Civitas-Signature: %s", sig);
	call(&r, "POST", path, NULL, cb, sigh);
	json_decref(itest_expect(&r, 401));
	call(&r, "POST", path, NULL, cb, NULL);
	json_decref(itest_expect(&r, 401));
	ts_sign(CONN_SECRET, time(NULL), cb, strlen(cb), sig, sizeof(sig));
	snprintf(sigh, sizeof(sigh), "X-Civitas-Signature: %s", sig);
	call(&r, "POST", path, NULL, cb, sigh);
	j = itest_expect(&r, 200);
	ck_assert_str_eq(itest_jstr(j, "status"), "in_progress");
	json_decref(j);
	/* Accepted by an agent: posted to the software, refused once (503), retried, signed. */
	char agent_auth[4200];
	snprintf(agent_auth, sizeof(agent_auth), "%s", itest_bearer(agent_sco.id, "agent", svc));
	json_decref(transition(agent_auth, id, "accepted", "ok", 200));
	for (int i = 0; i < 200 && atomic_load(&good_sigs) < 2; i++)
		usleep(100 * 1000);
	ck_assert_int_ge(atomic_load(&hits), 2);
	ck_assert_int_eq(atomic_load(&good_sigs), 2);
	json_t *sent = json_loads(received_body, 0, NULL);
	ck_assert_ptr_nonnull(sent);
	ck_assert_str_eq(itest_jstr(sent, "event"), "request.accepted");
	ck_assert_str_eq(itest_jstr(json_object_get(sent, "request"), "reference"), reference);
	json_decref(sent);
	/* The callback cannot move a decided request. */
	snprintf(cb, sizeof(cb), "{\"request_id\":\"%s\",\"status\":\"rejected\",\"comment\":\"x\"}", id);
	ts_sign(CONN_SECRET, time(NULL), cb, strlen(cb), sig, sizeof(sig));
	snprintf(sigh, sizeof(sigh), "X-Civitas-Signature: %s", sig);
	call(&r, "POST", path, NULL, cb, sigh);
	json_decref(itest_expect(&r, 409));
	MHD_stop_daemon(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("teleservices_requests");
	TCase *tc = tcase_create("requests");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, procedures_validation_and_versions);
	tcase_add_test(tc, school_refuses_wrong_member_and_foreign_vault);
	tcase_add_test(tc, school_submit_lists_every_missing_thing);
	tcase_add_test(tc, school_draft_edits_need_if_match);
	tcase_add_test(tc, school_request_hidden_from_other_citizens);
	tcase_add_test(tc, school_submit_copies_vault_once);
	tcase_add_test(tc, school_request_seen_by_its_service_only);
	tcase_add_test(tc, school_request_steps_to_a_decision);
	tcase_add_test(tc, request_mails_merge_steps_and_tell_the_agents);
	tcase_add_test(tc, cancel_and_uploads);
	tcase_add_test(tc, bundles_all_or_nothing);
	tcase_add_test(tc, sla_arithmetic);
	tcase_add_test(tc, queue_shapes);
	tcase_add_test(tc, queue_page_kept_for_a_second);
	tcase_add_test(tc, connector_signature_retry_and_status);
	suite_add_tcase(s, tc);
	return itest_run(s);
}

/* ts_logic.h — the pure rules of teleservices, tested on their own: answers checked against a
 * procedure's fields (with visible_if), who may be the subject of a request, the status machine,
 * the SLA clock, reference numbers and connector signatures. No I/O, no database. */
#ifndef CIVITAS_TELESERVICES_TS_LOGIC_H
#define CIVITAS_TELESERVICES_TS_LOGIC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Is s (may be NULL) one of list (NULL-terminated)? */
bool ts_in_list(const char *s, const char *const *list);
/* Appends {field, code, message} to errors (a JSON array): the shape of errors[] in a problem. */
void ts_add_error(json_t *errors, const char *field, const char *code, const char *message);

/* Checks a procedure definition's fields[] (names, types, options...). Returns NULL when good,
 * else a new array of {field, code, message} with fields named "fields[i].x". */
json_t *ts_check_field_defs(const json_t *fields);
/* Checks required_documents[] likewise ("required_documents[i].x"). */
json_t *ts_check_document_defs(const json_t *docs);

/* Is field def visible given answers (visible_if: {field, equals} or {field, in: [..]})? */
bool ts_field_visible(const json_t *def, const json_t *answers);

/* Checks answers (an object) against fields. member_ids (array of uuid strings, may be NULL)
 * are the values a "member" field may take. complete: required fields must be there (submit);
 * otherwise only given values are checked (drafts). Appends {field: "answers.<name>", code,
 * message} to errors (a JSON array). Returns the number of errors added. */
size_t ts_check_answers(const json_t *fields, const json_t *answers, const json_t *member_ids, bool complete,
                        json_t *errors);

/* Checks that every required document is attached. required: the procedure's
 * required_documents; beneficiaries: [{member_id, user_id|null}] (empty for "self");
 * self_user_id: the citizen; attached: [{kind, member_id|null, age_days}]. A per-member
 * document is satisfied by one for that member or one for the whole household (member_id null).
 * Appends {field: "documents.<kind>[.<member_id>]", code: missing_document | document_too_old}.
 * Returns the number of errors added. */
size_t ts_check_documents(const json_t *required, const json_t *beneficiaries, const char *self_user_id,
                          const json_t *attached, json_t *errors);

/* A kind of supporting document (identity, family_record_book, ...)? */
bool ts_document_kind_ok(const char *kind);
/* A type a supporting document may have (PDF, JPEG, PNG)? */
bool ts_mime_allowed(const char *mime);

/* Whole years between birth (YYYY-MM-DD) and today (YYYY-MM-DD); -1 when a date is bad. */
int ts_age_years(const char *birth, const char *today);
/* Does a household member {relation, birth_date} fit member_filter {relation?, min_age?, max_age?}
 * (NULL or JSON null: everyone)? */
bool ts_member_fits(const json_t *filter, const json_t *member, const char *today);

/* Who a request is for, from the procedure's audience and the household snapshot hh (account's
 * {id, members: [...]}, may be NULL): "self" takes no member, "household" takes every member,
 * "member" takes member_ids, each of which must be in hh, fit member_filter on `today`
 * (YYYY-MM-DD) and appear once; errors name "member_ids[i]". benef gets the beneficiaries
 * snapshot and ids the chosen member ids (both new references, always set). */
void ts_resolve_members(const json_t *proc, const json_t *hh, const json_t *member_ids, const char *today,
                        json_t *errors, json_t **benef, json_t **ids);

/* Status machine. Actors: citizen, agent, system, connector. */
enum ts_actor { TS_CITIZEN, TS_AGENT, TS_SYSTEM, TS_CONNECTOR };
bool ts_status_known(const char *status);
/* May actor move a request from `from` to `to`? */
bool ts_transition_allowed(const char *from, const char *to, enum ts_actor actor);
/* Is the SLA clock running in this status (received, in_progress)? */
bool ts_clock_runs(const char *status);
/* Is it a decision (accepted, rejected)? */
bool ts_is_decision(const char *status);
/* The open work: submitted and not yet decided nor cancelled (REQ_OPEN of the queue). */
bool ts_status_open(const char *status);
/* The template that tells the citizen about entering `to`, or NULL when none. */
const char *ts_template_for(const char *to);
/* A short French label of the next step for the citizen. */
const char *ts_next_step(const char *status);

/* One step of a timeline for the SLA arithmetic: when, and the status entered. */
struct ts_step {
	int64_t at; /* unix seconds */
	const char *to;
};
/* Seconds spent received or in_progress: each step lasts until the next one, the last until now.
 * The same arithmetic as the SQL function sla_processing_seconds. */
double ts_processing_seconds(const struct ts_step *steps, size_t n, int64_t now);
/* Seconds on a request's SLA clock, as the SQL function running_seconds: processing_s counted so
 * far, plus the time from clock_since to now (microseconds on one epoch) while the clock runs. */
double ts_running_seconds(double processing_s, bool running, int64_t clock_since_us, int64_t now_us);
/* x as PostgreSQL's round(x::numeric, 0) gives it: the float read through its 15 significant
 * digits (float8 to numeric), then halves rounded away from zero. */
double ts_round_numeric(double x);

/* Three-letter service code for references (scolaire → SCO, etat-civil → ETC). out: 4 bytes. */
void ts_service_code(const char *service, char out[4]);
/* "2026-SCO-000123" into out (at least 24 bytes). */
void ts_reference(int year, const char *code, long n, char *out, size_t outlen);

/* "t=<unix>,v1=<hex>" for body signed with secret at time t. out: at least 96 bytes. */
void ts_sign(const char *secret, int64_t t, const char *body, size_t len, char *out, size_t outlen);
/* Checks a signature header against body: well formed, |now - t| <= tolerance_s, HMAC equal
 * (constant time). */
bool ts_signature_ok(const char *header, const char *secret, const char *body, size_t len, int64_t now,
                     int64_t tolerance_s);

/* "{a,b}" (a PostgreSQL uuid[] literal) for a JSON array of uuids already validated. Caller
 * frees; NULL when out of memory. */
char *ts_uuid_array(const json_t *ids);
/* len bytes of data as bytea hex input (a backslash, x, two digits a byte). Caller frees;
 * NULL when out of memory. */
char *ts_bytea_hex(const char *data, size_t len);

#endif

/* db_teleservices.c — every SQL statement of the teleservices service, named and prepared on
 * each connection. JSON shapes are built by the SQL functions of the migrations. */
#include <stddef.h>

#include "ts.h"

#define REQ_OPEN   "('submitted', 'received', 'in_progress', 'incomplete')"
#define REQ_CLOSED "('accepted', 'rejected', 'cancelled')"

/* A request as struct ts_req_row holds it (ts_req_lock, ts_req_read). */
#define REQ_ROW                                                                                              \
	"SELECT r.user_id, r.status, r.service, r.procedure_id, r.lock_version, coalesce(r.submit_key, '')," \
	" coalesce(r.household_id::text, ''), to_json(r.member_ids)::text, r.answers::text,"                 \
	" coalesce(r.reference, ''), p.title, p.slug, p.sla_days,"                                           \
	" running_seconds(r.processing_s, r.clock_since, now()), coalesce(r.bundle_id::text, '')"            \
	" FROM requests r JOIN procedures p ON p.id = r.procedure_id WHERE r.id = $1::uuid"

/* The agents' queue. "Late" is the stored deadline passed (due_at, kept by a trigger: migration
 * 0130), so it needs neither the procedure nor any arithmetic per row. Every queue statement takes
 * the same parameters: $1 services, $2 late ('', true, false), $3 assignee, $4 text; $5 limit,
 * $6 offset; $7 status ('' the open work, all, or one status).
 *
 * One statement per shape of the filters (the status: open work, all, one; an assignee or not)
 * with plain predicates, so that its generic plan is the walk a custom plan would choose and the
 * service runs it under that plan (lc_db_exec_generic) instead of planning again on each call
 * (~0.5 ms, more than the walk and the JSON of a page together). A shape's statement tests the
 * parameters it does not filter on as one-time conditions ($3 = '', ...): called for another
 * shape it answers nothing rather than wrong rows. The text filter keeps custom plans (queue_text*):
 * its cost is the substring test of every row it walks, not the planning. */
#define QUEUE_LATE "(r.status IN " REQ_OPEN " AND r.due_at < now())"
#define QUEUE_TEXT                                                                                           \
	"($3 = '' OR r.assignee_id = NULLIF($3, '')::uuid)"                                                  \
	" AND ($4 = '' OR strpos(lower(coalesce(r.reference, '') || ' ' || r.beneficiaries::text || ' '"     \
	" || r.answers::text || ' ' || (SELECT p.title FROM procedures p WHERE p.id = r.procedure_id)),"     \
	" lower($4)) > 0)"
#define QUEUE_ANYONE   "$3 = '' AND $4 = ''"
#define QUEUE_ASSIGNEE "r.assignee_id = NULLIF($3, '')::uuid AND $4 = ''"
/* The status predicates of the late branch and of the other one: literal enough for the partial
 * indexes (migrations 0130, 0200) to be provably usable by a generic plan. One status is two
 * shapes: an open one walks the open work, a closed one (never late) the closed requests of that
 * status; so neither walks the whole history for a status it rarely holds. */
#define QUEUE_OPEN_LATE   "r.status IN " REQ_OPEN " AND $7 = ''"
#define QUEUE_OPEN_REST   QUEUE_OPEN_LATE
#define QUEUE_ALL_LATE    "r.status IN " REQ_OPEN " AND $7 = 'all'"
#define QUEUE_ALL_REST    "r.status <> 'draft' AND $7 = 'all'"
#define QUEUE_ONE_LATE    "$7 IN " REQ_OPEN " AND r.status IN " REQ_OPEN " AND r.status = $7"
#define QUEUE_ONE_REST    "r.status IN " REQ_OPEN " AND r.status = $7"
#define QUEUE_CLOSED_REST "r.status IN " REQ_CLOSED " AND r.status = $7"
#define QUEUE_TEXT_LATE   "r.status IN " REQ_OPEN " AND ($7 = 'all' OR r.status = $7)"
#define QUEUE_TEXT_REST   "r.status <> 'draft' AND ($7 = 'all' OR r.status = $7)"
/* One branch of late first: for each of the agent's services, a walk of its requests in
 * reception order (an index on (service, received_at, id) gives that order for one service, not
 * for "= ANY" of several) cut at offset + limit; then the services' walks merged. */
#define QUEUE_BRANCH(LATE, COND)                                                                             \
	"(SELECT " LATE " AS late, w.received_at, w.id FROM unnest($1::text[]) sv(service)"                  \
	" CROSS JOIN LATERAL (SELECT r.received_at, r.id FROM requests r WHERE r.service = sv.service"       \
	" AND " COND " ORDER BY r.received_at ASC NULLS LAST, r.id LIMIT $5::int + $6::int) w"               \
	" ORDER BY w.received_at ASC NULLS LAST, w.id LIMIT $5::int + $6::int)"
/* Late first: the late requests and the others, each branch skipped entirely when the late
 * filter excludes it, merged into the page; the JSON is built for the page's rows only. */
#define QUEUE_LATE_BRANCH(S, F) QUEUE_BRANCH("true", S " AND " F " AND " QUEUE_LATE " AND $2 <> 'false'")
#define QUEUE_REST_BRANCH(S, F) QUEUE_BRANCH("false", S " AND " F " AND NOT " QUEUE_LATE " AND $2 <> 'true'")
#define QUEUE_PAGE                                                                                           \
	" ORDER BY late DESC, received_at ASC NULLS LAST, id LIMIT $5::int OFFSET $6::int) x"                \
	" JOIN requests r ON r.id = x.id JOIN procedures p ON p.id = r.procedure_id"                         \
	" ORDER BY x.late DESC, x.received_at ASC NULLS LAST, x.id"
/* A page row: what request_summary_json(r, p) shows, one column per key (h_agent.c writes the
 * keys, in the order jsonb prints them), then the SLA clock (processing_s, clock_since, now())
 * from which the daemon derives "late" and "processing_seconds" as the SQL function does. Read in
 * binary: no output function runs in the server (no to_char, no jsonb built and printed, no
 * numeric arithmetic per row): ~0.25 ms less of PostgreSQL per page of 21 at the town's volume,
 * for the same bytes (issue 11). */
#define QUEUE_ITEM                                                                                           \
	"r.id, r.status, r.service, r.user_id, r.bundle_id, p.id, p.slug, p.title, p.version, p.sla_days,"   \
	" r.reference, r.created_at, r.decided_at, r.member_ids, r.updated_at, r.assignee_id, "              \
	"r.received_at,"                                                                                     \
	" r.submitted_at, r.beneficiaries, r.processing_s, r.clock_since, now()"
#define QUEUE(LATE_STATUS, REST_STATUS, FILTERS)                                                             \
	"SELECT " QUEUE_ITEM " FROM (" QUEUE_LATE_BRANCH(                                                    \
	    LATE_STATUS, FILTERS) " UNION ALL " QUEUE_REST_BRANCH(REST_STATUS, FILTERS) QUEUE_PAGE

const struct lc_sql ts_statements[] = {
    /* procedures */
    {"proc_list_public", "SELECT procedure_json(p)::text FROM procedures p WHERE p.status = 'published'"
                         " AND ($1 = '' OR p.service = $1) ORDER BY p.title, p.id"},
    {"proc_list_admin", "SELECT procedure_json(p)::text FROM procedures p WHERE p.status <> 'superseded'"
                        " AND ($1 = '' OR p.service = $1) ORDER BY p.title, p.id"},
    {"proc_get_published", "SELECT procedure_json(p)::text FROM procedures p"
                           " WHERE p.slug = $1 AND p.status = 'published'"},
    {"proc_get_current", "SELECT procedure_json(p)::text, p.id, p.status, p.version FROM procedures p"
                         " WHERE p.slug = $1 AND p.status <> 'superseded' FOR UPDATE"},
    {"proc_fee", "SELECT coalesce(fee_cents, 0) FROM procedures WHERE id = $1::uuid"},
    {"proc_get_id", "SELECT procedure_json(p)::text FROM procedures p WHERE p.id = $1::uuid"},
    {"proc_insert",
     "INSERT INTO procedures (slug, version, title, description_md, service, life_event, audience,"
     " member_filter, fields, required_documents, fee_cents, sla_days, status)"
     " VALUES ($1, $2::int, $3, $4, $5, NULLIF($6, ''), $7, $8::jsonb, $9::jsonb, $10::jsonb,"
     " $11::int, $12::int, $13) RETURNING procedure_json(procedures)::text"},
    {"proc_update",
     "UPDATE procedures SET title = $2, description_md = $3, service = $4, life_event = NULLIF($5, ''),"
     " audience = $6, member_filter = $7::jsonb, fields = $8::jsonb, required_documents = $9::jsonb,"
     " fee_cents = $10::int, sla_days = $11::int, status = $12, updated_at = now()"
     " WHERE id = $1::uuid RETURNING procedure_json(procedures)::text"},
    {"proc_supersede", "UPDATE procedures SET status = 'superseded', updated_at = now() WHERE id = $1::uuid"},
    {"proc_exists", "SELECT 1 FROM procedures WHERE slug = $1"},
    {"proc_services", "SELECT DISTINCT service FROM procedures ORDER BY service"},

    /* requests */
    {"req_insert",
     "INSERT INTO requests (user_id, household_id, procedure_id, service, member_ids, beneficiaries, answers)"
     " VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::uuid[], $6::jsonb, $7::jsonb) RETURNING id"},
    {"req_json", "SELECT request_json(r, p, $2::boolean)::text FROM requests r"
                 " JOIN procedures p ON p.id = r.procedure_id WHERE r.id = $1::uuid"},
    {"req_lock", REQ_ROW " FOR UPDATE OF r"},
    {"req_read", REQ_ROW},
    {"req_assignee", "SELECT coalesce(assignee_id::text, '') FROM requests WHERE id = $1::uuid"},
    {"req_update_draft",
     "UPDATE requests SET household_id = $2::uuid, member_ids = $3::uuid[], beneficiaries = $4::jsonb,"
     " answers = $5::jsonb, lock_version = lock_version + 1, updated_at = now()"
     " WHERE id = $1::uuid AND status = 'draft'"},
    {"req_list_user",
     "SELECT request_summary_json(r, p)::text, iso(r.created_at), r.id FROM requests r"
     " JOIN procedures p ON p.id = r.procedure_id WHERE r.user_id = $1::uuid"
     " AND ($2 = '' OR (r.created_at, r.id) < (NULLIF($2, '')::timestamptz, NULLIF($3, '')::uuid))"
     " ORDER BY r.created_at DESC, r.id DESC LIMIT $4::int"},
    {"req_set_status",
     "UPDATE requests SET status = $2,"
     " processing_s = running_seconds(processing_s, clock_since, now()),"
     " clock_since = CASE WHEN $3::boolean THEN now() END,"
     " submitted_at = CASE WHEN $2 = 'submitted' THEN now() ELSE submitted_at END,"
     " received_at = CASE WHEN $2 = 'received' THEN coalesce(received_at, now()) ELSE received_at END,"
     " decided_at = CASE WHEN $2 IN ('accepted', 'rejected', 'cancelled') THEN now() ELSE decided_at END,"
     " reference = coalesce(reference, NULLIF($4, '')), submit_key = coalesce(submit_key, NULLIF($5, '')),"
     " bundle_id = coalesce(bundle_id, NULLIF($6, '')::uuid),"
     " lock_version = lock_version + 1, updated_at = now() WHERE id = $1::uuid"
     " RETURNING processing_s, extract(epoch FROM now() - coalesce(submitted_at, created_at))"},
    {"req_assign", "UPDATE requests SET assignee_id = NULLIF($2, '')::uuid, lock_version = lock_version + 1,"
                   " updated_at = now() WHERE id = $1::uuid"},
    {"ref_next", "INSERT INTO reference_counters (year, code, n) VALUES ($1::int, $2, 1)"
                 " ON CONFLICT (year, code) DO UPDATE SET n = reference_counters.n + 1 RETURNING n"},
    {"step_payment", "INSERT INTO request_steps (request_id, from_status, to_status, by_role, comment)"
                     " SELECT id, status, status, 'system', $2 FROM requests WHERE id = $1::uuid"},
    {"step_insert", "INSERT INTO request_steps (request_id, from_status, to_status, by_id, by_role, comment)"
                    " VALUES ($1::uuid, NULLIF($2, ''), $3, NULLIF($4, '')::uuid, $5, NULLIF($6, ''))"},
    {"bundle_get", "SELECT id, to_json(request_ids)::text FROM bundles"
                   " WHERE user_id = $1::uuid AND idempotency_key = $2"},
    {"bundle_insert", "INSERT INTO bundles (user_id, idempotency_key, request_ids)"
                      " VALUES ($1::uuid, NULLIF($2, ''), $3::uuid[]) RETURNING id"},

    /* documents */
    {"doc_list",
     "SELECT id, kind, coalesce(member_id::text, ''), source, coalesce(vault_document_id::text, ''),"
     " iso(document_date), content IS NULL, sha256, extract(epoch FROM now() - document_date) / 86400"
     " FROM request_documents WHERE request_id = $1::uuid ORDER BY attached_at, id"},
    {"doc_insert_vault",
     "INSERT INTO request_documents (request_id, kind, member_id, source, vault_document_id, filename, mime,"
     " size, sha256, document_date) VALUES ($1::uuid, $2, NULLIF($3, '')::uuid, 'vault', $4::uuid, $5, $6,"
     " $7::bigint, $8, $9::timestamptz)"
     " ON CONFLICT (request_id, vault_document_id) WHERE vault_document_id IS NOT NULL DO NOTHING"
     " RETURNING id"},
    {"doc_insert_upload",
     "INSERT INTO request_documents (request_id, kind, member_id, source, filename, mime, size, sha256,"
     " document_date, content, copied_at) VALUES ($1::uuid, $2, NULLIF($3, '')::uuid, 'upload', $4, $5,"
     " $6::bigint, $7, now(), $8::bytea, now()) RETURNING id"},
    {"doc_delete_vault_not_in",
     "DELETE FROM request_documents WHERE request_id = $1::uuid AND source = 'vault'"
     " AND NOT (vault_document_id = ANY($2::uuid[]))"},
    {"doc_set_content", "UPDATE request_documents SET content = $2::bytea, copied_at = now()"
                        " WHERE id = $1::uuid AND content IS NULL"},
    {"doc_content", "SELECT mime, filename, content FROM request_documents"
                    " WHERE id = $1::uuid AND request_id = $2::uuid AND content IS NOT NULL"},
    {"doc_delete", "DELETE FROM request_documents WHERE id = $1::uuid AND request_id = $2::uuid"},

    /* messages and notes */
    {"msg_insert",
     "INSERT INTO request_messages (request_id, author_id, author_role, internal, body)"
     " VALUES ($1::uuid, $2::uuid, $3, $4::boolean, $5)"
     " RETURNING jsonb_build_object('id', id, 'author_role', author_role, 'author_id', author_id,"
     " 'body', body, 'internal', internal, 'created_at', iso(created_at))::text"},

    /* agents */
    /* the queue, one statement per shape (see QUEUE) */
    {"queue_open", QUEUE(QUEUE_OPEN_LATE, QUEUE_OPEN_REST, QUEUE_ANYONE)},
    {"queue_open_assignee", QUEUE(QUEUE_OPEN_LATE, QUEUE_OPEN_REST, QUEUE_ASSIGNEE)},
    {"queue_all", QUEUE(QUEUE_ALL_LATE, QUEUE_ALL_REST, QUEUE_ANYONE)},
    {"queue_all_assignee", QUEUE(QUEUE_ALL_LATE, QUEUE_ALL_REST, QUEUE_ASSIGNEE)},
    {"queue_one", QUEUE(QUEUE_ONE_LATE, QUEUE_ONE_REST, QUEUE_ANYONE)},
    {"queue_one_assignee", QUEUE(QUEUE_ONE_LATE, QUEUE_ONE_REST, QUEUE_ASSIGNEE)},
    {"queue_closed", QUEUE(QUEUE_ONE_LATE, QUEUE_CLOSED_REST, QUEUE_ANYONE)},
    {"queue_closed_assignee", QUEUE(QUEUE_ONE_LATE, QUEUE_CLOSED_REST, QUEUE_ASSIGNEE)},
    {"queue_text", QUEUE(QUEUE_OPEN_LATE, QUEUE_OPEN_REST, QUEUE_TEXT)},
    {"queue_text_status", QUEUE(QUEUE_TEXT_LATE, QUEUE_TEXT_REST, QUEUE_TEXT)},
    /* The timeline's figures are stored per request (timeline_s, timeline_since: migration
     * 0130), so a period reads the index of receptions, not every step; one service at a time
     * (a range of (service, received_at) each, no sort of the period), a row per service that
     * received any. */
    {"sla",
     "SELECT f.j::text FROM (SELECT DISTINCT s FROM unnest($3::text[]) s) sv(service) CROSS JOIN LATERAL"
     " (SELECT count(*) AS n, jsonb_build_object('service', sv.service, 'count', count(*),"
     " 'decided', count(*) FILTER (WHERE status IN ('accepted', 'rejected')),"
     " 'median_seconds', round((percentile_cont(0.5) WITHIN GROUP (ORDER BY secs)"
     "   FILTER (WHERE status IN ('accepted', 'rejected')))::numeric, 0),"
     " 'p90_seconds', round((percentile_cont(0.9) WITHIN GROUP (ORDER BY secs)"
     "   FILTER (WHERE status IN ('accepted', 'rejected')))::numeric, 0),"
     " 'within_sla_share', round(count(*) FILTER (WHERE status IN ('accepted', 'rejected') AND secs <= "
     "sla_s)::numeric"
     "   / NULLIF(count(*) FILTER (WHERE status IN ('accepted', 'rejected')), 0), 4),"
     " 'late', count(*) FILTER (WHERE status IN ('accepted', 'rejected') AND secs > sla_s),"
     " 'open', count(*) FILTER (WHERE status IN " REQ_OPEN "),"
     " 'open_late', count(*) FILTER (WHERE status IN " REQ_OPEN " AND secs > sla_s)) AS j"
     " FROM (SELECT q.status, p.sla_days * 86400.0 AS sla_s,"
     "  running_seconds(q.timeline_s, q.timeline_since, now()) AS secs"
     "  FROM requests q JOIN procedures p ON p.id = q.procedure_id WHERE q.service = sv.service"
     "  AND q.received_at >= $1::timestamptz AND q.received_at < $2::timestamptz) r) f"
     " WHERE f.n > 0 ORDER BY sv.service"},
    {"sla_fn", "SELECT sla_processing_seconds($1::timestamptz[], $2::text[], $3::timestamptz)"},

    /* connectors */
    {"conn_upsert",
     "INSERT INTO connectors (service, url, secret, events) VALUES ($1, $2, $3, $4::text[])"
     " ON CONFLICT (service) DO UPDATE SET url = $2, secret = $3, events = $4::text[],"
     " updated_at = now()"
     " RETURNING jsonb_build_object('service', service, 'url', url, 'events', to_jsonb(events),"
     " 'updated_at', iso(updated_at))::text"},
    {"conn_list", "SELECT jsonb_build_object('service', service, 'url', url, 'events', to_jsonb(events),"
                  " 'updated_at', iso(updated_at))::text FROM connectors ORDER BY service"},
    {"conn_get", "SELECT url, secret, $2 = ANY(events) FROM connectors WHERE service = $1"},
    {"req_by_ref", "SELECT id FROM requests WHERE reference = $1 AND service = $2"},
    {"export", "SELECT r.reference, p.slug, p.version, r.status, iso(r.submitted_at), iso(r.received_at),"
               " iso(r.decided_at), r.user_id, r.beneficiaries::text, r.answers::text,"
               " round(running_seconds(r.processing_s, r.clock_since, now())::numeric, 0)"
               " FROM requests r JOIN procedures p ON p.id = r.procedure_id WHERE r.service = $1"
               " AND r.received_at >= $2::timestamptz AND r.received_at < $3::timestamptz"
               " ORDER BY r.received_at, r.id LIMIT 100000"},
    {NULL, NULL},
};

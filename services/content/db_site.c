/* db_site.c — the SQL of events, alerts, the directory and its moderation, jobs, media,
 * search, feeds and the demo seed. */
#include <stddef.h>

#include "common.h"
#include "db.h"

/* The public order of articles (an expression index of 0090_town_indexes.sql fits it). */
#define LIVE_ORDER "coalesce(a.pub_publish_at, a.published_at)"
/* Matches of each kind that are ranked: the newest ones (a common word matches thousands). */
#define SEARCH_CANDIDATES "200"

#define HEADLINE_OPTS                                                                                        \
	"'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=28, MinWords=10, MaxFragments=1'"

const struct lc_sql content_sql_site[] = {
    {"ts_before", "SELECT $1::timestamptz < $2::timestamptz"},

    /* events */
    {"ev_list",
     "SELECT (event_json(e) || jsonb_build_object('etag', " CONTENT_ETAG_SQL(
         "e.revision") "))::text,"
                       " e.starts_at::text, e.id FROM events e"
                       " WHERE e.ends_at >= coalesce($1::timestamptz, now()) AND ($2::timestamptz IS NULL OR"
                       " e.starts_at < $2::timestamptz) AND ($4::timestamptz IS NULL OR (e.starts_at, e.id) >"
                       " ($4::timestamptz, $5::uuid)) ORDER BY e.starts_at, e.id LIMIT $3::int"},
    {"ev_get", "SELECT event_json(e)::text FROM events e WHERE e.slug = $1"},
    {"ev_get_id", "SELECT event_json(e)::text FROM events e WHERE e.id = $1::uuid"},
    {"ev_lock", "SELECT event_json(e)::text, e.revision FROM events e WHERE e.id = $1::uuid FOR UPDATE"},
    {"ev_ics", "SELECT id, slug, title, ts(starts_at), ts(ends_at), location, summary, ts(updated_at)"
               " FROM events WHERE ends_at >= now() - interval '31 days' ORDER BY starts_at LIMIT 2000"},
    {"ev_insert",
     "INSERT INTO events (id, slug, title, starts_at, ends_at, location, summary, body_md, body_html,"
     " audience, registration_url, ticketed, created_by) VALUES ($1::uuid, $2, $3, $4::timestamptz,"
     " $5::timestamptz, $6, $7, $8, $9, $10, $11, $12::boolean, $13::uuid)"},
    {"ev_update",
     "UPDATE events SET slug = $2, title = $3, starts_at = $4::timestamptz, ends_at = $5::timestamptz,"
     " location = $6, summary = $7, body_md = $8, body_html = $9, audience = $10,"
     " registration_url = $11, ticketed = $12::boolean, revision = revision + 1, updated_at = now()"
     " WHERE id = $1::uuid"},
    {"ev_delete", "DELETE FROM events WHERE id = $1::uuid"},
    {"ev_sitemap",
     "SELECT slug, ts(updated_at) FROM events WHERE ends_at >= now() ORDER BY starts_at LIMIT 2000"},

    /* alerts */
    {"al_active",
     "SELECT alert_json(x)::text FROM alerts x WHERE x.starts_at <= now() AND (x.ends_at IS NULL OR"
     " x.ends_at > now()) ORDER BY CASE x.level WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2"
     " END, x.starts_at DESC LIMIT 5"},
    {"al_all", "SELECT alert_json(x)::text FROM alerts x ORDER BY x.starts_at DESC LIMIT 100"},
    {"al_get", "SELECT alert_json(x)::text FROM alerts x WHERE x.id = $1::uuid"},
    {"al_lock", "SELECT alert_json(x)::text, x.revision FROM alerts x WHERE x.id = $1::uuid FOR UPDATE"},
    {"al_insert",
     "INSERT INTO alerts (id, level, message, link, starts_at, ends_at, created_by) VALUES ($1::uuid,"
     " $2, $3, $4, coalesce($5::timestamptz, now()), $6::timestamptz, $7::uuid)"},
    {"al_update",
     "UPDATE alerts SET level = $2, message = $3, link = $4, starts_at = coalesce($5::timestamptz,"
     " starts_at), ends_at = $6::timestamptz, revision = revision + 1, updated_at = now()"
     " WHERE id = $1::uuid"},
    {"al_delete", "DELETE FROM alerts WHERE id = $1::uuid"},
    {"al_link_target", "SELECT 1 FROM articles WHERE slug = $1 AND pub_revision IS NOT NULL"},

    /* directory */
    {"org_list",
     "SELECT org_json(o)::text, o.name, o.id FROM organisations o WHERE ($1::text IS NULL OR"
     " o.category = $1) AND ($2::text IS NULL OR o.search @@ to_tsquery('content.fr', $2) OR"
     " strpos(fold(o.name), fold($3)) > 0) AND ($5::text IS NULL OR (o.name, o.id) > ($5, $6::uuid))"
     " ORDER BY o.name, o.id LIMIT $4::int"},
    {"org_categories", "SELECT category, count(*) FROM organisations GROUP BY category ORDER BY category"},
    {"org_get_slug", "SELECT org_json(o)::text FROM organisations o WHERE o.slug = $1"},
    {"org_get_id", "SELECT org_json(o)::text FROM organisations o WHERE o.id = $1::uuid"},
    {"org_get_full",
     "SELECT (org_json(o) || jsonb_build_object('owner_user_ids', to_jsonb(o.owner_user_ids)))::text"
     " FROM organisations o WHERE o.id = $1::uuid"},
    {"org_lock",
     "SELECT (org_json(o) || jsonb_build_object('owner_user_ids', to_jsonb(o.owner_user_ids)))::text,"
     " o.revision, $2::uuid = ANY(o.owner_user_ids) FROM organisations o WHERE o.id = $1::uuid"
     " FOR UPDATE"},
    {"org_mine",
     "SELECT (org_json(o) || jsonb_build_object('etag', " CONTENT_ETAG_SQL(
         "o.revision") ","
                       " 'pending', (SELECT jsonb_build_object('id', c.id, 'changes', c.changes, "
                       "'submitted_at',"
                       " ts(c.submitted_at)) FROM directory_changes c WHERE c.organisation_id = o.id AND"
                       " c.status = 'pending'),"
                       " 'last_decision', (SELECT jsonb_build_object('id', c.id, 'status', c.status, "
                       "'comment',"
                       " c.comment, 'decided_at', ts(c.decided_at)) FROM directory_changes c WHERE "
                       "c.organisation_id ="
                       " o.id AND c.status IN ('approved', 'rejected') ORDER BY c.decided_at DESC LIMIT "
                       "1)))::text"
                       " FROM organisations o WHERE $1::uuid = ANY(o.owner_user_ids) ORDER BY o.name"},
    {"org_insert",
     "INSERT INTO organisations (id, slug, name, category, description_md, description_html, address,"
     " phone, email, website, opening_hours, logo_media_id, owner_user_ids) VALUES ($1::uuid, $2, $3,"
     " $4, $5, $6, $7, $8, $9, $10, $11, $12::uuid,"
     " ARRAY(SELECT jsonb_array_elements_text($13::jsonb))::uuid[])"},
    {"org_update", "UPDATE organisations SET slug = $2, name = $3, category = $4, description_md = $5,"
                   " description_html = $6, address = $7, phone = $8, email = $9, website = $10,"
                   " opening_hours = $11, logo_media_id = $12::uuid,"
                   " owner_user_ids = ARRAY(SELECT jsonb_array_elements_text($13::jsonb))::uuid[],"
                   " revision = revision + 1, updated_at = now() WHERE id = $1::uuid"},
    {"org_sitemap", "SELECT slug, ts(updated_at) FROM organisations ORDER BY slug LIMIT 2000"},
    {"chg_supersede", "UPDATE directory_changes SET status = 'superseded', decided_at = now()"
                      " WHERE organisation_id = $1::uuid AND status = 'pending'"},
    {"chg_insert", "INSERT INTO directory_changes (id, organisation_id, submitted_by, changes)"
                   " VALUES ($1::uuid, $2::uuid, $3::uuid, $4::jsonb)"},
    {"chg_get",
     "SELECT jsonb_build_object('id', c.id, 'organisation_id', c.organisation_id, 'status', c.status,"
     " 'changes', c.changes, 'submitted_by', c.submitted_by, 'submitted_at', ts(c.submitted_at),"
     " 'comment', c.comment, 'decided_at', ts(c.decided_at))::text FROM directory_changes c"
     " WHERE c.id = $1::uuid"},
    {"chg_lock", "SELECT c.organisation_id, c.changes::text, c.submitted_by::text,"
                 " coalesce(c.changes->>'name', o.name) FROM directory_changes c"
                 " JOIN organisations o ON o.id = c.organisation_id WHERE c.id = $1::uuid AND"
                 " c.status = 'pending' FOR UPDATE OF c"},
    {"chg_decide", "UPDATE directory_changes SET status = $2, decided_by = $3::uuid, decided_at = now(),"
                   " comment = $4 WHERE id = $1::uuid"},
    {"chg_queue",
     "SELECT jsonb_build_object('id', c.id, 'organisation_id', c.organisation_id, 'status', c.status,"
     " 'changes', c.changes, 'submitted_by', c.submitted_by, 'submitted_at', ts(c.submitted_at),"
     " 'organisation', org_json(o))::text, c.submitted_at::text, c.id FROM directory_changes c"
     " JOIN organisations o ON o.id = c.organisation_id WHERE c.status = 'pending' AND"
     " ($2::timestamptz IS NULL OR (c.submitted_at, c.id) > ($2::timestamptz, $3::uuid))"
     " ORDER BY c.submitted_at, c.id LIMIT $1::int"},

    /* jobs */
    {"job_list",
     "SELECT job_json(j)::text, j.published_at::text, j.id FROM jobs j WHERE j.status = 'published'"
     " AND j.expires_at > now() AND ($1::text IS NULL OR j.contract = $1) AND ($3::timestamptz IS NULL"
     " OR (j.published_at, j.id) < ($3::timestamptz, $4::uuid)) ORDER BY j.published_at DESC, j.id DESC"
     " LIMIT $2::int"},
    {"job_admin_list",
     "SELECT job_full(j)::text, j.created_at::text, j.id FROM jobs j WHERE ($1::text IS NULL OR"
     " j.status = $1) AND ($3::timestamptz IS NULL OR (j.created_at, j.id) < ($3::timestamptz,"
     " $4::uuid)) ORDER BY j.created_at DESC, j.id DESC LIMIT $2::int"},
    {"job_get_public", "SELECT job_json(j)::text FROM jobs j WHERE j.id = $1::uuid AND j.status = 'published'"
                       " AND j.expires_at > now()"},
    {"job_get_manage", "SELECT job_full(j)::text FROM jobs j WHERE j.id = $1::uuid AND ($3::boolean OR"
                       " j.edit_token_hash = $2)"},
    {"job_lock", "SELECT job_full(j)::text, j.revision, j.status FROM jobs j WHERE j.id = $1::uuid AND"
                 " ($3::boolean OR j.edit_token_hash = $2) FOR UPDATE"},
    {"job_rate",
     "SELECT count(*) >= $2::int FROM job_post_attempts WHERE ip = $1 AND at > now() - interval '1 hour'"},
    {"job_attempt", "WITH gone AS (DELETE FROM job_post_attempts WHERE at < now() - interval '1 day')"
                    " INSERT INTO job_post_attempts (ip) VALUES ($1)"},
    {"job_expiry_ok", "SELECT $1::timestamptz > now() AND $1::timestamptz <= now() + interval '1 year',"
                      " to_char($1::timestamptz AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY')"},
    {"job_insert",
     "INSERT INTO jobs (id, title, employer, contract, location, description_md, description_html,"
     " contact_email, expires_at, edit_token_hash) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8,"
     " $9::timestamptz, $10)"},
    {"job_update",
     "UPDATE jobs SET title = $2, employer = $3, contract = $4, location = $5, description_md = $6,"
     " description_html = $7, contact_email = $8, expires_at = $9::timestamptz, status = $10,"
     " revision = revision + 1, updated_at = now() WHERE id = $1::uuid"},
    {"job_set_status", "UPDATE jobs SET status = $2, review_comment = coalesce($3, review_comment),"
                       " published_at = CASE WHEN $2 = 'published' THEN now() ELSE published_at END,"
                       " revision = revision + 1, updated_at = now() WHERE id = $1::uuid"
                       " RETURNING expires_at <= now()"},

    /* media */
    {"media_insert", "INSERT INTO media (id, mime, size, sha256, filename, alt, data, uploaded_by) VALUES"
                     " ($1::uuid, $2, $3::int, $4, $5, $6, $7::bytea, $8::uuid)"},
    {"media_get", "SELECT mime, sha256, data FROM media WHERE id = $1::uuid"},
    {"media_get_meta",
     "SELECT jsonb_build_object('id', id, 'mime', mime, 'size', size, 'filename', filename,"
     " 'alt', alt, 'url', '/api/content/v1/media/' || id, 'created_at', ts(created_at))::text"
     " FROM media WHERE id = $1::uuid"},
    {"media_list", "SELECT jsonb_build_object('id', id, 'mime', mime, 'size', size, 'filename', filename,"
                   " 'alt', alt, 'url', '/api/content/v1/media/' || id, 'created_at', ts(created_at))::text,"
                   " created_at::text, id FROM media WHERE ($2::timestamptz IS NULL OR (created_at, id) <"
                   " ($2::timestamptz, $3::uuid)) ORDER BY created_at DESC, id DESC LIMIT $1::int"},
    {"media_set_alt", "UPDATE media SET alt = $2 WHERE id = $1::uuid"},

    /* search: the GIN index finds the matches, the newest SEARCH_CANDIDATES of each kind (through
     * its list index) are ranked, headlines only for the page that is shown. The query is a
     * constant of each execution, so the planner sees its words and picks the cheaper path. */
    {"search",
     "WITH hits AS (SELECT * FROM ("
     " (SELECT 'article' AS type, a.id::text AS id, a.pub_title AS title, '/page.html?slug=' || a.slug AS "
     "url,"
     " coalesce(a.pub_summary, '') || ' ' || coalesce(a.pub_body_md, '') AS body,"
     " ts_rank(a.search, to_tsquery('content.fr', $1)) AS rank, a.kind FROM articles a"
     " WHERE a.search @@ to_tsquery('content.fr', $1) AND article_live(a)"
     " ORDER BY " LIVE_ORDER " DESC, a.id DESC LIMIT " SEARCH_CANDIDATES ")"
     " UNION ALL (SELECT 'event', e.id::text, e.title, '/agenda.html?evenement=' || e.slug,"
     " e.summary || ' ' || e.location || ' ' || e.body_md, ts_rank(e.search, to_tsquery('content.fr', $1)),"
     " NULL FROM events e WHERE e.search @@ to_tsquery('content.fr', $1) AND e.ends_at >= now()"
     " ORDER BY e.ends_at LIMIT " SEARCH_CANDIDATES ")"
     " UNION ALL (SELECT 'organisation', o.id::text, o.name, '/associations.html?structure=' || o.slug,"
     " o.description_md || ' ' || o.address, ts_rank(o.search, to_tsquery('content.fr', $1)), NULL"
     " FROM organisations o WHERE o.search @@ to_tsquery('content.fr', $1)"
     " ORDER BY o.name, o.id LIMIT " SEARCH_CANDIDATES ")"
     " UNION ALL (SELECT 'job', j.id::text, j.title, '/emploi.html?offre=' || j.id,"
     " j.employer || ' — ' || j.location || ' ' || j.description_md, ts_rank(j.search, "
     "to_tsquery('content.fr', $1)), NULL"
     " FROM jobs j WHERE j.search @@ to_tsquery('content.fr', $1) AND j.status = 'published'"
     " AND j.expires_at > now() ORDER BY j.published_at DESC, j.id DESC LIMIT " SEARCH_CANDIDATES ")"
     ") s ORDER BY rank DESC, title, id LIMIT $2::int OFFSET $3::int)"
     " SELECT h.type, h.id, h.title, h.url, ts_headline('content.fr', h.body, to_tsquery('content.fr', "
     "$1), " HEADLINE_OPTS "), h.rank, h.kind FROM hits h ORDER BY h.rank DESC, h.title, h.id"},
    /* as-you-type: titles of live articles (their own small index), upcoming events and the
     * directory, newest first; a JSON array of {type, title, url} */
    /* read by the cache watcher twice a second (migration 0205, docs/content.md) */
    {"cache_version", "SELECT cache_version()"},
    {"search_suggest",
     "SELECT coalesce(json_agg(json_build_object('type', type, 'title', title, 'url', url)), '[]')::text"
     " FROM ((SELECT 'article' AS type, a.pub_title AS title, '/page.html?slug=' || a.slug AS url"
     " FROM articles a WHERE a.title_search @@ to_tsquery('content.fr', $1) AND article_live(a)"
     " ORDER BY " LIVE_ORDER " DESC, a.id DESC LIMIT $2::int)"
     " UNION ALL (SELECT 'event', e.title, '/agenda.html?evenement=' || e.slug FROM events e"
     " WHERE e.search @@ to_tsquery('content.fr', $1) AND e.ends_at >= now() ORDER BY e.ends_at LIMIT 3)"
     " UNION ALL (SELECT 'organisation', o.name, '/associations.html?structure=' || o.slug"
     " FROM organisations o WHERE o.search @@ to_tsquery('content.fr', $1) ORDER BY o.name, o.id LIMIT 3)) "
     "s"},

    /* sections for the sitemap */
    {"sec_sitemap", "SELECT slug, ts(updated_at) FROM sections ORDER BY position, slug"},

    /* demo: idempotent seed keyed on slugs */
    {"demo_section",
     "INSERT INTO sections (id, parent_id, slug, title, description, position, contributor_ids)"
     " VALUES ($1::uuid, (SELECT id FROM sections WHERE slug = $2), $3, $4, $5, $6::int,"
     " ARRAY(SELECT jsonb_array_elements_text($7::jsonb))::uuid[]) ON CONFLICT (slug) DO UPDATE"
     " SET contributor_ids = ARRAY(SELECT DISTINCT unnest(sections.contributor_ids ||"
     " EXCLUDED.contributor_ids))"},
    {"demo_article",
     "INSERT INTO articles (id, kind, section_id, slug, title, summary, body_md, body_html, tags, status,"
     " author_id, author_name, pub_revision, pub_section_id, pub_title, pub_summary, pub_body_md, "
     "pub_body_html,"
     " pub_tags, published_at, pub_updated_at, created_at, updated_at)"
     " SELECT $1::uuid, $2, s.id, $3, $4, $5, $6, $7, ARRAY(SELECT jsonb_array_elements_text($8::jsonb)),"
     " 'published', $9::uuid, 'Service communication', 1, s.id, $4, $5, $6, $7,"
     " ARRAY(SELECT jsonb_array_elements_text($8::jsonb)), now() - make_interval(days => $10::int),"
     " now() - make_interval(days => $10::int), now() - make_interval(days => $10::int),"
     " now() - make_interval(days => $10::int) FROM sections s WHERE s.slug = $11"
     " ON CONFLICT (slug) DO NOTHING RETURNING id"},
    {"demo_revision",
     "INSERT INTO article_revisions (article_id, n, actor_id, actor_role, action, snapshot)"
     " SELECT id, 1, author_id, 'editor', 'publish', jsonb_build_object('section_id', section_id,"
     " 'slug', slug, 'title', title, 'summary', summary, 'body_md', body_md, 'cover_media_id',"
     " NULL, 'tags', to_jsonb(tags), 'publish_at', NULL, 'unpublish_at', NULL, 'status', status)"
     " FROM articles WHERE id = $1::uuid ON CONFLICT DO NOTHING"},
    {"demo_event",
     "INSERT INTO events (id, slug, title, starts_at, ends_at, location, summary, body_md, body_html,"
     " audience, ticketed, created_by) VALUES ($1::uuid, $2, $3,"
     " date_trunc('day', now() AT TIME ZONE 'Europe/Paris') AT TIME ZONE 'Europe/Paris'"
     " + make_interval(days => $4::int, mins => $5::int),"
     " date_trunc('day', now() AT TIME ZONE 'Europe/Paris') AT TIME ZONE 'Europe/Paris'"
     " + make_interval(days => $4::int, mins => $5::int + $6::int), $7, $8, $9, $10, $11,"
     " $12::boolean, $13::uuid) ON CONFLICT (slug) DO NOTHING"},
    {"demo_alert",
     "INSERT INTO alerts (id, level, message, link, starts_at, ends_at, created_by)"
     " SELECT $1::uuid, $2, $3, $4, now() - interval '1 hour', now() + interval '14 days', $5::uuid"
     " WHERE NOT EXISTS (SELECT 1 FROM alerts)"},
    {"demo_org",
     "INSERT INTO organisations (id, slug, name, category, description_md, description_html, address,"
     " phone, email, website, opening_hours, owner_user_ids) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7,"
     " $8, $9, $10, $11, ARRAY(SELECT jsonb_array_elements_text($12::jsonb))::uuid[])"
     " ON CONFLICT (slug) DO UPDATE SET owner_user_ids = ARRAY(SELECT DISTINCT"
     " unnest(organisations.owner_user_ids || EXCLUDED.owner_user_ids))"},
    {"demo_jobs_seeded", "SELECT 1 FROM settings WHERE key = 'demo.jobs'"},
    {"demo_jobs_mark",
     "INSERT INTO settings (key, value) VALUES ('demo.jobs', 'true') ON CONFLICT DO NOTHING"},
    {"demo_job",
     "INSERT INTO jobs (id, title, employer, contract, location, description_md, description_html,"
     " contact_email, expires_at, status, edit_token_hash, published_at) VALUES ($1::uuid, $2, $3, $4,"
     " $5, $6, $7, $8, now() + make_interval(days => $9::int), 'published', $10,"
     " now() - make_interval(days => $11::int))"},
    {NULL, NULL},
};

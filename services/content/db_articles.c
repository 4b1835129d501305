/* db_articles.c — the SQL of sections, articles and their revisions. Public reads go through
 * article_live() and the pub_* columns; the working copy is for agents only. */
#include <stddef.h>

#include "db.h"

#define ART_SNAPSHOT                                                                                         \
	"jsonb_build_object('section_id', section_id, 'slug', slug, 'title', title, 'summary', summary,"     \
	" 'body_md', body_md, 'cover_media_id', cover_media_id, 'tags', to_jsonb(tags),"                     \
	" 'publish_at', ts(publish_at), 'unpublish_at', ts(unpublish_at), 'status', status)"

#define PUBLIC_ORDER "coalesce(a.pub_publish_at, a.published_at)"

const struct lc_sql content_sql_articles[] = {
    /* sections */
    {"sec_all", "SELECT jsonb_build_object('id', id, 'parent_id', parent_id, 'slug', slug, 'title', title,"
                " 'description', description, 'position', position, 'revision', revision,"
                " 'contributor_ids', CASE WHEN $1::boolean THEN to_jsonb(contributor_ids) END)::text"
                " FROM sections ORDER BY position, title"},
    {"sec_get", "SELECT jsonb_build_object('id', id, 'parent_id', parent_id, 'slug', slug, 'title', title,"
                " 'description', description, 'position', position, 'revision', revision,"
                " 'contributor_ids', to_jsonb(contributor_ids))::text, revision FROM sections"
                " WHERE id = $1::uuid"},
    {"sec_lock", "SELECT revision FROM sections WHERE id = $1::uuid FOR UPDATE"},
    {"sec_insert", "INSERT INTO sections (id, parent_id, slug, title, description, position, contributor_ids)"
                   " VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::int, ARRAY(SELECT "
                   "jsonb_array_elements_text($7::jsonb))::uuid[])"
                   " ON CONFLICT (slug) DO NOTHING RETURNING id"},
    {"sec_update",
     "UPDATE sections SET parent_id = $2::uuid, slug = $3, title = $4, description = $5, position = $6::int,"
     " contributor_ids = ARRAY(SELECT jsonb_array_elements_text($7::jsonb))::uuid[], revision = revision + 1,"
     " updated_at = now() WHERE id = $1::uuid RETURNING revision"},
    {"sec_delete",
     "DELETE FROM sections s WHERE id = $1::uuid AND NOT EXISTS (SELECT 1 FROM sections c"
     " WHERE c.parent_id = s.id) AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.section_id = s.id"
     " OR a.pub_section_id = s.id)"},
    {"sec_exists", "SELECT 1 FROM sections WHERE id = $1::uuid"},
    {"sec_slug_id", "SELECT id FROM sections WHERE slug = $1"},
    /* A parent that is the section itself or one of its descendants would make a loop. */
    {"sec_would_loop", "WITH RECURSIVE down(id) AS (SELECT $1::uuid UNION SELECT s.id FROM sections s"
                       " JOIN down ON s.parent_id = down.id) SELECT 1 FROM down WHERE id = $2::uuid"},
    {"sec_can_edit", "SELECT $2::uuid = ANY(contributor_ids) FROM sections WHERE id = $1::uuid"},

    /* public */
    {"art_list_public",
     "SELECT article_card(a)::text, " PUBLIC_ORDER "::text, a.id FROM articles a WHERE article_live(a)"
     " AND ($1::text IS NULL OR a.pub_section_id = (SELECT id FROM sections WHERE slug = $1))"
     " AND ($2::text IS NULL OR a.kind = $2) AND ($3::text IS NULL OR $3 = ANY(a.pub_tags))"
     " AND ($5::timestamptz IS NULL OR (" PUBLIC_ORDER ", a.id) < ($5::timestamptz, $6::uuid))"
     " ORDER BY " PUBLIC_ORDER " DESC, a.id DESC LIMIT $4::int"},
    {"art_get_public",
     "SELECT article_public(a)::text FROM articles a WHERE a.slug = $1 AND article_live(a)"},
    {"art_feed",
     "SELECT a.id, a.slug, a.pub_title, a.pub_summary, a.pub_body_html, ts(" PUBLIC_ORDER "),"
     " ts(a.pub_updated_at), a.author_name FROM articles a WHERE article_live(a) AND a.kind = 'news'"
     " ORDER BY " PUBLIC_ORDER " DESC, a.id DESC LIMIT 20"},
    /* The sitemap's parts: the years (UTC) that hold live articles, newest first, found by
     * skipping through the public order's index one year at a time (a probe per year, not a
     * read of every article); then one year's articles, a range of that index. */
    {"art_sitemap_years",
     "WITH RECURSIVE y(t) AS (SELECT max(" PUBLIC_ORDER ") FROM articles a WHERE article_live(a)"
     " UNION ALL SELECT (SELECT max(" PUBLIC_ORDER ") FROM articles a WHERE article_live(a)"
     " AND " PUBLIC_ORDER " < date_trunc('year', y.t, 'UTC')) FROM y WHERE y.t IS NOT NULL)"
     " SELECT extract(year FROM t AT TIME ZONE 'UTC')::int FROM y WHERE t IS NOT NULL"},
    {"art_sitemap_year", "SELECT a.slug, ts(a.pub_updated_at) FROM articles a WHERE article_live(a)"
                         " AND " PUBLIC_ORDER " >= make_timestamptz($1::int, 1, 1, 0, 0, 0, 'UTC')"
                         " AND " PUBLIC_ORDER " < make_timestamptz($1::int + 1, 1, 1, 0, 0, 0, 'UTC')"
                         " ORDER BY " PUBLIC_ORDER " DESC, a.id DESC LIMIT 50000"},

    /* editorial */
    {"art_work_id", "SELECT article_work(a)::text FROM articles a WHERE a.id = $1::uuid"},
    {"art_work_slug", "SELECT article_work(a)::text FROM articles a WHERE a.slug = $1"},
    {"art_lock", "SELECT article_work(a)::text, a.revision, a.section_id, a.status, a.author_id, a.kind,"
                 " a.pub_revision IS NULL FROM articles a WHERE a.id = $1::uuid FOR UPDATE"},
    {"art_slug_taken", "SELECT 1 FROM articles WHERE slug = $1 AND id <> coalesce($2::uuid, "
                       "'00000000-0000-0000-0000-000000000000'::uuid)"},
    {"art_insert",
     "INSERT INTO articles (id, kind, section_id, slug, title, summary, body_md, body_html, cover_media_id,"
     " tags, publish_at, unpublish_at, author_id, author_name) VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6, "
     "$7,"
     " $8, $9::uuid, ARRAY(SELECT jsonb_array_elements_text($10::jsonb)), $11::timestamptz, $12::timestamptz,"
     " $13::uuid, $14) ON CONFLICT (slug) DO NOTHING RETURNING article_work(articles)::text"},
    {"art_update",
     "UPDATE articles SET section_id = $2::uuid, slug = $3, title = $4, summary = $5, body_md = $6,"
     " body_html = $7, cover_media_id = $8::uuid, tags = ARRAY(SELECT jsonb_array_elements_text($9::jsonb)),"
     " publish_at = $10::timestamptz, unpublish_at = $11::timestamptz, status = $12,"
     " revision = revision + 1, updated_at = now() WHERE id = $1::uuid RETURNING "
     "article_work(articles)::text,"
     " revision"},
    {"art_set_status",
     "UPDATE articles SET status = $2, review_comment = $3, revision = revision + 1,"
     " updated_at = now() WHERE id = $1::uuid RETURNING article_work(articles)::text, revision"},
    {"art_publish",
     "UPDATE articles SET status = 'published', review_comment = NULL, revision = revision + 1,"
     " pub_revision = revision + 1, pub_section_id = section_id, pub_title = title, pub_summary = summary,"
     " pub_body_md = body_md, pub_body_html = body_html, pub_cover_media_id = cover_media_id, pub_tags = "
     "tags,"
     " pub_publish_at = publish_at, pub_unpublish_at = unpublish_at, published_at = coalesce(published_at,"
     " now()), pub_updated_at = now(), updated_at = now() WHERE id = $1::uuid"
     " RETURNING article_work(articles)::text, revision, slug, kind, section_id, ts(publish_at)"},
    {"rev_insert",
     "INSERT INTO article_revisions (article_id, n, actor_id, actor_role, action, comment, snapshot)"
     " SELECT id, revision, $2::uuid, $3, $4, $5, " ART_SNAPSHOT " FROM articles WHERE id = $1::uuid"},
    {"rev_list",
     "SELECT jsonb_build_object('n', n, 'at', ts(at), 'actor_id', actor_id, 'actor_role', actor_role,"
     " 'action', action, 'comment', comment, 'snapshot', snapshot)::text, n FROM article_revisions"
     " WHERE article_id = $1::uuid AND ($2::int IS NULL OR n < $2::int) ORDER BY n DESC LIMIT $3::int"},
    {"rev_get", "SELECT snapshot::text FROM article_revisions WHERE article_id = $1::uuid AND n = $2::int"},
    /* Oldest first. The first page's cursor is (-infinity, the smallest id), so the keyset is a
     * bound of the articles_review range (0180_review_order.sql) in a generic plan too. Items,
     * not whole articles: no bodies (the editor reads them when opening one), and the page's
     * breadcrumbs in one query (section_paths, 0195_review_items.sql; its argument a column of
     * sids, not a subquery: PostgreSQL inlines a SQL function only then, else it plans the
     * function's recursive query again on every call — 0.45 ms of the 0.5). */
    {"art_review",
     "WITH page AS MATERIALIZED (SELECT a.id, a.kind, a.section_id, a.slug, a.title, a.summary, a.status,"
     " a.author_id, a.author_name, a.revision, a.publish_at, a.created_at, a.updated_at FROM articles a"
     " WHERE a.status = 'in_review' AND (a.updated_at, a.id) > (coalesce($2::timestamptz, '-infinity'),"
     " coalesce($3::uuid, '00000000-0000-0000-0000-000000000000')) ORDER BY a.updated_at, a.id"
     " LIMIT $1::int), sids AS (SELECT array_agg(DISTINCT section_id) AS ids FROM page)"
     /* the item's values in binary, in the order h_articles.c writes its keys (no JSON built
      * per row here); then the cursor's key text and id */
     " SELECT p.id, p.kind, p.slug, p.title, p.author_id, p.author_name, p.status, p.summary, p.revision,"
     " coalesce(sp.path, '[]'), p.created_at, p.publish_at, p.section_id, p.updated_at,"
     " p.updated_at::text, p.id::text"
     " FROM page p LEFT JOIN (SELECT x.* FROM sids, LATERAL section_paths(sids.ids) x) sp"
     " ON sp.sid = p.section_id ORDER BY p.updated_at, p.id"},
    {"art_admin_list",
     "SELECT article_work(a)::text, a.updated_at::text, a.id FROM articles a WHERE ($1::text IS NULL OR"
     " a.status = $1) AND ($2::uuid IS NULL OR a.section_id = $2::uuid) AND ($3::text IS NULL OR"
     " a.kind = $3) AND ($4::text IS NULL OR strpos(fold(a.title), fold($4)) > 0)"
     " AND ($6::timestamptz IS NULL OR (a.updated_at, a.id) < ($6::timestamptz, $7::uuid))"
     " ORDER BY a.updated_at DESC, a.id DESC LIMIT $5::int"},
    {"media_alt", "SELECT alt FROM media WHERE id = $1::uuid"},
    {NULL, NULL},
};

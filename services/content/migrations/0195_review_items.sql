-- 0195_review_items.sql — the editors' review queue lists items, not whole articles (issue 11):
-- the breadcrumbs of a page's sections in one recursive query, instead of section_path() per
-- row (each a recursive query of its own).
-- sids: the sections of a page (any order, repeats allowed); one row per distinct section found,
-- its path from the root as section_path() gives it.
CREATE FUNCTION section_paths(sids uuid[]) RETURNS TABLE (sid uuid, path jsonb) LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up(sid, id, parent_id, slug, title, depth) AS (
        SELECT id, id, parent_id, slug, title, 0 FROM sections WHERE id = ANY (sids)
        UNION ALL
        SELECT up.sid, s.id, s.parent_id, s.slug, s.title, up.depth + 1
        FROM sections s JOIN up ON s.id = up.parent_id WHERE up.depth < 16)
    SELECT sid, jsonb_agg(jsonb_build_object('id', id, 'slug', slug, 'title', title) ORDER BY depth DESC)
    FROM up GROUP BY sid
$$;

-- 0090_town_indexes.sql — indexes that fit the public lists' order and filters, so that a list
-- costs the same with ten years of content as with the demo (issue 11): the public order of
-- articles is coalesce(pub_publish_at, published_at) among live rows, newest first, by kind and
-- by section; tags are searched in pub_tags; the directory is listed by name.
CREATE INDEX articles_live_order ON articles ((coalesce(pub_publish_at, published_at)) DESC, id DESC)
    WHERE pub_revision IS NOT NULL AND status <> 'archived';
CREATE INDEX articles_live_kind ON articles (kind, (coalesce(pub_publish_at, published_at)) DESC, id DESC)
    WHERE pub_revision IS NOT NULL AND status <> 'archived';
CREATE INDEX articles_live_section ON articles (pub_section_id, (coalesce(pub_publish_at, published_at)) DESC, id DESC)
    WHERE pub_revision IS NOT NULL AND status <> 'archived';
CREATE INDEX articles_live_tags ON articles USING gin (pub_tags)
    WHERE pub_revision IS NOT NULL AND status <> 'archived';
-- The editors' list is ordered by the last change.
CREATE INDEX articles_updated ON articles (updated_at DESC, id DESC);
-- The old index ordered by published_at, which no statement orders by.
DROP INDEX articles_public;

-- Events by period: upcoming ones by their end, a period by its start.
CREATE INDEX events_ends ON events (ends_at);
CREATE INDEX organisations_name ON organisations (name, id);
DROP INDEX organisations_category;
CREATE INDEX organisations_category ON organisations (category, name, id);
CREATE INDEX jobs_created ON jobs (created_at DESC, id DESC);

-- Search-as-you-type: titles only, so that a prefix matches few entries.
ALTER TABLE articles ADD COLUMN title_search tsvector GENERATED ALWAYS AS (
    to_tsvector('content.fr'::regconfig, coalesce(pub_title, ''))) STORED;
CREATE INDEX articles_title_search ON articles USING gin (title_search)
    WHERE pub_revision IS NOT NULL AND status <> 'archived';

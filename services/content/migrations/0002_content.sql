-- 0002_content.sql — the CMS: sections, articles with revisions, media, events, alerts, the
-- directory with its moderated changes, the job board. Runs with search_path = content.

-- French full-text search that ignores accents: the french stemmer behind public.unaccent
-- (installed by the superuser). Vectors are generated columns, so they follow every write.
CREATE TEXT SEARCH CONFIGURATION fr (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION fr
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, french_stem;

-- Accent- and case-insensitive comparisons (directory filter): immutable so indexes may use it.
CREATE FUNCTION fold(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, t)) $$;

CREATE TABLE sections (
    id              uuid PRIMARY KEY,
    parent_id       uuid REFERENCES sections (id) ON DELETE RESTRICT,
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    position        integer NOT NULL DEFAULT 0,
    contributor_ids uuid[] NOT NULL DEFAULT '{}',
    revision        integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id IS DISTINCT FROM id)
);

CREATE TABLE media (
    id          uuid PRIMARY KEY,
    mime        text NOT NULL CHECK (mime IN ('image/png', 'image/jpeg', 'image/webp')),
    size        integer NOT NULL CHECK (size BETWEEN 1 AND 5242880),
    sha256      text NOT NULL,
    filename    text NOT NULL DEFAULT '' CHECK (length(filename) <= 200),
    alt         text NOT NULL DEFAULT '' CHECK (length(alt) <= 300),
    data        bytea NOT NULL,
    uploaded_by uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_created ON media (created_at DESC, id);

-- The working copy lives in the plain columns; pub_* hold what the public sees (copied at
-- publication), so an edit of a published page stays private until it is validated again.
CREATE TABLE articles (
    id             uuid PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('page', 'news')),
    section_id     uuid NOT NULL REFERENCES sections (id) ON DELETE RESTRICT,
    slug           text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 120),
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary        text NOT NULL DEFAULT '' CHECK (length(summary) <= 500),
    body_md        text NOT NULL DEFAULT '' CHECK (length(body_md) <= 200000),
    body_html      text NOT NULL DEFAULT '',
    cover_media_id uuid REFERENCES media (id) ON DELETE SET NULL,
    tags           text[] NOT NULL DEFAULT '{}',
    status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'in_review', 'published', 'archived')),
    publish_at     timestamptz,
    unpublish_at   timestamptz,
    author_id      uuid NOT NULL,
    author_name    text NOT NULL DEFAULT '',
    review_comment text,
    revision       integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    pub_revision   integer,
    pub_section_id uuid REFERENCES sections (id) ON DELETE RESTRICT,
    pub_title      text,
    pub_summary    text,
    pub_body_md    text,
    pub_body_html  text,
    pub_cover_media_id uuid REFERENCES media (id) ON DELETE SET NULL,
    pub_tags       text[],
    published_at   timestamptz,
    pub_updated_at timestamptz,
    search         tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('content.fr'::regconfig, coalesce(pub_title, '')), 'A') ||
        setweight(to_tsvector('content.fr'::regconfig, coalesce(pub_summary, '')), 'B') ||
        setweight(to_tsvector('content.fr'::regconfig, coalesce(pub_body_md, '')), 'C')) STORED,
    CHECK (unpublish_at IS NULL OR publish_at IS NULL OR unpublish_at > publish_at)
);
CREATE INDEX articles_public ON articles (kind, published_at DESC, id) WHERE pub_revision IS NOT NULL;
CREATE INDEX articles_review ON articles (updated_at) WHERE status = 'in_review';
CREATE INDEX articles_search ON articles USING gin (search);

CREATE TABLE article_revisions (
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    n          integer NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    actor_id   uuid NOT NULL,
    actor_role text NOT NULL,
    action     text NOT NULL,
    comment    text,
    snapshot   jsonb NOT NULL,
    PRIMARY KEY (article_id, n)
);

CREATE TABLE events (
    id               uuid PRIMARY KEY,
    slug             text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 120),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    location         text NOT NULL DEFAULT '' CHECK (length(location) <= 200),
    summary          text NOT NULL DEFAULT '' CHECK (length(summary) <= 500),
    body_md          text NOT NULL DEFAULT '' CHECK (length(body_md) <= 50000),
    body_html        text NOT NULL DEFAULT '',
    audience         text NOT NULL DEFAULT 'tous' CHECK (length(audience) <= 60),
    registration_url text CHECK (registration_url ~ '^https?://'),
    ticketed         boolean NOT NULL DEFAULT false,
    revision         integer NOT NULL DEFAULT 1,
    created_by       uuid NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    search           tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('content.fr'::regconfig, title), 'A') ||
        setweight(to_tsvector('content.fr'::regconfig, summary || ' ' || location), 'B') ||
        setweight(to_tsvector('content.fr'::regconfig, body_md), 'C')) STORED,
    CHECK (ends_at >= starts_at)
);
CREATE INDEX events_time ON events (starts_at, id);
CREATE INDEX events_search ON events USING gin (search);

CREATE TABLE alerts (
    id         uuid PRIMARY KEY,
    level      text NOT NULL CHECK (level IN ('info', 'warning', 'critical')),
    message    text NOT NULL CHECK (length(message) BETWEEN 1 AND 500),
    link       text CHECK (link ~ '^(https?://|/)'),
    starts_at  timestamptz NOT NULL DEFAULT now(),
    ends_at    timestamptz,
    revision   integer NOT NULL DEFAULT 1,
    created_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);

CREATE TABLE organisations (
    id               uuid PRIMARY KEY,
    slug             text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 120),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    category         text NOT NULL CHECK (category ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(category) <= 40),
    description_md   text NOT NULL DEFAULT '' CHECK (length(description_md) <= 20000),
    description_html text NOT NULL DEFAULT '',
    address          text NOT NULL DEFAULT '' CHECK (length(address) <= 300),
    phone            text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
    email            text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    website          text NOT NULL DEFAULT '' CHECK (website = '' OR website ~ '^https?://'),
    opening_hours    text NOT NULL DEFAULT '' CHECK (length(opening_hours) <= 500),
    logo_media_id    uuid REFERENCES media (id) ON DELETE SET NULL,
    owner_user_ids   uuid[] NOT NULL DEFAULT '{}',
    revision         integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    search           tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('content.fr'::regconfig, name), 'A') ||
        setweight(to_tsvector('content.fr'::regconfig, category || ' ' || address), 'B') ||
        setweight(to_tsvector('content.fr'::regconfig, description_md), 'C')) STORED
);
CREATE INDEX organisations_category ON organisations (category, name);
CREATE INDEX organisations_owners ON organisations USING gin (owner_user_ids);
CREATE INDEX organisations_search ON organisations USING gin (search);

-- A partner's edit waits here until an editor decides; the public reads organisations only.
CREATE TABLE directory_changes (
    id              uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    submitted_by    uuid NOT NULL,
    submitted_at    timestamptz NOT NULL DEFAULT now(),
    changes         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
    decided_by      uuid,
    decided_at      timestamptz,
    comment         text CHECK (length(comment) <= 1000)
);
CREATE UNIQUE INDEX directory_changes_one_pending ON directory_changes (organisation_id) WHERE status = 'pending';
CREATE INDEX directory_changes_queue ON directory_changes (submitted_at, id) WHERE status = 'pending';

CREATE TABLE jobs (
    id               uuid PRIMARY KEY,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    employer         text NOT NULL CHECK (length(employer) BETWEEN 1 AND 200),
    contract         text NOT NULL CHECK (contract IN ('cdi', 'cdd', 'interim', 'stage', 'apprentissage', 'saisonnier', 'benevolat', 'autre')),
    location         text NOT NULL CHECK (length(location) BETWEEN 1 AND 200),
    description_md   text NOT NULL CHECK (length(description_md) BETWEEN 1 AND 20000),
    description_html text NOT NULL,
    contact_email    text NOT NULL CHECK (length(contact_email) <= 254),
    expires_at       timestamptz NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'rejected', 'withdrawn')),
    edit_token_hash  text NOT NULL,
    review_comment   text,
    revision         integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    published_at     timestamptz,
    search           tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('content.fr'::regconfig, title), 'A') ||
        setweight(to_tsvector('content.fr'::regconfig, employer || ' ' || location), 'B') ||
        setweight(to_tsvector('content.fr'::regconfig, description_md), 'C')) STORED
);
CREATE INDEX jobs_public ON jobs (published_at DESC, id) WHERE status = 'published';
CREATE INDEX jobs_search ON jobs USING gin (search);

-- Offers posted per client address, for the public form's rate limit (rows older than a day go).
CREATE TABLE job_post_attempts (
    ip text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_post_attempts_ip ON job_post_attempts (ip, at);

-- The mirrored published schedule: what the public copy obeys (the working copy may differ).
ALTER TABLE articles ADD COLUMN pub_publish_at timestamptz, ADD COLUMN pub_unpublish_at timestamptz;

-- JSON shapes of the API, built in one place so every statement answers the same fields.
CREATE FUNCTION ts(t timestamptz) RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

CREATE FUNCTION section_path(sid uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up(id, parent_id, slug, title, depth) AS (
        SELECT id, parent_id, slug, title, 0 FROM sections WHERE id = sid
        UNION ALL
        SELECT s.id, s.parent_id, s.slug, s.title, up.depth + 1
        FROM sections s JOIN up ON s.id = up.parent_id WHERE up.depth < 16)
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'slug', slug, 'title', title) ORDER BY depth DESC), '[]')
    FROM up
$$;

CREATE FUNCTION media_ref(mid uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN mid IS NULL THEN NULL ELSE
        (SELECT jsonb_build_object('id', id, 'url', '/api/content/v1/media/' || id, 'alt', alt, 'mime', mime)
         FROM media WHERE id = mid) END
$$;

CREATE FUNCTION article_card(a articles) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'kind', a.kind, 'slug', a.slug, 'title', a.pub_title, 'summary', a.pub_summary,
        'tags', to_jsonb(a.pub_tags), 'section', (SELECT jsonb_build_object('id', id, 'slug', slug, 'title', title)
                                                  FROM sections WHERE id = a.pub_section_id),
        'cover', media_ref(a.pub_cover_media_id), 'published_at', ts(coalesce(a.pub_publish_at, a.published_at)),
        'updated_at', ts(a.pub_updated_at), 'url', '/page.html?slug=' || a.slug)
$$;

CREATE FUNCTION article_public(a articles) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT article_card(a) || jsonb_build_object(
        'body_html', a.pub_body_html, 'author', a.author_name, 'breadcrumb', section_path(a.pub_section_id))
$$;

CREATE FUNCTION article_work(a articles) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'kind', a.kind, 'section_id', a.section_id, 'slug', a.slug, 'title', a.title,
        'summary', a.summary, 'body_md', a.body_md, 'body_html', a.body_html,
        'cover_media_id', a.cover_media_id, 'cover', media_ref(a.cover_media_id), 'tags', to_jsonb(a.tags),
        'status', a.status, 'publish_at', ts(a.publish_at), 'unpublish_at', ts(a.unpublish_at),
        'author', jsonb_build_object('id', a.author_id, 'name', a.author_name),
        'review_comment', a.review_comment, 'revision', a.revision, 'published_revision', a.pub_revision,
        'has_unpublished_changes', a.pub_revision IS DISTINCT FROM a.revision AND a.status <> 'archived',
        'live', a.pub_revision IS NOT NULL AND a.status <> 'archived'
                AND (a.pub_publish_at IS NULL OR a.pub_publish_at <= now())
                AND (a.pub_unpublish_at IS NULL OR a.pub_unpublish_at > now()),
        'breadcrumb', section_path(a.section_id), 'url', '/page.html?slug=' || a.slug,
        'created_at', ts(a.created_at), 'updated_at', ts(a.updated_at), 'published_at', ts(a.published_at))
$$;

-- The one rule for "the public may see this article now".
CREATE FUNCTION article_live(a articles) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT a.pub_revision IS NOT NULL AND a.status <> 'archived'
       AND (a.pub_publish_at IS NULL OR a.pub_publish_at <= now())
       AND (a.pub_unpublish_at IS NULL OR a.pub_unpublish_at > now())
$$;

CREATE FUNCTION event_json(e events) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', e.id, 'slug', e.slug, 'title', e.title, 'starts_at', ts(e.starts_at), 'ends_at', ts(e.ends_at),
        'location', e.location, 'summary', e.summary, 'body_md', e.body_md, 'body_html', e.body_html,
        'audience', e.audience, 'registration_url', e.registration_url, 'ticketed', e.ticketed,
        'revision', e.revision, 'updated_at', ts(e.updated_at), 'url', '/agenda.html?evenement=' || e.slug)
$$;

CREATE FUNCTION alert_json(x alerts) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', x.id, 'level', x.level, 'message', x.message, 'link', x.link, 'starts_at', ts(x.starts_at),
        'ends_at', ts(x.ends_at), 'revision', x.revision,
        'active', x.starts_at <= now() AND (x.ends_at IS NULL OR x.ends_at > now()))
$$;

CREATE FUNCTION org_json(o organisations) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', o.id, 'slug', o.slug, 'name', o.name, 'category', o.category,
        'description_md', o.description_md, 'description_html', o.description_html, 'address', o.address,
        'phone', o.phone, 'email', o.email, 'website', o.website, 'opening_hours', o.opening_hours,
        'logo_media_id', o.logo_media_id, 'logo', media_ref(o.logo_media_id), 'revision', o.revision,
        'updated_at', ts(o.updated_at), 'url', '/associations.html?structure=' || o.slug)
$$;

CREATE FUNCTION job_json(j jobs) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', j.id, 'title', j.title, 'employer', j.employer, 'contract', j.contract, 'location', j.location,
        'description_md', j.description_md, 'description_html', j.description_html,
        'contact_email', j.contact_email, 'expires_at', ts(j.expires_at), 'published_at', ts(j.published_at),
        'updated_at', ts(j.updated_at), 'url', '/emploi.html?offre=' || j.id)
$$;

CREATE FUNCTION job_full(j jobs) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT job_json(j) || jsonb_build_object('status', j.status, 'revision', j.revision,
        'review_comment', j.review_comment, 'created_at', ts(j.created_at),
        'expired', j.expires_at <= now())
$$;

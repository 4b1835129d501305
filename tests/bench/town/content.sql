-- content.sql — the "town" fixture of civitas-content: ten years of a real town's site. Runs as
-- civitas_content (search_path = content) inside one transaction; town.scale (a setting, 1 for
-- the bench) multiplies every count, so the EXPLAIN test loads a smaller copy of the same shape.
-- Rows are keyed on "town-" slugs and md5-derived ids: the other fixtures point at the same ids.

-- Helpers of this file only (dropped at the end): n × town.scale, at least 1.
CREATE FUNCTION town_count(n int) RETURNS int LANGUAGE sql STABLE AS $$
    SELECT greatest(1, round(n * current_setting('town.scale')::numeric))::int
$$;

-- The n-th pseudo-random phrase of k words of a town's news (deterministic: the same fixture
-- every time); accented on purpose, since the search folds accents.
CREATE FUNCTION town_text(n bigint, k int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(w[1 + ((n * 7919 + i * 104729 + (n % 13) * i * i) % array_length(w, 1))], ' ')
    FROM generate_series(1, k) i, (SELECT array['école', 'cantine', 'Loire', 'travaux', 'conseil',
        'municipal', 'marché', 'bibliothèque', 'piscine', 'sport', 'culture', 'jeunesse', 'voirie',
        'déchets', 'élections', 'fête', 'concert', 'inscription', 'périscolaire', 'urbanisme', 'permis',
        'mariage', 'recensement', 'associations', 'emploi', 'stage', 'festival', 'patrimoine', 'église',
        'stationnement', 'vélo', 'transport', 'santé', 'vaccination', 'canicule', 'neige', 'crue',
        'environnement', 'jardin', 'arbres', 'budget', 'impôts', 'carte', 'identité', 'passeport',
        'rentrée', 'vacances', 'centre', 'loisirs', 'crèche', 'seniors', 'repas', 'solidarité', 'quartier',
        'réunion', 'théâtre', 'musée', 'randonnée', 'collège', 'lycée', 'médiathèque', 'exposition',
        'cinéma', 'forum', 'collecte', 'tri', 'eau', 'assainissement', 'éclairage', 'sécurité', 'police',
        'pompiers', 'cimetière', 'salle', 'location', 'tarifs']::text[] AS w) x
$$;

INSERT INTO sections (id, slug, title, description, position)
SELECT md5('town-section-' || i)::uuid, 'town-rubrique-' || i, 'Rubrique ' || i, 'Rubrique de la ville', 100 + i
FROM generate_series(1, 12) i
ON CONFLICT (slug) DO NOTHING;

-- Articles: one every few hours over ten years, 90 % news; 1 % waiting for review, 1 % drafts,
-- 1 % archived, a few scheduled for later or already unpublished.
INSERT INTO articles (id, kind, section_id, slug, title, summary, body_md, body_html, tags, status,
    author_id, author_name, revision, created_at, updated_at, pub_revision, pub_section_id, pub_title,
    pub_summary, pub_body_md, pub_body_html, pub_tags, published_at, pub_updated_at, pub_publish_at,
    pub_unpublish_at)
SELECT md5('town-article-' || n)::uuid, CASE WHEN n % 10 = 0 THEN 'page' ELSE 'news' END,
       md5('town-section-' || (1 + n % 12))::uuid, 'town-article-' || n, t.title, t.summary, t.body,
       '<p>' || t.body || '</p>', t.tags,
       CASE n % 100 WHEN 1 THEN 'in_review' WHEN 2 THEN 'draft' WHEN 3 THEN 'archived' ELSE 'published' END,
       md5('town-user-' || (1 + n % 40))::uuid, 'Service communication', 1, t.at, t.at,
       CASE WHEN n % 100 = 2 THEN NULL ELSE 1 END, md5('town-section-' || (1 + n % 12))::uuid,
       t.title, t.summary, t.body, '<p>' || t.body || '</p>', t.tags, t.at, t.at,
       CASE WHEN n % 500 = 7 THEN now() + interval '3 days' END,
       CASE WHEN n % 500 = 9 THEN t.at + interval '30 days' END
FROM generate_series(1, town_count(20000)) n,
LATERAL (SELECT now() - make_interval(secs => (n::float8 / town_count(20000)) * 315360000 + n % 977) AS at,
                initcap(town_text(n, 5)) AS title, town_text(n + 1, 18) AS summary,
                town_text(n + 2, 70) AS body,
                ARRAY[town_text(n % 20, 1), town_text(20 + n % 7, 1)] AS tags) t
ON CONFLICT (slug) DO NOTHING;

INSERT INTO article_revisions (article_id, n, actor_id, actor_role, action, snapshot, at)
SELECT id, 1, author_id, 'editor', 'publish', jsonb_build_object('slug', slug, 'title', title), created_at
FROM articles WHERE slug LIKE 'town-article-%'
ON CONFLICT DO NOTHING;

-- Events: ten years of agenda, the last tenth still to come.
INSERT INTO events (id, slug, title, starts_at, ends_at, location, summary, body_md, body_html, audience, created_by)
SELECT md5('town-event-' || n)::uuid, 'town-event-' || n, initcap(town_text(n + 5, 4)), t.at,
       t.at + interval '3 hours', 'Salle ' || (1 + n % 9), town_text(n + 6, 15),
       town_text(n + 7, 40), '<p>' || town_text(n + 7, 40) || '</p>', 'tous',
       md5('town-user-1')::uuid
FROM generate_series(1, town_count(3000)) n,
LATERAL (SELECT now() + interval '1 year' - make_interval(secs => (n::float8 / town_count(3000)) * 346896000) AS at) t
ON CONFLICT (slug) DO NOTHING;

INSERT INTO organisations (id, slug, name, category, description_md, description_html, address, phone, email)
SELECT md5('town-org-' || n)::uuid, 'town-structure-' || n, initcap(town_text(n + 11, 3)) || ' ' || n,
       (array['sport', 'culture', 'solidarite', 'jeunesse', 'sante', 'commerce', 'environnement', 'loisirs'])[1 + n % 8],
       town_text(n + 12, 40), '<p>' || town_text(n + 12, 40) || '</p>',
       n || ' rue de la ' || town_text(n + 13, 1), '02 38 00 00 00', 'contact' || n || '@example.org'
FROM generate_series(1, town_count(300)) n
ON CONFLICT (slug) DO NOTHING;

INSERT INTO directory_changes (id, organisation_id, submitted_by, submitted_at, changes)
SELECT md5('town-change-' || n)::uuid, md5('town-org-' || n)::uuid, md5('town-user-' || n)::uuid,
       now() - make_interval(hours => n), jsonb_build_object('phone', '02 38 11 11 ' || lpad((n % 100)::text, 2, '0'))
FROM generate_series(1, town_count(300)) n WHERE n % 20 = 0
ON CONFLICT DO NOTHING;

-- Jobs: five hundred offers over ten years; the recent ones are live.
INSERT INTO jobs (id, title, employer, contract, location, description_md, description_html, contact_email,
    expires_at, status, edit_token_hash, created_at, updated_at, published_at)
SELECT md5('town-job-' || n)::uuid, initcap(town_text(n + 21, 3)), 'Employeur ' || (1 + n % 60),
       (array['cdi', 'cdd', 'interim', 'stage', 'apprentissage', 'saisonnier'])[1 + n % 6], 'Beaulieu-sur-Loire',
       town_text(n + 22, 50), '<p>' || town_text(n + 22, 50) || '</p>', 'rh' || n || '@example.org',
       t.at + interval '60 days', CASE n % 25 WHEN 0 THEN 'pending' WHEN 1 THEN 'rejected' ELSE 'published' END,
       md5('town-job-token-' || n), t.at, t.at, t.at
FROM generate_series(1, town_count(500)) n,
LATERAL (SELECT now() - make_interval(secs => (n::float8 / town_count(500)) * 315360000) AS at) t
ON CONFLICT (id) DO NOTHING;

DROP FUNCTION town_count(int);
DROP FUNCTION town_text(bigint, int);

-- stats.sql — the "town" fixture of civitas-stats: the business events the other services sent
-- over the fixture's history (accounts registered, requests submitted and decided, articles
-- published), as stats keeps them. Runs as civitas_stats (search_path = stats) inside one
-- transaction; town.scale multiplies every count, ids match the other fixtures.

-- Helper of this file only (dropped at the end): n × town.scale, at least 1.
CREATE FUNCTION town_count(n int) RETURNS int LANGUAGE sql STABLE AS $$
    SELECT greatest(1, round(n * current_setting('town.scale')::numeric))::int
$$;

INSERT INTO events (id, topic, source, occurred_at, received_at, data)
SELECT md5('town-ev-account-' || n)::uuid, 'account.registered', 'account', t.at, t.at,
       jsonb_build_object('user_id', md5('town-user-' || n)::uuid)
FROM generate_series(1, town_count(50000)) n,
LATERAL (SELECT now() - make_interval(secs => (n::float8 / town_count(50000)) * 94608000) AS at) t
ON CONFLICT DO NOTHING;

INSERT INTO events (id, topic, source, occurred_at, received_at, data)
SELECT md5('town-ev-request-' || n || '-' || k)::uuid, 'request.' || (array['submitted', 'status_changed'])[k],
       'teleservices', t.at + make_interval(days => (k - 1) * (1 + n % 20)), t.at + make_interval(days => (k - 1) * (1 + n % 20)),
       jsonb_build_object('request_id', md5('town-request-' || n)::uuid,
                          'service', (array['etat-civil', 'scolaire', 'jeunesse', 'conservatoire', 'urbanisme', 'social'])[1 + (1 + n % 24) % 6],
                          'status', CASE k WHEN 1 THEN 'submitted' ELSE 'accepted' END)
FROM generate_series(1, town_count(200000)) n, generate_series(1, 2) k,
LATERAL (SELECT now() - make_interval(secs => ((town_count(200000) - n)::float8 / town_count(200000)) * 94608000) AS at) t
WHERE n % 100 <> 0
ON CONFLICT DO NOTHING;

INSERT INTO events (id, topic, source, occurred_at, received_at, data)
SELECT md5('town-ev-article-' || n)::uuid, 'article.published', 'content', t.at, t.at,
       jsonb_build_object('article_id', md5('town-article-' || n)::uuid, 'kind', CASE WHEN n % 10 = 0 THEN 'page' ELSE 'news' END)
FROM generate_series(1, town_count(20000)) n,
LATERAL (SELECT now() - make_interval(secs => (n::float8 / town_count(20000)) * 315360000) AS at) t
ON CONFLICT DO NOTHING;

DROP FUNCTION town_count(int);

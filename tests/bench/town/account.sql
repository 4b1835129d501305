-- account.sql — the "town" fixture of civitas-account: 50,000 accounts (× town.scale) in
-- households with children and vault documents, forty agents, three years of audit trail and a few
-- notifications. Runs as civitas_account (search_path = account) inside one transaction. Town
-- accounts share the password of the first account that has one (the demo password on a demo
-- stack), so a benchmark can sign in as any of them.

-- Helpers of this file only (dropped at the end): n × town.scale, at least 1.
CREATE FUNCTION town_count(n int) RETURNS int LANGUAGE sql STABLE AS $$
    SELECT greatest(1, round(n * current_setting('town.scale')::numeric))::int
$$;

INSERT INTO households (id, address_line1, postcode, city, qf_value, qf_state, qf_valid_until, qf_declared_at,
    created_at, updated_at)
SELECT md5('town-hh-' || h)::uuid, h || ' rue de la Loire', '45630', 'Beaulieu-sur-Loire',
       CASE WHEN h % 4 <> 0 THEN 300 + h % 1500 END,
       CASE WHEN h % 4 = 0 THEN NULL WHEN h % 50 = 1 THEN 'declared' ELSE 'verified' END,
       CASE WHEN h % 4 <> 0 THEN current_date + 200 END, CASE WHEN h % 4 <> 0 THEN now() - make_interval(days => h % 700) END,
       now() - make_interval(days => h % 1500), now() - make_interval(days => h % 300)
FROM generate_series(1, town_count(30000)) h
ON CONFLICT (id) DO NOTHING;

-- Users 1..40 are agents of the town's services; the first households get a second adult.
INSERT INTO users (id, email, password_hash, given_name, family_name, role, services, email_verified_at,
    household_id, created_at, updated_at)
SELECT md5('town-user-' || n)::uuid, 'habitant' || n || '@town.example', pw.hash,
       (array['Camille', 'Louis', 'Chloé', 'Hugo', 'Léa', 'Nathan', 'Manon', 'Jules', 'Inès', 'Gabriel'])[1 + n % 10],
       (array['Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent',
              'Simon', 'Michel', 'Lefèvre', 'Leroy', 'Roux'])[1 + (n / 10) % 15] || '-' || n,
       CASE WHEN n <= 40 THEN 'agent' ELSE 'citizen' END,
       CASE WHEN n <= 40 THEN ARRAY[(array['etat-civil', 'scolaire', 'jeunesse', 'conservatoire', 'urbanisme',
                                            'social'])[1 + n % 6]] ELSE '{}' END,
       now() - make_interval(days => n % 1000), md5('town-hh-' || (1 + (n - 1) % town_count(30000)))::uuid,
       now() - make_interval(secs => (n::float8 / town_count(50000)) * 94608000), now()
FROM generate_series(1, town_count(50000)) n,
     (SELECT (SELECT password_hash FROM users WHERE password_hash IS NOT NULL ORDER BY created_at LIMIT 1) AS hash) pw
ON CONFLICT DO NOTHING;

INSERT INTO household_members (id, household_id, relation, given_name, family_name, user_id, created_at)
SELECT md5('town-member-' || u.n)::uuid, md5('town-hh-' || (1 + (u.n - 1) % town_count(30000)))::uuid, 'adult',
       x.given_name, x.family_name, x.id, x.created_at
FROM generate_series(1, town_count(50000)) u(n) JOIN users x ON x.id = md5('town-user-' || u.n)::uuid
ON CONFLICT DO NOTHING;

INSERT INTO household_members (id, household_id, relation, given_name, family_name, birth_date, sex, school_class)
SELECT md5('town-child-' || h || '-' || k)::uuid, md5('town-hh-' || h)::uuid, 'child',
       (array['Emma', 'Léo', 'Jade', 'Raphaël', 'Louise', 'Arthur', 'Alice', 'Adam'])[1 + (h + k) % 8], 'Enfant-' || h,
       current_date - (365 * (3 + (h + k * 5) % 14)), CASE WHEN (h + k) % 2 = 0 THEN 'F' ELSE 'M' END,
       (array['ps', 'ms', 'gs', 'cp', 'ce1', 'ce2', 'cm1', 'cm2', '6e', '5e'])[1 + (h + k) % 10]
FROM generate_series(1, town_count(30000)) h, generate_series(1, 2) k
WHERE h % 3 <> 0 AND (k = 1 OR h % 2 = 0)
ON CONFLICT DO NOTHING;

INSERT INTO documents (id, household_id, kind, filename, mime, size, sha256, valid_until, uploaded_at)
SELECT md5('town-doc-' || h || '-' || k)::uuid, md5('town-hh-' || h)::uuid,
       (array['identity', 'proof_of_address', 'qf_certificate'])[k], 'piece-' || k || '.pdf', 'application/pdf',
       120000 + h % 5000, md5('town-doc-' || h || '-' || k) || md5('town-doc-' || h || '-' || k),
       current_date + 300, now() - make_interval(days => (h * k) % 900)
FROM generate_series(1, town_count(30000)) h, generate_series(1, 3) k
ON CONFLICT DO NOTHING;

INSERT INTO audit (at, service, actor_id, actor_role, action, target_type, target_id, ip, details)
SELECT now() - make_interval(secs => (n::float8 / town_count(100000)) * 94608000), t.svc,
       md5('town-user-' || (1 + n % 40))::uuid, 'agent', t.action, 'request', md5('town-request-' || n)::text,
       '192.0.2.' || (1 + n % 250), '{}'
FROM generate_series(1, town_count(100000)) n,
LATERAL (SELECT (array['teleservices', 'teleservices', 'content', 'account'])[1 + n % 4] AS svc,
                (array['request.status', 'request.assign', 'article.publish', 'household.qf_verify'])[1 + n % 4]
                    AS action) t;

INSERT INTO notifications (user_id, template, subject, body, created_at, read_at)
SELECT md5('town-user-' || n)::uuid, 'request_status', 'Votre demande a avancé', 'Votre demande a changé de statut.',
       now() - make_interval(days => k * 40 + n % 30), CASE WHEN k > 1 THEN now() END
FROM generate_series(1, town_count(50000)) n, generate_series(1, 3) k
WHERE n % 2 = 0;

DROP FUNCTION town_count(int);

-- teleservices.sql — the "town" fixture of civitas-teleservices: 200,000 requests (× town.scale)
-- over three years from the town's accounts, with their timeline. Old requests are decided; the
-- last weeks hold the open work of the agents' queues, some of it late. Runs as
-- civitas_teleservices (search_path = teleservices) inside one transaction; user and household
-- ids are those of the account fixture.

-- Helpers of this file only (dropped at the end): n × town.scale, at least 1.
CREATE FUNCTION town_count(n int) RETURNS int LANGUAGE sql STABLE AS $$
    SELECT greatest(1, round(n * current_setting('town.scale')::numeric))::int
$$;

INSERT INTO procedures (id, slug, version, title, description_md, service, audience, sla_days, status)
SELECT md5('town-proc-' || k)::uuid, 'town-demarche-' || k, 1, 'Démarche de la ville n° ' || k,
       'Une démarche du catalogue de la ville.',
       (array['etat-civil', 'scolaire', 'jeunesse', 'conservatoire', 'urbanisme', 'social'])[1 + k % 6],
       'self', 5 + (k * 7) % 26, 'published'
FROM generate_series(1, 24) k
ON CONFLICT DO NOTHING;

-- Status by age: a request from the last 40 days may still be open; older ones are decided,
-- rejected or cancelled (a few stayed drafts). The open statuses are drawn from n / 6 because
-- the service comes from n % 6: every service gets open work of every status.
CREATE VIEW town_req AS
SELECT n, md5('town-request-' || n)::uuid AS id, 1 + (n::bigint * 7919) % town_count(50000) AS u, md5('town-proc-' || (1 + n % 24))::uuid AS proc,
       (array['etat-civil', 'scolaire', 'jeunesse', 'conservatoire', 'urbanisme', 'social'])[1 + (1 + n % 24) % 6] AS service,
       now() - make_interval(secs => ((town_count(200000) - n)::float8 / town_count(200000)) * 94608000 + 600) AS created_at,
       CASE WHEN n % 100 = 0 THEN 'draft'
            WHEN n % 50 = 1 THEN 'cancelled'
            WHEN n > town_count(200000) * 0.963 THEN (array['submitted', 'received', 'in_progress', 'in_progress', 'incomplete',
                                                    'accepted'])[1 + (n / 6) % 6]
            WHEN n % 10 = 3 THEN 'rejected' ELSE 'accepted' END AS status,
       (n::bigint * 104729) % (40 * 86400) AS work_s
FROM generate_series(1, town_count(200000)) n;

INSERT INTO requests (id, user_id, household_id, procedure_id, service, beneficiaries, answers, status, reference,
    submitted_at, received_at, decided_at, processing_s, clock_since, created_at, updated_at)
SELECT r.id, md5('town-user-' || r.u)::uuid, md5('town-hh-' || (1 + (r.u - 1) % town_count(30000)))::uuid, r.proc,
       r.service, jsonb_build_array(jsonb_build_object('name', 'Habitant ' || r.u)),
       jsonb_build_object('motif', 'Demande n° ' || r.n),
       r.status, CASE WHEN r.status <> 'draft' THEN 'T' || to_char(r.created_at, 'YYYY') || '-' || lpad(r.n::text, 7, '0') END,
       CASE WHEN r.status <> 'draft' THEN r.created_at + interval '5 minutes' END,
       CASE WHEN r.status NOT IN ('draft', 'submitted', 'cancelled') THEN r.created_at + interval '6 minutes' END,
       CASE WHEN r.status IN ('accepted', 'rejected') THEN r.created_at + interval '6 minutes' + make_interval(secs => r.work_s) END,
       CASE WHEN r.status IN ('accepted', 'rejected') THEN r.work_s
            WHEN r.status = 'incomplete' THEN r.work_s / 4 ELSE 0 END,
       CASE WHEN r.status IN ('received', 'in_progress') THEN r.created_at + interval '6 minutes' END,
       r.created_at, r.created_at + make_interval(secs => r.work_s)
FROM town_req r
ON CONFLICT DO NOTHING;

-- The timeline: submitted, received, then in progress and the decision when the request got there.
-- Written with the per-statement timeline trigger off, then the stored figures of every request
-- computed in one pass (migration 0130).
ALTER TABLE request_steps DISABLE TRIGGER request_steps_timeline_ins;
INSERT INTO request_steps (request_id, at, from_status, to_status, by_id, by_role)
SELECT r.id, s.at, s.from_status, s.to_status, s.by_id, s.by_role
FROM town_req r,
LATERAL (VALUES (1, r.created_at + interval '5 minutes', 'draft', 'submitted', NULL::uuid, 'citizen'),
                (2, r.created_at + interval '6 minutes', 'submitted', 'received', NULL, 'system'),
                (3, r.created_at + interval '1 day', 'received', 'in_progress', md5('town-user-' || (1 + r.n % 40))::uuid, 'agent'),
                (4, r.created_at + interval '2 days', 'in_progress', 'incomplete', md5('town-user-' || (1 + r.n % 40))::uuid, 'agent'),
                (5, r.created_at + interval '6 minutes' + make_interval(secs => r.work_s), 'in_progress', r.status,
                 md5('town-user-' || (1 + r.n % 40))::uuid, 'agent'))
        AS s(k, at, from_status, to_status, by_id, by_role)
WHERE r.status <> 'draft' AND CASE s.k
    WHEN 1 THEN true
    WHEN 2 THEN r.status NOT IN ('submitted', 'cancelled')
    WHEN 3 THEN r.status IN ('in_progress', 'accepted', 'rejected')
    WHEN 4 THEN r.status = 'incomplete'
    ELSE r.status IN ('accepted', 'rejected') END
ORDER BY r.n, s.k;
ALTER TABLE request_steps ENABLE TRIGGER request_steps_timeline_ins;
SELECT request_timeline_refresh_all();

DROP VIEW town_req;
DROP FUNCTION town_count(int);

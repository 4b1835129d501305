-- 0002_teleservices.sql — procedures (versioned data), requests with their timeline, documents
-- copied at submission, messages and notes, connectors, and the SLA arithmetic as a pure function.
CREATE TABLE procedures (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug               text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,79}$'),
    version            integer NOT NULL CHECK (version >= 1),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description_md     text NOT NULL DEFAULT '' CHECK (length(description_md) <= 20000),
    service            text NOT NULL CHECK (service ~ '^[a-z][a-z0-9-]{1,31}$'),
    life_event         text CHECK (life_event IS NULL OR length(life_event) <= 64),
    audience           text NOT NULL CHECK (audience IN ('self', 'member', 'household')),
    member_filter      jsonb,
    fields             jsonb NOT NULL DEFAULT '[]',
    required_documents jsonb NOT NULL DEFAULT '[]',
    fee_cents          integer CHECK (fee_cents IS NULL OR fee_cents >= 0),
    sla_days           integer NOT NULL DEFAULT 6 CHECK (sla_days BETWEEN 1 AND 365),
    status             text NOT NULL CHECK (status IN ('draft', 'published', 'superseded')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (slug, version)
);
-- At most one current (draft or published) version per slug.
CREATE UNIQUE INDEX procedures_current ON procedures (slug) WHERE status <> 'superseded';
CREATE INDEX procedures_service ON procedures (service) WHERE status = 'published';

CREATE TABLE reference_counters (
    year integer NOT NULL,
    code text NOT NULL,
    n    integer NOT NULL,
    PRIMARY KEY (year, code)
);

CREATE TABLE bundles (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL,
    idempotency_key text,
    request_ids     uuid[] NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX bundles_idem ON bundles (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE requests (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL,
    household_id    uuid,
    procedure_id    uuid NOT NULL REFERENCES procedures (id),
    service         text NOT NULL,
    member_ids      uuid[] NOT NULL DEFAULT '{}',
    beneficiaries   jsonb NOT NULL DEFAULT '[]', -- names as they were at submission
    answers         jsonb NOT NULL DEFAULT '{}',
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'received',
                    'in_progress', 'incomplete', 'accepted', 'rejected', 'cancelled')),
    reference       text UNIQUE,
    bundle_id       uuid REFERENCES bundles (id),
    assignee_id     uuid,
    submit_key      text,
    submitted_at    timestamptz,
    received_at     timestamptz,
    decided_at      timestamptz,
    processing_s    double precision NOT NULL DEFAULT 0, -- time already counted (received, in_progress)
    clock_since     timestamptz,                         -- the SLA clock runs since then (NULL: paused)
    lock_version    integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX requests_user ON requests (user_id, created_at DESC);
CREATE INDEX requests_queue ON requests (service, status) WHERE status NOT IN ('draft', 'cancelled');
CREATE INDEX requests_received ON requests (received_at) WHERE received_at IS NOT NULL;

CREATE TABLE request_steps (
    id          bigserial PRIMARY KEY,
    request_id  uuid NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    from_status text,
    to_status   text NOT NULL,
    by_id       uuid,
    by_role     text NOT NULL, -- citizen | agent | system | connector
    comment     text CHECK (comment IS NULL OR length(comment) <= 4000)
);
CREATE INDEX request_steps_request ON request_steps (request_id, id);

CREATE TABLE request_documents (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id        uuid NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    kind              text NOT NULL,
    member_id         uuid,
    source            text NOT NULL CHECK (source IN ('vault', 'upload')),
    vault_document_id uuid,
    filename          text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    mime              text NOT NULL CHECK (mime IN ('application/pdf', 'image/jpeg', 'image/png')),
    size              bigint NOT NULL CHECK (size BETWEEN 1 AND 10485760),
    sha256            text NOT NULL,
    document_date     timestamptz NOT NULL, -- uploaded_at in the vault, or the upload here
    content           bytea,                -- NULL until copied from the vault at submission
    attached_at       timestamptz NOT NULL DEFAULT now(),
    copied_at         timestamptz
);
CREATE INDEX request_documents_request ON request_documents (request_id);
CREATE UNIQUE INDEX request_documents_vault ON request_documents (request_id, vault_document_id)
    WHERE vault_document_id IS NOT NULL;

CREATE TABLE request_messages (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id  uuid NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    author_id   uuid,
    author_role text NOT NULL, -- citizen | agent
    internal    boolean NOT NULL DEFAULT false, -- a private note: never shown to the citizen
    body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX request_messages_request ON request_messages (request_id, created_at);

CREATE TABLE connectors (
    service    text PRIMARY KEY CHECK (service ~ '^[a-z][a-z0-9-]{1,31}$'),
    url        text NOT NULL CHECK (url ~ '^https?://'),
    secret     text NOT NULL CHECK (length(secret) BETWEEN 16 AND 200),
    events     text[] NOT NULL DEFAULT '{accepted}',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Processing time of one request from its steps (ordered): the time spent in received or
-- in_progress, i.e. from reception to the decision without the periods spent incomplete.
-- A step that is the last one runs until p_now. Pure: tested on its own.
CREATE FUNCTION sla_processing_seconds(ats timestamptz[], tos text[], p_now timestamptz)
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(sum(extract(epoch FROM coalesce(s.next_at, p_now) - s.at)), 0)::double precision
    FROM (SELECT u.at, u.to_status, lead(u.at) OVER (ORDER BY u.ord) AS next_at
          FROM unnest(ats, tos) WITH ORDINALITY AS u(at, to_status, ord)) s
    WHERE s.to_status IN ('received', 'in_progress')
$$;

-- RFC 3339 UTC text of a timestamp (NULL stays NULL).
CREATE FUNCTION iso(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- Seconds on the SLA clock so far: what was counted plus the running period.
CREATE FUNCTION running_seconds(processing_s double precision, clock_since timestamptz, p_now timestamptz)
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
    SELECT processing_s + coalesce(extract(epoch FROM p_now - clock_since)::double precision, 0)
$$;

-- The API shape of a procedure version.
CREATE FUNCTION procedure_json(p procedures) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', p.id, 'slug', p.slug, 'version', p.version, 'title', p.title,
        'description_md', p.description_md, 'service', p.service, 'life_event', p.life_event,
        'audience', p.audience, 'member_filter', p.member_filter, 'fields', p.fields,
        'required_documents', p.required_documents, 'fee_cents', p.fee_cents, 'sla_days', p.sla_days,
        'status', p.status, 'created_at', iso(p.created_at), 'updated_at', iso(p.updated_at))
$$;

-- A request as a list shows it (citizen "mes demandes", agent queue).
CREATE FUNCTION request_summary_json(r requests, p procedures) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', r.id, 'reference', r.reference, 'status', r.status,
        'procedure', jsonb_build_object('id', p.id, 'slug', p.slug, 'version', p.version,
                                        'title', p.title, 'sla_days', p.sla_days),
        'service', r.service, 'user_id', r.user_id, 'member_ids', to_jsonb(r.member_ids),
        'beneficiaries', r.beneficiaries, 'assignee_id', r.assignee_id, 'bundle_id', r.bundle_id,
        'submitted_at', iso(r.submitted_at), 'received_at', iso(r.received_at),
        'decided_at', iso(r.decided_at), 'created_at', iso(r.created_at), 'updated_at', iso(r.updated_at),
        'processing_seconds', round(running_seconds(r.processing_s, r.clock_since, now())::numeric, 0),
        'late', r.received_at IS NOT NULL AND r.status NOT IN ('cancelled')
                AND running_seconds(r.processing_s, r.clock_since, now()) > p.sla_days * 86400.0)
$$;

-- The whole request: answers, timeline, documents, messages; notes only for agents.
CREATE FUNCTION request_json(r requests, p procedures, for_agent boolean) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT request_summary_json(r, p) || jsonb_build_object(
        'answers', r.answers, 'etag', '"v' || r.lock_version || '"',
        'procedure', procedure_json(p),
        'timeline', coalesce((SELECT jsonb_agg(jsonb_build_object('at', iso(s.at), 'from', s.from_status,
                'to', s.to_status, 'by', s.by_role, 'by_id', s.by_id, 'comment', s.comment) ORDER BY s.id)
            FROM request_steps s WHERE s.request_id = r.id), '[]'),
        'documents', coalesce((SELECT jsonb_agg(jsonb_build_object('id', d.id, 'kind', d.kind,
                'member_id', d.member_id, 'source', d.source, 'vault_document_id', d.vault_document_id,
                'filename', d.filename, 'mime', d.mime, 'size', d.size, 'sha256', d.sha256,
                'document_date', iso(d.document_date), 'attached_at', iso(d.attached_at),
                'copied', d.content IS NOT NULL) ORDER BY d.attached_at, d.id)
            FROM request_documents d WHERE d.request_id = r.id), '[]'),
        'messages', coalesce((SELECT jsonb_agg(jsonb_build_object('id', m.id, 'author_role', m.author_role,
                'author_id', m.author_id, 'body', m.body, 'created_at', iso(m.created_at))
                ORDER BY m.created_at, m.id)
            FROM request_messages m WHERE m.request_id = r.id AND NOT m.internal), '[]'))
        || CASE WHEN for_agent THEN jsonb_build_object('notes',
            coalesce((SELECT jsonb_agg(jsonb_build_object('id', m.id, 'author_id', m.author_id, 'body', m.body,
                'created_at', iso(m.created_at)) ORDER BY m.created_at, m.id)
            FROM request_messages m WHERE m.request_id = r.id AND m.internal), '[]'))
           ELSE '{}'::jsonb END
$$;

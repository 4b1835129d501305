-- 0002_payment.sql — the town's "régie": price grids by quotient familial, invoices with gapless
-- yearly numbers, checkouts paid through a provider, refunds, and ticketing for agenda events.
-- Money is integer cents everywhere (bigint), never floating point.
CREATE FUNCTION iso(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

CREATE TABLE price_grids (
    service             text PRIMARY KEY CHECK (service ~ '^[a-z][a-z0-9-]{1,39}$'),
    label               text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    brackets            jsonb NOT NULL, -- [{qf_max, price_cents}] sorted by qf_max, checked by the service
    default_price_cents bigint NOT NULL CHECK (default_price_cents >= 0),
    revision            integer NOT NULL DEFAULT 1,
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- One row per year, locked (FOR UPDATE through the upsert) by the transaction that numbers an
-- invoice: a rolled-back transaction gives its number back, so numbers have no gap.
CREATE TABLE invoice_counters (
    year integer PRIMARY KEY,
    n    integer NOT NULL
);

CREATE TABLE invoices (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number         text NOT NULL UNIQUE,
    household_id   uuid NOT NULL,
    label          text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    lines          jsonb NOT NULL,
    total_cents    bigint NOT NULL CHECK (total_cents >= 0),
    paid_cents     bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
    refunded_cents bigint NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0 AND refunded_cents <= paid_cents),
    due_date       date NOT NULL,
    status         text NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'paid', 'cancelled', 'refunded', 'partially_refunded')),
    source         text NOT NULL CHECK (source IN ('agent', 'internal', 'import', 'demo')),
    source_service text,          -- "teleservices", "cantine" ... for internal invoices
    source_key     text,          -- the caller's idempotency key
    request_hash   text,          -- sha256 of the caller's canonical body, to refuse a reused key
    pricing        jsonb,         -- {basis, qf, grid} when a grid priced a line
    created_by     uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    paid_at        timestamptz,
    cancelled_at   timestamptz
);
CREATE UNIQUE INDEX invoices_source_key ON invoices (source_service, source_key) WHERE source_key IS NOT NULL;
CREATE INDEX invoices_household ON invoices (household_id, created_at DESC);

-- vads_trans_id: six digits, unique per shop and day (the sequence cycles well within a day).
CREATE SEQUENCE trans_seq MINVALUE 0 MAXVALUE 899999 START 0 CYCLE;

CREATE TABLE checkouts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL,
    household_id    uuid,
    idempotency_key text NOT NULL,
    request_hash    text NOT NULL,
    provider        text NOT NULL CHECK (provider IN ('sandbox', 'systempay')),
    trans_id        text NOT NULL, -- vads_trans_id: 6 digits, unique per shop and day
    amount_cents    bigint NOT NULL CHECK (amount_cents > 0),
    currency        text NOT NULL DEFAULT '978',
    status          text NOT NULL DEFAULT 'created'
                    CHECK (status IN ('created', 'pending', 'succeeded', 'failed', 'cancelled', 'expired')),
    provider_ref    text, -- the provider's transaction reference once notified
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    paid_at         timestamptz,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX checkouts_open ON checkouts (expires_at) WHERE status IN ('created', 'pending');
CREATE INDEX checkouts_paid ON checkouts (paid_at) WHERE paid_at IS NOT NULL;

CREATE TABLE checkout_invoices (
    checkout_id  uuid NOT NULL REFERENCES checkouts (id),
    invoice_id   uuid NOT NULL REFERENCES invoices (id),
    amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
    PRIMARY KEY (checkout_id, invoice_id)
);
CREATE INDEX checkout_invoices_invoice ON checkout_invoices (invoice_id);

-- Every notification received, verified or not: forged ones are kept for the treasury.
CREATE TABLE provider_notifications (
    id          bigserial PRIMARY KEY,
    provider    text NOT NULL,
    checkout_id uuid,
    verified    boolean NOT NULL,
    outcome     text NOT NULL, -- applied | duplicate | ignored | forged | amount_mismatch | unknown_order
    trans_status text,
    fields      jsonb NOT NULL,
    client_ip   text,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- Ticketing: an agenda event (content's id) with categories of seats.
CREATE TABLE ticketed_events (
    event_id        uuid PRIMARY KEY,
    title           text NOT NULL,
    starts_at       timestamptz,
    sales_open_at   timestamptz NOT NULL,
    sales_close_at  timestamptz NOT NULL CHECK (sales_close_at > sales_open_at),
    per_order_limit integer NOT NULL CHECK (per_order_limit BETWEEN 1 AND 50),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- held + sold never pass capacity: every hold is one guarded UPDATE of this row.
CREATE TABLE ticket_categories (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id    uuid NOT NULL REFERENCES ticketed_events (event_id) ON DELETE CASCADE,
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    price_cents bigint NOT NULL CHECK (price_cents >= 0),
    capacity    integer NOT NULL CHECK (capacity >= 0),
    held        integer NOT NULL DEFAULT 0 CHECK (held >= 0),
    sold        integer NOT NULL DEFAULT 0 CHECK (sold >= 0),
    position    integer NOT NULL DEFAULT 0,
    CHECK (held + sold <= capacity),
    UNIQUE (event_id, label)
);

CREATE TABLE holds (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL,
    category_id uuid NOT NULL REFERENCES ticket_categories (id) ON DELETE CASCADE,
    quantity    integer NOT NULL CHECK (quantity >= 1),
    holder_name text NOT NULL,
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paid', 'released')),
    checkout_id uuid REFERENCES checkouts (id),
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX holds_active ON holds (expires_at) WHERE status = 'active';
CREATE INDEX holds_checkout ON holds (checkout_id);

CREATE TABLE tickets (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL UNIQUE,
    event_id    uuid NOT NULL,
    category_id uuid NOT NULL REFERENCES ticket_categories (id),
    hold_id     uuid REFERENCES holds (id),
    checkout_id uuid REFERENCES checkouts (id),
    user_id     uuid NOT NULL,
    holder_name text NOT NULL,
    price_cents bigint NOT NULL,
    status      text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'refunded')),
    used_at     timestamptz,
    issued_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_user ON tickets (user_id, issued_at DESC);

CREATE TABLE waiting_list (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    category_id uuid NOT NULL REFERENCES ticket_categories (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL,
    quantity    integer NOT NULL CHECK (quantity >= 1),
    status      text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'offered', 'left')),
    hold_id     uuid REFERENCES holds (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (category_id, user_id)
);
CREATE INDEX waiting_list_queue ON waiting_list (category_id, created_at) WHERE status = 'waiting';

CREATE TABLE refunds (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    checkout_id  uuid NOT NULL REFERENCES checkouts (id),
    invoice_id   uuid REFERENCES invoices (id),
    ticket_id    uuid REFERENCES tickets (id),
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    provider_ref text,
    by_id        uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((invoice_id IS NULL) <> (ticket_id IS NULL))
);
CREATE INDEX refunds_at ON refunds (created_at);

CREATE FUNCTION invoice_json(i invoices) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', i.id, 'number', i.number, 'household_id', i.household_id, 'label', i.label,
        'lines', i.lines, 'total_cents', i.total_cents, 'paid_cents', i.paid_cents,
        'refunded_cents', i.refunded_cents, 'due_date', i.due_date::text, 'status', i.status,
        'source', i.source, 'source_service', i.source_service, 'source_key', i.source_key, 'pricing', i.pricing,
        'created_at', iso(i.created_at), 'paid_at', iso(i.paid_at), 'cancelled_at', iso(i.cancelled_at))
$$;

CREATE FUNCTION grid_json(g price_grids) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('service', g.service, 'label', g.label, 'brackets', g.brackets,
        'default_price_cents', g.default_price_cents, 'revision', g.revision, 'updated_at', iso(g.updated_at))
$$;

CREATE FUNCTION ticketing_json(e ticketed_events) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('event_id', e.event_id, 'title', e.title, 'starts_at', iso(e.starts_at),
        'sales_open_at', iso(e.sales_open_at), 'sales_close_at', iso(e.sales_close_at),
        'per_order_limit', e.per_order_limit,
        'categories', coalesce((SELECT jsonb_agg(jsonb_build_object('id', c.id, 'label', c.label,
            'price_cents', c.price_cents, 'capacity', c.capacity, 'sold', c.sold, 'held', c.held,
            'available', c.capacity - c.sold - c.held,
            'waiting', (SELECT count(*) FROM waiting_list w WHERE w.category_id = c.id AND w.status = 'waiting'))
            ORDER BY c.position, c.label) FROM ticket_categories c WHERE c.event_id = e.event_id), '[]'))
$$;

CREATE FUNCTION ticket_json(t tickets) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', t.id, 'code', t.code, 'event_id', t.event_id,
        'event_title', (SELECT e.title FROM ticketed_events e WHERE e.event_id = t.event_id),
        'starts_at', (SELECT iso(e.starts_at) FROM ticketed_events e WHERE e.event_id = t.event_id),
        'category', (SELECT c.label FROM ticket_categories c WHERE c.id = t.category_id),
        'holder_name', t.holder_name, 'price_cents', t.price_cents, 'status', t.status,
        'used_at', iso(t.used_at), 'issued_at', iso(t.issued_at))
$$;

CREATE FUNCTION hold_json(h holds) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', h.id, 'category_id', h.category_id,
        'event_id', c.event_id, 'category', c.label, 'quantity', h.quantity,
        'unit_cents', c.price_cents, 'amount_cents', c.price_cents * h.quantity,
        'status', h.status, 'expires_at', iso(h.expires_at))
    FROM ticket_categories c WHERE c.id = h.category_id
$$;

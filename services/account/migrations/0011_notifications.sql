-- 0011_notifications.sql — in-portal notifications, the idempotency keys of notify calls, and the
-- audit trail of the whole portal (other services send theirs as audit.* events).
CREATE TABLE notifications (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    template   text NOT NULL CHECK (template ~ '^[a-z0-9_]{1,64}$'),
    subject    text NOT NULL,
    body       text NOT NULL,
    link       text CHECK (link IS NULL OR length(link) <= 2048),
    idempotency_key text UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC, id DESC);

-- A notify or mail idempotency key is used once, ever.
CREATE TABLE notify_keys (
    key        text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    at          timestamptz NOT NULL DEFAULT now(),
    service     text NOT NULL CHECK (length(service) BETWEEN 1 AND 32),
    actor_id    uuid,
    actor_role  text CHECK (actor_role IS NULL OR length(actor_role) <= 16),
    action      text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    target_type text CHECK (target_type IS NULL OR length(target_type) <= 64),
    target_id   text CHECK (target_id IS NULL OR length(target_id) <= 128),
    ip          text CHECK (ip IS NULL OR length(ip) <= 64),
    request_id  text CHECK (request_id IS NULL OR length(request_id) <= 64),
    details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at ON audit (at DESC, id DESC);
CREATE INDEX audit_actor ON audit (actor_id, at DESC);
CREATE INDEX audit_action ON audit (action, at DESC);

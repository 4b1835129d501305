-- 0010_identity.sql — what signing in needs: notification preferences, TOTP, the failed-login
-- counter and lock, one-time e-mail tokens, sessions with rotating refresh tokens.
ALTER TABLE users
    ADD COLUMN notify_email      boolean NOT NULL DEFAULT true,
    ADD COLUMN notify_portal     boolean NOT NULL DEFAULT true,
    -- The household the person belongs to (households are the family side's tables); NULL until
    -- they create or join one.
    ADD COLUMN household_id      uuid,
    ADD COLUMN totp_secret       text CHECK (totp_secret IS NULL OR totp_secret ~ '^[A-Z2-7]{32}$'),
    ADD COLUMN totp_pending      text CHECK (totp_pending IS NULL OR totp_pending ~ '^[A-Z2-7]{32}$'),
    ADD COLUMN totp_enabled_at   timestamptz,
    ADD COLUMN totp_last_step    bigint NOT NULL DEFAULT 0,
    -- Failures in a row since the last success or lock; lock_level counts locks in a row
    -- (1 min, 5, 15, 60); locked_until is when the current lock ends.
    ADD COLUMN failed_logins     integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    ADD COLUMN lock_level        integer NOT NULL DEFAULT 0 CHECK (lock_level >= 0),
    ADD COLUMN locked_until      timestamptz,
    ADD COLUMN last_login_at     timestamptz;

-- Single-use links sent by e-mail (and the short-lived TOTP enrolment grant): only the SHA-256
-- of the token is stored.
CREATE TABLE email_tokens (
    token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('verify', 'reset', 'email_change', 'totp_enrol')),
    new_email  text CHECK (new_email IS NULL OR length(new_email) BETWEEN 3 AND 254),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

-- A session is one refresh-token family: every refresh spends the current token and issues the
-- next; presenting a spent one revokes the session.
CREATE TABLE sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL DEFAULT now() + interval '30 days',
    revoked_at   timestamptz,
    revoked_why  text,
    ip           text CHECK (ip IS NULL OR length(ip) <= 64),
    user_agent   text CHECK (user_agent IS NULL OR length(user_agent) <= 256)
);
CREATE INDEX sessions_user ON sessions (user_id, created_at DESC);

CREATE TABLE refresh_tokens (
    token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

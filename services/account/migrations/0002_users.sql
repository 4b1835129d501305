-- 0002_users.sql — the people who sign in: citizens, partners, agents, editors, admins.
-- E-mail is unique case-insensitively among live accounts; an erased account (GDPR) keeps an
-- anonymised row so that records the law requires still point somewhere.
CREATE TABLE users (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email             text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    password_hash     text,  -- argon2id PHC string; NULL once the account is erased
    given_name        text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
    family_name       text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
    phone             text CHECK (phone IS NULL OR length(phone) <= 32),
    role              text NOT NULL DEFAULT 'citizen'
                      CHECK (role IN ('citizen', 'partner', 'agent', 'editor', 'admin')),
    services          text[] NOT NULL DEFAULT '{}',  -- for agents: etat-civil, scolaire, ...
    email_verified_at timestamptz,
    disabled_at       timestamptz,
    erased_at         timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_live ON users (lower(email)) WHERE erased_at IS NULL;
CREATE INDEX users_role ON users (role) WHERE role <> 'citizen';

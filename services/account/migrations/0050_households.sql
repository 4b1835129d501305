-- 0050_households.sql — the family side of the account (compte famille): households, their
-- members, the quotient familial, invitations of a second adult, and the documents vault.
-- A person belongs to at most one household, through the member row that carries their user_id.
CREATE TABLE households (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    address_line1   text CHECK (address_line1 IS NULL OR length(address_line1) BETWEEN 1 AND 200),
    address_line2   text CHECK (address_line2 IS NULL OR length(address_line2) BETWEEN 1 AND 200),
    postcode        text CHECK (postcode IS NULL OR postcode ~ '^[0-9]{5}$'),
    city            text CHECK (city IS NULL OR length(city) BETWEEN 1 AND 100),
    -- quotient familial: declared by the citizen with a certificate, verified by an agent;
    -- "expired" is computed at read time (verified and valid_until before today).
    qf_value        integer CHECK (qf_value IS NULL OR qf_value BETWEEN 0 AND 100000),
    qf_state        text CHECK (qf_state IS NULL OR qf_state IN ('declared', 'verified')),
    qf_valid_until  date,
    qf_document_id  uuid,
    qf_declared_at  timestamptz,
    qf_verified_at  timestamptz,
    qf_verified_by  uuid,
    version         integer NOT NULL DEFAULT 1, -- ETag of the household; bumped on every change
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((qf_state IS NULL) = (qf_value IS NULL))
);
CREATE INDEX households_qf_queue ON households (qf_declared_at, id) WHERE qf_state = 'declared';

CREATE TABLE household_members (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    household_id  uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    relation      text NOT NULL CHECK (relation IN ('adult', 'child', 'other')),
    given_name    text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
    family_name   text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
    birth_date    date, -- NULL only for an adult with an account who has not given it yet
    sex           text CHECK (sex IS NULL OR sex IN ('F', 'M')),
    school_class  text CHECK (school_class IS NULL OR school_class IN ('tps', 'ps', 'ms', 'gs', 'cp',
                      'ce1', 'ce2', 'cm1', 'cm2', '6e', '5e', '4e', '3e', '2nde', '1re', 'tle')),
    user_id       uuid REFERENCES users (id),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (birth_date IS NOT NULL OR user_id IS NOT NULL),
    CHECK (user_id IS NULL OR relation = 'adult')
);
CREATE UNIQUE INDEX household_members_user ON household_members (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX household_members_household ON household_members (household_id, created_at);

-- Invitation of another adult by e-mail: the token travels in the link, only its hash is kept.
CREATE TABLE household_invitations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    household_id  uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    token_hash    text NOT NULL UNIQUE,
    invited_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    accepted_by   uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX household_invitations_household ON household_invitations (household_id, created_at);

-- The vault: metadata here (lists never touch the bytes), content in document_contents.
CREATE TABLE documents (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    household_id  uuid NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    member_id     uuid REFERENCES household_members (id) ON DELETE SET NULL,
    kind          text NOT NULL CHECK (kind IN ('identity', 'family_record_book', 'proof_of_address',
                      'qf_certificate', 'health_record', 'other')),
    filename      text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    mime          text NOT NULL CHECK (mime IN ('application/pdf', 'image/jpeg', 'image/png')),
    size          bigint NOT NULL CHECK (size > 0 AND size <= 10485760),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    valid_until   date,
    uploaded_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    uploaded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_household ON documents (household_id, uploaded_at DESC, id DESC);

CREATE TABLE document_contents (
    document_id uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    content     bytea NOT NULL
);
ALTER TABLE document_contents ALTER COLUMN content SET STORAGE EXTERNAL; -- already compressed formats

ALTER TABLE households ADD CONSTRAINT households_qf_document
    FOREIGN KEY (qf_document_id) REFERENCES documents (id) ON DELETE SET NULL;

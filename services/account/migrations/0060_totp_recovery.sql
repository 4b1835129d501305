-- 0060_totp_recovery.sql — what a lost authenticator needs: ten single-use recovery codes per
-- enrolment (only a SHA-256 of each is kept), and a flag set by an administrator's reset that
-- makes the person enrol again at the next sign-in, whatever their role.
ALTER TABLE users
    ADD COLUMN totp_enrol_required boolean NOT NULL DEFAULT false;

CREATE TABLE recovery_codes (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- sha256(user id || ':' || the code without dashes, upper case), hex
    code_hash  text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at    timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

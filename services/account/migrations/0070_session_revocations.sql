-- 0070_session_revocations.sql — sessions ended before their access tokens expire, as the other
-- daemons fetch them (GET /internal/v1/revocations) to refuse those tokens within seconds.
-- Filled by triggers on sessions, so every way a session ends is covered, including the
-- cascade when an account is erased (its sessions rows disappear).
CREATE TABLE session_revocations (
    session_id uuid PRIMARY KEY,
    revoked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_revocations_at ON session_revocations (revoked_at);

CREATE FUNCTION session_revocation_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO session_revocations (session_id) VALUES (OLD.id) ON CONFLICT DO NOTHING;
    -- Older than any access token: nobody needs them any more.
    DELETE FROM session_revocations WHERE revoked_at < now() - interval '1 day';
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_revoked AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION session_revocation_note();
-- A session that simply ran out (expires_at) needs no entry: its refresh token is refused and
-- its last access token expires on its own. Only still-live sessions that vanish are noted.
CREATE TRIGGER sessions_deleted AFTER DELETE ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND OLD.expires_at > now())
    EXECUTE FUNCTION session_revocation_note();

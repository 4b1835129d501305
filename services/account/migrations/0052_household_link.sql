-- 0052_household_link.sql — users.household_id (read by GET /me and /internal/v1/users) follows
-- the member rows that link a person to a household, whatever changes them (join, leave,
-- household deleted): household_members.user_id is the truth, this column its copy.
CREATE FUNCTION fam_sync_user_household() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.user_id IS NOT NULL THEN
        UPDATE users SET household_id = NULL WHERE id = OLD.user_id AND household_id = OLD.household_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.user_id IS NOT NULL THEN
        UPDATE users SET household_id = NEW.household_id WHERE id = NEW.user_id
            AND household_id IS DISTINCT FROM NEW.household_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER household_members_user_link
    AFTER INSERT OR DELETE OR UPDATE OF user_id, household_id ON household_members
    FOR EACH ROW EXECUTE FUNCTION fam_sync_user_household();

-- GDPR erasure of what the identity side keeps about a person (DELETE /me): sessions and their
-- refresh tokens, one-time links, notifications go; the users row stays, anonymised, so that
-- records the law requires (payments, requests, the audit trail) still point somewhere.
CREATE FUNCTION fam_erase_identity(uid uuid) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM sessions WHERE user_id = uid;
    DELETE FROM email_tokens WHERE user_id = uid;
    DELETE FROM notifications WHERE user_id = uid;
    UPDATE users SET email = 'erased-' || id || '@erased.invalid', given_name = 'Compte',
        family_name = 'supprimé', phone = NULL, password_hash = NULL, totp_secret = NULL,
        totp_pending = NULL, totp_enabled_at = NULL, notify_email = false, notify_portal = false,
        household_id = NULL, erased_at = now(), updated_at = now()
    WHERE id = uid AND erased_at IS NULL;
    RETURN FOUND;
END
$$;

-- 0090_town_indexes.sql — the admins' lists at a real town's volume (issue 11): accounts newest
-- first, by role, and by a substring of e-mail or name (pg_trgm, installed in public by the
-- superuser like unaccent).
CREATE INDEX users_created ON users (created_at DESC, id DESC) WHERE erased_at IS NULL;
DROP INDEX users_role;
CREATE INDEX users_role ON users (role, created_at DESC, id DESC) WHERE erased_at IS NULL;
CREATE INDEX users_search ON users
    USING gin (lower(email || ' ' || given_name || ' ' || family_name) public.gin_trgm_ops)
    WHERE erased_at IS NULL;

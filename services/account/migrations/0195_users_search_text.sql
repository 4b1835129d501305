-- 0195_users_search_text.sql — admin users by q= (issue 11): the text q= searches, stored once
-- per account instead of computed for every account a search walks past. The same expression as
-- before (lower, no unaccent: the answers stay the same); PostgreSQL keeps it up to date on every
-- write of e-mail or names (erasure included). The list's indexes carry it (INCLUDE), so the walk
-- of the newest 1,000 accounts reads the index only, and the trigram index is on the column.
ALTER TABLE users ADD COLUMN search_text text
    GENERATED ALWAYS AS (lower(email || ' ' || given_name || ' ' || family_name)) STORED;
DROP INDEX users_search;
CREATE INDEX users_search ON users USING gin (search_text public.gin_trgm_ops) WHERE erased_at IS NULL;
DROP INDEX users_created;
CREATE INDEX users_created ON users (created_at DESC, id DESC) INCLUDE (search_text) WHERE erased_at IS NULL;
DROP INDEX users_role;
CREATE INDEX users_role ON users (role, created_at DESC, id DESC) INCLUDE (search_text) WHERE erased_at IS NULL;

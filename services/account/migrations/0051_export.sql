-- 0051_export.sql — GDPR export of the rows other parts of the account keep about a person.
-- Every table of this schema with a user_id (or actor_id) column gives its rows for that person,
-- so a table added later is exported without a change here. Secrets never leave: columns whose
-- name says hash, secret or token are dropped. The family tables are exported by family.c.
CREATE FUNCTION fam_user_rows(uid uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    t record;
    rows jsonb;
    result jsonb := '{}'::jsonb;
BEGIN
    FOR t IN
        SELECT c.table_name, c.column_name
        FROM information_schema.columns c
        JOIN information_schema.tables tb
          ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
        WHERE c.table_schema = current_schema() AND tb.table_type = 'BASE TABLE'
          AND c.column_name IN ('user_id', 'actor_id') AND c.data_type = 'uuid'
          AND c.table_name NOT IN ('users', 'households', 'household_members', 'household_invitations',
                                   'documents', 'document_contents', 'outbox', 'inbox',
                                   'schema_migrations')
        ORDER BY c.table_name, c.column_name
    LOOP
        EXECUTE format('SELECT COALESCE(jsonb_agg((SELECT COALESCE(jsonb_object_agg(e.key, e.value), ''{}'')'
                       ' FROM jsonb_each(to_jsonb(x)) e WHERE e.key !~* ''(hash|secret|token)'')), ''[]'')'
                       ' FROM %I x WHERE %I = $1', t.table_name, t.column_name)
            INTO rows USING uid;
        IF jsonb_array_length(rows) > 0 THEN
            result := result || jsonb_build_object(t.table_name,
                                                   COALESCE(result -> t.table_name, '[]'::jsonb) || rows);
        END IF;
    END LOOP;
    RETURN result;
END
$$;

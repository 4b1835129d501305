-- 0001_init.sql — first objects of the content schema. Runs with search_path = content, as civitas_content.
-- settings: the service's own run-time settings, edited by admins later (key → JSON value).
CREATE TABLE settings (
    key        text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_.]{0,63}$'),
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- 0205_cache_version.sql — what every replica's cache watcher reads twice a second (libcommon
-- cache_watch.c): cache_version() changes whenever a public answer may, so the replicas keep
-- their answers in memory for long and still show a change within half a second.
--  * gen: moved once by every transaction that writes a table the public answers show, at its
--    commit (a deferred trigger: the row is locked last, when the transaction holds every other
--    lock it will take, so two writers cannot deadlock on it, and it is read only once committed).
--  * the next moment the clock alone changes an answer: a scheduled publication or withdrawal, an
--    event that ends (and 31 days later leaves the calendar file), an alert that starts or ends,
--    a job offer that expires. Each is the first entry of an index past now().
CREATE TABLE cache_generation (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    gen bigint NOT NULL
);
INSERT INTO cache_generation VALUES (true, 1);

CREATE FUNCTION cache_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction (a deferred row trigger fires for every row written).
    IF current_setting('civitas.cache_bumped', true) IS DISTINCT FROM txid_current()::text THEN
        UPDATE cache_generation SET gen = gen + 1;
        PERFORM set_config('civitas.cache_bumped', txid_current()::text, true);
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['settings', 'sections', 'media', 'articles', 'events', 'alerts',
                             'organisations', 'jobs'] LOOP
        EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I'
                       ' DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cache_bump()',
                       t || '_cache_bump', t);
    END LOOP;
END $$;

CREATE INDEX articles_publish_due ON articles (pub_publish_at) WHERE pub_publish_at IS NOT NULL;
CREATE INDEX articles_unpublish_due ON articles (pub_unpublish_at) WHERE pub_unpublish_at IS NOT NULL;
CREATE INDEX alerts_starts ON alerts (starts_at);
CREATE INDEX alerts_ends ON alerts (ends_at) WHERE ends_at IS NOT NULL;
CREATE INDEX jobs_expires ON jobs (expires_at);

-- plpgsql, not sql: its statement's plan is kept by the watcher's session (an sql function's body
-- would be planned again at each call, which cost more than running it).
CREATE FUNCTION cache_version() RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT gen FROM cache_generation)::text || '/' || coalesce(to_char(least(
        (SELECT min(pub_publish_at) FROM articles WHERE pub_publish_at > now()),
        (SELECT min(pub_unpublish_at) FROM articles WHERE pub_unpublish_at > now()),
        (SELECT min(ends_at) FROM events WHERE ends_at > now()),
        (SELECT min(ends_at) FROM events WHERE ends_at > now() - interval '31 days') + interval '31 days',
        (SELECT min(starts_at) FROM alerts WHERE starts_at > now()),
        (SELECT min(ends_at) FROM alerts WHERE ends_at > now()),
        (SELECT min(expires_at) FROM jobs WHERE expires_at > now())
    ) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), 'none');
END $$;

-- 0001_init.sql — first objects of the stats schema. Runs with search_path = stats, as civitas_stats.
-- events: every business event the other services send (outbox → /internal/v1/events), kept
-- as received so KPIs can be recomputed; the inbox table (libcommon) dedupes deliveries.
CREATE TABLE settings (
    key        text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_.]{0,63}$'),
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
    id          uuid PRIMARY KEY,
    topic       text NOT NULL CHECK (length(topic) BETWEEN 1 AND 100),
    source      text NOT NULL CHECK (length(source) BETWEEN 1 AND 32),
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    data        jsonb NOT NULL
);
CREATE INDEX events_topic_time ON events (topic, occurred_at);

-- 0002_audience.sql — cookieless audience, page satisfaction, request ratings and the daily
-- aggregates the dashboard reads. Runs with search_path = stats, as civitas_stats.

-- The random salt of each (UTC) day: the visitor id is HMAC(salt, address, User-Agent). A salt is
-- deleted once its day is two days old (48 h after creation), so ids of different days can
-- never be linked again, and neither addresses nor User-Agents are ever stored anywhere.
CREATE TABLE salts (
    day        date PRIMARY KEY,
    salt       bytea NOT NULL CHECK (length(salt) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per page view. pv is a random id the page makes for itself (it ties the visible time
-- sent later to the view); visitor is the day's keyed hash (16 bytes), meaningless without the
-- salt. Deleted after 25 months by the scheduled retention job; the aggregates stay.
CREATE TABLE hits (
    pv            uuid PRIMARY KEY,
    at            timestamptz NOT NULL,
    day           date NOT NULL,
    visitor       bytea NOT NULL CHECK (length(visitor) = 16),
    path          text NOT NULL CHECK (length(path) BETWEEN 1 AND 300),
    referrer_host text CHECK (length(referrer_host) <= 253),
    screen        text CHECK (screen IN ('small', 'medium', 'large')),
    utm_campaign  text CHECK (length(utm_campaign) <= 100),
    is_returning  boolean, -- NULL: unknown (objection, Sec-GPC, DNT or first visit storage refused)
    demo          boolean NOT NULL DEFAULT false
);
CREATE INDEX hits_day_visitor ON hits (day, visitor, at);
CREATE INDEX hits_at ON hits (at);

-- Visible time of a page view (the largest value the page reported).
CREATE TABLE engagement (
    pv         uuid PRIMARY KEY,
    at         timestamptz NOT NULL,
    visible_ms integer NOT NULL CHECK (visible_ms BETWEEN 0 AND 86400000)
);
CREATE INDEX engagement_at ON engagement (at);

-- « Cette information vous a-t-elle été utile ? » and its two sisters: one answer per question,
-- page and visitor per day. owner routes comments to the page's section (content) or the
-- procedure's treating service (teleservices); NULL when it could not be resolved.
CREATE TABLE feedback (
    id            uuid PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    day           date NOT NULL,
    visitor       bytea NOT NULL CHECK (length(visitor) = 16),
    path          text NOT NULL CHECK (length(path) BETWEEN 1 AND 300),
    question      text NOT NULL CHECK (question IN ('useful', 'relevant', 'easy_to_find')),
    answer        boolean NOT NULL,
    comment       text CHECK (length(comment) <= 1000),
    owner_kind    text CHECK (owner_kind IN ('section', 'service')),
    owner_id      text CHECK (length(owner_id) <= 64),
    review_status text NOT NULL DEFAULT 'pending' CHECK (review_status IN ('pending', 'read', 'dismissed')),
    reviewed_at   timestamptz,
    demo          boolean NOT NULL DEFAULT false,
    UNIQUE (day, visitor, path, question)
);
CREATE INDEX feedback_day ON feedback (day);
CREATE INDEX feedback_review ON feedback (review_status, at) WHERE comment IS NOT NULL;

-- The citizen's rating of a request that reached its final status, next to its processing time.
CREATE TABLE ratings (
    request_id         uuid PRIMARY KEY,
    rating             smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment            text CHECK (length(comment) <= 1000),
    service            text NOT NULL DEFAULT '' CHECK (length(service) <= 64),
    procedure          text NOT NULL DEFAULT '' CHECK (length(procedure) <= 100),
    processing_seconds double precision,
    at                 timestamptz NOT NULL DEFAULT now()
);

-- Daily figures, recomputed from hits and events (never edited by hand): metric, a dimension
-- ('' for the total; "service:etat-civil", "procedure:acte-de-naissance"...) and a value.
CREATE TABLE daily (
    day    date NOT NULL,
    metric text NOT NULL CHECK (metric ~ '^[a-z][a-z0-9_]{0,63}$'),
    dim    text NOT NULL DEFAULT '' CHECK (length(dim) <= 140),
    value  double precision NOT NULL,
    PRIMARY KEY (metric, dim, day)
);
CREATE INDEX daily_day ON daily (day);

-- Per page and day: views, visits that started there, visible time.
CREATE TABLE page_daily (
    day        date NOT NULL,
    path       text NOT NULL,
    views      integer NOT NULL,
    entries    integer NOT NULL,
    visible_ms bigint NOT NULL,
    timed      integer NOT NULL, -- views that reported a visible time
    PRIMARY KEY (day, path)
);

CREATE INDEX events_time ON events (occurred_at);

-- 0121_imported_figures.sql — the old portal's figures, imported by editors as a reference period
-- (the town compares the new portal with what it had). Kept apart from `daily`: a rebuild
-- recomputes `daily` from the raw rows and must never erase what was imported; the readings add
-- both (one day has its figure in one table or the other: the import refuses days Civitas
-- already counted).
CREATE TABLE imported_daily (
    day         date NOT NULL,
    metric      text NOT NULL CHECK (metric ~ '^[a-z][a-z0-9_]{0,63}$'),
    value       double precision NOT NULL CHECK (value >= 0),
    source      text NOT NULL CHECK (length(source) BETWEEN 1 AND 100),
    imported_by uuid NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (metric, day)
);

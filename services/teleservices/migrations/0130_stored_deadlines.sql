-- 0130_stored_deadlines.sql — figures stored on each request so that the agents' lists do not
-- recompute them over the whole history (issue 11):
--   due_at: when the request's SLA clock passes its procedure's sla_days, so "late" is the index
--     range due_at < now() instead of an arithmetic over every open request and its procedure;
--   timeline_s, timeline_since: what sla_processing_seconds() says of the request's timeline,
--     stored when a step is written, so the SLA figures over a year read requests, not steps.
-- Both are kept by triggers, so every path that writes a request or a step (transitions, the
-- demo, fixtures, a repair by hand) keeps them true.

ALTER TABLE requests
    ADD COLUMN due_at timestamptz NOT NULL DEFAULT 'infinity',
    ADD COLUMN timeline_s double precision NOT NULL DEFAULT 0,
    ADD COLUMN timeline_since timestamptz;

-- The instant after which running_seconds(processing_s, clock_since, now()) exceeds the SLA:
-- with the clock running, the clock's start plus what remains; paused, already past (-infinity)
-- or never (infinity). So running_seconds(...) > sla_days * 86400 ⇔ now() > request_due_at(...).
CREATE FUNCTION request_due_at(processing_s double precision, clock_since timestamptz, sla_days integer)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN clock_since IS NOT NULL
                THEN clock_since + make_interval(secs => sla_days * 86400.0 - processing_s)
                WHEN processing_s > sla_days * 86400.0 THEN '-infinity'::timestamptz
                ELSE 'infinity'::timestamptz END
$$;

CREATE FUNCTION requests_keep_due_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.due_at := request_due_at(NEW.processing_s, NEW.clock_since,
                                 (SELECT p.sla_days FROM procedures p WHERE p.id = NEW.procedure_id));
    RETURN NEW;
END $$;
CREATE TRIGGER requests_due_at BEFORE INSERT OR UPDATE OF processing_s, clock_since, procedure_id
    ON requests FOR EACH ROW EXECUTE FUNCTION requests_keep_due_at();

-- A draft procedure's delay may change in place: its requests' deadlines follow.
CREATE FUNCTION procedures_keep_due_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE requests SET due_at = request_due_at(processing_s, clock_since, NEW.sla_days)
    WHERE procedure_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER procedures_due_at AFTER UPDATE OF sla_days ON procedures FOR EACH ROW
    WHEN (OLD.sla_days IS DISTINCT FROM NEW.sla_days) EXECUTE FUNCTION procedures_keep_due_at();

-- The timeline's figures of some requests, as sla_processing_seconds() computes them (steps in
-- id order; a period runs from its step to the next; the last one, if it counts, runs until
-- now): the seconds of the closed periods, and the start of the running one (NULL: the clock
-- stands). running_seconds(timeline_s, timeline_since, t) = sla_processing_seconds(timeline, t).
-- One lateral read of each request's steps by its index: the same plan for one request or for
-- a bulk load ("= ANY(rids)" on a parameter is a linear search per row; a join lets the planner,
-- blind to the array's size, nest loops over a materialised aggregate).
CREATE FUNCTION request_timeline_refresh(rids uuid[]) RETURNS void LANGUAGE sql AS $$
    UPDATE requests r SET timeline_s = f.counted, timeline_since = f.since
    FROM (SELECT DISTINCT x FROM unnest(rids) x) u(id),
    LATERAL (SELECT coalesce(sum(extract(epoch FROM s.next_at - s.at))
                        FILTER (WHERE s.next_at IS NOT NULL AND s.to_status IN ('received', 'in_progress')),
                        0)::double precision AS counted,
                    max(s.at) FILTER (WHERE s.next_at IS NULL AND s.to_status IN ('received', 'in_progress'))
                        AS since
             FROM (SELECT st.at, st.to_status, lead(st.at) OVER (ORDER BY st.id) AS next_at
                   FROM request_steps st WHERE st.request_id = u.id) s) f
    WHERE r.id = u.id
$$;

-- Statement triggers with the rows they wrote: a transition refreshes its one request.
CREATE FUNCTION request_steps_keep_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM request_timeline_refresh(ARRAY(SELECT request_id FROM new_steps));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM request_timeline_refresh(ARRAY(SELECT request_id FROM old_steps));
    ELSE
        PERFORM request_timeline_refresh(ARRAY(SELECT request_id FROM new_steps
                                               UNION SELECT request_id FROM old_steps));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER request_steps_timeline_ins AFTER INSERT ON request_steps
    REFERENCING NEW TABLE AS new_steps FOR EACH STATEMENT EXECUTE FUNCTION request_steps_keep_timeline();
CREATE TRIGGER request_steps_timeline_upd AFTER UPDATE ON request_steps
    REFERENCING OLD TABLE AS old_steps NEW TABLE AS new_steps
    FOR EACH STATEMENT EXECUTE FUNCTION request_steps_keep_timeline();
CREATE TRIGGER request_steps_timeline_del AFTER DELETE ON request_steps
    REFERENCING OLD TABLE AS old_steps FOR EACH STATEMENT EXECUTE FUNCTION request_steps_keep_timeline();

-- The same figures for every request in one pass over the steps: for what the rows already
-- hold, and for a bulk load that writes its steps with the triggers off (the town fixture).
CREATE FUNCTION request_timeline_refresh_all() RETURNS void LANGUAGE sql AS $$
    UPDATE requests r SET timeline_s = f.counted, timeline_since = f.since
    FROM (SELECT s.request_id,
                 coalesce(sum(extract(epoch FROM s.next_at - s.at))
                     FILTER (WHERE s.next_at IS NOT NULL AND s.to_status IN ('received', 'in_progress')),
                     0)::double precision AS counted,
                 max(s.at) FILTER (WHERE s.next_at IS NULL AND s.to_status IN ('received', 'in_progress'))
                     AS since
          FROM (SELECT st.request_id, st.at, st.to_status,
                       lead(st.at) OVER (PARTITION BY st.request_id ORDER BY st.id) AS next_at
                FROM request_steps st) s
          GROUP BY s.request_id) f
    WHERE r.id = f.request_id
      AND (r.timeline_s, r.timeline_since) IS DISTINCT FROM (f.counted, f.since)
$$;

UPDATE requests r SET due_at = request_due_at(r.processing_s, r.clock_since, p.sla_days)
FROM procedures p WHERE p.id = r.procedure_id;
SELECT request_timeline_refresh_all();

-- The queue walks each of the agent's services in reception order (per service: "= ANY" of
-- several services gives no order), carrying what it filters on (deadline, status, assignee) so
-- that a page is an index-only walk: the open work, and every submitted request for status=all
-- or a given status. The walks over all services are no longer used.
DROP INDEX requests_open_service;
DROP INDEX requests_open_received;
DROP INDEX requests_submitted_received;
CREATE INDEX requests_open_service ON requests (service, received_at, id) INCLUDE (due_at, status, assignee_id)
    WHERE status IN ('submitted', 'received', 'in_progress', 'incomplete');
CREATE INDEX requests_submitted_service ON requests (service, received_at, id)
    INCLUDE (due_at, status, assignee_id) WHERE status <> 'draft';
-- The SLA figures of a period: receptions of a service with what the figures need, read from
-- the index alone.
DROP INDEX requests_service_received;
CREATE INDEX requests_service_received ON requests (service, received_at)
    INCLUDE (status, procedure_id, timeline_s, timeline_since) WHERE received_at IS NOT NULL;

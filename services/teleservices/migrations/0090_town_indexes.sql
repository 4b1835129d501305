-- 0090_town_indexes.sql — indexes that fit the agents' lists at a real town's volume (issue 11):
-- the queue walks the open work in reception order (late first is two such walks); "all" and a
-- given status walk every submitted request the same way; a citizen's list is keyset-paged on
-- (created_at, id); the SLA figures read a period of receptions.
CREATE INDEX requests_open_received ON requests (received_at, id)
    WHERE status IN ('submitted', 'received', 'in_progress', 'incomplete');
-- The same open work per service: an agent of one service walks only theirs.
CREATE INDEX requests_open_service ON requests (service, received_at, id)
    WHERE status IN ('submitted', 'received', 'in_progress', 'incomplete');
CREATE INDEX requests_submitted_received ON requests (received_at, id) WHERE status <> 'draft';
DROP INDEX requests_queue;
DROP INDEX requests_user;
CREATE INDEX requests_user ON requests (user_id, created_at DESC, id DESC);
DROP INDEX requests_received;
CREATE INDEX requests_received ON requests (received_at) WHERE received_at IS NOT NULL;
CREATE INDEX requests_service_received ON requests (service, received_at) WHERE received_at IS NOT NULL;

-- 0200_queue_shapes.sql — indexes for the queue's filtered shapes (issue 11). Each shape of the
-- agents' queue is one statement run under its generic plan (db_teleservices.c, QUEUE), so each
-- needs a walk in reception order that its plain predicates select without a custom plan:
--   one closed status (accepted, rejected, cancelled): the service's requests of that status in
--     reception order (the walk of every submitted request filtered by status reads the whole
--     history for a rare one: cancelled); an open status walks the open work (0130);
--   an assignee (« qui me sont attribuées »): the agent's requests per service, open or any
--     (filtering the service's walk by assignee reads every request of the others).
-- Only assigned requests are in the last two, so they stay small where nobody assigns.
CREATE INDEX requests_closed_service ON requests (service, status, received_at, id)
    INCLUDE (due_at, assignee_id) WHERE status IN ('accepted', 'rejected', 'cancelled');
CREATE INDEX requests_open_assignee ON requests (assignee_id, service, received_at, id)
    INCLUDE (due_at, status)
    WHERE assignee_id IS NOT NULL AND status IN ('submitted', 'received', 'in_progress', 'incomplete');
CREATE INDEX requests_submitted_assignee ON requests (assignee_id, service, received_at, id)
    INCLUDE (due_at, status) WHERE assignee_id IS NOT NULL AND status <> 'draft';

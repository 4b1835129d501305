-- 0180_audit_order.sql — the audit trail by actor and by action family at a real town's volume
-- (issue 11): both indexes end with the list's own order (at DESC, id DESC), so a page is a
-- range of the index with no sort; the action index is in "C" order, where the family of x
-- (x.y, x.z…) is the range from x up to "x/", probed one action at a time (db_identity.c).
DROP INDEX audit_actor;
CREATE INDEX audit_actor ON audit (actor_id, at DESC, id DESC);
DROP INDEX audit_action;
CREATE INDEX audit_action ON audit (action COLLATE "C", at DESC, id DESC);

-- 0170_iso_inlined.sql — iso() (RFC 3339 text of a timestamptz) becomes STABLE, as to_char inside
-- it is (issue 11): PostgreSQL inlines a SQL function only when it is not declared less volatile
-- than its body, so the IMMUTABLE iso() ran as a separate SQL function call for every timestamp
-- of every JSON this service builds (five per row of the agents' queue and of "mes demandes").
-- Inlined, it is the to_char expression itself inside request_summary_json. Same text; no index
-- or constraint uses it. (Payment made the same change to its own copy: its migration 0150.
-- Content's ts() was STABLE from the start; account writes to_char inline.)
ALTER FUNCTION iso(timestamptz) STABLE;

-- 0150_iso_inlined.sql — iso() (RFC 3339 text of a timestamptz) becomes STABLE, as to_char inside
-- it is: PostgreSQL inlines a SQL function only when it is not declared less volatile than its
-- body, so an IMMUTABLE iso() ran as a separate SQL function call for every value (about three
-- times the cost of the expression itself), in every JSON the payment service builds, one per
-- hold in a batch of holds. Same result; no index or constraint uses it.
ALTER FUNCTION iso(timestamptz) STABLE;

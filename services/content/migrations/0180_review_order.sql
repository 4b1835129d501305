-- 0180_review_order.sql — the editors' review queue (issue 11): oldest first by (updated_at, id),
-- the whole order in the index, so a page is a range of it with no sort of equal times.
DROP INDEX articles_review;
CREATE INDEX articles_review ON articles (updated_at, id) WHERE status = 'in_review';

-- Half of each page of the lots kept free when rows are inserted, so that the next version
-- of a lot (a grant added, a draw, its expiry) fits on the lot's own page: with no index
-- naming `remaining`, PostgreSQL then writes it as a heap-only tuple and no index entry.
-- Half, because a monthly accrual or an April expiry rewrites every lot of a page once
-- before the page is pruned. Pages written before this keep what room they have.
ALTER TABLE ledger_lot SET (fillfactor = 50);

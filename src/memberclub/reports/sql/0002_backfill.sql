-- The summary of the journal written before the triggers existed.
INSERT INTO reports_entrysummary (program, "on", kind, rule, entries, points)
SELECT program, effective_on, kind, rule, COUNT(*), SUM(points)
FROM ledger_entry GROUP BY program, effective_on, kind, rule;
-- next
INSERT INTO reports_lotflow (program, "on", expires_on, kind, points)
SELECT program, effective_on, expires_on, kind, SUM(points) FROM (
  SELECT program, effective_on, expires_on, kind, points FROM ledger_entry
  WHERE expires_on IS NOT NULL
  UNION ALL
  SELECT e.program, e.effective_on, l.expires_on, e.kind, d.points
  FROM ledger_draw d JOIN ledger_entry e ON e.id = d.entry_id JOIN ledger_lot l ON l.id = d.lot_id
) AS flows GROUP BY program, effective_on, expires_on, kind;

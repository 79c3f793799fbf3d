-- The journal summary, kept by statement-level triggers: each INSERT into ledger_entry or
-- ledger_draw adds one delta row per key it touched, in the same transaction.
CREATE FUNCTION reports_entry_summarise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reports_entrysummary (program, "on", kind, rule, entries, points)
  SELECT program, effective_on, kind, rule, COUNT(*), SUM(points)
  FROM reports_new_entries GROUP BY program, effective_on, kind, rule;
  INSERT INTO reports_lotflow (program, "on", expires_on, kind, points)
  SELECT program, effective_on, expires_on, kind, SUM(points)
  FROM reports_new_entries WHERE expires_on IS NOT NULL
  GROUP BY program, effective_on, expires_on, kind;
  RETURN NULL;
END $$;

CREATE TRIGGER reports_entry_summary AFTER INSERT ON ledger_entry
  REFERENCING NEW TABLE AS reports_new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION reports_entry_summarise();

CREATE FUNCTION reports_draw_summarise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reports_lotflow (program, "on", expires_on, kind, points)
  SELECT e.program, e.effective_on, l.expires_on, e.kind, SUM(d.points)
  FROM reports_new_draws d
  JOIN ledger_entry e ON e.id = d.entry_id
  JOIN ledger_lot l ON l.id = d.lot_id
  GROUP BY e.program, e.effective_on, l.expires_on, e.kind;
  RETURN NULL;
END $$;

CREATE TRIGGER reports_draw_summary AFTER INSERT ON ledger_draw
  REFERENCING NEW TABLE AS reports_new_draws
  FOR EACH STATEMENT EXECUTE FUNCTION reports_draw_summarise();

-- SQLite has no statement-level triggers: one row-level trigger per table folds each new row
-- into the one summary row of its key (the writer holds the database's only write lock, so
-- no other writer waits on that row).
CREATE UNIQUE INDEX reports_entry_summary_key
  ON reports_entrysummary (program, "on", kind, rule);
-- next
CREATE UNIQUE INDEX reports_lot_flow_key
  ON reports_lotflow (program, "on", expires_on, kind);
-- next
CREATE TRIGGER reports_entry_summary AFTER INSERT ON ledger_entry
BEGIN
  INSERT INTO reports_entrysummary (program, "on", kind, rule, entries, points)
  VALUES (NEW.program, NEW.effective_on, NEW.kind, NEW.rule, 1, NEW.points)
  ON CONFLICT (program, "on", kind, rule)
  DO UPDATE SET entries = entries + 1, points = points + excluded.points;
  INSERT INTO reports_lotflow (program, "on", expires_on, kind, points)
  SELECT NEW.program, NEW.effective_on, NEW.expires_on, NEW.kind, NEW.points
  WHERE NEW.expires_on IS NOT NULL
  ON CONFLICT (program, "on", expires_on, kind)
  DO UPDATE SET points = points + excluded.points;
END;
-- next
CREATE TRIGGER reports_draw_summary AFTER INSERT ON ledger_draw
BEGIN
  INSERT INTO reports_lotflow (program, "on", expires_on, kind, points)
  SELECT e.program, e.effective_on, l.expires_on, e.kind, NEW.points
  FROM ledger_entry e, ledger_lot l WHERE e.id = NEW.entry_id AND l.id = NEW.lot_id
  ON CONFLICT (program, "on", expires_on, kind)
  DO UPDATE SET points = points + excluded.points;
END;

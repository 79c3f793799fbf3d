DROP TRIGGER reports_draw_summary;
-- next
DROP TRIGGER reports_entry_summary;
-- next
DROP INDEX reports_lot_flow_key;
-- next
DROP INDEX reports_entry_summary_key;

DROP TRIGGER reports_draw_summary ON ledger_draw;
DROP FUNCTION reports_draw_summarise();
DROP TRIGGER reports_entry_summary ON ledger_entry;
DROP FUNCTION reports_entry_summarise();

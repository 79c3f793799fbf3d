ALTER TABLE ledger_lot RESET (fillfactor);

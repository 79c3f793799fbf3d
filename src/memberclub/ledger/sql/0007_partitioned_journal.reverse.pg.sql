-- The partitioned journal is not converted back in place: restore the database's backup
-- taken before the upgrade (docs/operations.md).
DO $$
BEGIN
    RAISE EXCEPTION 'ledger 0007 cannot be reversed: restore the backup taken before it';
END $$;

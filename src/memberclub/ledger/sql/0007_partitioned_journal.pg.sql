-- The journal partitioned by fiscal year (April 1 to April 1), its keys carrying the account
-- (docs/decisions.md, "Partitioning the journal by fiscal year"). The entries and draws are
-- copied into new partitioned tables that take the old names; every CHECK, default, index and
-- trigger of the old tables is made again on the new ones, the ids continue their sequence.

-- The maker of partitions, the one home of their DDL: a partition per table and fiscal year
-- from p_first (NULL: the earliest attached year) to p_last. A year whose partition exists but
-- is detached (archived, docs/operations.md) is refused rather than made again empty.
CREATE FUNCTION ledger_partitions_ensure(p_first integer, p_last integer)
RETURNS TABLE (partition_name text, made boolean) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_table text;
    v_year integer;
    v_name text;
    v_attached boolean;
BEGIN
    -- One maker at a time: a second one waits here, then finds what the first made.
    PERFORM pg_advisory_xact_lock(hashtext('ledger_partitions_ensure'));
    IF p_first IS NULL THEN
        SELECT min(substring(c.relname FROM '_fy([0-9]+)$')::integer) INTO p_first
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'ledger_entry'::regclass;
        p_first := LEAST(COALESCE(p_first, p_last), p_last);
    END IF;
    FOREACH v_table IN ARRAY ARRAY['ledger_entry', 'ledger_draw'] LOOP
        FOR v_year IN p_first .. p_last LOOP
            v_name := v_table || '_fy' || v_year;
            SELECT c.relispartition INTO v_attached FROM pg_class c
            WHERE c.relname = v_name AND c.relnamespace = current_schema()::regnamespace;
            IF NOT FOUND THEN
                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                               v_name, v_table, make_date(v_year, 4, 1),
                               make_date(v_year + 1, 4, 1));
                partition_name := v_name;
                made := true;
            ELSIF NOT v_attached THEN
                RAISE EXCEPTION 'fiscal year % of the journal is archived: % is detached',
                    v_year, v_name USING ERRCODE = 'object_not_in_prerequisite_state';
            ELSE
                partition_name := v_name;
                made := false;
            END IF;
            RETURN NEXT;
        END LOOP;
    END LOOP;
END $$;

DO $$
DECLARE
    v_definitions text[];
    v_definition text;
    v_first integer;
    v_last integer;
    v_sequence text;
BEGIN
    -- What is made again on the new tables: every trigger and every index but the keys,
    -- read before the old tables are renamed, so that each names its table as it will be.
    SELECT array_agg(definition ORDER BY n) INTO v_definitions FROM (
        SELECT 1 AS n, pg_get_indexdef(x.indexrelid) AS definition
        FROM pg_index x
        WHERE x.indrelid IN ('ledger_entry'::regclass, 'ledger_draw'::regclass)
          AND NOT x.indisunique
        UNION ALL
        SELECT 2, pg_get_triggerdef(t.oid) FROM pg_trigger t
        WHERE t.tgrelid IN ('ledger_entry'::regclass, 'ledger_draw'::regclass)
          AND NOT t.tgisinternal
    ) AS parts;

    ALTER TABLE ledger_entry RENAME TO ledger_entry_unpartitioned;
    ALTER TABLE ledger_draw RENAME TO ledger_draw_unpartitioned;
    -- Defaults, CHECKs and the identity come along; the keys are made below.
    CREATE TABLE ledger_entry (
        LIKE ledger_entry_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS
             INCLUDING IDENTITY
    ) PARTITION BY RANGE (effective_on);
    CREATE TABLE ledger_draw (
        LIKE ledger_draw_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS
             INCLUDING IDENTITY,
        effective_on date NOT NULL
    ) PARTITION BY RANGE (effective_on);

    -- The years the data needs, and the current one with the next two.
    SELECT min(effective_on), max(effective_on) INTO v_first, v_last FROM (
        SELECT CASE WHEN EXTRACT(MONTH FROM effective_on) >= 4
                    THEN EXTRACT(YEAR FROM effective_on)
                    ELSE EXTRACT(YEAR FROM effective_on) - 1 END::integer AS effective_on
        FROM (SELECT min(effective_on) AS effective_on FROM ledger_entry_unpartitioned
              UNION ALL SELECT max(effective_on) FROM ledger_entry_unpartitioned
              UNION ALL SELECT current_date) AS dates
        WHERE effective_on IS NOT NULL
    ) AS years;
    PERFORM ledger_partitions_ensure(v_first, GREATEST(v_last, (
        SELECT CASE WHEN EXTRACT(MONTH FROM current_date) >= 4
                    THEN EXTRACT(YEAR FROM current_date)
                    ELSE EXTRACT(YEAR FROM current_date) - 1 END::integer + 2)));

    INSERT INTO ledger_entry SELECT * FROM ledger_entry_unpartitioned;
    INSERT INTO ledger_draw SELECT d.*, e.effective_on
    FROM ledger_draw_unpartitioned d JOIN ledger_entry_unpartitioned e ON e.id = d.entry_id;

    -- The ids go on where the old sequences were.
    FOREACH v_sequence IN ARRAY ARRAY['ledger_entry', 'ledger_draw'] LOOP
        EXECUTE format(
            'SELECT setval(%L, s.last_value, s.is_called) FROM %s AS s',
            pg_get_serial_sequence(v_sequence, 'id'),
            pg_get_serial_sequence(v_sequence || '_unpartitioned', 'id'));
    END LOOP;
    DROP TABLE ledger_draw_unpartitioned;
    DROP TABLE ledger_entry_unpartitioned;
    EXECUTE format('ALTER SEQUENCE %s RENAME TO ledger_entry_id_seq',
                   pg_get_serial_sequence('ledger_entry', 'id'));
    EXECUTE format('ALTER SEQUENCE %s RENAME TO ledger_draw_id_seq',
                   pg_get_serial_sequence('ledger_draw', 'id'));

    -- The account key in every key of the ledger (docs/operations.md, "Distributing the
    -- database"), and the partition key in every key of a partitioned table.
    ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_pkey
        PRIMARY KEY (id, account_id, effective_on);
    ALTER TABLE ledger_draw ADD CONSTRAINT ledger_draw_pkey
        PRIMARY KEY (id, account_id, effective_on);
    ALTER TABLE ledger_draw ADD CONSTRAINT draw_account_entry_lot
        UNIQUE (account_id, entry_id, lot_id, effective_on);
    ALTER TABLE ledger_lot DROP CONSTRAINT ledger_lot_pkey,
        ADD CONSTRAINT ledger_lot_pkey PRIMARY KEY (id, account_id);
    ALTER TABLE ledger_draw
        ADD CONSTRAINT draw_entry FOREIGN KEY (entry_id, account_id, effective_on)
            REFERENCES ledger_entry (id, account_id, effective_on) DEFERRABLE INITIALLY DEFERRED,
        ADD CONSTRAINT draw_lot FOREIGN KEY (lot_id, account_id)
            REFERENCES ledger_lot (id, account_id) DEFERRABLE INITIALLY DEFERRED;

    FOREACH v_definition IN ARRAY v_definitions LOOP
        EXECUTE v_definition;
    END LOOP;
END $$;

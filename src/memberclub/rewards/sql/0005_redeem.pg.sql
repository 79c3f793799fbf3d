DROP FUNCTION rewards_redeem;
CREATE FUNCTION rewards_redeem(
    p_member_id bigint, p_item_id bigint, p_kind text, p_points integer, p_on date,
    p_key text, p_digest text, p_entry_key text, p_rule text, p_reason text,
    p_limited boolean,       -- the item has a stock to lower
    p_cap integer,           -- fee payment: the monthly cap, else NULL
    p_cap_from date,         -- fee payment: the month the cap counts (from, until exclusive)
    p_cap_until date,
    p_bill_month date,
    p_ship_name text, p_ship_postal_code text, p_ship_address text, p_ship_phone text,
    p_via text,
    p_numbers text[]         -- redemption numbers to try in turn (random; a clash is rare)
) RETURNS TABLE (
    outcome text,            -- created, existing, key_reused, fee_cap, insufficient, out_of_stock
    redemption_id bigint, requested_at timestamptz, account_id bigint, debit_id bigint,
    figure integer,          -- created: the balance after; fee_cap: points left this month;
                             -- insufficient: the points available
    number text
) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_account bigint;
    v_program text;
    v_first record;
    v_used integer;
    v_available integer := 0;
    v_wanted integer := p_points;
    v_lot record;
    v_lot_ids bigint[] := '{}';
    v_takes integer[] := '{}';
    v_code bigint;
    v_sold_out boolean := false;
    v_entry bigint;
    v_number text;
    v_id bigint;
    v_at timestamptz;
BEGIN
    -- The account row first, as every ledger writer: requests of one member queue here. This
    -- function is VOLATILE, so each statement below takes a new snapshot and sees every
    -- request committed before the lock was granted.
    SELECT a.id, a.program INTO v_account, v_program
    FROM ledger_account a WHERE a.member_id = p_member_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'member % has no points account', p_member_id;
    END IF;

    SELECT r.id, r.request_digest INTO v_first
    FROM rewards_redemption r WHERE r.member_id = p_member_id AND r.idempotency_key = p_key;
    IF FOUND THEN
        RETURN QUERY SELECT CASE WHEN v_first.request_digest = p_digest
                                 THEN 'existing' ELSE 'key_reused' END,
                            v_first.id, NULL::timestamptz, v_account, NULL::bigint,
                            NULL::integer, NULL::text;
        RETURN;
    END IF;

    IF p_cap IS NOT NULL THEN
        SELECT COALESCE(SUM(r.points), 0) INTO v_used FROM rewards_redemption r
        WHERE r.account_id = v_account AND r.kind = 'BILL_CREDIT'
          AND r.requested_on >= p_cap_from AND r.requested_on < p_cap_until
          AND r.status <> 'CANCELED';
        IF v_used + p_points > p_cap THEN
            RETURN QUERY SELECT 'fee_cap', NULL::bigint, NULL::timestamptz, v_account,
                                NULL::bigint, p_cap - v_used, NULL::text;
            RETURN;
        END IF;
    END IF;

    -- Soonest expiry first, all or nothing, as domain.allocation.allocate: take from each
    -- usable lot in that order until the points are covered (held to the same rows as the
    -- Python steps by tests/integration/test_redeem_paths.py). No FOR UPDATE: every writer
    -- that lowers a lot takes the account lock first, so none can lower these lots before this
    -- transaction ends; the accrual jobs' grants, which take no lock, only add to them.
    FOR v_lot IN
        SELECT l.id, l.remaining FROM ledger_lot l
        WHERE l.account_id = v_account AND l.remaining > 0 AND l.expires_on >= p_on
        ORDER BY l.expires_on, l.id
    LOOP
        v_available := v_available + v_lot.remaining;
        IF v_wanted > 0 THEN
            v_lot_ids := v_lot_ids || v_lot.id;
            v_takes := v_takes || LEAST(v_lot.remaining, v_wanted);
            v_wanted := v_wanted - LEAST(v_lot.remaining, v_wanted);
        END IF;
    END LOOP;
    IF v_wanted > 0 THEN
        RETURN QUERY SELECT 'insufficient', NULL::bigint, NULL::timestamptz, v_account,
                            NULL::bigint, v_available, NULL::text;
        RETURN;
    END IF;

    -- A digital code, then the stock: both refuse before anything is written. The conditional
    -- UPDATE waits for a concurrent buyer, then sees what they left: never below zero.
    IF p_kind = 'DIGITAL_CODE' THEN
        SELECT c.id INTO v_code FROM rewards_digitalcode c
        WHERE c.item_id = p_item_id AND c.redemption_id IS NULL
        ORDER BY c.id LIMIT 1 FOR UPDATE SKIP LOCKED;
        v_sold_out := v_code IS NULL;
    END IF;
    IF p_limited AND NOT v_sold_out THEN
        UPDATE rewards_item SET stock = stock - 1 WHERE id = p_item_id AND stock >= 1;
        v_sold_out := NOT FOUND;
    END IF;
    IF v_sold_out THEN
        RETURN QUERY SELECT 'out_of_stock', NULL::bigint, NULL::timestamptz, v_account,
                            NULL::bigint, NULL::integer, NULL::text;
        RETURN;
    END IF;

    -- The entry's key first (ledger_entrykey, unique per program whatever the date): taken
    -- already, the insert fails as the entry's own unique key did before the journal was
    -- partitioned. The draws carry the entry's date, their partition key.
    INSERT INTO ledger_entrykey (program, idempotency_key, account_id, effective_on)
    VALUES (v_program, p_entry_key, v_account, p_on);
    INSERT INTO ledger_entry (program, account_id, kind, points, effective_on, expires_on, rule,
                              period, idempotency_key, reason, shortfall, reverses_id)
    VALUES (v_program, v_account, 'REDEEM', -p_points, p_on, NULL, p_rule, '', p_entry_key,
            p_reason, 0, NULL)
    RETURNING id INTO v_entry;
    UPDATE ledger_lot l SET remaining = l.remaining - t.take
    FROM unnest(v_lot_ids, v_takes) AS t (lot_id, take) WHERE l.id = t.lot_id;
    INSERT INTO ledger_draw (entry_id, lot_id, account_id, points, effective_on)
    SELECT v_entry, t.lot_id, v_account, -t.take, p_on
    FROM unnest(v_lot_ids, v_takes) AS t (lot_id, take);

    FOREACH v_number IN ARRAY p_numbers LOOP
        INSERT INTO rewards_redemption (number, program, member_id, account_id, item_id, kind,
            points, status, requested_on, bill_month, ship_name, ship_postal_code, ship_address,
            ship_phone, debit_id, balance_after, refund_id, idempotency_key, request_digest, via,
            fulfilled_at, canceled_on, canceled_by, cancel_reason, receipt_queued_at)
        VALUES (v_number, v_program, p_member_id, v_account, p_item_id, p_kind, p_points,
            'REQUESTED', p_on, p_bill_month, p_ship_name, p_ship_postal_code, p_ship_address,
            p_ship_phone, v_entry, v_available - p_points, NULL, p_key, p_digest, p_via,
            NULL, NULL, '', '', NULL)
        ON CONFLICT ON CONSTRAINT redemption_number DO NOTHING
        RETURNING rewards_redemption.id, rewards_redemption.requested_at INTO v_id, v_at;
        EXIT WHEN v_id IS NOT NULL;
    END LOOP;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'no free redemption number among %', p_numbers;
    END IF;
    IF v_code IS NOT NULL THEN
        UPDATE rewards_digitalcode SET redemption_id = v_id WHERE id = v_code;
    END IF;
    RETURN QUERY SELECT 'created', v_id, v_at, v_account, v_entry, v_available - p_points,
                        v_number;
END $$;

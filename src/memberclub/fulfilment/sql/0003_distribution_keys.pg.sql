-- The account key in the shipment's primary key, and its redemption checked with it: the
-- redemption's primary key is (id, account_id), so the foreign key names both columns.
ALTER TABLE fulfilment_shipment
    DROP CONSTRAINT fulfilment_shipment_pkey,
    ADD CONSTRAINT fulfilment_shipment_pkey PRIMARY KEY (id, account_id),
    ADD CONSTRAINT shipment_redemption_fk FOREIGN KEY (redemption_id, account_id)
        REFERENCES rewards_redemption (id, account_id) DEFERRABLE INITIALLY DEFERRED;

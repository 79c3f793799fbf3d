ALTER TABLE fulfilment_shipment
    DROP CONSTRAINT shipment_redemption_fk,
    DROP CONSTRAINT fulfilment_shipment_pkey,
    ADD CONSTRAINT fulfilment_shipment_pkey PRIMARY KEY (id);

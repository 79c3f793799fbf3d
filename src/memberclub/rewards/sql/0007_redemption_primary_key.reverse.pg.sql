ALTER TABLE rewards_redemption
    DROP CONSTRAINT rewards_redemption_pkey,
    ADD CONSTRAINT rewards_redemption_pkey PRIMARY KEY (id);

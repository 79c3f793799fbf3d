-- The account key in the redemption's primary key (docs/operations.md "Distributing the
-- database"); led by id, so a lookup by id still reads this one index.
ALTER TABLE rewards_redemption
    DROP CONSTRAINT rewards_redemption_pkey,
    ADD CONSTRAINT rewards_redemption_pkey PRIMARY KEY (id, account_id);

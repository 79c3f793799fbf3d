-- The account key (carried as member_id) in the primary key (docs/operations.md
-- "Distributing the database"); led by id, so a lookup by id still reads this one index.
ALTER TABLE api_personaltoken
    DROP CONSTRAINT api_personaltoken_pkey,
    ADD CONSTRAINT api_personaltoken_pkey PRIMARY KEY (id, member_id);

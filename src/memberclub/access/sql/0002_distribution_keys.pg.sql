-- The account key (carried as member_id) in the primary key (docs/operations.md
-- "Distributing the database"); led by id, so a lookup by id still reads this one index.
ALTER TABLE access_authkey
    DROP CONSTRAINT access_authkey_pkey,
    ADD CONSTRAINT access_authkey_pkey PRIMARY KEY (id, member_id);
ALTER TABLE access_trusteddevice
    DROP CONSTRAINT access_trusteddevice_pkey,
    ADD CONSTRAINT access_trusteddevice_pkey PRIMARY KEY (id, member_id);

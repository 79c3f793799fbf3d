-- The account key (carried as member_id) in the primary key (docs/operations.md
-- "Distributing the database"); led by id, so a lookup by id still reads this one index.
ALTER TABLE storage_storedfile
    DROP CONSTRAINT storage_storedfile_pkey,
    ADD CONSTRAINT storage_storedfile_pkey PRIMARY KEY (id, member_id);
ALTER TABLE storage_reservation
    DROP CONSTRAINT storage_reservation_pkey,
    ADD CONSTRAINT storage_reservation_pkey PRIMARY KEY (id, member_id);

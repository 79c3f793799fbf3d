ALTER TABLE storage_storedfile
    DROP CONSTRAINT storage_storedfile_pkey,
    ADD CONSTRAINT storage_storedfile_pkey PRIMARY KEY (id);
ALTER TABLE storage_reservation
    DROP CONSTRAINT storage_reservation_pkey,
    ADD CONSTRAINT storage_reservation_pkey PRIMARY KEY (id);

ALTER TABLE access_authkey
    DROP CONSTRAINT access_authkey_pkey,
    ADD CONSTRAINT access_authkey_pkey PRIMARY KEY (id);
ALTER TABLE access_trusteddevice
    DROP CONSTRAINT access_trusteddevice_pkey,
    ADD CONSTRAINT access_trusteddevice_pkey PRIMARY KEY (id);

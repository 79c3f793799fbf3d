ALTER TABLE api_personaltoken
    DROP CONSTRAINT api_personaltoken_pkey,
    ADD CONSTRAINT api_personaltoken_pkey PRIMARY KEY (id);

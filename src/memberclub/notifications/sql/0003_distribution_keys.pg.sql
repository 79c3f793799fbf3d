-- The account key (carried as member_id) in the primary key (docs/operations.md
-- "Distributing the database"); led by id, so a lookup by id still reads this one index.
ALTER TABLE notifications_noticemail
    DROP CONSTRAINT notifications_noticemail_pkey,
    ADD CONSTRAINT notifications_noticemail_pkey PRIMARY KEY (id, member_id);

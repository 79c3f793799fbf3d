ALTER TABLE notifications_noticemail
    DROP CONSTRAINT notifications_noticemail_pkey,
    ADD CONSTRAINT notifications_noticemail_pkey PRIMARY KEY (id);

-- Where each user's notifications are e-mailed (empty: nowhere), and the
-- notifications already e-mailed, so each goes out once; a replica claims
-- a notification by inserting it before it sends.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

CREATE TABLE notification_mails (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, id)
);

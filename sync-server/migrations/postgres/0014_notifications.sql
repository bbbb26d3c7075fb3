-- The notifications each user has read; the notifications themselves are
-- worked out from the records when asked (services::notifications).
CREATE TABLE notification_reads (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    read_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, id)
);

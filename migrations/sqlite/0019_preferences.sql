-- A person's choices about how Healing Space reaches them. No row: the defaults.
CREATE TABLE preferences (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- Mail "You have a new message" (never its content) while they are away.
    message_emails BIGINT NOT NULL DEFAULT 1 CHECK (message_emails IN (0, 1)),
    updated_at BIGINT NOT NULL
);

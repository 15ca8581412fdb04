-- When a session's token is replaced (a privilege change), the previous token keeps
-- working for a short grace period, so requests already in flight are not refused.
ALTER TABLE sessions ADD COLUMN previous_token_hash TEXT;
CREATE INDEX sessions_previous_token_hash ON sessions (previous_token_hash);

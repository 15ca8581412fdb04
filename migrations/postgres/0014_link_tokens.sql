-- Single-use links, mailed or handed over by an administrator: password resets and
-- checks that a person controls an email address. Only a SHA-256 of each token is kept.

CREATE TABLE link_tokens (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'verify_email')),
    -- verify_email: the address the link checks.
    email TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX link_tokens_user ON link_tokens (user_id, purpose, expires_at);

-- When the person proved they read mail at users.email; cleared when it changes.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;
-- A verified address belongs to one account (addresses were never checked before, so
-- only verified ones can be held to this).
CREATE UNIQUE INDEX users_verified_email ON users (lower(email)) WHERE email_verified_at IS NOT NULL;

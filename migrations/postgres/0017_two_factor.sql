-- Two-factor sign-in with TOTP (RFC 6238). A code can only be checked against the
-- secret itself, so the secret is kept as it is (like the signing key, the database is
-- secret); recovery codes and the tokens of second steps only as SHA-256.

CREATE TABLE totp_credentials (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- base32, as authenticator apps take it.
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- NULL while the person is enrolling: the secret is not yet a factor.
    confirmed_at BIGINT,
    -- The last 30-second step whose code was accepted: each code works once.
    last_step BIGINT
);

CREATE TABLE recovery_codes (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id, code_hash);

-- A sign-in whose password was right and whose second step is still to come: to give a
-- code (verify), or to set up a second factor the person's role requires (enrol).
CREATE TABLE second_steps (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'enrol')),
    -- The device cookie's id the browser had for this account, if any.
    device TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX second_steps_user ON second_steps (user_id);
CREATE INDEX second_steps_expiry ON second_steps (expires_at);

-- Passkeys (WebAuthn): a person's credentials, each the serialised webauthn-rs Passkey
-- (public key, counter, flags: no secret), found at sign-in by its credential id.
CREATE TABLE passkeys (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- base64url, as the browser sends it: one credential belongs to one account.
    credential_id TEXT NOT NULL UNIQUE,
    -- The WebAuthn user handle the credential was made for (a random UUID per person),
    -- which a discoverable sign-in sends back.
    user_handle TEXT NOT NULL,
    passkey TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX passkeys_user ON passkeys (user_id, created_at);

-- A registration or sign-in in progress. Its start and finish may reach different
-- instances, so the webauthn-rs state lives here; only a SHA-256 of the ceremony id the
-- browser holds is kept, and finishing deletes the row, so each works once.
CREATE TABLE passkey_ceremonies (
    id_hash TEXT PRIMARY KEY,
    -- Registration: whose; sign-in: nobody yet.
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('register', 'sign_in')),
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX passkey_ceremonies_expiry ON passkey_ceremonies (expires_at);

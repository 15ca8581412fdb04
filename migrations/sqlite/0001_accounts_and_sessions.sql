-- Accounts, sessions, sign-in failures and the audit log.
-- Times are UTC milliseconds since the Unix epoch, identical on SQLite and PostgreSQL.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,            -- stored lower-case: unique without regard to case
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('patient', 'clinician', 'admin')),
    password_hash TEXT NOT NULL,
    approved_at BIGINT,                       -- clinicians: NULL while pending
    disabled_at BIGINT,
    created_at BIGINT NOT NULL,
    last_login_at BIGINT
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,                      -- public id, shown to the user and used for CSRF
    token_hash TEXT NOT NULL UNIQUE,          -- SHA-256 of the cookie token; the token is never stored
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,               -- absolute lifetime
    token_issued_at BIGINT NOT NULL,          -- a new token on every privilege change
    previous_login_at BIGINT,                 -- the user's sign-in before this session
    client TEXT NOT NULL,
    ended_at BIGINT,
    end_reason TEXT,
    ended_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, failed_at);

-- Care-team requests made at registration; handled by the care-team feature.
CREATE TABLE care_team_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    clinician_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'left')),
    requested_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX care_team_links_patient ON care_team_links (patient_id);
CREATE INDEX care_team_links_clinician ON care_team_links (clinician_id, status);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    actor_id BIGINT,
    subject_id BIGINT,
    detail TEXT NOT NULL DEFAULT '',
    client_address TEXT
);
CREATE INDEX audit_log_subject ON audit_log (subject_id, at);

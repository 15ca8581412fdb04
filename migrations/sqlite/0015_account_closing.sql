-- An account its owner closed: disabled at once (every session ended, hidden where
-- disabled accounts are), reopenable by an administrator during the grace period, then
-- erased of personal data; its clinical records are kept for the retention period.
ALTER TABLE users ADD COLUMN closed_at BIGINT;
CREATE INDEX users_closed ON users (closed_at) WHERE closed_at IS NOT NULL;
-- When the grace period ended and the personal details were erased.
ALTER TABLE users ADD COLUMN erased_at BIGINT;

-- The devices list: where a session signed in from (shortened: a /24 or /48 network, never
-- the full address) and the name its owner gave the device.
ALTER TABLE sessions ADD COLUMN address TEXT;
ALTER TABLE sessions ADD COLUMN name TEXT;

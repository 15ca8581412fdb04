-- What a send with an Idempotency-Key asked for (a SHA-256 of its recipient or
-- conversation, subject and content), so that the key reused for a different message is
-- refused rather than answered with the first one. Keys stored before this have none and
-- keep answering as before; they expire within a day.
ALTER TABLE idempotent_sends ADD COLUMN request_fingerprint TEXT;

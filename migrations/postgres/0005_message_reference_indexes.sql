-- Deleting a message (with its account) finds its hidden marks and idempotency keys
-- through these instead of scanning both tables.
CREATE INDEX hidden_messages_message ON hidden_messages (message_id);
CREATE INDEX idempotent_sends_message ON idempotent_sends (message_id);

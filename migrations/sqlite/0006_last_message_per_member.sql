-- When a conversation last had a message is kept in both member rows, which a send
-- updates anyway (the inbox sorts by it), instead of in the conversation's row.
-- (PostgreSQL's migration also makes a message's sender's membership its one foreign
-- key, for the row locks its checks take. SQLite keeps its two: it has no row locks,
-- and changing a foreign key would mean rebuilding the messages table. PostgreSQL also
-- keeps the old column for a rolling deploy; an SQLite file has one instance at a time.)
ALTER TABLE conversation_members ADD COLUMN last_message_at BIGINT NOT NULL DEFAULT 0;
UPDATE conversation_members SET last_message_at = (
    SELECT c.last_message_at FROM conversations c
    WHERE c.id = conversation_members.conversation_id);
ALTER TABLE conversations DROP COLUMN last_message_at;

-- A send no longer touches the conversation's row: when a conversation last had a message
-- is kept in both member rows, which a send updates anyway (the inbox sorts by it), and a
-- message's one foreign key is its sender's membership of its conversation, instead of
-- one to the conversation and one to the user. Each foreign key check locks the row it
-- finds, so a send locked three rows besides the two it updates; now it locks none.
-- Deleting a user or a conversation still deletes their messages, through the members.
ALTER TABLE conversation_members ADD COLUMN last_message_at BIGINT NOT NULL DEFAULT 0;
UPDATE conversation_members m SET last_message_at = c.last_message_at
    FROM conversations c WHERE c.id = m.conversation_id;

-- conversations.last_message_at is no longer read or written, but instances of the
-- previous release may still be serving during a rolling deploy, and they write it: it
-- stays, with a default for the new release's inserts, until a later release drops it.
ALTER TABLE conversations ALTER COLUMN last_message_at SET DEFAULT 0;

-- NOT VALID here, validated by the next migration in a transaction of its own, which
-- does not hold up writes while it reads every message.
ALTER TABLE messages
    DROP CONSTRAINT messages_conversation_id_fkey,
    DROP CONSTRAINT messages_sender_id_fkey,
    ADD CONSTRAINT messages_sender_is_member FOREIGN KEY (conversation_id, sender_id)
        REFERENCES conversation_members (conversation_id, user_id) ON DELETE CASCADE
        NOT VALID;

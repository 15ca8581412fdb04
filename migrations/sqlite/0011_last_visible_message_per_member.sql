-- Each member row keeps the newest message that member can see (one they have not
-- hidden): its id, sender, time and the start of its content (101 characters, enough
-- for the inbox's 100-character preview to be cut the same way as from the whole
-- message). A send sets them in both member rows, which it updates anyway; hiding a
-- message recomputes them for the member who hid it. Each member row also keeps the
-- other member's id and the conversation's subject, which never change once the
-- conversation is started. The inbox then reads member rows (and users, for names) and
-- never messages, conversations or the other member's row. (No foreign key on
-- last_message_id or other_user_id: a message is deleted only with its sender's
-- account, which also deletes the sender's membership, and a conversation whose other
-- member has gone is in nobody's inbox. The PostgreSQL migration says more.)
ALTER TABLE conversation_members ADD COLUMN last_message_id BIGINT;
ALTER TABLE conversation_members ADD COLUMN last_sender_id BIGINT;
ALTER TABLE conversation_members ADD COLUMN last_sent_at BIGINT;
ALTER TABLE conversation_members ADD COLUMN last_preview TEXT;
ALTER TABLE conversation_members ADD COLUMN other_user_id BIGINT;
ALTER TABLE conversation_members ADD COLUMN subject TEXT;

UPDATE conversation_members
SET other_user_id = (SELECT om.user_id FROM conversation_members om
                     WHERE om.conversation_id = conversation_members.conversation_id
                       AND om.user_id <> conversation_members.user_id),
    subject = (SELECT c.subject FROM conversations c WHERE c.id = conversation_members.conversation_id),
    (last_message_id, last_sender_id, last_sent_at, last_preview) = (
    SELECT m.id, m.sender_id, m.sent_at, substr(m.content, 1, 101)
    FROM messages m
    WHERE m.conversation_id = conversation_members.conversation_id
      AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                      WHERE h.user_id = conversation_members.user_id AND h.message_id = m.id)
    ORDER BY m.id DESC LIMIT 1);

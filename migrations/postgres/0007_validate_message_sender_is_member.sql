-- Checks the existing messages against the foreign key added (NOT VALID) by 0006. It
-- takes a lock that lets reads and writes go on meanwhile.
ALTER TABLE messages VALIDATE CONSTRAINT messages_sender_is_member;

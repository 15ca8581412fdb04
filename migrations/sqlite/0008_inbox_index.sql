-- The inbox reads one person's conversations newest first, with their unread counts and
-- archive marks, and counts them. This index holds all of that in order, so a page, its
-- counts and the total unread come from one contiguous range of it, not from a member row
-- on a random page per conversation. It replaces the (user_id, conversation_id) index:
-- with both present, the planner chose this one for every lookup by user, a conversation's
-- header included (a person's entries sit on one or two leaf pages).
CREATE INDEX conversation_members_inbox
    ON conversation_members (user_id, last_message_at DESC, conversation_id DESC, unread_count, archived_at);
DROP INDEX conversation_members_user;

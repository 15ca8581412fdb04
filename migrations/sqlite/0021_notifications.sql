-- Mail notifications. Every instance hears every event, so each mail is claimed here
-- first, by one guarded statement, and only the instance that claims it sends it.

-- When a person was last mailed about new messages (at most one such mail per
-- MESSAGE_MAIL_EVERY_SECONDS).
CREATE TABLE notification_state (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    last_message_mail_at BIGINT NOT NULL
);

-- Which people have an event stream open, on which instance, until when (renewed while
-- it stays open): new-message mail waits while someone is looking.
CREATE TABLE stream_presence (
    user_id BIGINT NOT NULL,
    instance TEXT NOT NULL,
    seen_until BIGINT NOT NULL,
    PRIMARY KEY (user_id, instance)
);

-- Urgent alerts mailed to a clinician: when raised, and again when overdue.
CREATE TABLE alert_mails (
    alert_id BIGINT NOT NULL REFERENCES risk_alerts (id) ON DELETE CASCADE,
    clinician_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('raised', 'overdue')),
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (alert_id, clinician_id, kind)
);

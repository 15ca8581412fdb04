-- Events pushed to signed-in people (GET /api/events). Triggers write them in the same
-- transaction as the change they announce, so an event exists exactly when its change
-- committed, whatever code path made it. Each instance reads new rows and sends them to
-- its open streams; a stream that reconnects catches up from here by id (Last-Event-ID).
-- Events carry ids and counts, never content or names. Kept a day.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    -- A JSON object.
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_user ON events (user_id, id);
CREATE INDEX events_created ON events (created_at);

-- A new message: for the other member of the conversation.
CREATE TRIGGER events_message AFTER INSERT ON messages BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    SELECT user_id, 'message',
           json_object('conversation_id', NEW.conversation_id, 'message_id', NEW.id),
           NEW.sent_at
    FROM conversation_members
    WHERE conversation_id = NEW.conversation_id AND user_id <> NEW.sender_id;
END;

-- A conversation's unread count changed: for its member.
CREATE TRIGGER events_unread AFTER UPDATE OF unread_count ON conversation_members
WHEN NEW.unread_count <> OLD.unread_count BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    VALUES (NEW.user_id, 'unread',
            json_object('conversation_id', NEW.conversation_id, 'unread', NEW.unread_count),
            CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

-- Someone read new messages: for the other member (their read marks).
CREATE TRIGGER events_read AFTER UPDATE OF last_read_message_id ON conversation_members
WHEN NEW.last_read_message_id > OLD.last_read_message_id AND OLD.unread_count > 0 BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    SELECT user_id, 'read',
           json_object('conversation_id', NEW.conversation_id,
                       'read_up_to_message_id', NEW.last_read_message_id),
           CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM conversation_members
    WHERE conversation_id = NEW.conversation_id AND user_id <> NEW.user_id;
END;

-- A risk alert raised, or raised again: for the clinicians of the patient's care team.
CREATE TRIGGER events_alert_raised AFTER INSERT ON risk_alerts BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    SELECT clinician_id, 'alert', json_object('alert_id', NEW.id, 'severity', NEW.severity),
           NEW.triggered_at
    FROM care_team_links WHERE patient_id = NEW.patient_id AND status = 'approved';
END;
CREATE TRIGGER events_alert_again AFTER UPDATE OF trigger_count ON risk_alerts
WHEN NEW.trigger_count > OLD.trigger_count BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    SELECT clinician_id, 'alert', json_object('alert_id', NEW.id, 'severity', NEW.severity),
           NEW.triggered_at
    FROM care_team_links WHERE patient_id = NEW.patient_id AND status = 'approved';
END;

-- A questionnaire scheduled: for the patient, whose due list changed.
CREATE TRIGGER events_measure_due AFTER INSERT ON measure_schedules BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    VALUES (NEW.patient_id, 'measure_due', json_object('instrument', NEW.instrument),
            NEW.created_at);
END;

-- A session ended (signed out, ended elsewhere, password changed, disabled, expired):
-- for its person, naming the session, so that session's streams end at once.
CREATE TRIGGER events_session_ended AFTER UPDATE OF ended_at ON sessions
WHEN OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    VALUES (NEW.user_id, 'session_ended',
            json_object('session_id', NEW.id, 'reason', NEW.end_reason), NEW.ended_at);
END;

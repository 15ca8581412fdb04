-- Events pushed to signed-in people (GET /api/events). Triggers write them in the same
-- transaction as the change they announce, so an event exists exactly when its change
-- committed, whatever code path made it; each new row is also sent with NOTIFY, which
-- PostgreSQL delivers at commit, to every instance LISTENing. A stream that reconnects
-- catches up from this table by id (Last-Event-ID). Events carry ids and counts, never
-- content or names. Kept a day.
CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    -- A JSON object.
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_user ON events (user_id, id);
CREATE INDEX events_created ON events (created_at);

CREATE FUNCTION events_now() RETURNS BIGINT LANGUAGE sql AS
$$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT $$;

CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('healing_space_events', json_build_object(
        'id', NEW.id, 'user_id', NEW.user_id, 'kind', NEW.kind, 'data', NEW.data)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_notify();

-- A new message: for the other member of the conversation.
CREATE FUNCTION events_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    SELECT user_id, 'message',
           json_build_object('conversation_id', NEW.conversation_id, 'message_id', NEW.id)::text,
           NEW.sent_at
    FROM conversation_members
    WHERE conversation_id = NEW.conversation_id AND user_id <> NEW.sender_id;
    RETURN NULL;
END $$;
CREATE TRIGGER events_message AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION events_message();

-- A conversation's unread count changed: for its member.
CREATE FUNCTION events_unread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    VALUES (NEW.user_id, 'unread',
            json_build_object('conversation_id', NEW.conversation_id, 'unread', NEW.unread_count)::text,
            events_now());
    RETURN NULL;
END $$;
CREATE TRIGGER events_unread AFTER UPDATE OF unread_count ON conversation_members FOR EACH ROW
    WHEN (NEW.unread_count <> OLD.unread_count) EXECUTE FUNCTION events_unread();

-- Someone read new messages: for the other member (their read marks).
CREATE FUNCTION events_read() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    SELECT user_id, 'read',
           json_build_object('conversation_id', NEW.conversation_id,
                             'read_up_to_message_id', NEW.last_read_message_id)::text,
           events_now()
    FROM conversation_members
    WHERE conversation_id = NEW.conversation_id AND user_id <> NEW.user_id;
    RETURN NULL;
END $$;
CREATE TRIGGER events_read AFTER UPDATE OF last_read_message_id ON conversation_members FOR EACH ROW
    WHEN (NEW.last_read_message_id > OLD.last_read_message_id AND OLD.unread_count > 0)
    EXECUTE FUNCTION events_read();

-- A risk alert raised, or raised again: for the clinicians of the patient's care team.
CREATE FUNCTION events_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    SELECT clinician_id, 'alert',
           json_build_object('alert_id', NEW.id, 'severity', NEW.severity)::text, NEW.triggered_at
    FROM care_team_links WHERE patient_id = NEW.patient_id AND status = 'approved';
    RETURN NULL;
END $$;
CREATE TRIGGER events_alert_raised AFTER INSERT ON risk_alerts FOR EACH ROW
    EXECUTE FUNCTION events_alert();
CREATE TRIGGER events_alert_again AFTER UPDATE OF trigger_count ON risk_alerts FOR EACH ROW
    WHEN (NEW.trigger_count > OLD.trigger_count) EXECUTE FUNCTION events_alert();

-- A questionnaire scheduled: for the patient, whose due list changed.
CREATE FUNCTION events_measure_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    VALUES (NEW.patient_id, 'measure_due',
            json_build_object('instrument', NEW.instrument)::text, NEW.created_at);
    RETURN NULL;
END $$;
CREATE TRIGGER events_measure_due AFTER INSERT ON measure_schedules FOR EACH ROW
    EXECUTE FUNCTION events_measure_due();

-- A session ended (signed out, ended elsewhere, password changed, disabled, expired):
-- for its person, naming the session, so that session's streams end at once.
CREATE FUNCTION events_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (user_id, kind, data, created_at)
    VALUES (NEW.user_id, 'session_ended',
            json_build_object('session_id', NEW.id, 'reason', NEW.end_reason)::text, NEW.ended_at);
    RETURN NULL;
END $$;
CREATE TRIGGER events_session_ended AFTER UPDATE OF ended_at ON sessions FOR EACH ROW
    WHEN (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL) EXECUTE FUNCTION events_session_ended();

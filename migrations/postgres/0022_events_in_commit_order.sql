-- Event ids in commit order. A stream skips what it has passed (an id at most the last it
-- sent) and a reconnect asks for ids after its Last-Event-ID, so an id must never become
-- visible after a greater one. A sequence value taken at insert does: two transactions
-- writing events for one person (two conversations) commit in either order, and the
-- lower id, committed second, was never sent. So an event is stored with a pending
-- (negative) id, and just before its transaction commits a deferred trigger gives each of
-- the transaction's events its id, under a lock held until the commit ends, and only
-- then announces them. The lock costs little: PostgreSQL already lets one transaction
-- that sent a NOTIFY commit at a time.
CREATE SEQUENCE events_pending_id;
ALTER TABLE events ALTER COLUMN id SET DEFAULT -nextval('events_pending_id');

DROP TRIGGER events_notify ON events;
DROP FUNCTION events_notify();

-- Only this transaction's own events are pending: other transactions' are not visible
-- until they commit, and have their ids by then. Fires once per event; the first firing
-- numbers them all, the others find none left.
CREATE FUNCTION events_number_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pending RECORD;
    numbered BIGINT;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM events WHERE id < 0) THEN
        RETURN NULL;
    END IF;
    -- Any constant would do: it names this lock among the database's advisory locks.
    PERFORM pg_advisory_xact_lock(7235012341);
    FOR pending IN SELECT id FROM events WHERE id < 0 ORDER BY id DESC LOOP
        UPDATE events SET id = nextval('events_id_seq') WHERE id = pending.id
            RETURNING id INTO numbered;
        PERFORM pg_notify('healing_space_events', json_build_object(
            'id', numbered, 'user_id', e.user_id, 'kind', e.kind, 'data', e.data)::text)
            FROM events e WHERE e.id = numbered;
    END LOOP;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER events_number_at_commit AFTER INSERT ON events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_number_at_commit();

-- CBT homework: what clinicians of the care team assign, and the patient's thought
-- records, planned activities (behavioural activation) and exposure ladders. Every row
-- goes with its patient's account. Booleans are 0/1.

CREATE TABLE homework (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('thought_record', 'activity', 'exposure')),
    instructions TEXT NOT NULL,
    -- YYYY-MM-DD (UTC), or none.
    due_on TEXT,
    assigned_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    assigned_at BIGINT NOT NULL
);
CREATE INDEX homework_patient ON homework (patient_id, id);

CREATE TABLE thought_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    homework_id BIGINT REFERENCES homework (id) ON DELETE SET NULL,
    situation TEXT NOT NULL,
    automatic_thought TEXT NOT NULL,
    belief_before BIGINT NOT NULL CHECK (belief_before BETWEEN 0 AND 100),
    -- Comma-separated ids from the fixed list of thinking traps.
    thinking_traps TEXT NOT NULL DEFAULT '',
    evidence_for TEXT,
    evidence_against TEXT,
    balanced_thought TEXT,
    belief_after BIGINT CHECK (belief_after BETWEEN 0 AND 100),
    private BIGINT NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX thought_records_user ON thought_records (user_id, id);
CREATE INDEX thought_records_homework ON thought_records (homework_id) WHERE homework_id IS NOT NULL;

-- A thought record's emotions, in the order given, with their intensities 0-100.
CREATE TABLE thought_record_emotions (
    record_id BIGINT NOT NULL REFERENCES thought_records (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    intensity_before BIGINT NOT NULL CHECK (intensity_before BETWEEN 0 AND 100),
    intensity_after BIGINT CHECK (intensity_after BETWEEN 0 AND 100),
    PRIMARY KEY (record_id, position)
);

CREATE TABLE cbt_activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    homework_id BIGINT REFERENCES homework (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    -- YYYY-MM-DD.
    planned_on TEXT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    mastery BIGINT CHECK (mastery BETWEEN 0 AND 10),
    pleasure BIGINT CHECK (pleasure BETWEEN 0 AND 10),
    private BIGINT NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cbt_activities_user ON cbt_activities (user_id, planned_on);
CREATE INDEX cbt_activities_homework ON cbt_activities (homework_id) WHERE homework_id IS NOT NULL;

CREATE TABLE exposure_ladders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    homework_id BIGINT REFERENCES homework (id) ON DELETE SET NULL,
    fear TEXT NOT NULL,
    private BIGINT NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX exposure_ladders_user ON exposure_ladders (user_id, id);
CREATE INDEX exposure_ladders_homework ON exposure_ladders (homework_id) WHERE homework_id IS NOT NULL;

CREATE TABLE exposure_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ladder_id BIGINT NOT NULL REFERENCES exposure_ladders (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    description TEXT NOT NULL,
    expected_suds BIGINT NOT NULL CHECK (expected_suds BETWEEN 0 AND 100)
);
CREATE INDEX exposure_steps_ladder ON exposure_steps (ladder_id, position);

-- Subjective units of distress (0-100) before, at the peak of, and after one attempt.
CREATE TABLE exposure_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    step_id BIGINT NOT NULL REFERENCES exposure_steps (id) ON DELETE CASCADE,
    suds_before BIGINT NOT NULL CHECK (suds_before BETWEEN 0 AND 100),
    suds_peak BIGINT NOT NULL CHECK (suds_peak BETWEEN 0 AND 100),
    suds_after BIGINT NOT NULL CHECK (suds_after BETWEEN 0 AND 100),
    attempted_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX exposure_attempts_step ON exposure_attempts (step_id, attempted_at);

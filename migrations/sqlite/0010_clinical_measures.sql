-- Questionnaire responses with every item answer, clinicians' schedules for them, and
-- risk alerts for the care team.

CREATE TABLE measure_responses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instrument TEXT NOT NULL CHECK (instrument IN ('phq9', 'gad7', 'cssrs')),
    version TEXT NOT NULL,
    -- Every item's answer, as a JSON object keyed by item id.
    answers TEXT NOT NULL,
    total BIGINT,
    -- The PHQ-9 or GAD-7 severity band, or the C-SSRS risk.
    band TEXT NOT NULL,
    -- Comma-separated, e.g. item9_positive.
    flags TEXT NOT NULL DEFAULT '',
    submitted_at BIGINT NOT NULL,
    -- 1 when an alert it raised reached at least one clinician.
    care_team_notified BIGINT NOT NULL DEFAULT 0,
    idempotency_key TEXT,
    request_fingerprint TEXT
);
CREATE INDEX measure_responses_user ON measure_responses (user_id, instrument, submitted_at);
CREATE UNIQUE INDEX measure_responses_key ON measure_responses (user_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE measure_schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instrument TEXT NOT NULL CHECK (instrument IN ('phq9', 'gad7', 'cssrs')),
    every_days BIGINT NOT NULL CHECK (every_days BETWEEN 7 AND 90),
    -- YYYY-MM-DD (UTC).
    starts_on TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX measure_schedules_patient ON measure_schedules (patient_id, instrument);

CREATE TABLE risk_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    rule_version BIGINT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('urgent', 'review')),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    first_triggered_at BIGINT NOT NULL,
    triggered_at BIGINT NOT NULL,
    trigger_count BIGINT NOT NULL DEFAULT 1,
    acknowledged_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    acknowledged_at BIGINT,
    resolved_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    resolved_at BIGINT,
    outcome TEXT CHECK (outcome IN ('contacted_patient', 'no_action_needed', 'escalated', 'other')),
    note TEXT
);
-- One unresolved alert per patient and rule: a new trigger adds to it.
CREATE UNIQUE INDEX risk_alerts_unresolved ON risk_alerts (patient_id, rule) WHERE status <> 'resolved';
CREATE INDEX risk_alerts_patient ON risk_alerts (patient_id, status, triggered_at);
-- The administrators' count of overdue urgent alerts.
CREATE INDEX risk_alerts_open_urgent ON risk_alerts (triggered_at) WHERE severity = 'urgent' AND status = 'open';

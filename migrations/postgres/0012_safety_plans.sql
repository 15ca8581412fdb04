-- Safety plans (the Stanley-Brown Safety Planning Intervention). A plan is never edited
-- in place: each save adds the next version, so nothing written is ever lost, and the
-- patient's current plan is their highest version.

CREATE TABLE safety_plan_versions (
    id BIGSERIAL PRIMARY KEY,
    patient_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version BIGINT NOT NULL CHECK (version >= 1),
    -- The seven sections, as a JSON object of string lists (validated before storing).
    sections TEXT NOT NULL,
    -- The patient or a clinician of their care team; kept when the author's account goes.
    author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    -- Two saves made from the same version: exactly one wins.
    UNIQUE (patient_id, version)
);

-- "Reviewed with the patient", recorded by a clinician of the care team.
CREATE TABLE safety_plan_reviews (
    id BIGSERIAL PRIMARY KEY,
    patient_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    reviewed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    reviewed_at BIGINT NOT NULL
);
CREATE INDEX safety_plan_reviews_patient ON safety_plan_reviews (patient_id, reviewed_at);

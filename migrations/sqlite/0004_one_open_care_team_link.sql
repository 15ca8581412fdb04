-- At most one open request or membership per patient and clinician, even when two
-- requests race.
CREATE UNIQUE INDEX care_team_links_open ON care_team_links (patient_id, clinician_id)
    WHERE status IN ('pending', 'approved');

-- National check of every subject (A9, B10, B11): a subject without an ID number (supplementary
-- or no-hukou registration) is asked about by name, sex and birth date, so a check names the
-- subject it belongs to and what it asked; found_id_number is the number a query by identity found.
ALTER TABLE case_checks ADD COLUMN person_seq INTEGER NOT NULL DEFAULT 0;  -- case_persons.seq; 0 before 011
ALTER TABLE case_checks ADD COLUMN query TEXT NOT NULL DEFAULT 'id_number';  -- id_number | identity
ALTER TABLE case_checks ADD COLUMN found_id_number TEXT NOT NULL DEFAULT '';

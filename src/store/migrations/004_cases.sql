-- Cases (业务办件, B2–B16): received at any window, routed to the handling station, accepted,
-- reviewed and approved along the item's chain, issued at the receiving window. station_code is
-- the handling station (registration place or destination): the data-scope column.

-- Case numbers: one counter per receiving day, incremented with an upsert (safe under concurrency).
CREATE TABLE case_sequences (
  day TEXT PRIMARY KEY,             -- YYYYMMDD
  last_value BIGINT NOT NULL
);

CREATE TABLE cases (
  id {{ID}},
  case_no TEXT NOT NULL UNIQUE,     -- YYYYMMDD + 6-digit sequence, e.g. 20261122000042
  item_code TEXT NOT NULL,
  item_version INTEGER NOT NULL,
  item_name TEXT NOT NULL,
  effect TEXT NOT NULL,
  status TEXT NOT NULL,             -- received | accepted | reviewing | returned | approved |
                                    -- rejected | issued | cancelled
  receiving_unit_code TEXT NOT NULL,  -- the window (or station) that received it
  receiving_station_code TEXT NOT NULL,
  receiving_user_id BIGINT NOT NULL,
  station_code TEXT NOT NULL,       -- handling station (data scope)
  applicant_name TEXT NOT NULL,
  applicant_id_number TEXT NOT NULL,
  applicant_phone TEXT NOT NULL DEFAULT '',
  form TEXT NOT NULL DEFAULT '{}',  -- JSON: effect-specific data (household, changes, new person …)
  trafficked INTEGER NOT NULL DEFAULT 0,
  received_at TEXT NOT NULL,
  received_date TEXT NOT NULL,      -- local date of receipt
  due_date TEXT NOT NULL,           -- whole case, working days (≤ 20)
  closed_at TEXT,
  current_step INTEGER NOT NULL DEFAULT 0,  -- index into the item's chain of the step awaited
  step_due_date TEXT NOT NULL,
  step_started_at TEXT NOT NULL,
  return_reason TEXT NOT NULL DEFAULT '',
  missing TEXT NOT NULL DEFAULT '[]',  -- JSON list of what is missing when returned
  effect_result TEXT NOT NULL DEFAULT '{}',  -- JSON: what the approval did (person ids, numbers)
  notice TEXT NOT NULL DEFAULT '',  -- electronic notice (电子告知单) text, on approval
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_station_status ON cases(station_code, status);
CREATE INDEX cases_receiving ON cases(receiving_unit_code, status);
CREATE INDEX cases_due ON cases(status, step_due_date);
CREATE INDEX cases_applicant ON cases(applicant_id_number);

CREATE TABLE case_persons (
  id {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  seq INTEGER NOT NULL,
  person_id BIGINT,                 -- persons.id when already registered (or once created)
  id_number TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  birth_date TEXT NOT NULL DEFAULT '',
  new_person TEXT NOT NULL DEFAULT '',  -- JSON of the person data for births and registrations
  relation_to_head TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_persons_case ON case_persons(case_id);
CREATE INDEX case_persons_id_number ON case_persons(id_number);

CREATE TABLE case_materials (
  id {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  mandatory INTEGER NOT NULL,
  state TEXT NOT NULL,              -- provided | system_verified | missing
  file_id BIGINT,
  updated_at TEXT NOT NULL
);
CREATE INDEX case_materials_case ON case_materials(case_id);

CREATE TABLE case_fees (
  id {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  amount_fen BIGINT NOT NULL,
  paid INTEGER NOT NULL DEFAULT 0,
  payment_ref TEXT NOT NULL DEFAULT '',
  free_reason TEXT NOT NULL DEFAULT '',
  recorded_at TEXT NOT NULL,
  recorded_by BIGINT
);
CREATE INDEX case_fees_case ON case_fees(case_id);

-- One row per act on a case, with the officer's signature over the canonical payload.
CREATE TABLE case_steps (
  id {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  step_no INTEGER NOT NULL,         -- 1, 2, … per case, in order of acting
  chain_index INTEGER NOT NULL,     -- index into the chain, -1 for receive/issue/resubmit/cancel
  action TEXT NOT NULL,             -- receive | accept | review | approve | resubmit | issue | cancel
  level TEXT NOT NULL DEFAULT '',
  decision TEXT NOT NULL DEFAULT '',  -- approve | return | reject | '' 
  opinion TEXT NOT NULL DEFAULT '',
  officer_id BIGINT NOT NULL,
  officer_name TEXT NOT NULL,
  unit_code TEXT NOT NULL,
  acted_at TEXT NOT NULL,
  due_date TEXT NOT NULL DEFAULT '',
  duration_seconds BIGINT NOT NULL DEFAULT 0,  -- since the previous step
  overdue INTEGER NOT NULL DEFAULT 0,
  payload TEXT NOT NULL,            -- canonical text that was signed
  payload_sm3 TEXT NOT NULL,
  signature TEXT,                   -- base64 SM2 signature, NULL when unsigned
  signature_key_id BIGINT,
  signer_id BIGINT,                 -- users.id
  UNIQUE (case_id, step_no)
);

-- National hukou check results (A9), kept with the case.
CREATE TABLE case_checks (
  id {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  id_number TEXT NOT NULL,
  outcome TEXT NOT NULL,            -- none | active | cancelled
  peer TEXT NOT NULL DEFAULT '',
  station TEXT NOT NULL DEFAULT '',
  cancel_reason TEXT NOT NULL DEFAULT '',
  cancel_date TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  checked_at TEXT NOT NULL,
  checked_by BIGINT NOT NULL
);
CREATE INDEX case_checks_case ON case_checks(case_id);

-- Biometrics (B10): photo, fingerprints (one row per finger), portrait comparison.
CREATE TABLE case_biometrics (
  id {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  id_number TEXT NOT NULL,          -- the subject's, '' for a new person without a number yet
  person_seq INTEGER NOT NULL,      -- case_persons.seq
  kind TEXT NOT NULL,               -- photo | fingerprint | portrait_comparison
  finger INTEGER NOT NULL DEFAULT 0,  -- 1..10 for fingerprints
  file_id BIGINT REFERENCES files(id),
  result TEXT NOT NULL DEFAULT '',  -- portrait comparison: match | no_match
  score INTEGER NOT NULL DEFAULT 0,
  captured_at TEXT NOT NULL,
  captured_by BIGINT NOT NULL
);
CREATE INDEX case_biometrics_case ON case_biometrics(case_id);

-- DNA-sampling notices to criminal investigation for trafficked persons (B10).
CREATE TABLE dna_notices (
  id {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  person_name TEXT NOT NULL,
  id_number TEXT NOT NULL DEFAULT '',
  station_code TEXT NOT NULL,
  text TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',
  created_at TEXT NOT NULL
);

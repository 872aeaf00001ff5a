-- Electronic archives (issue #4 §2; C1–C6, D1): captured materials per case slot, booklets
-- (一件一册) in volumes, the paper track and imported historical files. Cases are keyed by
-- case_no TEXT without a foreign key to `cases` (the case engine validates case numbers); the
-- item and station are copied in so that scope and the catalogue need no join.

-- One captured version of a case's material slot (case_no + material_code). Rows are never
-- deleted; a correction is a new version and the old row only gets superseded_by.
CREATE TABLE archive_materials (
  id {{ID}},
  case_no TEXT {{C}} NOT NULL,
  item_code TEXT NOT NULL DEFAULT '',
  item_version BIGINT NOT NULL DEFAULT 0,
  station_code TEXT {{C}} NOT NULL,
  material_code TEXT NOT NULL,             -- catalog Material.code, or "portrait" 现场人像
  material_name TEXT NOT NULL DEFAULT '',
  version BIGINT NOT NULL,                 -- 1, 2, … per slot
  file_id BIGINT NOT NULL REFERENCES files(id),
  thumbnail_file_id BIGINT REFERENCES files(id),
  source TEXT NOT NULL,                    -- scan | photo | upload | portrait | data_sharing
  original_name TEXT NOT NULL DEFAULT '',
  step TEXT NOT NULL DEFAULT '',           -- the case step at capture (receive, accept, …)
  late INTEGER NOT NULL DEFAULT 0,         -- 1: captured after the step it belongs to (D2)
  captured_by BIGINT,
  captured_at TEXT NOT NULL,
  superseded_by BIGINT,                    -- id of the next version
  UNIQUE (case_no, material_code, version)
);
CREATE INDEX archive_materials_station ON archive_materials(station_code, captured_at);

-- A volume (卷): one per station, year and volume type; next_sequence numbers its booklets.
CREATE TABLE archive_volumes (
  id {{ID}},
  station_code TEXT {{C}} NOT NULL,
  year BIGINT NOT NULL,
  volume_type TEXT NOT NULL,               -- birth | death | migrate_in | migrate_out | change |
                                           -- booklet | household | other | city_wide
  code TEXT NOT NULL UNIQUE,               -- station-year-type
  booklet_count BIGINT NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  UNIQUE (station_code, year, volume_type)
);

-- One case, one booklet (一件一册) with its archive code (档号).
CREATE TABLE archive_booklets (
  id {{ID}},
  archive_code TEXT NOT NULL UNIQUE,
  case_no TEXT {{C}} NOT NULL UNIQUE,
  volume_id BIGINT NOT NULL REFERENCES archive_volumes(id),
  sequence BIGINT NOT NULL,
  station_code TEXT {{C}} NOT NULL,
  receiving_station_code TEXT NOT NULL DEFAULT '',
  item_code TEXT NOT NULL,
  item_version BIGINT NOT NULL DEFAULT 0,
  item_name TEXT NOT NULL DEFAULT '',
  applicant_name TEXT NOT NULL DEFAULT '',
  applicant_id_number TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL DEFAULT '',        -- approved | rejected | cancelled …
  received_at TEXT NOT NULL DEFAULT '',
  closed_at TEXT NOT NULL,
  archived_at TEXT NOT NULL,
  archived_by BIGINT
);
CREATE INDEX archive_booklets_station ON archive_booklets(station_code, closed_at);

-- The paper track (双轨制): registrations of a case's paper file, newest row is current.
CREATE TABLE archive_paper_files (
  id {{ID}},
  case_no TEXT {{C}} NOT NULL,
  station_code TEXT {{C}} NOT NULL,
  location TEXT NOT NULL,                  -- cabinet / shelf / box at the station
  binding_batch TEXT NOT NULL DEFAULT '',  -- e.g. 2026-11-01
  registered_at TEXT NOT NULL,
  registered_by BIGINT
);
CREATE INDEX archive_paper_files_case ON archive_paper_files(case_no, id);

-- A binding batch (装订批次) of a station, bound once.
CREATE TABLE archive_binding_batches (
  id {{ID}},
  station_code TEXT {{C}} NOT NULL,
  batch TEXT NOT NULL,
  bound_at TEXT NOT NULL,
  bound_by BIGINT,
  UNIQUE (station_code, batch)
);

-- Historical archives (扫描入网): one import job per run, one row per imported file.
CREATE TABLE archive_import_jobs (
  id {{ID}},
  dir TEXT NOT NULL,
  index_file TEXT NOT NULL,
  status TEXT NOT NULL,                    -- running | done | interrupted | failed
  total BIGINT NOT NULL DEFAULT 0,
  imported BIGINT NOT NULL DEFAULT 0,
  skipped BIGINT NOT NULL DEFAULT 0,       -- already imported by an earlier run
  failed BIGINT NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  finished_at TEXT NOT NULL DEFAULT '',
  started_by BIGINT
);

CREATE TABLE archive_import_errors (
  id {{ID}},
  job_id BIGINT NOT NULL REFERENCES archive_import_jobs(id),
  row_no BIGINT NOT NULL,
  file_name TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX archive_import_errors_job ON archive_import_errors(job_id, row_no);

CREATE TABLE archive_history_docs (
  id {{ID}},
  file_name TEXT NOT NULL,
  sm3 TEXT NOT NULL,
  file_id BIGINT NOT NULL REFERENCES files(id),
  person_id BIGINT NOT NULL REFERENCES persons(id),
  id_number TEXT NOT NULL,
  station_code TEXT {{C}} NOT NULL,
  doc_type TEXT NOT NULL,
  year BIGINT NOT NULL,
  title TEXT NOT NULL,
  job_id BIGINT NOT NULL REFERENCES archive_import_jobs(id),
  imported_at TEXT NOT NULL,
  UNIQUE (file_name, sm3)
);
CREATE INDEX archive_history_docs_person ON archive_history_docs(person_id);

-- The catalogue of business items (事项清单, B1) and the working-day calendar (B7).
-- Items are versioned: an edit inserts version n+1, earlier versions stay readable because cases
-- keep the version they were received under. content is the whole item as JSON (catalog.h
-- ItemToJson); name, major_category and active are copied out for listing and filtering.

CREATE TABLE catalog_items (
  code TEXT NOT NULL,               -- stable item code, e.g. HK0101
  version INTEGER NOT NULL,         -- 1, 2, … per code
  content TEXT NOT NULL,            -- JSON
  name TEXT NOT NULL,
  major_category TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL,
  updated_by BIGINT,                -- users.id; NULL when shipped with the program
  PRIMARY KEY (code, version)
);
CREATE INDEX catalog_items_category ON catalog_items(major_category);

-- Days that differ from the Monday–Friday week: statutory holidays and make-up workdays, seeded
-- from data/holidays/*.tsv and edited by administrators (kind ordinary undoes a shipped day).
CREATE TABLE calendar_days (
  date TEXT PRIMARY KEY,            -- YYYY-MM-DD
  kind TEXT NOT NULL,               -- holiday | workday | ordinary
  name TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  updated_by BIGINT                 -- users.id; NULL when shipped with the program
);

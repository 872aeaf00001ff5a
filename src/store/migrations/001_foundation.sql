-- Foundation schema: units, users, sessions, addresses, households, persons, history, files,
-- access log, ID-number allocation. Shared by SQLite and PostgreSQL ({{ID}} / {{BLOB}} tokens).
-- Dates are TEXT 'YYYY-MM-DD'; instants TEXT ISO-8601 UTC. Nothing is ever deleted.
-- {{C}} marks columns searched by prefix ranges (>= lower AND < upper): bytewise order is needed,
-- whatever collation the PostgreSQL database was created with.
-- Every row that belongs to a place carries station_code (the registering police station), the
-- column that data scope filters on and a later distribution key.

CREATE TABLE units (
  code TEXT PRIMARY KEY,            -- 12-digit public-security unit code
  name TEXT NOT NULL,
  kind TEXT NOT NULL,               -- city | branch | station | window
  parent_code TEXT REFERENCES units(code),
  scope_prefix TEXT NOT NULL,       -- station_code values under this unit start with it
  division_code TEXT NOT NULL,      -- GB/T 2260 county (or city) code of its jurisdiction
  created_at TEXT NOT NULL
);

CREATE TABLE users (
  id {{ID}},
  login TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,      -- argon2id encoded
  name TEXT NOT NULL,
  police_number TEXT UNIQUE,        -- 警号; NULL for staff without one
  role TEXT NOT NULL,               -- window_clerk | police | auxiliary | station_chief | branch_approver
                                    -- | city_approver | supervisor | community_worker | admin
  unit_code TEXT NOT NULL REFERENCES units(code),
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,      -- hex hash of the cookie token; the token itself is not stored
  user_id BIGINT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT
);

CREATE TABLE addresses (
  id {{ID}},
  division_code TEXT NOT NULL,      -- county, GB/T 2260
  township_code TEXT NOT NULL,      -- 9 digits
  community_code TEXT NOT NULL,     -- 12 digits
  street TEXT NOT NULL DEFAULT '',
  house_number TEXT NOT NULL DEFAULT '',
  building TEXT NOT NULL DEFAULT '',
  unit_no TEXT NOT NULL DEFAULT '',
  room TEXT NOT NULL DEFAULT '',
  full_text TEXT NOT NULL,          -- the whole address as written, for search and display
  station_code TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX addresses_community ON addresses(community_code);
CREATE INDEX addresses_station ON addresses(station_code);

CREATE TABLE households (
  id {{ID}},
  household_number TEXT NOT NULL UNIQUE,  -- 户号
  kind TEXT NOT NULL,               -- family | collective | community_public
  address_id BIGINT NOT NULL REFERENCES addresses(id),
  head_person_id BIGINT,
  station_code TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',  -- active | cancelled
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX households_station ON households(station_code);
CREATE INDEX households_address ON households(address_id);

CREATE TABLE files (
  id {{ID}},
  sm3 TEXT NOT NULL,                -- hex SM3 of the bytes
  mime TEXT NOT NULL,
  size BIGINT NOT NULL,
  data {{BLOB}} NOT NULL,
  created_at TEXT NOT NULL,
  created_by BIGINT
);

CREATE TABLE persons (
  id {{ID}},
  id_number TEXT NOT NULL UNIQUE,   -- 公民身份号码, 18 characters
  name TEXT NOT NULL,               -- 姓名 (may hold characters outside the BMP)
  name_simplified TEXT {{C}} NOT NULL,    -- name folded to simplified characters (OpenCC), for search
  name_pinyin TEXT {{C}} NOT NULL,        -- toneless pinyin without spaces, lower case (ICU), for search
  sex TEXT NOT NULL,                -- GB/T 2261.1 code: 1 male, 2 female
  ethnicity TEXT NOT NULL,          -- GB/T 3304 code, e.g. '01' 汉族
  birth_date TEXT NOT NULL,
  former_names TEXT NOT NULL DEFAULT '',  -- 曾用名, separated by '、'
  native_place TEXT NOT NULL DEFAULT '',  -- 籍贯 (division code or text)
  birthplace TEXT NOT NULL DEFAULT '',    -- 出生地
  religion TEXT NOT NULL DEFAULT '',
  education TEXT NOT NULL DEFAULT '',     -- code
  marital_status TEXT NOT NULL DEFAULT '',-- GB/T 2261.2 code
  military_service TEXT NOT NULL DEFAULT '',
  workplace TEXT NOT NULL DEFAULT '',     -- 服务处所
  occupation TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  father_name TEXT NOT NULL DEFAULT '',
  father_id_number TEXT NOT NULL DEFAULT '',
  mother_name TEXT NOT NULL DEFAULT '',
  mother_id_number TEXT NOT NULL DEFAULT '',
  guardian_name TEXT NOT NULL DEFAULT '',
  guardian_id_number TEXT NOT NULL DEFAULT '',
  spouse_name TEXT NOT NULL DEFAULT '',
  spouse_id_number TEXT NOT NULL DEFAULT '',
  photo_file_id BIGINT REFERENCES files(id),
  household_id BIGINT REFERENCES households(id),
  relation_to_head TEXT NOT NULL DEFAULT '',  -- GB/T 4761 code, '02' head … 
  status TEXT NOT NULL DEFAULT 'active',      -- active | cancelled
  cancel_reason TEXT NOT NULL DEFAULT '',     -- code from the cancellation-reason table
  cancel_date TEXT NOT NULL DEFAULT '',
  station_code TEXT NOT NULL,
  registered_at TEXT NOT NULL,      -- instant the record came into the registry
  updated_at TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1 -- optimistic concurrency
);
CREATE INDEX persons_name ON persons(name);
CREATE INDEX persons_name_simplified ON persons(name_simplified);
CREATE INDEX persons_name_pinyin ON persons(name_pinyin);
CREATE INDEX persons_household ON persons(household_id);
CREATE INDEX persons_station ON persons(station_code);
CREATE INDEX persons_birth ON persons(birth_date);

-- Former names, one row each, so that search by former name uses an index.
CREATE TABLE person_former_names (
  person_id BIGINT NOT NULL REFERENCES persons(id),
  name TEXT NOT NULL,
  name_simplified TEXT {{C}} NOT NULL,
  PRIMARY KEY (person_id, name)
);
CREATE INDEX person_former_names_name ON person_former_names(name_simplified);

-- 变动记录: every change of every field of a person or household. old_value is '' for creation.
CREATE TABLE change_log (
  id {{ID}},
  entity TEXT NOT NULL,             -- person | household
  entity_id BIGINT NOT NULL,
  field TEXT NOT NULL,              -- column name; '*' for creation / cancellation of the whole record
  old_value TEXT NOT NULL DEFAULT '',
  new_value TEXT NOT NULL DEFAULT '',
  changed_at TEXT NOT NULL,         -- instant
  effective_date TEXT NOT NULL,     -- local date the change took effect (for "as of")
  operator_id BIGINT,               -- users.id, NULL for system/import
  case_id BIGINT,                   -- the case that caused it, when there is one
  action TEXT NOT NULL,             -- register | update | move | cancel | import | demo | …
  reason TEXT NOT NULL DEFAULT '',  -- why, as the officer wrote it (变更原因)
  station_code TEXT NOT NULL
);
CREATE INDEX change_log_entity ON change_log(entity, entity_id, effective_date);
CREATE INDEX change_log_date ON change_log(effective_date);

-- 查询留痕: every read of personal data.
CREATE TABLE access_log (
  id {{ID}},
  at TEXT NOT NULL,
  user_id BIGINT,
  action TEXT NOT NULL,             -- read_person | search_persons | read_household | export …
  subject_kind TEXT NOT NULL,       -- person | household | query
  subject TEXT NOT NULL,            -- id number, household number or the query text
  purpose TEXT NOT NULL DEFAULT '',
  client TEXT NOT NULL DEFAULT ''   -- remote address
);
CREATE INDEX access_log_subject ON access_log(subject_kind, subject);
CREATE INDEX access_log_user ON access_log(user_id, at);

-- Audit of writes (who did what); issue #4 chains it with SM3.
CREATE TABLE audit_log (
  id {{ID}},
  at TEXT NOT NULL,
  user_id BIGINT,
  action TEXT NOT NULL,
  object_kind TEXT NOT NULL,
  object_id TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''   -- JSON
);
CREATE INDEX audit_log_object ON audit_log(object_kind, object_id);

-- Newborn ID-number allocation: last sequence used per division and birth date (GB 11643).
-- Sequences are never handed out twice; persons.id_number is UNIQUE as a second guard.
CREATE TABLE id_sequences (
  division_code TEXT NOT NULL,
  birth_date TEXT NOT NULL,         -- YYYYMMDD
  last_male INTEGER NOT NULL DEFAULT -1,    -- last odd sequence used (-1: none)
  last_female INTEGER NOT NULL DEFAULT -2,  -- last even sequence used (-2: none)
  PRIMARY KEY (division_code, birth_date)
);

-- Household numbers: next number per station.
CREATE TABLE household_sequences (
  station_code TEXT PRIMARY KEY,
  last_value BIGINT NOT NULL
);

-- Trust (issue #4 §1, H1 H4 B5 C7): signing keys of officers, unit seals and the server with
-- their history and every use; the SM3 chains over audit_log and access_log with SM2-signed
-- checkpoints; the register of signed documents. Rows here are never deleted.

-- Server-wide settings of the trust module: the argon2id salt for a passphrase-derived server
-- key ('kdf_salt') and the check value of the server key ('server_key_check').
CREATE TABLE trust_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- SM2 key pairs. owner_kind user (owner_id = users.id), unit (owner_id = unit code, the unit's
-- electronic seal) or server (owner_id 'city': signs audit checkpoints).
CREATE TABLE signing_keys (
  id {{ID}},
  owner_kind TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  algorithm TEXT NOT NULL DEFAULT 'SM2-SM3',
  public_key_pem TEXT NOT NULL,
  private_key_enc TEXT NOT NULL,    -- SM4-CBC + HMAC-SM3 under the server key (trust/server_key.h)
  status TEXT NOT NULL,             -- active | retired (rotated) | revoked
  seal_image_file_id BIGINT REFERENCES files(id),  -- unit seals: the seal image (PNG), may be NULL
  created_at TEXT NOT NULL,
  created_by BIGINT,
  retired_at TEXT,
  revoked_at TEXT,
  revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX signing_keys_owner ON signing_keys(owner_kind, owner_id);
-- At most one active key per owner (also guards concurrent enrolment by several processes).
CREATE UNIQUE INDEX signing_keys_active ON signing_keys(owner_kind, owner_id) WHERE status = 'active';

-- History of every key: created, rotated (the old key retired), revoked.
CREATE TABLE key_events (
  id {{ID}},
  key_id BIGINT NOT NULL REFERENCES signing_keys(id),
  event TEXT NOT NULL,              -- created | retired | revoked
  at TEXT NOT NULL,
  user_id BIGINT,
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX key_events_key ON key_events(key_id);

-- Every use of a certificate (officer key) or seal (unit key): what was signed, for what.
CREATE TABLE key_usage (
  id {{ID}},
  key_id BIGINT NOT NULL REFERENCES signing_keys(id),
  at TEXT NOT NULL,
  purpose TEXT NOT NULL,            -- case_step | document | checkpoint …
  object_kind TEXT NOT NULL,
  object_id TEXT NOT NULL,
  payload_sm3 TEXT NOT NULL,
  user_id BIGINT
);
CREATE INDEX key_usage_key ON key_usage(key_id, id);

-- The SM3 chains: each row carries its position (seq), the previous row's hash and its own hash
-- = SM3(prev_hash, seq, the row's fields). audit_chains holds each chain's head; appending locks
-- the head row until commit, so several server processes append in one order.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_seq ON audit_log(seq);
ALTER TABLE access_log ADD COLUMN seq BIGINT;
ALTER TABLE access_log ADD COLUMN prev_hash TEXT;
ALTER TABLE access_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX access_log_seq ON access_log(seq);

CREATE TABLE audit_chains (
  name TEXT PRIMARY KEY,            -- audit | access
  last_seq BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO audit_chains (name, last_seq, last_hash) VALUES
  ('audit', 0, '0000000000000000000000000000000000000000000000000000000000000000'),
  ('access', 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Periodic checkpoints: the head of a chain signed by the server key.
CREATE TABLE audit_checkpoints (
  id {{ID}},
  chain TEXT NOT NULL,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL,
  at TEXT NOT NULL,
  key_id BIGINT NOT NULL REFERENCES signing_keys(id),
  signature TEXT NOT NULL,          -- base64 DER SM2 over trust::CheckpointPayload
  UNIQUE (chain, seq)
);

-- Documents issued by the system (receipts, approval forms, notices, certificates): the SM3 of
-- the exact PDF bytes, sealed by the unit and signed by the officer. Public verification reads it.
CREATE TABLE documents (
  id {{ID}},
  doc_no TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,               -- receipt | approval_form | notice | certificate …
  case_ref TEXT NOT NULL DEFAULT '',
  pdf_sm3 TEXT NOT NULL,
  signed_at TEXT NOT NULL,
  officer_id BIGINT NOT NULL REFERENCES users(id),
  officer_name TEXT NOT NULL,
  unit_code TEXT NOT NULL REFERENCES units(code),
  unit_name TEXT NOT NULL,
  seal_key_id BIGINT NOT NULL REFERENCES signing_keys(id),
  seal_signature TEXT NOT NULL,     -- base64 DER SM2 over trust::DocumentPayload
  officer_key_id BIGINT NOT NULL REFERENCES signing_keys(id),
  officer_signature TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX documents_case ON documents(case_ref);

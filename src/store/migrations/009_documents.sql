-- Documents of a case (issue #3 B6, issue #4 §1): the PDFs the system issued for a case — receipt
-- (收件单), approval form (审批表), notice (通知书), booklet (一件一册) — each registered in
-- `documents` (number, SM3, seal and officer signatures) with its exact bytes kept in `files`, so
-- that a second request returns the same document and the verification compares identical bytes.
-- `basis` names what the document shows (e.g. the steps an approval form holds): the same case,
-- kind and basis is the same document; a changed basis issues a new one (older ones stay valid).
CREATE TABLE case_documents (
  id {{ID}},
  case_no TEXT {{C}} NOT NULL,
  kind TEXT NOT NULL,               -- receipt | approval_form | notice | booklet
  basis TEXT NOT NULL,
  document_id BIGINT NOT NULL REFERENCES documents(id),
  doc_no TEXT NOT NULL,
  file_id BIGINT NOT NULL REFERENCES files(id),
  created_at TEXT NOT NULL,
  created_by BIGINT,
  UNIQUE (case_no, kind, basis)
);

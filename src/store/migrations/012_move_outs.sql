-- One-stop migration (一站式迁移, B9): the destination instance that registers an arrival still
-- registered (active) at a peer instance asks that peer to move the person out.
--
-- Destination side: one row per subject of the approving case, written in the transaction of the
-- final approval, delivered afterwards by the move-out loop (POST /api/v1/peer/move-outs at the
-- peer) and retried with back-off while the peer is unreachable; the peer's answer is kept.
CREATE TABLE move_out_requests (
  id {{ID}},
  case_id BIGINT NOT NULL REFERENCES cases(id),
  case_no TEXT NOT NULL,
  person_seq INTEGER NOT NULL,      -- case_persons.seq
  id_number TEXT NOT NULL,
  name TEXT NOT NULL,
  item_name TEXT NOT NULL,
  peer TEXT NOT NULL,               -- the instance the national check found the subject at
  destination_station_code TEXT NOT NULL,
  destination_station_name TEXT NOT NULL,
  destination_division_code TEXT NOT NULL,
  destination_division_name TEXT NOT NULL,
  move_date TEXT NOT NULL,          -- YYYY-MM-DD, the day of the approval (China time)
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'refused')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,             -- not tried again before this instant (claim lease, back-off)
  last_error TEXT NOT NULL DEFAULT '',  -- why the last attempt did not reach an answer
  answer_code TEXT NOT NULL DEFAULT '',     -- refused: the peer's error code
  answer_message TEXT NOT NULL DEFAULT '',  -- the peer's words (refusal reason, or what it did)
  origin_station TEXT NOT NULL DEFAULT '',  -- done: the peer's station that cancelled
  answered_at TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (case_id, person_seq)
);
CREATE INDEX move_out_requests_pending ON move_out_requests(id) WHERE status = 'pending';

-- Origin side: the move-outs this instance did for its peers, one per (peer, case, person), so a
-- repeated request (a retry after a lost answer) is answered done again without a second change.
CREATE TABLE peer_move_outs (
  id {{ID}},
  peer TEXT NOT NULL,
  case_no TEXT NOT NULL,
  id_number TEXT NOT NULL,
  person_id BIGINT NOT NULL REFERENCES persons(id),
  destination TEXT NOT NULL,        -- JSON {"station_code","station_name","division_code","division_name"}
  move_date TEXT NOT NULL,
  station_code TEXT NOT NULL,       -- the person's station here, before the move-out
  done_at TEXT NOT NULL,
  UNIQUE (peer, case_no, id_number)
);

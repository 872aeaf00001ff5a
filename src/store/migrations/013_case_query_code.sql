-- 办件查询码: a random code printed in the receipt's QR code, so that the resident can follow the
-- case's progress on the portal from the QR code alone (without typing an ID number). Cases
-- received before this migration have none and are queried with an ID number as before.
ALTER TABLE cases ADD COLUMN query_code TEXT NOT NULL DEFAULT '';

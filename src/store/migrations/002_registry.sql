-- Registry indexes (search, data scope, "as of" household membership, community public households).
-- Every search path except address substring is served by an index at 1,000,000 persons.

-- status=… searches restricted to a scope prefix.
CREATE INDEX persons_status_station ON persons(status, station_code);
-- Household membership changes (person.household_id) by the household they left or joined.
CREATE INDEX change_log_household_new ON change_log(new_value) WHERE field = 'household_id';
CREATE INDEX change_log_household_old ON change_log(old_value) WHERE field = 'household_id';
-- One community public household per township; households by kind.
CREATE INDEX households_kind ON households(kind);
CREATE INDEX addresses_township ON addresses(township_code);
-- The access log of one user in time order and of one subject.
CREATE INDEX access_log_at ON access_log(at);

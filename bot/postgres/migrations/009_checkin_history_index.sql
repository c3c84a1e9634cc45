-- The SQLite schema of its migration 013: the recent-history read of every
-- check-in (newest first, ties broken by id) is served by one index that
-- also carries the columns it returns, and replaces the (member_id, at)
-- index, whose every use it serves.
CREATE INDEX checkins_member_history ON checkins (member_id, at, id) INCLUDE (score, area, note);
DROP INDEX checkins_member_at;

-- Every check-in reads the member's recent history, newest first. Under
-- concurrent check-ins each read follows another's commit, and in WAL mode
-- a reader then starts with a cold page cache: with (member_id, at) only,
-- a month of one member's check-ins sat on as many table pages as rows
-- (members' check-ins interleave), each read again from disk. This index
-- holds every column that read needs, in its order, so the history is one
-- or two index pages. id follows at because ties on at are broken by id;
-- it replaces the old index, whose every use it serves.
CREATE INDEX checkins_member_history ON checkins (member_id, at, id, score, area, note);
DROP INDEX checkins_member_at;

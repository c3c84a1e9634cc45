-- When the member last got a "that's not a command" hint, so a chatty DM
-- gets at most one per hour.
ALTER TABLE members ADD COLUMN hint_at INTEGER;

CREATE INDEX outbox_member_sent ON outbox (member_id, status, done_at);

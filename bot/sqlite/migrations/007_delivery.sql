-- sending_at is when a send of a pending row began (NULL when none is in
-- progress). A row still carrying it at start-up was in flight when the
-- process died: the dispatcher asks the platform whether the message
-- arrived before sending it again.
ALTER TABLE outbox ADD COLUMN sending_at INTEGER;
-- Rows left half-sent are few and looked up first, at every claim.
CREATE INDEX outbox_sending ON outbox (id) WHERE status = 'pending' AND sending_at IS NOT NULL;

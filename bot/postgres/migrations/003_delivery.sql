-- sending_at is when a send of a pending row began (NULL when none is in
-- progress). A row still carrying it once its claim ran out was in flight
-- when its instance died: the dispatcher asks the platform whether the
-- message arrived before sending it again.
ALTER TABLE outbox ADD COLUMN sending_at BIGINT;
-- Rows left half-sent are few and looked up first, at every claim.
CREATE INDEX outbox_sending ON outbox (id) WHERE status = 'pending' AND sending_at IS NOT NULL;

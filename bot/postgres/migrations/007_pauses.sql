-- Pause and snooze periods. members.paused_until and snoozed_until say
-- only what holds now; these rows keep every break a member took, so the
-- history chart can shade it. until_at is when nudges came back (or come
-- back), cut short by resume; a pause until resume runs to year 9999.
CREATE TABLE pauses (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind      TEXT   NOT NULL CHECK (kind IN ('pause', 'snooze')),
    from_at   BIGINT NOT NULL,
    until_at  BIGINT NOT NULL
);

-- Ending the running periods of a kind and reading a member's history
-- both go by member, then kind and end.
CREATE INDEX pauses_member ON pauses (member_id, kind, until_at);

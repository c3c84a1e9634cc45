-- One row per reminder time, so the scheduler can find each distinct
-- (zone, time of day, days) group and fan out to its subscribers with one
-- indexed query.
CREATE TABLE subscription_times (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    minute          INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    tz              TEXT    NOT NULL,
    days            INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, minute)
);
CREATE INDEX subscription_times_group ON subscription_times (tz, minute, days);

-- The local day on which the member chose "Skip today".
ALTER TABLE members ADD COLUMN skipped_day TEXT NOT NULL DEFAULT '';

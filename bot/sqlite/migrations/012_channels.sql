-- Group posts in a channel, set by a staff member (the owner, whose outbox
-- rows they are). One post of each kind per channel. off_at is set when
-- the platform refused the channel (the bot was removed, the channel
-- archived); such a post is no longer scheduled.
CREATE TABLE channel_posts (
    id         INTEGER PRIMARY KEY,
    platform   TEXT    NOT NULL,
    workspace  TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('movement', 'readiness', 'load', 'summary', 'challenge')),
    owner_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    times      TEXT    NOT NULL,
    days       INTEGER NOT NULL,
    tz         TEXT    NOT NULL,
    challenge  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    off_at     INTEGER,
    off_reason TEXT    NOT NULL DEFAULT '',
    UNIQUE (platform, workspace, channel, kind)
);

-- One row per post time, like subscription_times, so that the scheduler
-- finds (zone, time, days) groups across reminders and posts alike.
CREATE TABLE channel_post_times (
    post_id INTEGER NOT NULL REFERENCES channel_posts (id) ON DELETE CASCADE,
    minute  INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    tz      TEXT    NOT NULL,
    days    INTEGER NOT NULL,
    PRIMARY KEY (post_id, minute)
);
CREATE INDEX channel_post_times_group ON channel_post_times (tz, minute, days);

-- Group challenges. owner is a platform user id (no member row), so that a
-- challenge outlives its owner's forget; it holds no health data.
CREATE TABLE challenges (
    id         INTEGER PRIMARY KEY,
    platform   TEXT    NOT NULL,
    workspace  TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    days       INTEGER NOT NULL CHECK (days BETWEEN 1 AND 366),
    goal       INTEGER NOT NULL CHECK (goal > 0),
    owner      TEXT    NOT NULL,
    start_at   INTEGER NOT NULL,
    end_at     INTEGER NOT NULL,
    stopped_at INTEGER
);
CREATE INDEX challenges_channel ON challenges (platform, workspace, channel, end_at);

-- A member's movement breaks; minute is the local time of the post they
-- answered, so two taps on one post count once.
CREATE TABLE movement_breaks (
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    day       TEXT    NOT NULL,
    minute    INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    at        INTEGER NOT NULL,
    PRIMARY KEY (member_id, day, minute)
);

-- Members who show their streak count on channel boards.
CREATE TABLE public_streaks (
    member_id INTEGER PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    since     INTEGER NOT NULL
);

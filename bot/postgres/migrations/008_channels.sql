-- Channel posts, group challenges, movement breaks and public streaks: the
-- SQLite schema of its migration 012 in PostgreSQL dialect.

-- Group posts in a channel, set by a staff member (the owner, whose outbox
-- rows they are). One post of each kind per channel. off_at is set when
-- the platform refused the channel (the bot was removed, the channel
-- archived); such a post is no longer scheduled.
CREATE TABLE channel_posts (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform   TEXT    COLLATE "C" NOT NULL,
    workspace  TEXT    COLLATE "C" NOT NULL,
    channel    TEXT    COLLATE "C" NOT NULL,
    kind       TEXT    COLLATE "C" NOT NULL CHECK (kind IN ('movement', 'readiness', 'load', 'summary', 'challenge')),
    owner_id   BIGINT  NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    times      TEXT    COLLATE "C" NOT NULL,
    days       INTEGER NOT NULL,
    tz         TEXT    COLLATE "C" NOT NULL,
    challenge  BIGINT  NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    off_at     BIGINT,
    off_reason TEXT    COLLATE "C" NOT NULL DEFAULT '',
    UNIQUE (platform, workspace, channel, kind)
);

-- One row per post time, like subscription_times, so that the scheduler
-- finds (zone, time, days) groups across reminders and posts alike.
CREATE TABLE channel_post_times (
    post_id BIGINT  NOT NULL REFERENCES channel_posts (id) ON DELETE CASCADE,
    minute  INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    tz      TEXT    COLLATE "C" NOT NULL,
    days    INTEGER NOT NULL,
    PRIMARY KEY (post_id, minute)
);
CREATE INDEX channel_post_times_group ON channel_post_times (tz, minute, days);

-- Group challenges. owner is a platform user id (no member row), so that a
-- challenge outlives its owner's forget; it holds no health data.
CREATE TABLE challenges (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform   TEXT    COLLATE "C" NOT NULL,
    workspace  TEXT    COLLATE "C" NOT NULL,
    channel    TEXT    COLLATE "C" NOT NULL,
    name       TEXT    COLLATE "C" NOT NULL,
    days       INTEGER NOT NULL CHECK (days BETWEEN 1 AND 366),
    goal       INTEGER NOT NULL CHECK (goal > 0),
    owner      TEXT    COLLATE "C" NOT NULL,
    start_at   BIGINT  NOT NULL,
    end_at     BIGINT  NOT NULL,
    stopped_at BIGINT
);
CREATE INDEX challenges_channel ON challenges (platform, workspace, channel, end_at);

-- A member's movement breaks; minute is the local time of the post they
-- answered, so two taps on one post count once.
CREATE TABLE movement_breaks (
    member_id BIGINT  NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    day       TEXT    COLLATE "C" NOT NULL,
    minute    INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    at        BIGINT  NOT NULL,
    PRIMARY KEY (member_id, day, minute)
);

-- Members who show their streak count on channel boards.
CREATE TABLE public_streaks (
    member_id BIGINT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    since     BIGINT NOT NULL
);

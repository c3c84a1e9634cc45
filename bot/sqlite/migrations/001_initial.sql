-- Initial schema. Times are INTEGER milliseconds since the Unix epoch, UTC.
-- Every member-owned table cascades from members, so forgetting a member is
-- one DELETE.

CREATE TABLE workspaces (
    id             INTEGER PRIMARY KEY,
    platform       TEXT    NOT NULL,
    ext_id         TEXT    NOT NULL,
    privacy        TEXT    NOT NULL CHECK (privacy IN ('team', 'wellness')),
    alert_channel  TEXT    NOT NULL DEFAULT '',
    min_group_size INTEGER NOT NULL DEFAULT 5 CHECK (min_group_size >= 3),
    created_at     INTEGER NOT NULL,
    UNIQUE (platform, ext_id)
);

CREATE TABLE members (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,
    workspace        TEXT    NOT NULL,
    user_id          TEXT    NOT NULL,
    tz               TEXT    NOT NULL,
    role             TEXT    NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'staff')),
    onboarded_at     INTEGER,
    share_with_staff INTEGER NOT NULL DEFAULT 0,
    consent_at       INTEGER,
    program          TEXT    NOT NULL DEFAULT '',
    paused_until     INTEGER,
    snoozed_until    INTEGER,
    quiet_start      INTEGER,
    quiet_end        INTEGER,
    nudges_disabled  INTEGER NOT NULL DEFAULT 0,
    disabled_reason  TEXT    NOT NULL DEFAULT '',
    dm_channel       TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    UNIQUE (platform, workspace, user_id)
);

CREATE TABLE checkins (
    id        INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    score     INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    area      TEXT    NOT NULL DEFAULT '',
    note      TEXT    NOT NULL DEFAULT '',
    at        INTEGER NOT NULL
);
CREATE INDEX checkins_member_at ON checkins (member_id, at);

CREATE TABLE completions (
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    day       TEXT    NOT NULL,
    exercise  TEXT    NOT NULL DEFAULT '',
    at        INTEGER NOT NULL,
    PRIMARY KEY (member_id, day, exercise)
);

CREATE TABLE tape_cycles (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    area       TEXT    NOT NULL,
    days       INTEGER NOT NULL CHECK (days BETWEEN 1 AND 7),
    applied_at INTEGER NOT NULL,
    removed_at INTEGER
);
CREATE INDEX tape_cycles_member ON tape_cycles (member_id, removed_at);

CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('exercises', 'checkin', 'digest', 'summary', 'team_readiness', 'team_load')),
    times      TEXT    NOT NULL,
    days       INTEGER NOT NULL,
    tz         TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (member_id, kind)
);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    dedupe_key TEXT    NOT NULL UNIQUE,
    not_before INTEGER NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT    NOT NULL DEFAULT '',
    ref        INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    done_at    INTEGER
);
CREATE INDEX outbox_due ON outbox (status, not_before);
CREATE INDEX outbox_member ON outbox (member_id);

CREATE TABLE red_flags (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    rule       TEXT    NOT NULL,
    area       TEXT    NOT NULL DEFAULT '',
    checkin_id INTEGER NOT NULL DEFAULT 0,
    at         INTEGER NOT NULL
);
CREATE INDEX red_flags_member_at ON red_flags (member_id, at);

-- Incoming platform events already handled (Slack event ids, Discord
-- interaction ids), so retries are acknowledged but not processed twice.
CREATE TABLE seen_events (
    id      TEXT    PRIMARY KEY,
    seen_at INTEGER NOT NULL
);
CREATE INDEX seen_events_at ON seen_events (seen_at);

-- Small key/value state, such as the scheduler's last processed minute.
CREATE TABLE state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

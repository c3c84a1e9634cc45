-- Initial schema: the SQLite schema up to its migration 005 in PostgreSQL
-- dialect, plus the outbox claim columns that let several instances share
-- one outbox.
--
-- Times are BIGINT milliseconds since the Unix epoch, UTC, exactly as in
-- SQLite, so that both stores round and compare times the same way. Text
-- columns use the "C" collation so that ORDER BY and day comparisons
-- (YYYY-MM-DD strings) follow byte order like SQLite, whatever the
-- database's default collation is. Every member-owned table cascades from
-- members, so forgetting a member is one DELETE.

CREATE TABLE workspaces (
    id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform       TEXT    COLLATE "C" NOT NULL,
    ext_id         TEXT    COLLATE "C" NOT NULL,
    privacy        TEXT    COLLATE "C" NOT NULL CHECK (privacy IN ('team', 'wellness')),
    alert_channel  TEXT    COLLATE "C" NOT NULL DEFAULT '',
    min_group_size INTEGER NOT NULL DEFAULT 5 CHECK (min_group_size >= 3),
    created_at     BIGINT  NOT NULL,
    UNIQUE (platform, ext_id)
);

CREATE TABLE members (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform         TEXT    COLLATE "C" NOT NULL,
    workspace        TEXT    COLLATE "C" NOT NULL,
    user_id          TEXT    COLLATE "C" NOT NULL,
    tz               TEXT    COLLATE "C" NOT NULL,
    role             TEXT    COLLATE "C" NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'staff')),
    onboarded_at     BIGINT,
    share_with_staff BOOLEAN NOT NULL DEFAULT FALSE,
    consent_at       BIGINT,
    program          TEXT    COLLATE "C" NOT NULL DEFAULT '',
    paused_until     BIGINT,
    snoozed_until    BIGINT,
    quiet_start      INTEGER,
    quiet_end        INTEGER,
    nudges_disabled  BOOLEAN NOT NULL DEFAULT FALSE,
    disabled_reason  TEXT    COLLATE "C" NOT NULL DEFAULT '',
    dm_channel       TEXT    COLLATE "C" NOT NULL DEFAULT '',
    -- The local day on which the member chose "Skip today".
    skipped_day      TEXT    COLLATE "C" NOT NULL DEFAULT '',
    -- When the member last got a "that's not a command" hint, so a chatty
    -- DM gets at most one per hour.
    hint_at          BIGINT,
    created_at       BIGINT  NOT NULL,
    UNIQUE (platform, workspace, user_id)
);
CREATE INDEX members_workspace ON members (platform, workspace);

CREATE TABLE checkins (
    id        BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id BIGINT  NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    score     INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    area      TEXT    COLLATE "C" NOT NULL DEFAULT '',
    note      TEXT    COLLATE "C" NOT NULL DEFAULT '',
    at        BIGINT  NOT NULL
);
CREATE INDEX checkins_member_at ON checkins (member_id, at);

CREATE TABLE completions (
    member_id BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    day       TEXT   COLLATE "C" NOT NULL,
    exercise  TEXT   COLLATE "C" NOT NULL DEFAULT '',
    at        BIGINT NOT NULL,
    PRIMARY KEY (member_id, day, exercise)
);

CREATE TABLE tape_cycles (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id  BIGINT  NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    area       TEXT    COLLATE "C" NOT NULL,
    days       INTEGER NOT NULL CHECK (days BETWEEN 1 AND 7),
    applied_at BIGINT  NOT NULL,
    removed_at BIGINT
);
CREATE INDEX tape_cycles_member ON tape_cycles (member_id, removed_at);

CREATE TABLE subscriptions (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id  BIGINT  NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind       TEXT    COLLATE "C" NOT NULL CHECK (kind IN ('exercises', 'checkin', 'digest', 'summary', 'team_readiness', 'team_load')),
    times      TEXT    COLLATE "C" NOT NULL,
    days       INTEGER NOT NULL,
    tz         TEXT    COLLATE "C" NOT NULL,
    created_at BIGINT  NOT NULL,
    UNIQUE (member_id, kind)
);

-- One row per reminder time, so the scheduler can find each distinct
-- (zone, time of day, days) group and fan out to its subscribers with one
-- indexed query.
CREATE TABLE subscription_times (
    subscription_id BIGINT  NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    minute          INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    tz              TEXT    COLLATE "C" NOT NULL,
    days            INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, minute)
);
CREATE INDEX subscription_times_group ON subscription_times (tz, minute, days);

-- claimed_by and claimed_until lease a pending row to the instance that
-- took it from DueOutbox; a row whose lease ran out (its instance died) is
-- free again.
CREATE TABLE outbox (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id     BIGINT  NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind          TEXT    COLLATE "C" NOT NULL,
    dedupe_key    TEXT    COLLATE "C" NOT NULL UNIQUE,
    not_before    BIGINT  NOT NULL,
    status        TEXT    COLLATE "C" NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    COLLATE "C" NOT NULL DEFAULT '',
    ref           BIGINT  NOT NULL DEFAULT 0,
    created_at    BIGINT  NOT NULL,
    done_at       BIGINT,
    claimed_by    TEXT    COLLATE "C" NOT NULL DEFAULT '',
    claimed_until BIGINT
);
-- The claim query walks pending rows in (not_before, id) order; delivered
-- rows, the vast majority, stay out of this index.
CREATE INDEX outbox_due ON outbox (not_before, id) WHERE status = 'pending';
CREATE INDEX outbox_member ON outbox (member_id);
CREATE INDEX outbox_member_sent ON outbox (member_id, status, done_at);

CREATE TABLE red_flags (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id  BIGINT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    rule       TEXT   COLLATE "C" NOT NULL,
    area       TEXT   COLLATE "C" NOT NULL DEFAULT '',
    checkin_id BIGINT NOT NULL DEFAULT 0,
    at         BIGINT NOT NULL
);
CREATE INDEX red_flags_member_at ON red_flags (member_id, at);

-- Incoming platform events already handled (Slack event ids, Discord
-- interaction ids), so retries are acknowledged but not processed twice.
CREATE TABLE seen_events (
    id      TEXT   COLLATE "C" PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
CREATE INDEX seen_events_at ON seen_events (seen_at);

-- Small key/value state, such as the scheduler's last processed minute.
CREATE TABLE state (
    name  TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);

-- Staff actions: views of team data and setting changes, shown to staff by
-- /coach team audit. Actors are platform user ids of staff.
CREATE TABLE audit_log (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform  TEXT   COLLATE "C" NOT NULL,
    workspace TEXT   COLLATE "C" NOT NULL,
    actor     TEXT   COLLATE "C" NOT NULL,
    action    TEXT   COLLATE "C" NOT NULL,
    detail    TEXT   COLLATE "C" NOT NULL DEFAULT '',
    at        BIGINT NOT NULL
);
CREATE INDEX audit_log_workspace_at ON audit_log (platform, workspace, at);

-- Daily five-item wellness check-ins (1 poor ... 5 great), one per member
-- and local day, and session loads (RPE x minutes).
CREATE TABLE readiness (
    member_id BIGINT  NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    day       TEXT    COLLATE "C" NOT NULL,
    fatigue   INTEGER NOT NULL CHECK (fatigue BETWEEN 1 AND 5),
    sleep     INTEGER NOT NULL CHECK (sleep BETWEEN 1 AND 5),
    soreness  INTEGER NOT NULL CHECK (soreness BETWEEN 1 AND 5),
    stress    INTEGER NOT NULL CHECK (stress BETWEEN 1 AND 5),
    mood      INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    at        BIGINT  NOT NULL,
    PRIMARY KEY (member_id, day)
);

CREATE TABLE session_loads (
    id        BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id BIGINT  NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    rpe       INTEGER NOT NULL CHECK (rpe BETWEEN 0 AND 10),
    minutes   INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 600),
    note      TEXT    COLLATE "C" NOT NULL DEFAULT '',
    at        BIGINT  NOT NULL
);
CREATE INDEX session_loads_member_at ON session_loads (member_id, at);

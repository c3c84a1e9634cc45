-- Daily five-item wellness check-ins (1 poor ... 5 great), one per member
-- and local day, and session loads (RPE x minutes).
CREATE TABLE readiness (
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    day       TEXT    NOT NULL,
    fatigue   INTEGER NOT NULL CHECK (fatigue BETWEEN 1 AND 5),
    sleep     INTEGER NOT NULL CHECK (sleep BETWEEN 1 AND 5),
    soreness  INTEGER NOT NULL CHECK (soreness BETWEEN 1 AND 5),
    stress    INTEGER NOT NULL CHECK (stress BETWEEN 1 AND 5),
    mood      INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    at        INTEGER NOT NULL,
    PRIMARY KEY (member_id, day)
);

CREATE TABLE session_loads (
    id        INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    rpe       INTEGER NOT NULL CHECK (rpe BETWEEN 0 AND 10),
    minutes   INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 600),
    note      TEXT    NOT NULL DEFAULT '',
    at        INTEGER NOT NULL
);
CREATE INDEX session_loads_member_at ON session_loads (member_id, at);

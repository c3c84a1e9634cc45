-- Exercises prescribed more than once a day are logged per session: the
-- second "done quad sets" of a day is session 2, not a duplicate. SQLite
-- cannot change a primary key in place, so the table is rebuilt.
CREATE TABLE completions_new (
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    day       TEXT    NOT NULL,
    exercise  TEXT    NOT NULL DEFAULT '',
    session   INTEGER NOT NULL DEFAULT 1 CHECK (session BETWEEN 1 AND 12),
    at        INTEGER NOT NULL,
    PRIMARY KEY (member_id, day, exercise, session)
);
INSERT INTO completions_new (member_id, day, exercise, session, at)
    SELECT member_id, day, exercise, 1, at FROM completions;
DROP TABLE completions;
ALTER TABLE completions_new RENAME TO completions;

-- What the coach remembers of a chat between messages: the question it
-- last asked (so a bare "yes" answers that question) and the last canned
-- line it sent (so it never says the same words twice in a row).
CREATE TABLE conversations (
    member_id INTEGER PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    prompt    TEXT    NOT NULL DEFAULT '',
    prompt_at INTEGER,
    last_line TEXT    NOT NULL DEFAULT ''
);

-- Exercises prescribed more than once a day are logged per session: the
-- second "done quad sets" of a day is session 2, not a duplicate.
ALTER TABLE completions ADD COLUMN session INTEGER NOT NULL DEFAULT 1 CHECK (session BETWEEN 1 AND 12);
ALTER TABLE completions DROP CONSTRAINT completions_pkey;
ALTER TABLE completions ADD PRIMARY KEY (member_id, day, exercise, session);

-- What the coach remembers of a chat between messages: the question it
-- last asked (so a bare "yes" answers that question) and the last canned
-- line it sent (so it never says the same words twice in a row).
CREATE TABLE conversations (
    member_id BIGINT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    prompt    TEXT   COLLATE "C" NOT NULL DEFAULT '',
    prompt_at BIGINT,
    last_line TEXT   NOT NULL DEFAULT ''
);

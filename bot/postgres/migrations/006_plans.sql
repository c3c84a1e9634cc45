-- Clinicians' programs. shared_programs holds program files under the
-- short codes clinicians hand out; they are content, not member data.
-- member_programs holds the copy a member loaded (one per member), so a
-- code shared again never changes a program someone already follows, and
-- it goes with the member's other rows when they are forgotten.
CREATE TABLE shared_programs (
    code       TEXT   COLLATE "C" PRIMARY KEY,
    title      TEXT   NOT NULL,
    source     BYTEA  NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE member_programs (
    member_id BIGINT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    code      TEXT   COLLATE "C" NOT NULL,
    source    BYTEA  NOT NULL,
    loaded_at BIGINT NOT NULL
);

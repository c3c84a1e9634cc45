-- Staff actions: views of team data and setting changes, shown to staff by
-- /coach team audit. Actors are platform user ids of staff.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    platform  TEXT    NOT NULL,
    workspace TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    detail    TEXT    NOT NULL DEFAULT '',
    at        INTEGER NOT NULL
);
CREATE INDEX audit_log_workspace_at ON audit_log (platform, workspace, at);

CREATE INDEX members_workspace ON members (platform, workspace);

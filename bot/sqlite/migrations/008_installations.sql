-- Slack app installations, for a deployment that serves many workspaces.
-- Tokens are sealed by the adapter (AES-GCM under COACH_SECRET_KEY): the
-- database never holds them in clear. An uninstalled row keeps no token and
-- waits, with its workspaces' member data, for the retention period.
CREATE TABLE installations (
    install_key      TEXT    PRIMARY KEY,
    team_id          TEXT    NOT NULL DEFAULT '',
    team_name        TEXT    NOT NULL DEFAULT '',
    enterprise_id    TEXT    NOT NULL DEFAULT '',
    enterprise_name  TEXT    NOT NULL DEFAULT '',
    org_install      INTEGER NOT NULL DEFAULT 0,
    app_id           TEXT    NOT NULL DEFAULT '',
    bot_user_id      TEXT    NOT NULL DEFAULT '',
    scopes           TEXT    NOT NULL DEFAULT '',
    installer_id     TEXT    NOT NULL DEFAULT '',
    installed_at     INTEGER NOT NULL,
    bot_token        BLOB,
    refresh_token    BLOB,
    token_expires_at INTEGER,
    uninstalled_at   INTEGER
);
CREATE INDEX installations_enterprise ON installations (enterprise_id, org_install);
CREATE INDEX installations_uninstalled ON installations (uninstalled_at);

-- The enterprise each team was seen in, so an org-wide install is found
-- from a member's team alone.
CREATE TABLE team_enterprises (
    team_id       TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL
);
CREATE INDEX team_enterprises_enterprise ON team_enterprises (enterprise_id);

-- Single-use OAuth install states.
CREATE TABLE oauth_states (
    state      TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

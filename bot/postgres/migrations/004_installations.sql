-- Slack app installations, for a deployment that serves many workspaces.
-- Tokens are sealed by the adapter (AES-GCM under COACH_SECRET_KEY): the
-- database never holds them in clear. An uninstalled row keeps no token and
-- waits, with its workspaces' member data, for the retention period.
CREATE TABLE installations (
    install_key      TEXT    COLLATE "C" PRIMARY KEY,
    team_id          TEXT    COLLATE "C" NOT NULL DEFAULT '',
    team_name        TEXT    NOT NULL DEFAULT '',
    enterprise_id    TEXT    COLLATE "C" NOT NULL DEFAULT '',
    enterprise_name  TEXT    NOT NULL DEFAULT '',
    org_install      BOOLEAN NOT NULL DEFAULT FALSE,
    app_id           TEXT    COLLATE "C" NOT NULL DEFAULT '',
    bot_user_id      TEXT    COLLATE "C" NOT NULL DEFAULT '',
    scopes           TEXT    COLLATE "C" NOT NULL DEFAULT '',
    installer_id     TEXT    COLLATE "C" NOT NULL DEFAULT '',
    installed_at     BIGINT  NOT NULL,
    bot_token        BYTEA,
    refresh_token    BYTEA,
    token_expires_at BIGINT,
    uninstalled_at   BIGINT
);
CREATE INDEX installations_enterprise ON installations (enterprise_id, org_install);
CREATE INDEX installations_uninstalled ON installations (uninstalled_at);

-- The enterprise each team was seen in, so an org-wide install is found
-- from a member's team alone.
CREATE TABLE team_enterprises (
    team_id       TEXT COLLATE "C" PRIMARY KEY,
    enterprise_id TEXT COLLATE "C" NOT NULL
);
CREATE INDEX team_enterprises_enterprise ON team_enterprises (enterprise_id);

-- Single-use OAuth install states.
CREATE TABLE oauth_states (
    state      TEXT   COLLATE "C" PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

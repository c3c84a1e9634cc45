package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/recoverycoach/recoverycoach/bot"
)

var _ bot.InstallationStore = (*DB)(nil)

const installationColumns = `install_key, team_id, team_name, enterprise_id, enterprise_name, org_install, app_id,
	bot_user_id, scopes, installer_id, installed_at, bot_token, refresh_token, token_expires_at, uninstalled_at`

// SaveInstallation implements bot.InstallationStore.
func (db *DB) SaveInstallation(ctx context.Context, in bot.Installation) error {
	if in.Key() == "" {
		return errors.New("save installation: no team or enterprise id")
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO installations (`+installationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL)
		ON CONFLICT (install_key) DO UPDATE SET
			team_id = excluded.team_id, team_name = excluded.team_name,
			enterprise_id = excluded.enterprise_id, enterprise_name = excluded.enterprise_name,
			org_install = excluded.org_install, app_id = excluded.app_id, bot_user_id = excluded.bot_user_id,
			scopes = excluded.scopes, installer_id = excluded.installer_id, installed_at = excluded.installed_at,
			bot_token = excluded.bot_token, refresh_token = excluded.refresh_token,
			token_expires_at = excluded.token_expires_at, uninstalled_at = NULL`,
		in.Key(), in.TeamID, in.TeamName, in.EnterpriseID, in.EnterpriseName, in.OrgInstall, in.AppID,
		in.BotUserID, strings.Join(in.Scopes, ","), in.InstallerID, toMS(in.InstalledAt),
		nullBytes(in.BotToken), nullBytes(in.RefreshToken), nullMS(in.TokenExpiresAt))
	if err != nil {
		return fmt.Errorf("save installation: %w", err)
	}
	return nil
}

// Installation implements bot.InstallationStore.
func (db *DB) Installation(ctx context.Context, team, enterprise string) (bot.Installation, error) {
	if team != "" {
		in, err := scanInstallation(db.pool.QueryRow(ctx, `SELECT `+installationColumns+` FROM installations
			WHERE install_key = $1 AND NOT org_install AND uninstalled_at IS NULL`, team))
		if bot.ErrorCode(err) != bot.ENOTFOUND {
			return in, err
		}
		if enterprise == "" {
			err := db.pool.QueryRow(ctx, `SELECT enterprise_id FROM team_enterprises WHERE team_id = $1`, team).Scan(&enterprise)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return bot.Installation{}, fmt.Errorf("team enterprise: %w", err)
			}
		}
	}
	if enterprise == "" {
		return bot.Installation{}, notFound("installation")
	}
	return scanInstallation(db.pool.QueryRow(ctx, `SELECT `+installationColumns+` FROM installations
		WHERE install_key = $1 AND org_install AND uninstalled_at IS NULL`, enterprise))
}

// Installations implements bot.InstallationStore.
func (db *DB) Installations(ctx context.Context) ([]bot.Installation, error) {
	var out []bot.Installation
	err := db.each(ctx, `SELECT `+installationColumns+` FROM installations ORDER BY install_key`, nil, func(r scanner) error {
		in, err := scanInstallation(r)
		out = append(out, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("installations: %w", err)
	}
	return out, nil
}

// SetInstallationTokens implements bot.InstallationStore.
func (db *DB) SetInstallationTokens(ctx context.Context, key string, old, botToken, refreshToken []byte, expires time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE installations SET bot_token = $1, refresh_token = $2, token_expires_at = $3
		WHERE install_key = $4 AND uninstalled_at IS NULL AND bot_token = $5`,
		nullBytes(botToken), nullBytes(refreshToken), nullMS(expires), key, old)
	if err != nil {
		return false, fmt.Errorf("set installation tokens: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Uninstall implements bot.InstallationStore.
func (db *DB) Uninstall(ctx context.Context, key string, at time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE installations SET bot_token = NULL, refresh_token = NULL, token_expires_at = NULL, uninstalled_at = $1
		WHERE install_key = $2 AND uninstalled_at IS NULL`, toMS(at), key)
	if err != nil {
		return false, fmt.Errorf("uninstall: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// SetTeamEnterprise implements bot.InstallationStore.
func (db *DB) SetTeamEnterprise(ctx context.Context, team, enterprise string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO team_enterprises (team_id, enterprise_id) VALUES ($1, $2)
		ON CONFLICT (team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id
		WHERE team_enterprises.enterprise_id <> excluded.enterprise_id`, team, enterprise)
	if err != nil {
		return fmt.Errorf("set team enterprise: %w", err)
	}
	return nil
}

// PurgeUninstalled implements bot.InstallationStore, in one transaction.
func (db *DB) PurgeUninstalled(ctx context.Context, before time.Time) ([]string, error) {
	var purged []string
	err := db.tx(ctx, func(tx pgx.Tx) error {
		purged = nil
		type gone struct {
			key, team, enterprise string
			org                   bool
		}
		rows, err := tx.Query(ctx, `SELECT install_key, team_id, enterprise_id, org_install FROM installations
			WHERE uninstalled_at IS NOT NULL AND uninstalled_at < $1 ORDER BY install_key FOR UPDATE`, toMS(before))
		if err != nil {
			return err
		}
		all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (gone, error) {
			var g gone
			return g, r.Scan(&g.key, &g.team, &g.enterprise, &g.org)
		})
		if err != nil {
			return err
		}
		for _, g := range all {
			workspaces := []string{g.team}
			if g.org {
				rows, err := tx.Query(ctx, `SELECT team_id FROM team_enterprises WHERE enterprise_id = $1 ORDER BY team_id`, g.enterprise)
				if err != nil {
					return err
				}
				teams, err := pgx.CollectRows(rows, pgx.RowTo[string])
				if err != nil {
					return err
				}
				workspaces = append([]string{g.enterprise}, teams...)
			}
			for _, ws := range workspaces {
				var served int
				err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM installations i WHERE i.uninstalled_at IS NULL AND (
					(NOT i.org_install AND i.install_key = $1) OR
					(i.org_install AND (i.install_key = $1 OR i.install_key = (SELECT enterprise_id FROM team_enterprises WHERE team_id = $1))))`,
					ws).Scan(&served)
				if err != nil {
					return err
				}
				if served > 0 {
					continue
				}
				for _, q := range []string{
					`DELETE FROM members WHERE platform = $1 AND workspace = $2`,
					`DELETE FROM workspaces WHERE platform = $1 AND ext_id = $2`,
					`DELETE FROM audit_log WHERE platform = $1 AND workspace = $2`,
				} {
					if _, err := tx.Exec(ctx, q, bot.Slack, ws); err != nil {
						return err
					}
				}
				if _, err := tx.Exec(ctx, `DELETE FROM team_enterprises WHERE team_id = $1`, ws); err != nil {
					return err
				}
				purged = append(purged, ws)
			}
			if _, err := tx.Exec(ctx, `DELETE FROM installations WHERE install_key = $1`, g.key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("purge uninstalled: %w", err)
	}
	return purged, nil
}

// SaveOAuthState implements bot.InstallationStore.
func (db *DB) SaveOAuthState(ctx context.Context, state string, expires time.Time) error {
	if _, err := db.pool.Exec(ctx, `INSERT INTO oauth_states (state, expires_at) VALUES ($1, $2)`, state, toMS(expires)); err != nil {
		return fmt.Errorf("save oauth state: %w", err)
	}
	return nil
}

// ConsumeOAuthState implements bot.InstallationStore.
func (db *DB) ConsumeOAuthState(ctx context.Context, state string, now time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM oauth_states WHERE state = $1 AND expires_at > $2`, state, toMS(now))
	if err != nil {
		return false, fmt.Errorf("consume oauth state: %w", err)
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM oauth_states WHERE expires_at <= $1`, toMS(now)); err != nil {
		return false, fmt.Errorf("prune oauth states: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

func scanInstallation(r scanner) (bot.Installation, error) {
	var in bot.Installation
	var key, scopes string
	var installed int64
	var expires, uninstalled *int64
	err := r.Scan(&key, &in.TeamID, &in.TeamName, &in.EnterpriseID, &in.EnterpriseName, &in.OrgInstall, &in.AppID,
		&in.BotUserID, &scopes, &in.InstallerID, &installed, &in.BotToken, &in.RefreshToken, &expires, &uninstalled)
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.Installation{}, notFound("installation")
	}
	if err != nil {
		return bot.Installation{}, fmt.Errorf("scan installation: %w", err)
	}
	if scopes != "" {
		in.Scopes = strings.Split(scopes, ",")
	}
	in.InstalledAt = fromMS(installed)
	in.TokenExpiresAt = fromNullMS(expires)
	in.UninstalledAt = fromNullMS(uninstalled)
	return in, nil
}

// nullBytes stores an empty token as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

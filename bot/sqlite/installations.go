package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

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
	_, err := db.exec(ctx, `INSERT INTO installations (`+installationColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
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
		in, err := scanInstallation(db.readRow(ctx, `SELECT `+installationColumns+` FROM installations
			WHERE install_key = ? AND org_install = 0 AND uninstalled_at IS NULL`, team))
		if bot.ErrorCode(err) != bot.ENOTFOUND {
			return in, err
		}
		if enterprise == "" {
			err := db.readRow(ctx, `SELECT enterprise_id FROM team_enterprises WHERE team_id = ?`, team).Scan(&enterprise)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return bot.Installation{}, fmt.Errorf("team enterprise: %w", err)
			}
		}
	}
	if enterprise == "" {
		return bot.Installation{}, notFound("installation")
	}
	return scanInstallation(db.readRow(ctx, `SELECT `+installationColumns+` FROM installations
		WHERE install_key = ? AND org_install = 1 AND uninstalled_at IS NULL`, enterprise))
}

// Installations implements bot.InstallationStore.
func (db *DB) Installations(ctx context.Context) ([]bot.Installation, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+installationColumns+` FROM installations ORDER BY install_key`)
	if err != nil {
		return nil, fmt.Errorf("installations: %w", err)
	}
	defer rows.Close()
	var out []bot.Installation
	for rows.Next() {
		in, err := scanInstallation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("installations: %w", err)
	}
	return out, nil
}

// SetInstallationTokens implements bot.InstallationStore.
func (db *DB) SetInstallationTokens(ctx context.Context, key string, old, botToken, refreshToken []byte, expires time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE installations SET bot_token = ?, refresh_token = ?, token_expires_at = ?
		WHERE install_key = ? AND uninstalled_at IS NULL AND bot_token = ?`,
		nullBytes(botToken), nullBytes(refreshToken), nullMS(expires), key, old)
	if err != nil {
		return false, fmt.Errorf("set installation tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Uninstall implements bot.InstallationStore.
func (db *DB) Uninstall(ctx context.Context, key string, at time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE installations SET bot_token = NULL, refresh_token = NULL, token_expires_at = NULL, uninstalled_at = ?
		WHERE install_key = ? AND uninstalled_at IS NULL`, toMS(at), key)
	if err != nil {
		return false, fmt.Errorf("uninstall: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// SetTeamEnterprise implements bot.InstallationStore.
func (db *DB) SetTeamEnterprise(ctx context.Context, team, enterprise string) error {
	_, err := db.exec(ctx, `INSERT INTO team_enterprises (team_id, enterprise_id) VALUES (?, ?)
		ON CONFLICT (team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id
		WHERE enterprise_id <> excluded.enterprise_id`, team, enterprise)
	if err != nil {
		return fmt.Errorf("set team enterprise: %w", err)
	}
	return nil
}

// PurgeUninstalled implements bot.InstallationStore, in one transaction.
func (db *DB) PurgeUninstalled(ctx context.Context, before time.Time) ([]string, error) {
	var purged []string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		purged = nil
		type gone struct {
			key, team, enterprise string
			org                   bool
		}
		rows, err := tx.QueryContext(ctx, `SELECT install_key, team_id, enterprise_id, org_install FROM installations
			WHERE uninstalled_at IS NOT NULL AND uninstalled_at < ? ORDER BY install_key`, toMS(before))
		if err != nil {
			return err
		}
		var all []gone
		for rows.Next() {
			var g gone
			if err := rows.Scan(&g.key, &g.team, &g.enterprise, &g.org); err != nil {
				rows.Close()
				return err
			}
			all = append(all, g)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, g := range all {
			workspaces := []string{g.team}
			if g.org {
				workspaces = []string{g.enterprise}
				teams, err := tx.QueryContext(ctx, `SELECT team_id FROM team_enterprises WHERE enterprise_id = ? ORDER BY team_id`, g.enterprise)
				if err != nil {
					return err
				}
				for teams.Next() {
					var t string
					if err := teams.Scan(&t); err != nil {
						teams.Close()
						return err
					}
					workspaces = append(workspaces, t)
				}
				teams.Close()
				if err := teams.Err(); err != nil {
					return err
				}
			}
			for _, ws := range workspaces {
				var served int
				err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM installations i WHERE i.uninstalled_at IS NULL AND (
					(i.org_install = 0 AND i.install_key = ?) OR
					(i.org_install = 1 AND (i.install_key = ? OR i.install_key = (SELECT enterprise_id FROM team_enterprises WHERE team_id = ?))))`,
					ws, ws, ws).Scan(&served)
				if err != nil {
					return err
				}
				if served > 0 {
					continue
				}
				for _, q := range []string{
					`DELETE FROM members WHERE platform = ? AND workspace = ?`,
					`DELETE FROM workspaces WHERE platform = ? AND ext_id = ?`,
					`DELETE FROM audit_log WHERE platform = ? AND workspace = ?`,
				} {
					if _, err := tx.ExecContext(ctx, q, bot.Slack, ws); err != nil {
						return err
					}
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM team_enterprises WHERE team_id = ?`, ws); err != nil {
					return err
				}
				purged = append(purged, ws)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM installations WHERE install_key = ?`, g.key); err != nil {
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
	if _, err := db.exec(ctx, `INSERT INTO oauth_states (state, expires_at) VALUES (?, ?)`, state, toMS(expires)); err != nil {
		return fmt.Errorf("save oauth state: %w", err)
	}
	return nil
}

// ConsumeOAuthState implements bot.InstallationStore.
func (db *DB) ConsumeOAuthState(ctx context.Context, state string, now time.Time) (bool, error) {
	res, err := db.exec(ctx, `DELETE FROM oauth_states WHERE state = ? AND expires_at > ?`, state, toMS(now))
	if err != nil {
		return false, fmt.Errorf("consume oauth state: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := db.exec(ctx, `DELETE FROM oauth_states WHERE expires_at <= ?`, toMS(now)); err != nil {
		return false, fmt.Errorf("prune oauth states: %w", err)
	}
	return n == 1, nil
}

func scanInstallation(r interface{ Scan(...any) error }) (bot.Installation, error) {
	var in bot.Installation
	var key, scopes string
	var installed int64
	var expires, uninstalled sql.NullInt64
	err := r.Scan(&key, &in.TeamID, &in.TeamName, &in.EnterpriseID, &in.EnterpriseName, &in.OrgInstall, &in.AppID,
		&in.BotUserID, &scopes, &in.InstallerID, &installed, &in.BotToken, &in.RefreshToken, &expires, &uninstalled)
	if errors.Is(err, sql.ErrNoRows) {
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

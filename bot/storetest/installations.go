package storetest

import (
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

func installationTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"Installation/RoundTrip":           testInstallationRoundTrip,
		"Installation/Enterprise":          testInstallationEnterprise,
		"Installation/TokensCompareSwap":   testInstallationTokens,
		"Installation/UninstallReinstall":  testInstallationUninstall,
		"Installation/PurgeAfterRetention": testInstallationPurge,
		"Installation/PurgeOrgInstall":     testInstallationPurgeOrg,
		"Installation/OAuthStateOnce":      testOAuthState,
	}
}

func teamInstall(team string) bot.Installation {
	return bot.Installation{
		TeamID: team, TeamName: "Team " + team, AppID: "A1", BotUserID: "UB" + team,
		Scopes: []string{"chat:write", "commands"}, InstallerID: "UI", InstalledAt: at(0),
		BotToken: []byte("sealed-bot-" + team), RefreshToken: []byte("sealed-refresh-" + team),
		TokenExpiresAt: at(12 * time.Hour),
	}
}

func orgInstall(enterprise string) bot.Installation {
	return bot.Installation{
		EnterpriseID: enterprise, EnterpriseName: "Org " + enterprise, OrgInstall: true, AppID: "A1",
		BotUserID: "UB" + enterprise, Scopes: []string{"chat:write"}, InstallerID: "UI", InstalledAt: at(0),
		BotToken: []byte("sealed-bot-" + enterprise),
	}
}

func testInstallationRoundTrip(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	_, err := s.Installation(ctx, "T1", "")
	wantCode(t, "unknown installation", err, bot.ENOTFOUND)
	in := teamInstall("T1")
	ok(t, s.SaveInstallation(ctx, in))
	ok(t, s.SaveInstallation(ctx, teamInstall("T2")))
	got, err := s.Installation(ctx, "T1", "")
	ok(t, err)
	same(t, "installation", in, got)
	all, err := s.Installations(ctx)
	ok(t, err)
	same(t, "installations", []bot.Installation{in, teamInstall("T2")}, all)
	// Saving again replaces the row.
	in.Scopes, in.BotToken, in.RefreshToken, in.TokenExpiresAt = []string{"chat:write"}, []byte("sealed-2"), nil, time.Time{}
	ok(t, s.SaveInstallation(ctx, in))
	got, err = s.Installation(ctx, "T1", "E9")
	ok(t, err)
	same(t, "replaced installation", in, got)
}

func testInstallationEnterprise(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	org := orgInstall("E1")
	ok(t, s.SaveInstallation(ctx, org))
	ok(t, s.SaveInstallation(ctx, teamInstall("T2")))
	got, err := s.Installation(ctx, "T1", "E1")
	ok(t, err)
	same(t, "org install by team and enterprise", org, got)
	_, err = s.Installation(ctx, "T1", "")
	wantCode(t, "a team never seen in the org", err, bot.ENOTFOUND)
	ok(t, s.SetTeamEnterprise(ctx, "T1", "E1"))
	ok(t, s.SetTeamEnterprise(ctx, "T1", "E1"))
	got, err = s.Installation(ctx, "T1", "")
	ok(t, err)
	same(t, "org install by team alone", org, got)
	got, err = s.Installation(ctx, "", "E1")
	ok(t, err)
	same(t, "org install by enterprise alone", org, got)
	// A workspace's own install comes first.
	ok(t, s.SetTeamEnterprise(ctx, "T2", "E1"))
	got, err = s.Installation(ctx, "T2", "E1")
	ok(t, err)
	same(t, "own install", teamInstall("T2"), got)
	// An org install is not a team install of the same id.
	_, err = s.Installation(ctx, "E1", "")
	wantCode(t, "enterprise as team", err, bot.ENOTFOUND)
}

func testInstallationTokens(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	in := teamInstall("T1")
	ok(t, s.SaveInstallation(ctx, in))
	done, err := s.SetInstallationTokens(ctx, "T1", []byte("not the token"), []byte("new"), nil, time.Time{})
	ok(t, err)
	if done {
		t.Error("tokens replaced although the old bot token did not match")
	}
	done, err = s.SetInstallationTokens(ctx, "T1", in.BotToken, []byte("new"), []byte("new-refresh"), at(24*time.Hour))
	ok(t, err)
	if !done {
		t.Fatal("tokens not replaced")
	}
	got, err := s.Installation(ctx, "T1", "")
	ok(t, err)
	in.BotToken, in.RefreshToken, in.TokenExpiresAt = []byte("new"), []byte("new-refresh"), at(24*time.Hour)
	same(t, "after refresh", in, got)
	done, err = s.SetInstallationTokens(ctx, "T1", in.BotToken[:0:0], []byte("x"), nil, time.Time{})
	ok(t, err)
	if done {
		t.Error("an empty old token matched")
	}
}

func testInstallationUninstall(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	ok(t, s.SaveInstallation(ctx, teamInstall("T1")))
	ok(t, s.SaveInstallation(ctx, teamInstall("T2")))
	gone, err := s.Uninstall(ctx, "T1", at(time.Hour))
	ok(t, err)
	if !gone {
		t.Fatal("Uninstall found no installation")
	}
	if again, err := s.Uninstall(ctx, "T1", at(2*time.Hour)); err != nil || again {
		t.Errorf("second Uninstall = %v, %v; want false", again, err)
	}
	_, err = s.Installation(ctx, "T1", "")
	wantCode(t, "uninstalled", err, bot.ENOTFOUND)
	if _, err := s.Installation(ctx, "T2", ""); err != nil {
		t.Errorf("the other workspace: %v", err)
	}
	all, err := s.Installations(ctx)
	ok(t, err)
	if len(all) != 2 || all[0].TeamID != "T1" {
		t.Fatalf("installations = %+v", all)
	}
	if u := all[0]; len(u.BotToken) != 0 || len(u.RefreshToken) != 0 || !u.TokenExpiresAt.IsZero() || !u.UninstalledAt.Equal(at(time.Hour)) || u.Active() {
		t.Errorf("uninstalled row keeps tokens or lacks its time: %+v", u)
	}
	if done, err := s.SetInstallationTokens(ctx, "T1", nil, []byte("x"), nil, time.Time{}); err != nil || done {
		t.Errorf("tokens set on an uninstalled installation: %v, %v", done, err)
	}
	// Installing again makes it active.
	ok(t, s.SaveInstallation(ctx, teamInstall("T1")))
	got, err := s.Installation(ctx, "T1", "")
	ok(t, err)
	same(t, "reinstalled", teamInstall("T1"), got)
}

// memberWithData creates a member of a Slack workspace with a check-in and
// a staff audit entry.
func memberWithData(t testing.TB, s Store, workspace, user string) bot.MemberKey {
	t.Helper()
	ctx := t.Context()
	key := bot.MemberKey{Platform: bot.Slack, Workspace: workspace, User: user}
	_, err := s.EnsureWorkspace(ctx, bot.Workspace{Platform: bot.Slack, ID: workspace, Privacy: bot.PrivacyTeam, MinGroupSize: 5, CreatedAt: at(0)})
	ok(t, err)
	addMember(t, s, key)
	_, err = s.AddCheckIn(ctx, bot.CheckIn{Member: key, Score: 3, At: at(time.Minute)})
	ok(t, err)
	ok(t, s.AddAudit(ctx, bot.AuditEntry{Platform: bot.Slack, Workspace: workspace, Actor: user, Action: "team view", At: at(time.Minute)}))
	return key
}

func rowsOf(t testing.TB, s Store, key bot.MemberKey) int {
	t.Helper()
	n, err := s.RowsOf(t.Context(), key)
	ok(t, err)
	return n
}

func testInstallationPurge(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	k1, k2, k3 := memberWithData(t, s, "T1", "U1"), memberWithData(t, s, "T2", "U2"), memberWithData(t, s, "T3", "U3")
	for _, team := range []string{"T1", "T2", "T3"} {
		ok(t, s.SaveInstallation(ctx, teamInstall(team)))
	}
	for _, team := range []string{"T1", "T3"} {
		_, err := s.Uninstall(ctx, team, at(time.Hour))
		ok(t, err)
	}
	// T3 comes back within the retention period.
	ok(t, s.SaveInstallation(ctx, teamInstall("T3")))
	purged, err := s.PurgeUninstalled(ctx, at(time.Hour))
	ok(t, err)
	same(t, "purged before the retention ends", []string(nil), purged)
	if rowsOf(t, s, k1) == 0 {
		t.Fatal("data deleted before the retention period ended")
	}
	purged, err = s.PurgeUninstalled(ctx, at(time.Hour+time.Millisecond))
	ok(t, err)
	same(t, "purged", []string{"T1"}, purged)
	if n := rowsOf(t, s, k1); n != 0 {
		t.Errorf("%d rows of the uninstalled workspace's member remain", n)
	}
	if _, err := s.Workspace(ctx, bot.Slack, "T1"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("workspace T1 after purge: %v", err)
	}
	if audit, err := s.Audit(ctx, bot.Slack, "T1", 10); err != nil || len(audit) != 0 {
		t.Errorf("audit of T1 after purge = %v, %v", audit, err)
	}
	for _, k := range []bot.MemberKey{k2, k3} {
		if rowsOf(t, s, k) < 2 {
			t.Errorf("%s lost data", k)
		}
	}
	all, err := s.Installations(ctx)
	ok(t, err)
	if len(all) != 2 || all[0].TeamID != "T2" || all[1].TeamID != "T3" {
		t.Errorf("installations after purge = %+v", all)
	}
}

func testInstallationPurgeOrg(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	ok(t, s.SaveInstallation(ctx, orgInstall("E1")))
	ok(t, s.SaveInstallation(ctx, teamInstall("T3")))
	ok(t, s.SetTeamEnterprise(ctx, "T1", "E1"))
	ok(t, s.SetTeamEnterprise(ctx, "T3", "E1"))
	k1, k3, other := memberWithData(t, s, "T1", "U1"), memberWithData(t, s, "T3", "U3"), memberWithData(t, s, "T9", "U9")
	_, err := s.Uninstall(ctx, "E1", at(time.Hour))
	ok(t, err)
	purged, err := s.PurgeUninstalled(ctx, at(2*time.Hour))
	ok(t, err)
	// T3 has its own install, so its data stays.
	same(t, "purged", []string{"E1", "T1"}, purged)
	if n := rowsOf(t, s, k1); n != 0 {
		t.Errorf("%d rows remain in the org's workspace", n)
	}
	for _, k := range []bot.MemberKey{k3, other} {
		if rowsOf(t, s, k) < 2 {
			t.Errorf("%s lost data", k)
		}
	}
}

func testOAuthState(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	ok(t, s.SaveOAuthState(ctx, "s1", at(10*time.Minute)))
	ok(t, s.SaveOAuthState(ctx, "s2", at(10*time.Minute)))
	consume := func(state string, now time.Time) bool {
		t.Helper()
		got, err := s.ConsumeOAuthState(ctx, state, now)
		ok(t, err)
		return got
	}
	if consume("forged", at(0)) {
		t.Error("an unknown state was accepted")
	}
	if !consume("s1", at(time.Minute)) {
		t.Fatal("a fresh state was refused")
	}
	if consume("s1", at(time.Minute)) {
		t.Error("a state was accepted twice")
	}
	if consume("s2", at(10*time.Minute)) {
		t.Error("an expired state was accepted")
	}
}

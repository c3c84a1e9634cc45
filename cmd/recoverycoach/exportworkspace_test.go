package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// seedExportWorkspace stores a team-mode Slack workspace T1 with one
// member who shares with staff (U0) and five who do not, each with a
// check-in three weeks ago, and its installation.
func seedExportWorkspace(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	ws := bot.NewWorkspace(bot.Slack, "T1", now)
	ws.Privacy = bot.PrivacyTeam
	if _, err := db.EnsureWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	at := now.Add(-21 * 24 * time.Hour)
	for i := range 6 {
		key := bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U" + string(rune('0'+i))}
		m, _, err := db.EnsureMember(ctx, bot.Member{Key: key, TZ: "UTC", CreatedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		m.ShareWithStaff, m.ConsentAt = i == 0, at
		if err := db.UpdateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddCheckIn(ctx, bot.CheckIn{Member: key, Score: 4, Area: "knee", Note: "private note " + key.User, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddAudit(ctx, bot.AuditEntry{Platform: bot.Slack, Workspace: "T1", Actor: "U0", Action: "set privacy mode", Detail: "team", At: at}); err != nil {
		t.Fatal(err)
	}
	in := bot.Installation{TeamID: "T1", TeamName: "Acme", InstalledAt: at, BotToken: []byte("xoxb-sealed-bytes")}
	if err := db.SaveInstallation(ctx, in); err != nil {
		t.Fatal(err)
	}
}

func TestExportWorkspace(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"COACH_DB": filepath.Join(dir, "coach.db")}
	// Usage mistakes exit 2 before any database is opened.
	for _, args := range [][]string{
		{"export-workspace"},
		{"export-workspace", "out.json"},
		{"export-workspace", "--team", "T1"},
		{"export-workspace", "--team", "T1", "a.json", "b.json"},
		{"export-workspace", "--team", "T1", "--format", "xml", "out"},
		{"export-workspace", "--team", "T1", "--platform", "teams", "out"},
		{"export-workspace", "--team", "T1", "--bogus", "out"},
	} {
		if _, err := runCLI(t, vars, "", args...); !isUsageError(err) {
			t.Errorf("%v = %v, want a usage error", args, err)
		}
	}
	if _, err := os.Stat(vars["COACH_DB"]); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a refused export created the database")
	}
	seedExportWorkspace(t, vars["COACH_DB"])

	// JSON, flags after the file as people type them.
	file := filepath.Join(dir, "acme.json")
	out, err := runCLI(t, vars, "", "export-workspace", file, "--team", "T1")
	if err != nil || !strings.Contains(out, "1 members by name") {
		t.Fatalf("export = %q, %v", out, err)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v, %v (want mode 0600)", fi, err)
	}
	raw, _ := os.ReadFile(file)
	var doc struct {
		Workspace map[string]any `json:"workspace"`
		Members   []struct {
			User     string `json:"user"`
			CheckIns []struct {
				Score int `json:"score"`
			} `json:"check_ins"`
		} `json:"members_sharing_with_staff"`
		Group struct {
			Members string           `json:"members"`
			Weeks   []map[string]any `json:"weeks"`
		} `json:"group"`
		Staff []map[string]any `json:"staff_actions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if len(doc.Members) != 1 || doc.Members[0].User != "U0" || len(doc.Members[0].CheckIns) != 1 || doc.Group.Members != "5-9" ||
		len(doc.Group.Weeks) == 0 || len(doc.Staff) != 1 || doc.Workspace["name"] != "Acme" || doc.Workspace["privacy_mode"] != "team" {
		t.Errorf("export:\n%s", raw)
	}
	for _, never := range []string{"private note", "xoxb", `"U1"`} {
		if strings.Contains(string(raw), never) {
			t.Errorf("the export holds %q", never)
		}
	}
	// An existing file is never overwritten (a failure, not a usage error).
	if _, err := runCLI(t, vars, "", "export-workspace", "--team", "T1", file); err == nil || isUsageError(err) || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("export over an existing file = %v", err)
	}
	// An unknown workspace says so.
	if _, err := runCLI(t, vars, "", "export-workspace", "--team", "T7", filepath.Join(dir, "t7.json")); err == nil || !strings.Contains(err.Error(), "no data stored") {
		t.Errorf("unknown workspace = %v", err)
	}

	// After the uninstall: CSV (from the file name), with the deletion date.
	db, err := sqlite.Open(context.Background(), vars["COACH_DB"])
	if err != nil {
		t.Fatal(err)
	}
	uninstalled := time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC)
	if _, err := db.Uninstall(context.Background(), "T1", uninstalled); err != nil {
		t.Fatal(err)
	}
	db.Close()
	csvFile := filepath.Join(dir, "acme.csv")
	out, err = runCLI(t, vars, "", "export-workspace", "--team", "T1", csvFile)
	if err != nil || !strings.Contains(out, "data is deleted after 2030-02-01 03:04 UTC") {
		t.Fatalf("export after uninstall = %q, %v", out, err)
	}
	raw, _ = os.ReadFile(csvFile)
	if !strings.HasPrefix(string(raw), "record,member,") || !strings.Contains(string(raw), "deleted_after=2030-02-01T03:04:00Z") || !strings.Contains(string(raw), "checkin,U0,") {
		t.Errorf("csv export:\n%s", raw)
	}
	// - writes to standard output.
	out, err = runCLI(t, vars, "", "export-workspace", "--team", "T1", "--format", "json", "-")
	if err != nil || !json.Valid([]byte(out)) {
		t.Errorf("export to stdout = %q, %v", out, err)
	}
}

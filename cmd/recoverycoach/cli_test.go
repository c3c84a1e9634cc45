package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryCommandHasHelp: --help, -h and `help NAME` print the command's
// usage and succeed for every command, before the configuration is read
// (the environment here is invalid) and without touching a database.
func TestEveryCommandHasHelp(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"COACH_DB": filepath.Join(dir, "coach.db"), "COACH_LOG_LEVEL": "loud"}
	for _, s := range subcommands {
		for _, args := range [][]string{{s.name, "--help"}, {s.name, "-h"}, {"help", s.name}} {
			out, err := runCLI(t, vars, "", args...)
			if err != nil {
				t.Errorf("%v: %v", args, err)
				continue
			}
			if want := "Usage: recoverycoach " + s.synopsis; !strings.HasPrefix(out, want) {
				t.Errorf("%v printed %q, want it to start with %q", args, out, want)
			}
		}
	}
	// Help after positional words, as people type it.
	for _, args := range [][]string{{"content", "check", "--help"}, {"backup", "x.db", "--help"}, {"slack-manifest", "--url", "https://x.example", "--help"}} {
		if out, err := runCLI(t, vars, "", args...); err != nil || !strings.HasPrefix(out, "Usage: recoverycoach "+args[0]) {
			t.Errorf("%v = %q, %v", args, out, err)
		}
	}
	if out, err := runCLI(t, vars, "", "help"); err != nil || !strings.Contains(out, "Every command takes --help") {
		t.Errorf("help = %q, %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "coach.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("help created the database (stat: %v)", err)
	}
	if _, err := os.Stat("--help"); err == nil {
		t.Error("a file named --help appeared")
	}
}

// TestStrayArgumentsAreUsageErrors: unknown flags and extra words stop
// every command with status 2 before it does anything.
func TestStrayArgumentsAreUsageErrors(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"COACH_DB": filepath.Join(dir, "coach.db")}
	for _, args := range [][]string{
		{"console", "--bogus"},
		{"serve", "extra"},
		{"serve", "--bogus"},
		{"migrate", "--force"},
		{"migrate", "now"},
		{"version", "2"},
		{"backup", "a.db", "b.db"},
		{"backup", "--to", "x.db"},
		{"discord-register", "--guild", "1"},
		{"content"},
		{"content", "check", "a", "b"},
		{"content", "check", "--strict"},
		{"help", "frobnicate"},
		{"slack-manifest", "extra"},
	} {
		_, err := runCLI(t, vars, "", args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v = %v, want a usage error", args, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "coach.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused command created the database (stat: %v)", err)
	}
}

// TestToolsRefuseAMissingDatabase: backup and migrate with a mistyped
// COACH_DB fail naming it, create no file and no directory; migrate
// creates a new database only when COACH_DB_CREATE=1 asks.
func TestToolsRefuseAMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "dta", "coach.db")
	vars := map[string]string{"COACH_DB": typo}
	copyPath := filepath.Join(dir, "copy.db")
	for _, args := range [][]string{{"backup", copyPath}, {"migrate"}} {
		_, err := runCLI(t, vars, "", args...)
		if err == nil || !strings.HasPrefix(err.Error(), "COACH_DB: there is no database at "+typo) {
			t.Errorf("%v = %v, want COACH_DB: there is no database at ...", args, err)
		}
		var ue usageError
		if errors.As(err, &ue) {
			t.Errorf("%v: a missing database is a failure (exit 1), not a usage error", args)
		}
	}
	for _, p := range []string{filepath.Dir(typo), copyPath} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s exists after the refused commands (stat: %v)", p, err)
		}
	}
	vars["COACH_DB_CREATE"] = "1"
	if _, err := runCLI(t, vars, "", "backup", copyPath); err == nil {
		t.Error("backup of a missing database succeeded with COACH_DB_CREATE=1")
	}
	out, err := runCLI(t, vars, "", "migrate")
	if err != nil || !strings.Contains(out, "schema version 0 -> ") {
		t.Fatalf("migrate with COACH_DB_CREATE=1 = %q, %v", out, err)
	}
	delete(vars, "COACH_DB_CREATE")
	if out, err := runCLI(t, vars, "", "backup", copyPath); err != nil || !strings.Contains(out, "backed up") {
		t.Fatalf("backup of the created database = %q, %v", out, err)
	}
}

// TestProgramShare: a clinician's file is checked like content check
// checks, shared as a code, and loaded by a patient with that code.
func TestProgramShare(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"COACH_DB": filepath.Join(dir, "coach.db")}
	file := filepath.Join("..", "..", "content", "testdata", "clinician", "acl-week-3.yaml")
	out, err := runCLI(t, vars, "", "program", "check", file)
	if err != nil || out != "ok: ACL rehab, week 3, 1 exercise\n" {
		t.Fatalf("program check = %q, %v", out, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("id: x\ntitle: X\nsumary: typo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, vars, "", "program", "check", bad)
	if err == nil || !strings.Contains(out, `bad.yaml:3: unknown key "sumary"`) {
		t.Fatalf("program check of a bad file = %q, %v", out, err)
	}
	if _, err := runCLI(t, vars, "", "program", "share", file); err == nil {
		t.Fatal("share into a missing database succeeded")
	}
	if _, err := runCLI(t, vars, "/pain 2\n", "console"); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, vars, "", "program", "share", file)
	code := strings.TrimPrefix(out[strings.LastIndex(out, " ")+1:], "")
	code = strings.TrimSpace(code)
	if err != nil || !strings.HasPrefix(out, `shared "ACL rehab, week 3" as `+code) {
		t.Fatalf("program share = %q, %v", out, err)
	}
	out, err = runCLI(t, vars, "/coach plan "+code+"\n", "console")
	if err != nil || !strings.Contains(out, "Loaded ACL rehab, week 3 from your clinician") {
		t.Fatalf("loading the code = %q, %v", out, err)
	}
}

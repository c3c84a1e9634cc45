package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// env returns a getenv over the given variables only.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// runCLI runs the program as a user would and returns stdout.
func runCLI(t *testing.T, vars map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, env(vars), strings.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), err
}

var (
	datePattern  = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	clockPattern = regexp.MustCompile(`it is \d{2}:\d{2}`)
)

func normalize(out, dir string) string {
	out = strings.ReplaceAll(out, dir, "$DIR")
	out = datePattern.ReplaceAllString(out, "YYYY-MM-DD")
	return clockPattern.ReplaceAllString(out, "it is HH:MM")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	bottest.Golden(t, filepath.Join("testdata", name), []byte(got), *update)
}

func TestConsoleTranscript(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"COACH_DB": filepath.Join(dir, "coach.db")}
	script, err := os.ReadFile(filepath.Join("testdata", "console_script.txt"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, vars, string(script))
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	golden(t, "console_transcript.golden", normalize(out, dir))
}

func TestCheckInsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"COACH_DB": filepath.Join(dir, "coach.db")}
	if _, err := runCLI(t, vars, "/pain 6 knee\n/pain 4 knee\n", "console"); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, vars, "history\n")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Check-ins: 2") {
		t.Fatalf("after restart history = %q", out)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	tests := map[string]map[string]string{
		"COACH_DEFAULT_TZ":     {"COACH_DEFAULT_TZ": "Mars/Base"},
		"COACH_CATCHUP_WINDOW": {"COACH_CATCHUP_WINDOW": "soon"},
		"COACH_SLACK_RPS":      {"COACH_SLACK_RPS": "-1"},
		"COACH_DISCORD_RPS":    {"COACH_DISCORD_RPS": "fast"},
		"COACH_LOG_LEVEL":      {"COACH_LOG_LEVEL": "loud"},
		"COACH_LOG_FORMAT":     {"COACH_LOG_FORMAT": "xml"},
		"SLACK_API_URL":        {"SLACK_API_URL": "http://localhost:1/api"},
		"SLACK_BOT_TOKEN":      {"SLACK_SIGNING_SECRET": "s"},
		"DISCORD_BOT_TOKEN":    {"DISCORD_PUBLIC_KEY": "abcd"},
	}
	for name, vars := range tests {
		t.Run(name, func(t *testing.T) {
			vars["COACH_DB"] = filepath.Join(t.TempDir(), "c.db")
			_, err := runCLI(t, vars, "", "console")
			if err == nil || !strings.HasPrefix(err.Error(), name+":") {
				t.Fatalf("error = %v, want it to start with %s", err, name)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	vars := map[string]string{"COACH_DB": filepath.Join(t.TempDir(), "c.db")}
	for _, args := range [][]string{{"frobnicate"}, {"--nope"}, {"backup"}} {
		_, err := runCLI(t, vars, "", args...)
		var ue usageError
		if err == nil || !asUsage(err, &ue) {
			t.Errorf("run %v = %v, want a usage error", args, err)
		}
	}
	out, err := runCLI(t, vars, "", "--help")
	if err != nil || !strings.Contains(out, "Usage: recoverycoach") {
		t.Errorf("--help = %q, %v", out, err)
	}
	out, err = runCLI(t, vars, "", "version")
	if err != nil || !strings.HasPrefix(out, "recoverycoach ") {
		t.Errorf("version = %q, %v", out, err)
	}
}

func asUsage(err error, ue *usageError) bool {
	u, ok := err.(usageError)
	*ue = u
	return ok
}

func TestMigrateAndBackup(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"COACH_DB": filepath.Join(dir, "coach.db"), "COACH_DB_CREATE": "1"}
	out, err := runCLI(t, vars, "", "migrate")
	if err != nil || !strings.Contains(out, "schema version 0 -> ") {
		t.Fatalf("migrate = %q, %v", out, err)
	}
	out, err = runCLI(t, vars, "", "migrate")
	if err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate = %q, %v", out, err)
	}
	if _, err := runCLI(t, vars, "/pain 3 neck\n", "console"); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup.db")
	if _, err := runCLI(t, vars, "", "backup", backup); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, vars, "", "backup", backup); err == nil {
		t.Fatal("backup over an existing file must fail")
	}
	out, err = runCLI(t, map[string]string{"COACH_DB": backup}, "history\n")
	if err != nil || !strings.Contains(out, "Check-ins: 1") {
		t.Fatalf("history on backup = %q, %v", out, err)
	}
}

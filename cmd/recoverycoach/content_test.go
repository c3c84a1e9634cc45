package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recoverycoach/recoverycoach/content"
)

// writeContentDir lays out files (path -> text) under a temporary directory.
func writeContentDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const clinicCard = `---
id: clinic-hours
title: Our clinic
topic: clinic
areas: [any]
related: [tape-apply]
programs: [knee]
---
Call the front desk to move an appointment. Bring your tape and your exercise sheet to each visit.
`

// embeddedCounts counts the built-in cards and programs, so tests follow
// the library.
func embeddedCounts(t *testing.T) (cards, programs int) {
	t.Helper()
	lib, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	return len(lib.Cards()), len(lib.Programs())
}

func TestRunContentCheck(t *testing.T) {
	builtIn, programs := embeddedCounts(t)
	valid := writeContentDir(t, map[string]string{"library/clinic-hours.md": clinicCard})
	invalid := writeContentDir(t, map[string]string{
		"library/bad.md":    "---\nid: bad\ntitle: Bad\ncolour: red\ntopic: t\nareas: [any]\n---\nText.\n",
		"library/broken.md": "---\nid: broken\ntitle: Broken\ntopic: t\nareas: [any]\nrelated: [nowhere]\n---\nText.\n",
	})
	notDir := filepath.Join(valid, "library", "clinic-hours.md")
	tests := []struct {
		name       string
		args       []string
		wantErr    string
		wantUsage  bool
		wantStdout []string
	}{
		{name: "embedded", args: []string{"check"}, wantStdout: []string{fmt.Sprintf("ok: %d cards, %d programs", builtIn, programs)}},
		{name: "valid dir", args: []string{"check", valid}, wantStdout: []string{fmt.Sprintf("ok: %d cards, %d programs", builtIn+1, programs)}},
		{name: "invalid dir", args: []string{"check", invalid}, wantErr: "content check: 2 problem(s) in " + invalid,
			wantStdout: []string{invalid + `/library/bad.md:4: unknown key "colour"`, invalid + `/library/broken.md:6: broken reference: no card with id "nowhere"`}},
		{name: "missing dir", args: []string{"check", filepath.Join(valid, "nope")}, wantErr: "cannot read"},
		{name: "file, not dir", args: []string{"check", notDir}, wantErr: "is not a directory"},
		{name: "no verb", args: nil, wantUsage: true},
		{name: "unknown verb", args: []string{"lint"}, wantUsage: true},
		{name: "too many args", args: []string{"check", valid, valid}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runContent(context.Background(), config{}, tt.args, &out)
			var ue usageError
			switch {
			case tt.wantUsage:
				if !errors.As(err, &ue) {
					t.Fatalf("err = %v, want a usage error", err)
				}
			case tt.wantErr == "":
				if err != nil {
					t.Fatalf("err = %v\n%s", err, out.String())
				}
			case err == nil || !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			case errors.As(err, &ue):
				t.Fatalf("err = %v is a usage error", err)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout does not contain %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestLoadLibrary(t *testing.T) {
	lib, err := loadLibrary(config{})
	if err != nil || lib == nil {
		t.Fatalf("embedded library: %v", err)
	}
	if _, ok := lib.Card("tape-apply"); !ok {
		t.Error("embedded card missing")
	}

	dir := writeContentDir(t, map[string]string{"library/clinic-hours.md": clinicCard})
	lib, err = loadLibrary(config{ContentDir: dir})
	if err != nil {
		t.Fatalf("with COACH_CONTENT_DIR: %v", err)
	}
	if _, ok := lib.Card("clinic-hours"); !ok {
		t.Error("card from COACH_CONTENT_DIR missing")
	}
	cards, _ := embeddedCounts(t)
	if got, want := len(lib.Cards()), cards+1; got != want {
		t.Errorf("cards = %d, want %d", got, want)
	}

	bad := writeContentDir(t, map[string]string{"library/bad.md": "---\nid: bad\n---\n"})
	for name, dir := range map[string]string{"missing": filepath.Join(dir, "nope"), "invalid": bad} {
		_, err := loadLibrary(config{ContentDir: dir})
		if err == nil || !strings.HasPrefix(err.Error(), "COACH_CONTENT_DIR: ") {
			t.Errorf("%s dir: err = %v, want one naming COACH_CONTENT_DIR", name, err)
		}
		if name == "invalid" && (!strings.Contains(err.Error(), "bad.md:2: missing title") || strings.Contains(err.Error(), "\n")) {
			t.Errorf("invalid dir: err = %q, want the first problem on one line", err)
		}
	}
}

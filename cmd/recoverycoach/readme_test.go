package main

import (
	"os"
	"strings"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot"
)

// TestReadmeListsEveryCommand fails when README.md and the registry
// disagree; -update rewrites the table.
func TestReadmeListsEveryCommand(t *testing.T) {
	const path = "../../README.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start := strings.Index(readme, readmeCommandsStart)
	end := strings.Index(readme, readmeCommandsEnd)
	if start < 0 || end < start {
		t.Fatalf("README.md lacks the %q ... %q markers", readmeCommandsStart, readmeCommandsEnd)
	}
	want := readme[:start+len(readmeCommandsStart)] + "\n" + commandTable(bot.Commands()) + readme[end:]
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if readme != want {
		t.Errorf("README.md command table is out of date; run go test ./cmd/recoverycoach -update")
	}
}

// TestReadmeDocumentsEveryVariable keeps the configuration table complete.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	if _, err := loadConfig(func(name string) string { seen[name] = true; return "" }); err != nil {
		t.Fatal(err)
	}
	for name := range seen {
		if !strings.Contains(string(raw), "`"+name+"`") {
			t.Errorf("README.md does not document %s", name)
		}
	}
}

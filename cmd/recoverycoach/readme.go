package main

import (
	"strings"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Markers around the generated command table in README.md.
const (
	readmeCommandsStart = "<!-- commands:start (generated from the registry; go test ./cmd/recoverycoach -update) -->"
	readmeCommandsEnd   = "<!-- commands:end -->"
)

// commandTable renders every command of the registry as a Markdown table.
func commandTable(reg *bot.Registry) string {
	var b strings.Builder
	b.WriteString("| command | what it does |\n| --- | --- |\n")
	for _, leaf := range reg.Leaves() {
		summary := leaf.Summary
		if leaf.RequiredRole() == bot.RoleStaff && !strings.HasPrefix(summary, "Staff only") {
			summary = "Staff only: " + summary
		}
		b.WriteString("| `" + strings.ReplaceAll(leaf.Usage(), "|", `\|`) + "` | " + summary + " |\n")
	}
	return b.String()
}

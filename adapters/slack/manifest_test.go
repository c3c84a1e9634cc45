package slack_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"
	"gopkg.in/yaml.v3"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
)

// goldenRegistry is a fixed registry, so that the golden manifests change
// only when the manifest code does, not whenever a command is added.
func goldenRegistry() *bot.Registry {
	return bot.NewRegistry(
		&bot.Command{Name: "pain", Summary: "Log how much it hurts, from 0 (none) to 10 (worst)", Options: []bot.Option{
			{Name: "score", Type: bot.OptInt, Min: 0, Max: 10, Required: true},
			{Name: "area", Type: bot.OptWord},
			{Name: "note", Type: bot.OptText},
		}},
		&bot.Command{Name: "coach", Summary: "Your home-rehab coach: reminders, tape, history and more", Empty: "help", Subcommands: []*bot.Command{
			{Name: "help", Summary: "Show the commands"},
			{Name: "start", Summary: "Onboarding"},
			{Name: "history", Summary: "Your check-ins", Options: []bot.Option{{Name: "days", Type: bot.OptInt}}},
			{Name: "team", Summary: "Staff only", Role: bot.RoleStaff, Subcommands: []*bot.Command{{Name: "report", Summary: "Team view"}}},
		}},
	)
}

func TestManifestGolden(t *testing.T) {
	tests := []struct {
		name string
		opts slackadapter.ManifestOptions
	}{
		{"http", slackadapter.ManifestOptions{BaseURL: "https://coach.example.com/"}},
		{"socket", slackadapter.ManifestOptions{SocketMode: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := slackadapter.ManifestYAML(goldenRegistry(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "manifest_"+tt.name+".golden.yaml", got)
		})
	}
}

func TestManifestFollowsTheRegistryAndSlackLimits(t *testing.T) {
	reg := bot.Commands()
	data, err := slackadapter.ManifestYAML(reg, slackadapter.ManifestOptions{BaseURL: "https://coach.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	var m slackgo.Manifest
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest is not valid YAML: %v", err)
	}
	if n := utf8.RuneCountInString(m.Display.Name); n > 35 {
		t.Errorf("name has %d characters, Slack allows 35", n)
	}
	if n := utf8.RuneCountInString(m.Display.Description); n > 140 {
		t.Errorf("description has %d characters, Slack allows 140", n)
	}
	if n := utf8.RuneCountInString(m.Display.LongDescription); n < 174 || n > 4000 {
		t.Errorf("long description has %d characters, Slack wants 174 to 4000", n)
	}
	if len(m.Features.SlashCommands) != len(reg.Roots()) {
		t.Fatalf("%d slash commands for %d registry roots", len(m.Features.SlashCommands), len(reg.Roots()))
	}
	for i, root := range reg.Roots() {
		sc := m.Features.SlashCommands[i]
		if sc.Command != "/"+root.Name || sc.Description != root.Summary || !sc.ShouldEscape {
			t.Errorf("command %d = %+v, want /%s with its summary", i, sc, root.Name)
		}
		if sc.Url != "https://coach.example.com/slack/commands" {
			t.Errorf("%s url = %q", sc.Command, sc.Url)
		}
		if n := utf8.RuneCountInString(sc.UsageHint); n == 0 || n > 1000 {
			t.Errorf("%s usage hint has %d characters", sc.Command, n)
		}
		for _, verb := range root.Subcommands {
			if !strings.Contains(sc.UsageHint, verb.Name) {
				t.Errorf("%s usage hint %q lacks %s", sc.Command, sc.UsageHint, verb.Name)
			}
		}
	}
	if m.Settings.Interactivity == nil || !m.Settings.Interactivity.IsEnabled || m.Settings.Interactivity.RequestUrl != "https://coach.example.com/slack/interactions" {
		t.Errorf("interactivity = %+v", m.Settings.Interactivity)
	}
	ev := m.Settings.EventSubscriptions
	if ev == nil || ev.RequestUrl != "https://coach.example.com/slack/events" || !slices.Contains(ev.BotEvents, "app_home_opened") {
		t.Errorf("event subscriptions = %+v", ev)
	}
	for _, scope := range []string{"chat:write", "commands", "im:write", "users:read", "im:history", "im:read", "app_mentions:read", "files:write"} {
		if !slices.Contains(m.OAuthConfig.Scopes.Bot, scope) {
			t.Errorf("scope %s missing", scope)
		}
	}
	if !m.Features.AppHome.HomeTabEnabled || !m.Features.AppHome.MessagesTabEnabled || m.Settings.SocketModeEnabled {
		t.Errorf("app home %+v, socket mode %v", m.Features.AppHome, m.Settings.SocketModeEnabled)
	}
}

func TestManifestSocketModeHasNoURLs(t *testing.T) {
	data, err := slackadapter.ManifestYAML(bot.Commands(), slackadapter.ManifestOptions{SocketMode: true, BaseURL: "https://ignored.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "https://") || !strings.Contains(string(data), "socket_mode_enabled: true") {
		t.Errorf("socket-mode manifest:\n%s", data)
	}
}

func TestManifestNeedsAnHTTPSURL(t *testing.T) {
	for _, base := range []string{"", "http://coach.example.com", "coach.example.com", "https://", "https://x.example.com/?a=b", "::"} {
		if _, err := slackadapter.ManifestYAML(bot.Commands(), slackadapter.ManifestOptions{BaseURL: base}); err == nil {
			t.Errorf("base URL %q accepted", base)
		}
	}
}

// TestManifestLetsPeopleType guards the Messages tab: read-only, it shows
// "Sending messages to this app has been turned off" and DMs never arrive.
func TestManifestLetsPeopleType(t *testing.T) {
	for _, socket := range []bool{false, true} {
		data, err := slackadapter.ManifestYAML(bot.Commands(), slackadapter.ManifestOptions{SocketMode: socket, BaseURL: "https://coach.example.com"})
		if err != nil {
			t.Fatal(err)
		}
		want := "messages_tab_enabled: true\n    messages_tab_read_only_enabled: false\n"
		if !strings.Contains(string(data), want) {
			t.Errorf("socket=%v: manifest lacks %q:\n%s", socket, want, data)
		}
	}
}

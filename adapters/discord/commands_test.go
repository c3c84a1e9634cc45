package discord_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/adapters/discord"
	"github.com/recoverycoach/recoverycoach/bot"
)

// TestRegisterCommandsPayload pins what discord-register sends for the real
// registry. After changing a command, review the diff and run
// go test ./adapters/discord -update.
func TestRegisterCommandsPayload(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	got, err := discord.RegisterCommands(context.Background(), fake.session(), "app1", "g1", bot.Commands())
	if err != nil {
		t.Fatalf("RegisterCommands: %v", err)
	}
	if len(got) != 2 || got[0].ID == "" {
		t.Fatalf("RegisterCommands returned %+v, want the two stored commands", got)
	}
	calls := fake.Calls()
	if len(calls) != 1 || calls[0].Method != "PUT" || calls[0].Path != "/applications/app1/guilds/g1/commands" {
		t.Fatalf("calls = %+v, want one PUT of the guild's commands", calls)
	}
	checkGolden(t, "commands_guild.json", calls[0].JSON)
}

// TestRegisterCommandsMapping pins the mapping of every option type, global
// scope included, on a fixed registry.
func TestRegisterCommandsMapping(t *testing.T) {
	t.Parallel()
	many := make([]bot.Choice, 26)
	for i := range many {
		many[i] = bot.Choice{Value: fmt.Sprintf("c%02d", i)}
	}
	reg := bot.NewRegistry(&bot.Command{
		Name: "demo", Summary: "Every **option** type. " + strings.Repeat("Long summary. ", 10),
		Subcommands: []*bot.Command{
			{Name: "all", Summary: "Leaf with every type", Options: []bot.Option{
				{Name: "int", Description: "An int", Type: bot.OptInt, Min: 1, Max: 7},
				{Name: "word", Description: "A word", Type: bot.OptWord},
				{Name: "text", Description: "Text", Type: bot.OptText, Max: 200},
				{Name: "choice", Description: "A choice", Type: bot.OptChoice, Required: true, Choices: []bot.Choice{{Value: "a", Aliases: []string{"x"}}, {Value: "b"}}},
				{Name: "many", Description: "Too many choices for Discord", Type: bot.OptChoice, Choices: many},
				{Name: "duration", Description: "A duration", Type: bot.OptDuration},
				{Name: "times", Description: "Times", Type: bot.OptTimes, Required: true},
				{Name: "window", Description: "A window", Type: bot.OptTimeRange},
				{Name: "days", Description: "Weekdays", Type: bot.OptWeekdays},
				{Name: "date", Description: "A date", Type: bot.OptDate},
				{Name: "zone", Description: "A zone", Type: bot.OptZone},
				{Name: "user", Description: "A user", Type: bot.OptUser},
				{Name: "channel", Description: "A channel", Type: bot.OptChannel},
				{Name: "bare", Type: bot.OptWord},
			}},
			{Name: "group", Summary: "A group", Subcommands: []*bot.Command{{Name: "leaf", Summary: "A leaf"}}},
		},
	})
	fake := newFakeDiscord(t)
	if _, err := discord.RegisterCommands(context.Background(), fake.session(), "app1", "", reg); err != nil {
		t.Fatal(err)
	}
	calls := fake.Calls()
	if len(calls) != 1 || calls[0].Path != "/applications/app1/commands" {
		t.Fatalf("calls = %+v, want one PUT of the global commands", calls)
	}
	checkGolden(t, "commands_mapping_global.json", calls[0].JSON)
}

func TestRegisterCommandsError(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	fake.setOverride(func(w http.ResponseWriter, _ call) bool {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return true
	})
	_, err := discord.RegisterCommands(context.Background(), fake.session(), "app1", "", bot.Commands())
	if err == nil || !strings.Contains(err.Error(), "register discord commands") {
		t.Fatalf("err = %v, want a register error", err)
	}
}

// TestApplicationCommandsRules checks Discord's rules on every level, so a
// new registry entry that breaks them fails here rather than at deploy.
func TestApplicationCommandsRules(t *testing.T) {
	t.Parallel()
	cmds, err := discord.ApplicationCommands(bot.Commands(), false)
	if err != nil {
		t.Fatal(err)
	}
	var check func(where string, opts []*discordgo.ApplicationCommandOption)
	check = func(where string, opts []*discordgo.ApplicationCommandOption) {
		if len(opts) > 25 {
			t.Errorf("%s: %d options, Discord allows 25", where, len(opts))
		}
		optional := false
		for _, o := range opts {
			at := where + " " + o.Name
			if o.Name != strings.ToLower(o.Name) || len(o.Name) > 32 {
				t.Errorf("%s: bad name", at)
			}
			if n := utf8.RuneCountInString(o.Description); n == 0 || n > 100 {
				t.Errorf("%s: description has %d characters", at, n)
			}
			if len(o.Choices) > 25 {
				t.Errorf("%s: %d choices", at, len(o.Choices))
			}
			if o.Required && optional {
				t.Errorf("%s: required option after an optional one", at)
			}
			optional = optional || !o.Required
			check(at, o.Options)
		}
	}
	for _, c := range cmds {
		if n := utf8.RuneCountInString(c.Description); n == 0 || n > 100 {
			t.Errorf("/%s: description has %d characters", c.Name, n)
		}
		if c.Contexts != nil {
			t.Errorf("/%s: guild commands must not set contexts", c.Name)
		}
		check("/"+c.Name, c.Options)
	}
}

func TestApplicationCommandsShape(t *testing.T) {
	t.Parallel()
	cmds, err := discord.ApplicationCommands(bot.Commands(), true)
	if err != nil {
		t.Fatal(err)
	}
	find := func(opts []*discordgo.ApplicationCommandOption, name string) *discordgo.ApplicationCommandOption {
		for _, o := range opts {
			if o.Name == name {
				return o
			}
		}
		t.Fatalf("option %q not found", name)
		return nil
	}
	pain, coach := cmds[0], cmds[1]
	score := find(pain.Options, "score")
	tests := []struct {
		name string
		ok   bool
	}{
		{"pain score is a required integer 0..10", score.Type == discordgo.ApplicationCommandOptionInteger && score.Required &&
			score.MinValue != nil && *score.MinValue == 0 && score.MaxValue == 10},
		// Free text, so that "left knee" can be typed; the registry's
		// parser validates it like any typed area.
		{"pain area is free text", find(pain.Options, "area").Type == discordgo.ApplicationCommandOptionString &&
			len(find(pain.Options, "area").Choices) == 0 && find(pain.Options, "area").MaxLength == 40},
		{"pain note is a string capped at 500", find(pain.Options, "note").MaxLength == 500},
		{"coach remind is a group", find(coach.Options, "remind").Type == discordgo.ApplicationCommandOptionSubCommandGroup},
		{"coach tape on is a subcommand", find(find(coach.Options, "tape").Options, "on").Type == discordgo.ApplicationCommandOptionSubCommand},
		{"coach team staff takes a user", find(find(find(coach.Options, "team").Options, "staff").Options, "user").Type == discordgo.ApplicationCommandOptionUser},
		{"coach history is a subcommand", find(coach.Options, "history").Type == discordgo.ApplicationCommandOptionSubCommand},
		{"global commands work in guilds and DMs", coach.Contexts != nil && len(*coach.Contexts) == 2},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("%s: not so", tt.name)
		}
	}
	b, _ := json.Marshal(find(find(coach.Options, "remind").Options, "set"))
	if !strings.Contains(string(b), `"name":"kind"`) {
		t.Errorf("remind set = %s, want the kind option", b)
	}
}

func TestApplicationCommandsRejectsBadRegistry(t *testing.T) {
	t.Parallel()
	deep := &bot.Command{Name: "a", Summary: "a", Subcommands: []*bot.Command{{Name: "b", Summary: "b", Subcommands: []*bot.Command{{Name: "c", Summary: "c", Subcommands: []*bot.Command{{Name: "d", Summary: "d"}}}}}}}
	tests := []struct {
		name string
		reg  *bot.Registry
	}{
		{"too deep", bot.NewRegistry(deep)},
		{"upper-case name", bot.NewRegistry(&bot.Command{Name: "Pain", Summary: "x"})},
		{"bad option name", bot.NewRegistry(&bot.Command{Name: "pain", Summary: "x", Options: []bot.Option{{Name: "two words", Type: bot.OptWord}}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := discord.ApplicationCommands(tt.reg, false); err == nil {
				t.Error("no error")
			}
		})
	}
}

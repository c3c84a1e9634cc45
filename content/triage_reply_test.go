package content_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// TestTriageRepliesGolden pins one check-in reply of each level, with the
// emergency number chosen by the member's zone, the workspace's own number,
// and free text typed in a DM. The finding leads every red-flag reply.
func TestTriageRepliesGolden(t *testing.T) {
	tests := []struct {
		file      string
		tz        string
		number    string // set by staff with /coach team emergency
		lines     []string
		wantFirst string
	}{
		{file: "triage-emergency-london.golden", tz: "Europe/London",
			lines: []string{"pain 6 lower-back can't feel the paper when i wipe and i wet myself"}, wantFirst: "**Call 999"},
		{file: "triage-emergency-new-york.golden", tz: "America/New_York",
			lines: []string{"pain 5 chest tight n heavy, going down my left arm"}, wantFirst: "**Call 911 now.**"},
		{file: "triage-emergency-unknown-zone.golden", tz: "UTC",
			lines: []string{"pain 3 face drooping on one side and my speech is slurred"}, wantFirst: "**Call your local emergency number now.**"},
		{file: "triage-emergency-workspace-number.golden", tz: "America/New_York", number: "112",
			lines: []string{"pain 4 calf swollen and hot, now short of breath"}, wantFirst: "**Call 112 now.**"},
		{file: "triage-urgent.golden", tz: "Europe/Berlin",
			lines: []string{"pain 5 knee no better, numbness down my leg"}, wantFirst: "**Get checked today.**"},
		{file: "triage-soon.golden", tz: "Europe/Berlin",
			lines: []string{"pain 8 knee rough day after the stairs"}, wantFirst: "**Talk to your physio or doctor soon.**"},
		{file: "triage-none.golden", tz: "Europe/Berlin",
			lines: []string{"pain 3 knee no swelling, bladder fine, a bit stiff"}, wantFirst: "Logged **3/10**"},
		{file: "triage-free-text.golden", tz: "Europe/London",
			lines: []string{"my chest feels really tight and i'm sweating"}, wantFirst: "**Call 999 now.**"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			coach, _, _ := bottest.NewCoach(t, mustLibrary(t))
			ctx := context.Background()
			staff := bot.Request{Platform: bot.Discord, Workspace: "G1", User: "coach1", IsAdmin: true}
			member := bot.Request{Platform: bot.Discord, Workspace: "G1", User: "player1", IsDM: true, Conversational: true}
			if tt.number != "" {
				staff.Text = "coach team emergency " + tt.number
				if r := coach.Handle(ctx, staff); !strings.Contains(r.PlainText(), tt.number) {
					t.Fatalf("team emergency: %q", r.PlainText())
				}
			}
			member.Text = "coach tz " + tt.tz
			coach.Handle(ctx, member)
			var out []string
			for _, line := range tt.lines {
				member.Text = line
				reply := coach.Handle(ctx, member)
				if !strings.HasPrefix(reply.Text, tt.wantFirst) {
					t.Errorf("%q -> %q, want it to start with %q", line, reply.Text, tt.wantFirst)
				}
				out = append(out, "> "+line+"\n"+reply.PlainText())
			}
			bottest.Golden(t, filepath.Join("testdata", tt.file), []byte(strings.Join(out, "\n\n")+"\n"), *update)
		})
	}
}

func TestTeamEmergencyRejectsNonsense(t *testing.T) {
	coach, _, _ := bottest.NewCoach(t, mustLibrary(t))
	staff := bot.Request{Platform: bot.Discord, Workspace: "G1", User: "coach1", IsAdmin: true, Text: "coach team emergency call mum"}
	if r := coach.Handle(context.Background(), staff); !strings.Contains(r.PlainText(), "does not look like a phone number") {
		t.Errorf("reply = %q", r.PlainText())
	}
}

package bot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// exportGroup is a workspace of one member who shares (U0) and n who do
// not, each with a check-in (and a private note) three weeks back.
func exportGroup(n int) []bot.MemberData {
	at := bottest.Start.Add(-21 * 24 * time.Hour)
	var out []bot.MemberData
	for i := range n + 1 {
		key := bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U" + string(rune('0'+i))}
		d := bot.MemberData{Member: bot.Member{Key: key, ShareWithStaff: i == 0, ConsentAt: at}}
		score := 4 + i%2
		if i == 0 {
			score = 10
		}
		d.CheckIns = []bot.CheckIn{{Member: key, Score: score, Area: "knee", Note: "secret note of " + key.User, At: at}}
		d.Completions = []bot.Completion{{Member: key, Day: at.Format("2006-01-02"), At: at}}
		out = append(out, d)
	}
	return out
}

func TestWorkspaceExportFollowsThePrivacyMode(t *testing.T) {
	now := bottest.Start
	staff := []bot.AuditEntry{{Actor: "UADMIN", Action: "viewed team report", Detail: "7 days", At: now}}
	ws := bot.NewWorkspace(bot.Slack, "T1", now)
	ws.Privacy = bot.PrivacyTeam

	// Team mode: the member who shares by name, the five others as a group.
	x := bot.BuildWorkspaceExport(ws, exportGroup(5), staff, now)
	if len(x.Shared) != 1 || x.Shared[0].Member.Key.User != "U0" || x.Shared[0].CheckIns[0].Note != "" {
		t.Fatalf("shared = %+v", x.Shared)
	}
	if x.Private != "5-9" || x.Members != "5-9" {
		t.Errorf("private %q, members %q", x.Private, x.Members)
	}
	shown := 0
	for _, w := range x.Pain {
		if w.Pain.Shown {
			shown++
			if w.Pain.People != "5-9" || w.Pain.Average != 4.5 {
				t.Errorf("week %v: %+v (the sharing member must not count)", w.Start, w.Pain)
			}
		}
	}
	if shown != 1 || len(x.Pain) != 2 {
		t.Errorf("%d weeks, %d shown; want 2 weeks from the first record, 1 shown", len(x.Pain), shown)
	}
	js, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, js)
	}
	csv, err := x.CSV()
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"json": string(js), "csv": string(csv)} {
		if strings.Contains(out, "secret note") {
			t.Errorf("%s export carries a note", name)
		}
		for _, want := range []string{"U0", "viewed team report", "5-9"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s export lacks %q", name, want)
			}
		}
		for _, never := range []string{`"U1"`, ",U1,"} {
			if strings.Contains(out, never) {
				t.Errorf("%s export names a member who keeps their data private", name)
			}
		}
	}

	// Wellness mode: nobody by name, everyone in the group.
	ws.Privacy = bot.PrivacyWellness
	x = bot.BuildWorkspaceExport(ws, exportGroup(5), staff, now)
	if len(x.Shared) != 0 || x.Private != "5-9" {
		t.Fatalf("wellness: shared %d, private %q", len(x.Shared), x.Private)
	}
	js, _ = x.JSON()
	if strings.Contains(string(js), `"U0"`) || !strings.Contains(string(js), `"members_sharing_with_staff": []`) {
		t.Errorf("wellness export names a member:\n%s", js)
	}
	// Too few people: every figure is withheld.
	x = bot.BuildWorkspaceExport(ws, exportGroup(2), nil, now)
	for _, w := range x.Pain {
		if w.Pain.Shown || w.Exercise.Shown {
			t.Errorf("a figure of 3 people was shown: %+v", w)
		}
	}
	if csv, _ := x.CSV(); !strings.Contains(string(csv), "fewer than 5") {
		t.Errorf("withheld figures are not marked:\n%s", csv)
	}
}

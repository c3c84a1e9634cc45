package slack_test

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
)

func TestCommandRequest(t *testing.T) {
	tests := []struct {
		name string
		sc   slackgo.SlashCommand
		want bot.Request
	}{
		{"channel", slackgo.SlashCommand{TeamID: "T1", UserID: "U1", UserName: "ann", ChannelID: "C1", ChannelName: "general", Command: "/pain", Text: "6 knee"},
			bot.Request{Platform: bot.Slack, Workspace: "T1", Channel: "C1", User: "U1", UserName: "ann", Text: "/pain 6 knee"}},
		{"dm by name", slackgo.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: "C9", ChannelName: "directmessage", Command: "/coach", Text: "history"},
			bot.Request{Platform: bot.Slack, Workspace: "T1", Channel: "C9", User: "U1", IsDM: true, Text: "/coach history"}},
		{"dm by id", slackgo.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: "D123", Command: "/coach"},
			bot.Request{Platform: bot.Slack, Workspace: "T1", Channel: "D123", User: "U1", IsDM: true, Text: "/coach"}},
		{"enterprise grid with team", slackgo.SlashCommand{TeamID: "T1", EnterpriseID: "E1", UserID: "U1", ChannelID: "C1", Command: "/pain", Text: "2"},
			bot.Request{Platform: bot.Slack, Workspace: "T1", Channel: "C1", User: "U1", Text: "/pain 2"}},
		{"enterprise grid without team", slackgo.SlashCommand{EnterpriseID: "E1", UserID: "U1", ChannelID: "C1", Command: "/pain", Text: "2"},
			bot.Request{Platform: bot.Slack, Workspace: "E1", Channel: "C1", User: "U1", Text: "/pain 2"}},
		{"escaped text and mention", slackgo.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: "C1", Command: "/coach", Text: "team staff <@U2|bo> &amp; &lt;3"},
			bot.Request{Platform: bot.Slack, Workspace: "T1", Channel: "C1", User: "U1", Text: "/coach team staff <@U2|bo> & <3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := slackadapter.CommandRequest(tt.sc)
			if err != nil {
				t.Fatal(err)
			}
			if got.Platform != tt.want.Platform || got.Workspace != tt.want.Workspace || got.Channel != tt.want.Channel ||
				got.User != tt.want.User || got.UserName != tt.want.UserName || got.IsDM != tt.want.IsDM || got.Text != tt.want.Text {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	for _, sc := range []slackgo.SlashCommand{{UserID: "U1", Command: "/pain"}, {TeamID: "T1", Command: "/pain"}} {
		if _, err := slackadapter.CommandRequest(sc); err == nil {
			t.Errorf("CommandRequest(%+v) accepted a payload without identity", sc)
		}
	}
}

func TestInteractionClicksTakeIdentityFromThePayload(t *testing.T) {
	ic, err := slackadapter.DecodeInteraction([]byte("payload=" + url.QueryEscape(clickPayload("U2", "cmd:coach snooze 1h", "https://hooks.slack.com/actions/T1/1/x"))))
	if err != nil {
		t.Fatal(err)
	}
	clicks, err := slackadapter.InteractionClicks(ic)
	if err != nil || len(clicks) != 1 {
		t.Fatalf("clicks = %+v, %v", clicks, err)
	}
	c := clicks[0]
	if c.Request.User != "U2" || c.Request.Workspace != "T1" || c.Request.Text != "coach snooze 1h" || c.ResponseURL != "https://hooks.slack.com/actions/T1/1/x" {
		t.Errorf("click = %+v", c)
	}

	// Org-wide installs may send no team: the user's team, then the
	// enterprise, identify the workspace.
	ic.Team.ID = ""
	if clicks, _ := slackadapter.InteractionClicks(ic); clicks[0].Request.Workspace != "T1" {
		t.Errorf("workspace from user.team_id = %q", clicks[0].Request.Workspace)
	}
	ic.User.TeamID, ic.Enterprise.ID = "", "E1"
	if clicks, _ := slackadapter.InteractionClicks(ic); clicks[0].Request.Workspace != "E1" {
		t.Errorf("workspace from enterprise = %q", clicks[0].Request.Workspace)
	}
	ic.Enterprise.ID = ""
	if _, err := slackadapter.InteractionClicks(ic); err == nil {
		t.Error("a click without workspace was accepted")
	}
}

func TestButtonCommand(t *testing.T) {
	tests := []struct {
		value, want string
		ok          bool
	}{
		{"cmd:coach done", "coach done", true},
		{"cmd:  pain 4 ", "pain 4", true},
		{"cmd:", "", false},
		{"coach done", "", false},
		{"cmd:" + strings.Repeat("x", bot.MaxInputBytes+1), "", false},
	}
	for _, tt := range tests {
		got, ok := slackadapter.ButtonCommand(tt.value)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ButtonCommand(%.20q) = %q, %v; want %q, %v", tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzDecodeSlashCommand(f *testing.F) {
	f.Add([]byte(commandForm("U1", "/pain", "6 knee sore", "https://hooks.slack.com/commands/T1/1/x")))
	f.Add([]byte("team_id=T1&user_id=U1&command=%2Fcoach&text=team+staff+%3C%40U2%7Cbo%3E&channel_name=directmessage"))
	f.Add([]byte("enterprise_id=E1&user_id=U1&command=/pain&text=%ff%fe"))
	f.Add([]byte("%zz&;;=="))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		sc, err := slackadapter.DecodeSlashCommand(body)
		if err != nil {
			return
		}
		req, err := slackadapter.CommandRequest(sc)
		if err != nil {
			return
		}
		if req.Platform != bot.Slack || req.Workspace == "" || req.User != sc.UserID {
			t.Fatalf("request %+v does not carry the payload's identity", req)
		}
		if req.Workspace != sc.TeamID && (sc.TeamID != "" || req.Workspace != sc.EnterpriseID) {
			t.Fatalf("workspace %q from team %q enterprise %q", req.Workspace, sc.TeamID, sc.EnterpriseID)
		}
	})
}

func FuzzDecodeInteraction(f *testing.F) {
	f.Add([]byte("payload=" + url.QueryEscape(clickPayload("U2", "cmd:pain 4", "https://hooks.slack.com/actions/x"))))
	f.Add([]byte("payload=" + url.QueryEscape(`{"type":"block_actions","user":{"id":"U1","team_id":"T1"},"enterprise":{"id":"E1"},"actions":[{"block_id":"b","value":"cmd:coach done"},{"block_id":"c","value":"other"}]}`)))
	f.Add([]byte("payload=" + url.QueryEscape(`{"type":"view_submission","user":{"id":"U1"}}`)))
	f.Add([]byte("payload=" + url.QueryEscape(`{"type":"block_actions","actions":[{"name":"legacy","value":"cmd:x"}]}`)))
	f.Add([]byte("payload=" + url.QueryEscape(clickPayloadIn("C1", "general", "U2", "form:coach readiness", "https://hooks.slack.com/actions/x"))))
	f.Add([]byte("payload=" + url.QueryEscape(readinessSubmission("U2"))))
	f.Add([]byte("payload=%7B%22type%22%3A"))
	f.Add([]byte("payload="))
	f.Fuzz(func(t *testing.T, body []byte) {
		ic, err := slackadapter.DecodeInteraction(body)
		if err != nil {
			return
		}
		if sub, _, err := slackadapter.FormSubmission(ic); err == nil && sub.Errors == nil && sub.Request.Text != "" {
			if r := sub.Request; r.User != ic.User.ID || r.User == "" || r.Workspace == "" || r.IsDM {
				t.Fatalf("submission %+v does not run as the submitter %q", r, ic.User.ID)
			}
		}
		clicks, err := slackadapter.InteractionClicks(ic)
		if err != nil {
			return
		}
		for _, c := range clicks {
			r := c.Request
			if r.User != ic.User.ID || r.User == "" || r.Workspace == "" {
				t.Fatalf("click %+v does not run as the clicker %q", r, ic.User.ID)
			}
			if c.Form != nil {
				// A dialog opens; nothing runs until it is submitted.
				if r.Text != "" || c.TriggerID != ic.TriggerID || len(c.Form.Fields) == 0 {
					t.Fatalf("form click %+v", c)
				}
				continue
			}
			if r.Text == "" || len(r.Text) > bot.MaxInputBytes {
				t.Fatalf("click command %q", r.Text)
			}
			// Whatever was clicked renders as a valid message.
			msg := slackadapter.Render(bot.Reply{Text: r.Text, Buttons: []bot.Button{{Label: r.Text, Command: r.Text}}})
			if msg.Text == "" || !utf8.ValidString(msg.Text) && utf8.ValidString(r.Text) {
				t.Fatalf("render of %q lost its text", r.Text)
			}
		}
	})
}

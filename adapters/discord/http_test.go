package discord_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

func TestHTTPVerification(t *testing.T) {
	t.Parallel()
	rec := &recorder{reply: bot.Reply{Text: "ok"}}
	e := newEnv(t, envOptions{handler: rec})
	now := e.clock.Now()
	body := slash("100", "g1", "u1", "pain", num("score", 3))
	sig, ts := sign(e.priv, now, body)
	_, otherKey, _ := ed25519.GenerateKey(nil)
	wrongSig, _ := sign(otherKey, now, body)
	staleSig, staleTS := sign(e.priv, now.Add(-5*time.Minute-time.Second), body)
	futureSig, futureTS := sign(e.priv, now.Add(5*time.Minute+time.Second), body)
	edgeSig, edgeTS := sign(e.priv, now.Add(-5*time.Minute), body)
	forged := []byte(strings.Repeat("ab", ed25519.SignatureSize))
	tampered := bytes.Replace(body, []byte(`"value":3`), []byte(`"value":9`), 1)
	big := append(bytes.Repeat([]byte(" "), 64<<10), body...)
	bigSig, _ := sign(e.priv, now, big)

	tests := []struct {
		name    string
		body    []byte
		sig, ts string
		want    int
		handled bool
	}{
		{"forged signature", body, string(forged), ts, http.StatusUnauthorized, false},
		{"wrong key", body, wrongSig, ts, http.StatusUnauthorized, false},
		{"stale timestamp", body, staleSig, staleTS, http.StatusUnauthorized, false},
		{"future timestamp", body, futureSig, futureTS, http.StatusUnauthorized, false},
		{"tampered body", tampered, sig, ts, http.StatusUnauthorized, false},
		{"missing signature", body, "", ts, http.StatusUnauthorized, false},
		{"missing timestamp", body, sig, "", http.StatusUnauthorized, false},
		{"signature not hex", body, "zz" + sig[2:], ts, http.StatusUnauthorized, false},
		{"timestamp not a number", body, sig, "12a", http.StatusUnauthorized, false},
		{"oversize body", big, bigSig, ts, http.StatusRequestEntityTooLarge, false},
		{"valid at the window's edge", body, edgeSig, edgeTS, http.StatusOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(rec.Requests())
			status, resp := e.postSigned(tt.body, tt.sig, tt.ts)
			if status != tt.want {
				t.Fatalf("status = %d (%s), want %d", status, resp, tt.want)
			}
			if handled := len(rec.Requests()) > before; handled != tt.handled {
				t.Errorf("handler called = %v, want %v", handled, tt.handled)
			}
		})
	}
	if n := len(e.fake.Calls()); n != 0 {
		t.Errorf("REST calls = %d, want none", n)
	}
}

// TestHTTPRejectedLeavesNoTrace checks that an unverified interaction writes
// nothing: its id is still unseen afterwards.
func TestHTTPRejectedLeavesNoTrace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	body := slash("200", "g1", "u1", "pain", num("score", 6))
	_, otherKey, _ := ed25519.GenerateKey(nil)
	sig, ts := sign(otherKey, e.clock.Now(), body)
	if status, _ := e.postSigned(body, sig, ts); status != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", status)
	}
	ctx := context.Background()
	if seen, err := e.db.SeenEvent(ctx, "discord:200", e.clock.Now()); err != nil || seen {
		t.Errorf("interaction id recorded by a rejected request (seen=%v, err=%v)", seen, err)
	}
	key := bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: "u1"}
	if got, err := e.db.CheckIns(ctx, key, time.Time{}); err != nil || len(got) != 0 {
		t.Errorf("check-ins = %v, %v; want none", got, err)
	}
}

func TestHTTPPing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{handler: &recorder{}})
	status, body := e.post([]byte(`{"id":"1","type":1,"application_id":"app1","token":"t"}`))
	if status != http.StatusOK || strings.TrimSpace(string(body)) != `{"type":1}` {
		t.Fatalf("PING -> %d %s, want 200 {\"type\":1}", status, body)
	}
}

func TestHTTPMalformed(t *testing.T) {
	t.Parallel()
	rec := &recorder{reply: bot.Reply{Text: "ok"}}
	e := newEnv(t, envOptions{handler: rec})
	for _, body := range []string{`{`, `{"type":2}`, `{"id":"5","type":2,"data":{"name":"pain"}}`} {
		status, _ := e.post([]byte(body))
		if status == http.StatusOK && len(rec.Requests()) > 0 {
			t.Errorf("%s: handled", body)
		}
	}
}

// TestHTTPCheckIn runs /pain through a real Coach and SQLite.
func TestHTTPCheckIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	key := bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: "u1"}

	status, body := e.post(slash("300", "g1", "u1", "pain", num("score", 6), str("area", "knee"), str("note", "after stairs")))
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	r := decodeResponse(t, body)
	if r.Type != 4 || r.Data == nil || r.Data.Flags != 64 || !strings.Contains(r.Data.Content, "Logged **6/10** for your knee") {
		t.Fatalf("response = %s, want an ephemeral check-in answer", body)
	}
	got, err := e.db.CheckIns(ctx, key, time.Time{})
	if err != nil || len(got) != 1 || got[0].Score != 6 || got[0].Area != "knee" || got[0].Note != "after stairs" {
		t.Fatalf("stored check-ins = %+v, %v", got, err)
	}

	status, body = e.post(slash("301", "g1", "u1", "pain", num("score", 11)))
	r = decodeResponse(t, body)
	if status != http.StatusOK || r.Type != 4 || r.Data.Flags != 64 || !strings.Contains(r.Data.Content, "0 to 10") {
		t.Fatalf("score 11 -> %d %s, want a friendly private error", status, body)
	}
	if got, _ := e.db.CheckIns(ctx, key, time.Time{}); len(got) != 1 {
		t.Errorf("score 11 stored something: %d check-ins", len(got))
	}
	if n := len(e.fake.Calls()); n != 0 {
		t.Errorf("REST calls = %d; a fast answer needs none", n)
	}
}

func TestHTTPTypedOptions(t *testing.T) {
	t.Parallel()
	rec := &recorder{reply: bot.Reply{Text: "ok"}}
	e := newEnv(t, envOptions{handler: rec})
	tests := []struct {
		name        string
		body        []byte
		wantPath    string
		wantOptions map[string]string
		wantWS      string
		wantDM      bool
		wantAdmin   bool
	}{
		{"subcommand", slash("400", "g1", "u1", "coach", sub("history", num("days", 30))),
			"coach history", map[string]string{"days": "30"}, "g1", false, false},
		{"group", slash("401", "g1", "u1", "coach", group("tape", sub("on", str("area", "knee"), num("days", 4)))),
			"coach tape on", map[string]string{"area": "knee", "days": "4"}, "g1", false, false},
		{"dm", slash("402", "", "u1", "coach", sub("export")),
			"coach export", map[string]string{}, "dm", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := e.post(tt.body); status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			reqs := rec.Requests()
			req := reqs[len(reqs)-1]
			if strings.Join(req.Path, " ") != tt.wantPath || req.Workspace != tt.wantWS || req.IsDM != tt.wantDM ||
				req.User != "u1" || req.Platform != bot.Discord || req.IsAdmin != tt.wantAdmin || req.Text != "" {
				t.Errorf("request = %+v", req)
			}
			if len(req.Options) != len(tt.wantOptions) {
				t.Errorf("options = %v, want %v", req.Options, tt.wantOptions)
			}
			for k, v := range tt.wantOptions {
				if req.Options[k] != v {
					t.Errorf("option %s = %q, want %q", k, req.Options[k], v)
				}
			}
		})
	}
}

func TestHTTPAdmin(t *testing.T) {
	t.Parallel()
	rec := &recorder{reply: bot.Reply{Text: "ok"}}
	e := newEnv(t, envOptions{handler: rec})
	tests := []struct {
		perms string
		want  bool
	}{{"0", false}, {"8", true}, {"32", true}, {"2048", false}}
	for i, tt := range tests {
		in := interaction{ID: "50" + string(rune('0'+i)), AppID: "app1", Type: 2, Token: "t", GuildID: "g1", Channel: "42",
			Member: &member{User: user{ID: "u1", Username: "ann"}, Nick: "Coach Ann", Permissions: tt.perms},
			Data:   map[string]any{"name": "coach", "type": 1, "options": []option{sub("help")}}}
		if status, body := e.post(mustJSON(in)); status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		reqs := rec.Requests()
		if got := reqs[len(reqs)-1]; got.IsAdmin != tt.want || got.UserName != "Coach Ann" {
			t.Errorf("permissions %s: IsAdmin = %v, UserName %q", tt.perms, got.IsAdmin, got.UserName)
		}
	}
}

// TestHTTPClickRunsAsClicker: a button on a message anyone can see acts
// for whoever clicks it, and answers them privately.
func TestHTTPClickRunsAsClicker(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	status, body := e.post(click("600", "g1", "u2", "rc:pain 4", false))
	r := decodeResponse(t, body)
	if status != http.StatusOK || r.Type != 4 || r.Data.Flags != 64 || !strings.Contains(r.Data.Content, "4/10") {
		t.Fatalf("click -> %d %s", status, body)
	}
	for _, u := range []string{"u1", "u2"} {
		got, _ := e.db.CheckIns(ctx, bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: u}, time.Time{})
		if want := map[string]int{"u1": 0, "u2": 1}[u]; len(got) != want {
			t.Errorf("%s has %d check-ins, want %d", u, len(got), want)
		}
	}
}

// TestHTTPClickUpdatesPrivateMessage: confirming on a private prompt
// replaces the prompt, so the button cannot be clicked twice.
func TestHTTPClickUpdatesPrivateMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.post(slash("700", "g1", "u1", "pain", num("score", 2)))
	status, body := e.post(slash("701", "g1", "u1", "coach", sub("forget")))
	r := decodeResponse(t, body)
	if status != http.StatusOK || len(r.Data.Components) != 1 || r.Data.Components[0].Components[0].CustomID != "rc:coach forget confirm" {
		t.Fatalf("forget -> %s, want a confirm button", body)
	}
	status, body = e.post(click("702", "g1", "u1", r.Data.Components[0].Components[0].CustomID, true))
	r = decodeResponse(t, body)
	if status != http.StatusOK || r.Type != 7 || len(r.Data.Components) != 0 || !strings.Contains(r.Data.Content, "deleted") {
		t.Fatalf("confirm -> %s, want an update that removes the button", body)
	}
	got, _ := e.db.CheckIns(context.Background(), bot.MemberKey{Platform: bot.Discord, Workspace: "g1", User: "u1"}, time.Time{})
	if len(got) != 0 {
		t.Errorf("check-ins after forget = %d", len(got))
	}
}

func TestHTTPForeignButton(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	e := newEnv(t, envOptions{handler: rec})
	status, body := e.post(click("800", "g1", "u1", "other-bot:thing", false))
	r := decodeResponse(t, body)
	if status != http.StatusOK || r.Type != 4 || r.Data.Flags != 64 || len(rec.Requests()) != 0 {
		t.Fatalf("foreign button -> %d %s, handled %d", status, body, len(rec.Requests()))
	}
}

func TestHTTPDuplicateInteraction(t *testing.T) {
	t.Parallel()
	for name, body := range map[string][]byte{
		"command":      slash("900", "g1", "u1", "coach", sub("help")),
		"modal submit": submit("901", "g1", "u1", "rcm:coach readiness", readinessAnswers...),
	} {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{reply: bot.Reply{Text: "ok"}}
			e := newEnv(t, envOptions{handler: rec})
			if status, _ := e.post(body); status != http.StatusOK {
				t.Fatalf("first: %d", status)
			}
			if status, _ := e.post(body); status != http.StatusUnauthorized {
				t.Errorf("replay: %d, want 401", status)
			}
			if n := len(rec.Requests()); n != 1 {
				t.Errorf("handled %d times, want once", n)
			}
		})
	}
}

// TestHTTPDeferral: a slow command is deferred privately, then its answer
// replaces the placeholder through the interaction webhook.
func TestHTTPDeferral(t *testing.T) {
	t.Parallel()
	slow := newBlocker(bot.Reply{Title: "Your last 14 days", Text: "`▁▂▃`", Fields: []bot.Field{{Name: "Check-ins", Value: "3"}}})
	e := newEnv(t, envOptions{handler: slow, ackDeadline: time.Nanosecond})
	status, body := e.post(slash("1000", "g1", "u1", "coach", sub("history")))
	r := decodeResponse(t, body)
	if status != http.StatusOK || r.Type != 5 || r.Data == nil || r.Data.Flags != 64 {
		t.Fatalf("slow command -> %d %s, want a private deferral", status, body)
	}
	<-slow.started
	close(slow.release)
	c := e.fake.next(t)
	if c.Method != http.MethodPatch || c.Path != "/webhooks/app1/tok-1000/messages/@original" {
		t.Fatalf("late call = %s %s, want PATCH of the original response", c.Method, c.Path)
	}
	checkGolden(t, "edit_deferred.json", c.JSON)
}

// TestHTTPDeferralPublic: a public answer to a privately deferred command
// goes out as a follow-up, and the private placeholder is removed.
func TestHTTPDeferralPublic(t *testing.T) {
	t.Parallel()
	slow := newBlocker(bot.Reply{Text: "Team readiness is up.", Visibility: bot.InChannel})
	e := newEnv(t, envOptions{handler: slow, ackDeadline: time.Nanosecond})
	if status, body := e.post(slash("1100", "g1", "u1", "coach", group("team", sub("report")))); status != http.StatusOK || decodeResponse(t, body).Type != 5 {
		t.Fatalf("-> %d %s", status, body)
	}
	<-slow.started
	close(slow.release)
	follow, del := e.fake.next(t), e.fake.next(t)
	if follow.Method != http.MethodPost || follow.Path != "/webhooks/app1/tok-1100" || strings.Contains(string(follow.JSON), `"flags"`) {
		t.Errorf("follow-up = %s %s %s, want a public webhook message", follow.Method, follow.Path, follow.JSON)
	}
	if del.Method != http.MethodDelete || del.Path != "/webhooks/app1/tok-1100/messages/@original" {
		t.Errorf("then %s %s, want DELETE of the placeholder", del.Method, del.Path)
	}
}

// TestHTTPExportAttachesCSV: files go out as a multipart edit of a deferred
// answer.
func TestHTTPExportAttachesCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.post(slash("1200", "g1", "u1", "pain", num("score", 5), str("area", "ankle")))
	status, body := e.post(slash("1201", "g1", "u1", "coach", sub("export")))
	if r := decodeResponse(t, body); status != http.StatusOK || r.Type != 5 || r.Data.Flags != 64 {
		t.Fatalf("export -> %d %s, want a private deferral", status, body)
	}
	c := e.fake.next(t)
	if c.Method != http.MethodPatch || !strings.HasSuffix(c.Path, "/messages/@original") {
		t.Fatalf("call = %s %s", c.Method, c.Path)
	}
	name := "recoverycoach-" + bot.LocalDay(bottest.Start, time.UTC) + ".csv"
	csv, ok := c.Files[name]
	if !ok || !bytes.Contains(csv, []byte("checkin,")) || !bytes.Contains(csv, []byte(",5,ankle,")) {
		t.Fatalf("files = %v, want %s with the check-in", keys(c.Files), name)
	}
	var edit struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(c.JSON, &edit); err != nil || !strings.Contains(edit.Content, "1 check-in.") {
		t.Errorf("payload_json = %s", c.JSON)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestRenderGolden pins the payloads Discord gets for typical replies.
func TestRenderGolden(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Keep going. ", 200)
	buttons := make([]bot.Button, 7)
	for i := range buttons {
		buttons[i] = bot.Button{Label: "Pain " + string(rune('0'+i)), Command: "pain " + string(rune('0'+i))}
	}
	tests := []struct {
		name  string
		reply bot.Reply
	}{
		{"text", bot.Reply{Text: "Logged **6/10** for your knee. _Nice work_ checking in. See [the card](https://example.com/tape)."}},
		{"embed", bot.Reply{Title: "Welcome to **Recovery Coach**", Text: "Hi!\n- one\n- two", Fields: []bot.Field{{Name: "Time zone", Value: "UTC"}, {Name: "Sharing", Value: ""}},
			Footer: "Why this advice: score `6` is moderate", Buttons: []bot.Button{
				{Label: "Yes, share with staff", Command: "coach start yes", Style: bot.ButtonPrimary},
				{Label: "No, keep private", Command: "coach start no"},
				{Label: "Delete everything", Command: "coach forget confirm", Style: bot.ButtonDanger}}}},
		{"in_channel", bot.Reply{Text: "Team readiness is up.", Visibility: bot.InChannel}},
		{"long_text", bot.Reply{Text: long}},
		{"button_rows", bot.Reply{Text: "How is it now?", Buttons: append(buttons,
			bot.Button{Label: "Too long", Command: "coach learn " + strings.Repeat("x", 100)})}},
		{"empty", bot.Reply{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{handler: &recorder{reply: tt.reply}})
			status, body := e.post(slash("1300", "g1", "u1", "coach", sub("help")))
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			checkGolden(t, "reply_"+tt.name+".json", body)
		})
	}
}

// TestRenderReadinessPrompt pins the daily readiness prompt as Discord
// receives it: one question with five buttons that carry the answers.
func TestRenderReadinessPrompt(t *testing.T) {
	t.Parallel()
	coach, _, _ := bottest.NewCoach(t, nil)
	prompt := coach.Handle(context.Background(), bottest.Request("/coach readiness 4"))
	e := newEnv(t, envOptions{handler: &recorder{reply: prompt}})
	status, body := e.post(slash("1301", "g1", "u1", "coach", sub("help")))
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	checkGolden(t, "reply_readiness_prompt.json", body)
}

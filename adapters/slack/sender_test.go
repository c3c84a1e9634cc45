package slack_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

var nudge = bot.Reply{
	Title: "Time for your exercises",
	Text:  "Your knee program: **3 exercises**, about 10 minutes.",
	Buttons: []bot.Button{
		{Label: "Done", Command: "coach done", Style: bot.ButtonPrimary},
		{Label: "Snooze 1h", Command: "coach snooze 1h"},
		{Label: "Skip today", Command: "coach snooze 1d"},
	},
}

// member creates a Slack member in T1, so that the DM channel can be cached.
func (h *harness) member(user string) bot.MemberKey {
	h.t.Helper()
	key := bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: user}
	if _, _, err := h.db.EnsureMember(context.Background(), bot.Member{Key: key, TZ: "UTC", Role: bot.RoleMember, CreatedAt: bottest.Start}); err != nil {
		h.t.Fatalf("EnsureMember: %v", err)
	}
	return key
}

func (h *harness) methods() []string {
	var out []string
	for _, c := range h.fake.Calls() {
		out = append(out, c.Method)
	}
	return out
}

func TestSendCachesTheDMChannel(t *testing.T) {
	h := newHarness(t)
	key := h.member("U1")
	ctx := context.Background()
	for range 2 {
		if err := h.adapter.Send(ctx, key, nudge); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	want := []string{"conversations.open", "chat.postMessage", "chat.postMessage"}
	if got := h.methods(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("calls = %v, want %v (the second nudge costs one call)", got, want)
	}
	if ch, _ := h.db.DMChannel(ctx, key); ch != "DU1" {
		t.Errorf("cached channel = %q, want DU1", ch)
	}
	post := h.fake.Calls("chat.postMessage")[1].Form
	if post.Get("channel") != "DU1" || !strings.Contains(post.Get("text"), "Time for your exercises") {
		t.Errorf("post = %v", post)
	}
	for _, want := range []string{`"value":"cmd:coach done"`, `"style":"primary"`, `"type":"header"`} {
		if !strings.Contains(post.Get("blocks"), want) {
			t.Errorf("blocks lack %s: %s", want, post.Get("blocks"))
		}
	}
}

func TestSendRateLimited(t *testing.T) {
	h := newHarness(t)
	key := h.member("U1")
	h.fake.fail("chat.postMessage", "ratelimited")
	err := h.adapter.Send(context.Background(), key, nudge)
	var rl *bot.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Fatalf("err = %v, want *bot.RateLimitedError with RetryAfter 7s", err)
	}
	if errors.Is(err, bot.ErrUnreachable) {
		t.Error("a rate limit is not permanent")
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		method, code    string
		wantUnreachable bool
	}{
		{"conversations.open", "cannot_dm_bot", true},
		{"conversations.open", "user_not_found", true},
		{"conversations.open", "account_inactive", true},
		{"chat.postMessage", "is_archived", true},
		{"chat.postMessage", "channel_not_found", true},
		{"chat.postMessage", "internal_error", false},
		{"conversations.open", "fatal_error", false},
	}
	for _, tt := range tests {
		t.Run(tt.method+"/"+tt.code, func(t *testing.T) {
			h := newHarness(t)
			key := h.member("U1")
			h.fake.fail(tt.method, tt.code)
			err := h.adapter.Send(context.Background(), key, nudge)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if got := errors.Is(err, bot.ErrUnreachable); got != tt.wantUnreachable {
				t.Errorf("errors.Is(%v, ErrUnreachable) = %v, want %v", err, got, tt.wantUnreachable)
			}
			var rl *bot.RateLimitedError
			if errors.As(err, &rl) {
				t.Errorf("%v is not a rate limit", err)
			}
		})
	}
}

func TestSendReopensAStaleDMChannelOnce(t *testing.T) {
	h := newHarness(t)
	key := h.member("U1")
	ctx := context.Background()
	if err := h.db.SetDMChannel(ctx, key, "DOLD"); err != nil {
		t.Fatal(err)
	}
	h.fake.fail("chat.postMessage:DOLD", "channel_not_found")
	if err := h.adapter.Send(ctx, key, nudge); err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := "chat.postMessage,conversations.open,chat.postMessage"
	if got := strings.Join(h.methods(), ","); got != want {
		t.Errorf("calls = %s, want %s", got, want)
	}
	if ch, _ := h.db.DMChannel(ctx, key); ch != "DU1" {
		t.Errorf("cached channel = %q, want the reopened DU1", ch)
	}
}

func TestSendGivesUpWhenTheReopenedChannelIsGoneToo(t *testing.T) {
	h := newHarness(t)
	key := h.member("U1")
	ctx := context.Background()
	if err := h.db.SetDMChannel(ctx, key, "DOLD"); err != nil {
		t.Fatal(err)
	}
	h.fake.fail("chat.postMessage", "channel_not_found")
	err := h.adapter.Send(ctx, key, nudge)
	if !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if n := len(h.fake.Calls("conversations.open")); n != 1 {
		t.Errorf("conversations.open called %d times, want 1", n)
	}
}

func TestSendUploadsLargeFiles(t *testing.T) {
	h := newHarness(t)
	key := h.member("U1")
	csv := "record,time_utc,score\n" + strings.Repeat("checkin,2026-03-02T09:00:00Z,4\n", 200)
	reply := bot.Reply{Text: "Here is your export.", Files: []bot.File{{Name: "export.csv", ContentType: "text/csv", Data: []byte(csv)}}}
	if err := h.adapter.Send(context.Background(), key, reply); err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := "conversations.open,files.getUploadURLExternal,upload,files.completeUploadExternal,chat.postMessage"
	if got := strings.Join(h.methods(), ","); got != want {
		t.Fatalf("calls = %s, want %s", got, want)
	}
	if ch := h.fake.Calls("files.completeUploadExternal")[0].Form.Get("channel_id"); ch != "DU1" {
		t.Errorf("file shared to %q, want the DM", ch)
	}
	if size := h.fake.Calls("upload")[0].Form.Get("size"); size == "0" {
		t.Error("uploaded an empty file")
	}
	text := h.fake.Calls("chat.postMessage")[0].Form.Get("text")
	if !strings.Contains(text, "I sent export.csv to our direct messages") {
		t.Errorf("message text = %q", text)
	}
}

func TestSendRefusesOtherPlatforms(t *testing.T) {
	h := newHarness(t)
	err := h.adapter.Send(context.Background(), bot.MemberKey{Platform: bot.Discord, Workspace: "G1", User: "1"}, nudge)
	if !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if calls := h.fake.Calls(); len(calls) != 0 {
		t.Errorf("called Slack for a Discord member: %+v", calls)
	}
}

// TestSendChannel: staff alerts go to a workspace channel; a channel the
// bot is not in fails as unreachable rather than being retried.
func TestSendChannel(t *testing.T) {
	h := newHarness(t)
	alert := bot.Reply{Title: "Red flag", Text: "<@U1> reported a red flag.", Visibility: bot.InChannel}
	if err := h.adapter.SendChannel(context.Background(), bot.Slack, "T1", "C9", alert); err != nil {
		t.Fatalf("SendChannel: %v", err)
	}
	post := h.fake.Calls("chat.postMessage")[0].Form
	if post.Get("channel") != "C9" || !strings.Contains(post.Get("text"), "<@U1>") {
		t.Errorf("post = %v (the mention must stay live)", post)
	}
	h.fake.fail("chat.postMessage", "not_in_channel")
	if err := h.adapter.SendChannel(context.Background(), bot.Slack, "T1", "C9", alert); !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("not_in_channel error = %v, want unreachable", err)
	}
}

// TestSendTrackedPostsByUserWithMetadata: a tracked nudge goes to the
// member's user id in one call, carries the outbox id as metadata, and the
// DM channel from the answer is stored for reconciliation.
func TestSendTrackedPostsByUserWithMetadata(t *testing.T) {
	h := newHarness(t)
	key := h.member("U1")
	ctx := context.Background()
	if err := h.adapter.SendTracked(ctx, key, "", nudge, bot.Delivery{ID: 42, Began: bottest.Start}); err != nil {
		t.Fatalf("SendTracked: %v", err)
	}
	if got := strings.Join(h.methods(), ","); got != "chat.postMessage" {
		t.Fatalf("calls = %s, want one chat.postMessage", got)
	}
	post := h.fake.Calls("chat.postMessage")[0].Form
	if post.Get("channel") != "U1" || !strings.Contains(post.Get("metadata"), `"recoverycoach_outbox"`) || !strings.Contains(post.Get("metadata"), `"42"`) {
		t.Errorf("post = %v, want channel U1 and metadata with the outbox id", post)
	}
	if ch, _ := h.db.DMChannel(ctx, key); ch != "DU1" {
		t.Errorf("stored channel = %q, want DU1", ch)
	}
}

// TestDeliveredReadsTheDMHistory: a row whose message is in the DM with
// its metadata is found; another row's id is not.
func TestDeliveredReadsTheDMHistory(t *testing.T) {
	h := newHarness(t)
	key := h.member("U1")
	ctx := context.Background()
	if err := h.adapter.SendTracked(ctx, key, "", nudge, bot.Delivery{ID: 42, Began: bottest.Start}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]bool{42: true, 43: false} {
		found, err := h.adapter.Delivered(ctx, key, "", bot.Delivery{ID: id, Began: bottest.Start})
		if err != nil || found != want {
			t.Errorf("Delivered(%d) = %v, %v; want %v", id, found, err, want)
		}
	}
	hist := h.fake.Calls("conversations.history")
	if len(hist) == 0 || hist[0].Form.Get("channel") != "DU1" || hist[0].Form.Get("include_all_metadata") != "1" || hist[0].Form.Get("oldest") == "" {
		t.Errorf("history calls = %v, want DU1 with metadata from just before the send", hist)
	}
	h.fake.fail("conversations.history", "ratelimited")
	if _, err := h.adapter.Delivered(ctx, key, "", bot.Delivery{ID: 42, Began: bottest.Start}); err == nil {
		t.Error("Delivered with history failing = nil error, want one (the row is then sent again)")
	}
}

package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// requestAt builds a request signed with secret at the Unix time ts.
func requestAt(path, body, secret string, ts int64) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("X-Slack-Signature", sign(secret, ts, body))
	return r
}

func TestVerificationRefusesUnsignedForgedAndStale(t *testing.T) {
	body := commandForm("U1", "/pain", "4 knee", "")
	now := time.Now().Unix()
	tests := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"signed", func() *http.Request { return requestAt("/slack/commands", body, testSecret, now) }, http.StatusOK},
		{"no signature", func() *http.Request {
			r := requestAt("/slack/commands", body, testSecret, now)
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized},
		{"no timestamp", func() *http.Request {
			r := requestAt("/slack/commands", body, testSecret, now)
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized},
		{"wrong secret", func() *http.Request { return requestAt("/slack/commands", body, "not-the-secret", now) }, http.StatusUnauthorized},
		{"body tampered", func() *http.Request {
			r := requestAt("/slack/commands", body, testSecret, now)
			r.Body = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Replace(body, "U1", "U9", 1))).Body
			return r
		}, http.StatusUnauthorized},
		{"timestamp changed", func() *http.Request {
			r := requestAt("/slack/commands", body, testSecret, now)
			r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now-1, 10))
			return r
		}, http.StatusUnauthorized},
		{"stale", func() *http.Request { return requestAt("/slack/commands", body, testSecret, now-6*60) }, http.StatusUnauthorized},
		{"future", func() *http.Request { return requestAt("/slack/commands", body, testSecret, now+6*60) }, http.StatusUnauthorized},
		{"signature not hex", func() *http.Request {
			r := requestAt("/slack/commands", body, testSecret, now)
			r.Header.Set("X-Slack-Signature", "v0=zz")
			return r
		}, http.StatusUnauthorized},
		{"other scheme", func() *http.Request {
			r := requestAt("/slack/commands", body, testSecret, now)
			r.Header.Set("X-Slack-Signature", strings.Replace(r.Header.Get("X-Slack-Signature"), "v0=", "v1=", 1))
			return r
		}, http.StatusUnauthorized},
		{"interactions forged", func() *http.Request {
			return requestAt("/slack/interactions", "payload="+url.QueryEscape(clickPayload("U1", "cmd:pain 4", "")), "x", now)
		}, http.StatusUnauthorized},
		{"view submission forged", func() *http.Request {
			return requestAt("/slack/interactions", "payload="+url.QueryEscape(readinessSubmission("U1")), "x", now)
		}, http.StatusUnauthorized},
		{"view submission unsigned", func() *http.Request {
			r := requestAt("/slack/interactions", "payload="+url.QueryEscape(readinessSubmission("U1")), testSecret, now)
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized},
		{"events forged", func() *http.Request {
			return requestAt("/slack/events", `{"type":"url_verification","challenge":"c"}`, "x", now)
		}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			w := h.serve(tt.req())
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tt.want, w.Body.String())
			}
			h.drain()
			if tt.want == http.StatusOK {
				if n := len(h.checkIns("U1")); n != 1 {
					t.Fatalf("signed request stored %d check-ins, want 1", n)
				}
				return
			}
			if got := h.handler.Requests(); len(got) != 0 {
				t.Errorf("refused request reached the handler: %+v", got)
			}
			if _, err := h.db.Member(context.Background(), bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U1"}); bot.ErrorCode(err) != bot.ENOTFOUND {
				t.Errorf("refused request created a member (err %v)", err)
			}
			if calls := h.fake.Calls(); len(calls) != 0 {
				t.Errorf("refused request called Slack: %+v", calls)
			}
		})
	}
}

func TestReplayIsRefusedButRetryIsAcknowledged(t *testing.T) {
	tests := []struct {
		name, path, body string
		stored           func(h *harness) int
	}{
		{"slash command", "/slack/commands", commandForm("U1", "/pain", "3", ""), func(h *harness) int { return len(h.checkIns("U1")) }},
		{"form submission", "/slack/interactions", "payload=" + url.QueryEscape(readinessSubmission("U1")), func(h *harness) int { return readinessCount(h, "U1") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ts := time.Now().Unix()
			if w := h.serve(requestAt(tt.path, tt.body, testSecret, ts)); w.Code != http.StatusOK {
				t.Fatalf("first: status %d", w.Code)
			}
			if w := h.serve(requestAt(tt.path, tt.body, testSecret, ts)); w.Code != http.StatusUnauthorized {
				t.Fatalf("replay: status %d, want 401", w.Code)
			}
			retry := requestAt(tt.path, tt.body, testSecret, ts)
			retry.Header.Set("X-Slack-Retry-Num", "1")
			retry.Header.Set("X-Slack-Retry-Reason", "http_timeout")
			if w := h.serve(retry); w.Code != http.StatusOK {
				t.Fatalf("retry: status %d, want 200", w.Code)
			}
			h.drain()
			if n := len(h.handler.Requests()); n != 1 {
				t.Errorf("handler ran %d times, want once", n)
			}
			if n := tt.stored(h); n != 1 {
				t.Errorf("%d records stored, want 1", n)
			}
		})
	}
}

// TestSharedReplayAcrossInstances: two adapters share one store, as two
// instances behind a load balancer do. A request accepted by A and replayed
// to B is refused only when SharedReplay records signatures in the store;
// without it B's memory has never seen the request.
func TestSharedReplayAcrossInstances(t *testing.T) {
	tests := []struct {
		name   string
		shared bool
		want   int // B's answer to the replay
		runs   int // requests B's handler saw
	}{
		{"shared", true, http.StatusUnauthorized, 0},
		{"memory only", false, http.StatusOK, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newHarness(t, func(c *slackadapter.Config, _ *fakeSlack) { c.SharedReplay = tt.shared })
			b := newHarness(t, func(c *slackadapter.Config, _ *fakeSlack) {
				c.Store = a.db
				c.SharedReplay = tt.shared
			})
			body := commandForm("U1", "/pain", "3", "")
			ts := time.Now().Unix()
			if w := a.serve(requestAt("/slack/commands", body, testSecret, ts)); w.Code != http.StatusOK {
				t.Fatalf("A: status %d, want 200", w.Code)
			}
			if w := b.serve(requestAt("/slack/commands", body, testSecret, ts)); w.Code != tt.want {
				t.Fatalf("B: status %d, want %d", w.Code, tt.want)
			}
			b.drain()
			if n := len(b.handler.Requests()); n != tt.runs {
				t.Errorf("B's handler ran %d times, want %d", n, tt.runs)
			}
		})
	}
}

// TestSharedReplayAcknowledgesRetryOnAnotherInstance: a Slack retry of a
// request another instance already took is acknowledged, not refused and
// not run again.
func TestSharedReplayAcknowledgesRetryOnAnotherInstance(t *testing.T) {
	a := newHarness(t, func(c *slackadapter.Config, _ *fakeSlack) { c.SharedReplay = true })
	b := newHarness(t, func(c *slackadapter.Config, _ *fakeSlack) {
		c.Store = a.db
		c.SharedReplay = true
	})
	body := commandForm("U1", "/pain", "3", "")
	ts := time.Now().Unix()
	if w := a.serve(requestAt("/slack/commands", body, testSecret, ts)); w.Code != http.StatusOK {
		t.Fatalf("A: status %d, want 200", w.Code)
	}
	retry := requestAt("/slack/commands", body, testSecret, ts)
	retry.Header.Set("X-Slack-Retry-Num", "1")
	if w := b.serve(retry); w.Code != http.StatusOK {
		t.Fatalf("retry to B: status %d, want 200", w.Code)
	}
	b.drain()
	if n := len(b.handler.Requests()); n != 0 {
		t.Errorf("B's handler ran %d times, want 0", n)
	}
}

// failingSeen is a store whose event records cannot be written.
type failingSeen struct{ slackadapter.Store }

func (failingSeen) SeenEvent(context.Context, string, time.Time) (bool, error) {
	return false, errors.New("database is down")
}

// TestSharedReplayStoreFailureRefuses: when the shared record cannot be
// checked the request is refused as unavailable rather than run unchecked.
func TestSharedReplayStoreFailureRefuses(t *testing.T) {
	h := newHarness(t, func(c *slackadapter.Config, _ *fakeSlack) {
		c.Store = failingSeen{c.Store}
		c.SharedReplay = true
	})
	if w := h.command("U1", "/pain", "3"); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", w.Code)
	}
	h.drain()
	if n := len(h.handler.Requests()); n != 0 {
		t.Errorf("handler ran %d times, want 0", n)
	}
}

func TestOversizeBodyIsRefused(t *testing.T) {
	h := newHarness(t)
	body := commandForm("U1", "/pain", "3", "") + "&pad=" + strings.Repeat("x", slackadapter.MaxBodyBytes)
	w := h.serve(requestAt("/slack/commands", body, testSecret, time.Now().Unix()))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d, want 413", w.Code)
	}
	h.drain()
	if n := len(h.handler.Requests()); n != 0 {
		t.Errorf("oversize request reached the handler %d times", n)
	}
}

func TestURLVerification(t *testing.T) {
	h := newHarness(t)
	body := `{"token":"legacy","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	w := h.serve(signedRequest("/slack/events", "application/json", body))
	if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("got %d %q, want the challenge", w.Code, w.Body.String())
	}
}

func homeOpened(eventID, user, view string) string {
	return `{"token":"legacy","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"` + eventID +
		`","event_time":1700000000,"event":{"type":"app_home_opened","user":"` + user + `","channel":"D1","tab":"home","event_ts":"1700000000.1"` + view + `}}`
}

func TestDuplicateEventIsProcessedOnce(t *testing.T) {
	h := newHarness(t)
	now := time.Now().Unix()
	first := requestAt("/slack/events", homeOpened("Ev1", "U1", ""), testSecret, now)
	// Slack's retry is a new request (new timestamp, new signature) with
	// the same event_id.
	retry := requestAt("/slack/events", homeOpened("Ev1", "U1", ""), testSecret, now-1)
	retry.Header.Set("X-Slack-Retry-Num", "1")
	other := requestAt("/slack/events", homeOpened("Ev2", "U2", ""), testSecret, now)
	for i, r := range []*http.Request{first, retry, other} {
		if w := h.serve(r); w.Code != http.StatusOK {
			t.Fatalf("request %d: status %d", i, w.Code)
		}
	}
	h.drain()
	calls := h.fake.Calls("views.publish")
	if len(calls) != 2 {
		t.Fatalf("views.publish called %d times, want 2 (Ev1 once, Ev2 once)", len(calls))
	}
	views := calls[0].Form.Get("json") + calls[1].Form.Get("json")
	for _, want := range []string{`"user_id":"U1"`, `"user_id":"U2"`, `"type":"home"`, "Recovery Coach", "/coach start"} {
		if !strings.Contains(views, want) {
			t.Errorf("published views lack %s: %s", want, views)
		}
	}
}

func TestSlashCommandCheckInIsPrivate(t *testing.T) {
	h := newHarness(t)
	h.fake.setUser(slackgo.User{ID: "U1", TZ: "America/New_York", IsAdmin: true})

	m := decodeMessage(t, h.command("U1", "/pain", "6 knee sore after stairs"))
	if m.ResponseType != slackgo.ResponseTypeEphemeral {
		t.Errorf("response_type = %q, want ephemeral", m.ResponseType)
	}
	if !strings.Contains(m.Text, "Logged 6/10 for your knee") {
		t.Errorf("fallback text = %q", m.Text)
	}
	if m.Blocks == nil || len(m.Blocks.BlockSet) == 0 {
		t.Fatalf("no blocks in %+v", m)
	}
	got := h.checkIns("U1")
	if len(got) != 1 || got[0].Score != 6 || got[0].Area != "knee" {
		t.Fatalf("stored %+v, want one 6/10 knee check-in", got)
	}
	member, err := h.db.Member(context.Background(), bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U1"})
	if err != nil || member.TZ != "America/New_York" {
		t.Errorf("member zone = %q (err %v), want the Slack zone America/New_York", member.TZ, err)
	}
	req := h.handler.Requests()[0]
	if !req.IsAdmin || req.IsDM || req.Workspace != "T1" || req.Text != "/pain 6 knee sore after stairs" {
		t.Errorf("request = %+v", req)
	}

	decodeMessage(t, h.command("U1", "/coach", "history"))
	if n := len(h.fake.Calls("users.info")); n != 1 {
		t.Errorf("users.info called %d times for one user, want 1 (cached)", n)
	}
}

func TestOutOfRangeScoreShowsUsageAndStoresNothing(t *testing.T) {
	h := newHarness(t)
	m := decodeMessage(t, h.command("U1", "/pain", "11"))
	if m.ResponseType != slackgo.ResponseTypeEphemeral {
		t.Errorf("response_type = %q, want ephemeral", m.ResponseType)
	}
	if !strings.Contains(m.Text, "Usage: /pain SCORE") {
		t.Errorf("answer %q does not show the usage", m.Text)
	}
	if got := h.checkIns("U1"); len(got) != 0 {
		t.Errorf("stored %+v for a bad score", got)
	}
}

func clickPayload(user, value, responseURL string) string {
	return clickPayloadIn("DU1", "directmessage", user, value, responseURL)
}

// testTriggerID is the trigger_id of every click the tests send.
const testTriggerID = "13345224609.738474920.8088930838d88f008e0"

// clickPayloadIn is a click on a button of a message in channel.
func clickPayloadIn(channel, channelName, user, value, responseURL string) string {
	return `{"type":"block_actions","team":{"id":"T1","domain":"acme"},` +
		`"user":{"id":"` + user + `","username":"` + strings.ToLower(user) + `","team_id":"T1"},` +
		`"api_app_id":"A1","trigger_id":"` + testTriggerID + `",` +
		`"container":{"type":"message","message_ts":"1.2","channel_id":"` + channel + `","is_ephemeral":false},` +
		`"channel":{"id":"` + channel + `","name":"` + channelName + `"},"response_url":"` + responseURL + `",` +
		`"actions":[{"type":"button","action_id":"rc:0","block_id":"b1","value":"` + value + `","action_ts":"1.3"}]}`
}

func TestButtonRunsAsTheClicker(t *testing.T) {
	h := newHarness(t)
	// The nudge went to U1, but U2 clicks it (for example in a shared
	// screen): the check-in belongs to U2.
	body := "payload=" + url.QueryEscape(clickPayload("U2", "cmd:pain 4", h.fake.ResponseURL("click")))
	w := h.serve(signedRequest("/slack/interactions", "application/x-www-form-urlencoded", body))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("ack = %d %q, want an empty 200", w.Code, w.Body.String())
	}
	m := h.nextResponse()
	if m.ResponseType != slackgo.ResponseTypeEphemeral || m.ReplaceOriginal {
		t.Errorf("follow-up response_type=%q replace_original=%v, want a new ephemeral message", m.ResponseType, m.ReplaceOriginal)
	}
	if !strings.Contains(m.Text, "Logged 4/10") {
		t.Errorf("follow-up text = %q", m.Text)
	}
	h.drain()
	if n := len(h.checkIns("U2")); n != 1 {
		t.Errorf("clicker has %d check-ins, want 1", n)
	}
	if n := len(h.checkIns("U1")); n != 0 {
		t.Errorf("nudged user has %d check-ins, want 0", n)
	}
	if req := h.handler.Requests()[0]; req.User != "U2" || req.Workspace != "T1" || !req.IsDM {
		t.Errorf("request = %+v, want U2 in T1 in a DM", req)
	}
}

func TestForeignButtonIsIgnored(t *testing.T) {
	h := newHarness(t)
	body := "payload=" + url.QueryEscape(clickPayload("U2", "approve", h.fake.ResponseURL("click")))
	if w := h.serve(signedRequest("/slack/interactions", "application/x-www-form-urlencoded", body)); w.Code != http.StatusOK {
		t.Fatalf("status = %d", w.Code)
	}
	h.drain()
	if n := len(h.handler.Requests()); n != 0 {
		t.Errorf("a button without our prefix ran %d commands", n)
	}
}

func TestSlowCommandFollowsUpThroughResponseURL(t *testing.T) {
	h := newHarness(t, func(c *slackadapter.Config, _ *fakeSlack) { c.AckDeadline = time.Nanosecond })
	h.handler.hold = make(chan struct{})
	h.handler.entered = make(chan struct{}, 1)

	w := h.command("U1", "/pain", "5")
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("ack = %d %q, want an empty 200 before the answer is ready", w.Code, w.Body.String())
	}
	<-h.handler.entered
	close(h.handler.hold)
	m := h.nextResponse()
	if m.ResponseType != slackgo.ResponseTypeEphemeral || !strings.Contains(m.Text, "Logged 5/10") {
		t.Errorf("follow-up = %q %q", m.ResponseType, m.Text)
	}
	if calls := h.fake.Calls("response_url"); len(calls) != 1 || calls[0].Form.Get("path") != "/response/cmd" {
		t.Errorf("response_url calls = %+v", calls)
	}
}

func TestUntrustedResponseURLIsNotCalled(t *testing.T) {
	h := newHarness(t, func(c *slackadapter.Config, _ *fakeSlack) { c.TrustResponseURL = nil })
	body := "payload=" + url.QueryEscape(clickPayload("U2", "cmd:pain 4", h.fake.ResponseURL("click")))
	h.serve(signedRequest("/slack/interactions", "application/x-www-form-urlencoded", body))
	h.drain()
	if calls := h.fake.Calls("response_url"); len(calls) != 0 {
		t.Errorf("posted to a non-Slack response_url: %+v", calls)
	}
}

func TestRequestsAfterCloseGetAFriendlyAnswer(t *testing.T) {
	h := newHarness(t)
	h.drain()
	m := decodeMessage(t, h.command("U1", "/pain", "5"))
	if !strings.Contains(m.Text, "restarting") {
		t.Errorf("answer after Close = %q", m.Text)
	}
	if n := len(h.handler.Requests()); n != 0 {
		t.Errorf("handler ran %d times after Close", n)
	}
}

func TestHomeIsNotRepublishedWhileFresh(t *testing.T) {
	h := newHarness(t)
	const published = `,"view":{"id":"V1","type":"home"}`
	serve := func(body string) {
		t.Helper()
		if w := h.serve(signedRequest("/slack/events", "application/json", body)); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
	}
	serve(homeOpened("Ev1", "U1", "")) // first visit: publish
	bottest.Within(t, h.fake.published, "views.publish")
	serve(homeOpened("Ev2", "U1", published)) // back soon, the view is there: skip
	serve(homeOpened("Ev3", "U1", ""))        // view lost on Slack's side: publish
	h.drain()
	if n := len(h.fake.Calls("views.publish")); n != 2 {
		t.Errorf("views.publish called %d times, want 2", n)
	}
}

func messageEvent(eventID, extra string) string {
	return `{"token":"legacy","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"` + eventID +
		`","event_time":1700000000,"event":{"type":"message","channel":"DU1","channel_type":"im","user":"U1","text":"pain 3 knee","ts":"1.1","event_ts":"1.1"` + extra + `}}`
}

func TestDirectMessagesAreCommands(t *testing.T) {
	h := newHarness(t)
	for i, body := range []string{
		messageEvent("Ev1", ""),
		messageEvent("Ev2", `,"bot_id":"B1"`),               // our own reply
		messageEvent("Ev3", `,"subtype":"message_changed"`), // an edit
	} {
		if w := h.serve(signedRequest("/slack/events", "application/json", body)); w.Code != http.StatusOK {
			t.Fatalf("event %d: status %d", i, w.Code)
		}
	}
	h.drain()
	posts := h.fake.Calls("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("chat.postMessage called %d times, want 1", len(posts))
	}
	if posts[0].Form.Get("channel") != "DU1" || !strings.Contains(posts[0].Form.Get("text"), "Logged 3/10") {
		t.Errorf("reply = %v", posts[0].Form)
	}
	if req := h.handler.Requests()[0]; !req.IsDM || req.User != "U1" {
		t.Errorf("request = %+v", req)
	}
}

func TestMentionIsAnsweredPrivately(t *testing.T) {
	h := newHarness(t)
	body := `{"token":"legacy","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"Ev9","event_time":1700000000,` +
		`"event":{"type":"app_mention","user":"U1","text":"<@UBOT> history","channel":"C1","ts":"1.1","event_ts":"1.1"}}`
	if w := h.serve(signedRequest("/slack/events", "application/json", body)); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	h.drain()
	calls := h.fake.Calls("chat.postEphemeral")
	if len(calls) != 1 || calls[0].Form.Get("user") != "U1" || calls[0].Form.Get("channel") != "C1" {
		t.Fatalf("chat.postEphemeral calls = %+v", calls)
	}
	if req := h.handler.Requests()[0]; req.Text != "history" {
		t.Errorf("request text = %q, want the mention stripped", req.Text)
	}
}

// TestChatterInDMsIsAnswered: every DM gets a reply (silence reads as a
// broken bot), and chatter is never met with the same words twice in a
// row.
func TestChatterInDMsIsAnswered(t *testing.T) {
	h := newHarness(t)
	texts := []string{"lovely weather today", "really lovely", "thanks!"}
	for i, text := range texts {
		body := `{"token":"legacy","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"EvC` + strconv.Itoa(i) +
			`","event_time":1700000000,"event":{"type":"message","channel":"DU1","channel_type":"im","user":"U1","text":"` + text + `","ts":"1.` + strconv.Itoa(i+1) + `","event_ts":"1.` + strconv.Itoa(i+1) + `"}}`
		if w := h.serve(signedRequest("/slack/events", "application/json", body)); w.Code != http.StatusOK {
			t.Fatalf("event %d: status %d", i, w.Code)
		}
	}
	h.drain()
	posts := h.fake.Calls("chat.postMessage")
	if len(posts) != len(texts) {
		t.Fatalf("chat.postMessage called %d times, want %d (one reply each)", len(posts), len(texts))
	}
	var replies []string
	for _, p := range posts {
		replies = append(replies, p.Form.Get("text"))
	}
	all := strings.Join(replies, "\n")
	if !strings.Contains(all, "welcome") && !strings.Contains(all, "Any time") || replies[0] == replies[1] || replies[1] == replies[2] {
		t.Errorf("replies = %q; want a different line each time and a thanks", replies)
	}
	for _, req := range h.handler.Requests() {
		if !req.Conversational {
			t.Errorf("DM request not marked conversational: %+v", req)
		}
	}
}

// homeCoach is the harness's handler with the Coach's personal App Home.
type homeCoach struct {
	*countingHandler
	coach *bot.Coach
}

func (h homeCoach) Home(ctx context.Context, key bot.MemberKey) bot.Reply {
	return h.coach.Home(ctx, key)
}

// TestPersonalAppHome: opening the Home tab shows the member's own status,
// and a command they run refreshes it.
func TestPersonalAppHome(t *testing.T) {
	var coach *bot.Coach
	h := newHarness(t, func(c *slackadapter.Config, _ *fakeSlack) {
		counting := c.Handler.(*countingHandler)
		coach = counting.next.(*bot.Coach)
		c.Handler = homeCoach{countingHandler: counting, coach: coach}
	})
	if w := h.serve(signedRequest("/slack/events", "application/json", homeOpened("EvH1", "U1", ""))); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	bottest.Within(t, h.fake.published, "views.publish")
	if w := h.command("U1", "/pain", "4 knee"); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	bottest.Within(t, h.fake.published, "views.publish")
	h.drain()
	calls := h.fake.Calls("views.publish")
	if len(calls) != 2 {
		t.Fatalf("views.publish called %d times, want 2 (open, then refresh after /pain)", len(calls))
	}
	if before := calls[0].Form.Get("json"); !strings.Contains(before, "no check-in yet") {
		t.Errorf("first home = %s", before)
	}
	after := calls[1].Form.Get("json")
	if !strings.Contains(after, "pain 4/10") {
		t.Errorf("refreshed home lacks the check-in: %s", after)
	}
	view, err := json.MarshalIndent(slackadapter.HomeView(coach.Home(context.Background(), bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U1"})), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "home_view.json", append(view, '\n'))
}

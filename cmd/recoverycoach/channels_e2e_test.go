package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
	"github.com/recoverycoach/recoverycoach/content"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// These tests prove, end to end through the wiring `recoverycoach serve`
// uses (newEngine, engine.start, newSlack / newDiscord), that when Slack or
// Discord refuses a channel post because the bot was removed from the
// channel (or the channel was archived or deleted), the real sender's
// error reaches the dispatcher, the channel's posts are turned off, the
// post's owner gets exactly one direct message saying so through the same
// real sender, and the post does not come back the next day; and that a
// transient refusal (500, 429) leaves the post on and retries it.
//
// The platforms are local fakes reached through SLACK_API_URL and
// DISCORD_API_URL; the store is SQLite; time is bottest's fake clock.

// The owner, workspace and channel of every case.
const (
	chOwner   = "boss"
	chChannel = "C1"
	chDM      = "D" + chOwner // where both fakes file the owner's DMs
)

// chMonday is the fake clock's start (bottest.Start, a Monday 09:00 UTC);
// the movement break is due at 10:30 that day and the next.
var (
	chMonday  = bottest.Start
	chDue     = time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)
	chNextDue = chDue.AddDate(0, 0, 1)
)

// chGoneText is what the owner's DM must say.
const chGoneText = "can no longer post in"

// channelsRig is one serve process in miniature for one platform: the
// engine (Coach, scheduler, dispatcher) on a fake clock with the real
// sender of the platform, pointed at a fake API.
type channelsRig struct {
	t         *testing.T
	ctx       context.Context
	platform  bot.Platform
	workspace string
	api       *channelsPlatform
	clock     *bottest.Clock
	db        *sqlite.DB
	eng       *engine
}

func newChannelsRig(t *testing.T, p bot.Platform) *channelsRig {
	t.Helper()
	lib, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	r := &channelsRig{t: t, ctx: context.Background(), platform: p, clock: bottest.NewClock(chMonday), db: bottest.MustOpenStore(t)}
	cfg := config{DefaultTZ: "UTC"}
	build := newSlack
	switch p {
	case bot.Slack:
		r.workspace, r.api = "T1", newChannelsSlack(t)
		cfg.SlackBotToken, cfg.SlackSigningSecret, cfg.SlackAPIURL = "xoxb-test", "s3cret", r.api.URL+"/"
	case bot.Discord:
		r.workspace, r.api = "G1", newChannelsDiscord(t)
		cfg.DiscordBotToken, cfg.DiscordAPIURL = "tok", r.api.URL
		build = newDiscord
	default:
		t.Fatalf("no rig for %s", p)
	}
	logger := slog.New(slog.DiscardHandler)
	r.eng = newEngine(cfg, r.db, lib, logger, r.clock, nil)
	plat, err := build(r.ctx, deps{cfg: cfg, coach: r.eng.coach, store: r.db, logger: logger, clock: r.clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(r.ctx)
	wait := r.eng.start(ctx, map[bot.Platform]bot.Sender{p: plat.sender})
	t.Cleanup(func() {
		cancel()
		wait()
	})
	return r
}

// say runs a command typed by the owner, a workspace admin, in the channel.
func (r *channelsRig) say(text string) string {
	r.t.Helper()
	reply := r.eng.coach.Handle(r.ctx, bot.Request{Platform: r.platform, Workspace: r.workspace, Channel: chChannel,
		User: chOwner, IsAdmin: true, Text: text})
	return reply.Title + "\n" + reply.Text
}

// listSaysOff reports whether `/coach channel list` in the channel shows a
// post as off.
func (r *channelsRig) listSaysOff() bool {
	r.t.Helper()
	list := r.say("/coach channel list")
	if !strings.Contains(list, "movement break") {
		r.t.Fatalf("channel list does not show the movement break:\n%s", list)
	}
	return strings.Contains(list, "**off**")
}

// at moves the clock to t and runs the scheduler's sweep there, the same
// idempotent enqueue as the cron entry of the post's minute (whose timer
// runs on the wall clock, not the fake one); it returns the rows enqueued.
func (r *channelsRig) at(t time.Time) int {
	r.t.Helper()
	r.clock.Set(t)
	r.eng.mu.Lock()
	sched := r.eng.sched
	r.eng.mu.Unlock()
	if sched == nil {
		r.t.Fatal("the engine runs no scheduler")
	}
	n, err := sched.CatchUp(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// outbox counts the outbox rows by status.
func (r *channelsRig) outbox() map[bot.OutboxStatus]int {
	r.t.Helper()
	stats, err := r.db.OutboxStats(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return stats
}

// retryAt is when a row handed back for a retry comes due, if one was.
func (r *channelsRig) retryAt() (time.Time, bool) {
	r.t.Helper()
	at, ok, err := r.db.NextDue(r.ctx, r.clock.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	return at, ok
}

// idle reports whether the dispatcher has recorded the outcome of every
// send it started: Stats reads each key under the lock that recording
// holds, so no outcome (a 429's hold on the member, say) is half applied.
func (r *channelsRig) idle() bool {
	for _, k := range r.eng.disp.Stats() {
		if k.InFlight > 0 || k.Queued > 0 {
			return false
		}
	}
	return true
}

// tried and taken count the posts to channel that reached the platform,
// and those it took.
func (r *channelsRig) tried(channel string) int { n, _, _ := r.api.counts(channel); return n }
func (r *channelsRig) taken(channel string) int { _, n, _ := r.api.counts(channel); return n }

// waitFor blocks until cond holds, checking at every post the fake API
// gets and every few milliseconds, or fails the test after 10 s.
//
// While the dispatcher is idle, each check also wakes it, standing in for
// the wall clock that the fake one replaces: a row enqueued by the
// dispatcher's own send (the owner's DM) would otherwise wait for the next
// poll, 5 s later, and a retry for the wall-clock timer of its backoff. It
// is not woken while a send is in flight: a claim that overlaps the
// recording of that send's retry can read the row from before the retry
// and claim it once the retry has released it; the dispatcher then skips
// it as already queued, and it stays claimed for the SQLite store's lease
// (30 s), which the fake clock never lets run out.
func (r *channelsRig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		_, _, next := r.api.counts(chChannel)
		if cond() {
			return
		}
		if r.idle() {
			r.eng.wake()
		}
		select {
		case <-next:
		case <-tick.C:
		case <-deadline.C:
			r.t.Fatalf("timed out waiting for %s: %d posts tried in %s, outbox %v", what, r.tried(chChannel), chChannel, r.outbox())
		}
	}
}

// removalAnswers are the platforms' answers when the bot was removed from
// the channel, or the channel archived or deleted (README, "When the bot
// is removed").
var removalAnswers = []struct {
	name     string
	platform bot.Platform
	answer   channelsAnswer
}{
	{"slack/not_in_channel", bot.Slack, channelsAnswer{status: http.StatusOK, body: `{"ok": false, "error": "not_in_channel"}`}},
	{"slack/channel_not_found", bot.Slack, channelsAnswer{status: http.StatusOK, body: `{"ok": false, "error": "channel_not_found"}`}},
	{"slack/is_archived", bot.Slack, channelsAnswer{status: http.StatusOK, body: `{"ok": false, "error": "is_archived"}`}},
	{"discord/403_missing_access", bot.Discord, channelsAnswer{status: http.StatusForbidden, body: `{"code": 50001, "message": "Missing Access"}`}},
	{"discord/404_unknown_channel", bot.Discord, channelsAnswer{status: http.StatusNotFound, body: `{"code": 10003, "message": "Unknown Channel"}`}},
}

// TestChannelRemovedTurnsPostsOffAndTellsTheOwner: the platform refuses
// the 10:30 movement break because the bot is gone from the channel. The
// post is turned off, its owner gets one DM saying so, and the next day's
// 10:30 posts nothing.
func TestChannelRemovedTurnsPostsOffAndTellsTheOwner(t *testing.T) {
	for _, tt := range removalAnswers {
		t.Run(tt.name, func(t *testing.T) {
			r := newChannelsRig(t, tt.platform)
			if got := r.say("/coach channel movement at 10:30"); !strings.Contains(got, "a movement break here at 10:30") {
				t.Fatalf("set the post: %q", got)
			}
			if r.listSaysOff() {
				t.Fatal("the post is off before anything was refused")
			}
			r.api.setRefusal(chChannel, &tt.answer)

			if n := r.at(chDue); n != 1 {
				t.Fatalf("10:30 enqueued %d rows, want the movement break", n)
			}
			// Settled: the post was tried and nothing is pending any more
			// (the DM, when the post is turned off, is enqueued before the
			// post's row is failed, so it is settled too).
			r.waitFor("the refused post to settle", func() bool {
				return r.tried(chChannel) > 0 && r.outbox()[bot.OutboxPending] == 0 && r.idle()
			})
			if n := r.tried(chChannel); n != 1 {
				t.Errorf("%d posts tried in %s, want 1 (a refused channel is not retried)", n, chChannel)
			}
			if !r.listSaysOff() {
				t.Errorf("after %s the channel list does not show the post **off**:\n%s", tt.name, r.say("/coach channel list"))
			}
			dms := r.api.bodies(chDM)
			if len(dms) != 1 {
				t.Fatalf("the owner got %d DMs, want exactly 1; outbox %v", len(dms), r.outbox())
			}
			if !strings.Contains(dms[0], chGoneText) || !strings.Contains(dms[0], chChannel) {
				t.Errorf("the owner's DM does not say the bot can no longer post in %s:\n%s", chChannel, dms[0])
			}

			// The next day at 10:30 the post is not even enqueued.
			if n := r.at(chNextDue); n != 0 {
				t.Errorf("the next 10:30 enqueued %d rows for a post that is off", n)
			}
			r.waitFor("the next day's rows to settle", func() bool { return r.outbox()[bot.OutboxPending] == 0 && r.idle() })
			if n := r.tried(chChannel); n != 1 {
				t.Errorf("%d posts tried in %s after the next 10:30, want still 1", n, chChannel)
			}
			if n := len(r.api.bodies(chDM)); n != 1 {
				t.Errorf("the owner has %d DMs after the next 10:30, want still 1", n)
			}
		})
	}
}

// TestChannelTransientRefusalKeepsThePostOn is the control: a server error
// or a rate limit on the channel post is no sign that the bot was removed.
// The post stays on, nobody is told, and the row is retried later, when
// it goes out.
func TestChannelTransientRefusalKeepsThePostOn(t *testing.T) {
	for _, tt := range []struct {
		name     string
		platform bot.Platform
		answer   channelsAnswer
	}{
		{"slack/500", bot.Slack, channelsAnswer{status: http.StatusInternalServerError, body: `{"ok": false, "error": "internal_error"}`}},
		{"slack/429", bot.Slack, channelsAnswer{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "1"},
			body: `{"ok": false, "error": "ratelimited"}`}},
		{"discord/500", bot.Discord, channelsAnswer{status: http.StatusInternalServerError, body: `{"code": 0, "message": "500: Internal Server Error"}`}},
		{"discord/429", bot.Discord, channelsAnswer{status: http.StatusTooManyRequests,
			body: `{"message": "You are being rate limited.", "retry_after": 1, "global": false}`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newChannelsRig(t, tt.platform)
			if got := r.say("/coach channel movement at 10:30"); !strings.Contains(got, "a movement break here at 10:30") {
				t.Fatalf("set the post: %q", got)
			}
			r.api.setRefusal(chChannel, &tt.answer)
			if n := r.at(chDue); n != 1 {
				t.Fatalf("10:30 enqueued %d rows, want the movement break", n)
			}
			// Handed back, and the outcome recorded: the clock must not move
			// before the dispatcher has set any hold on the member, or the
			// hold would count from the later time.
			var retry time.Time
			r.waitFor("the refused post to be handed back for a retry", func() bool {
				at, ok := r.retryAt()
				retry = at
				return r.tried(chChannel) > 0 && ok && r.idle()
			})
			if r.listSaysOff() {
				t.Errorf("%s turned the post off:\n%s", tt.name, r.say("/coach channel list"))
			}
			if got := r.outbox(); got[bot.OutboxPending] != 1 || got[bot.OutboxFailed] != 0 {
				t.Errorf("outbox %v, want the post still pending", got)
			}

			// The platform is back: the retry goes out, to the channel.
			r.api.setRefusal(chChannel, nil)
			r.at(retry)
			r.waitFor("the retry to be posted", func() bool {
				return r.taken(chChannel) == 1 && r.outbox()[bot.OutboxPending] == 0 && r.idle()
			})
			if n := r.tried(chChannel); n != 2 {
				t.Errorf("%d posts tried in %s, want the refused one and its retry", n, chChannel)
			}
			if r.listSaysOff() {
				t.Errorf("the post is off after its retry went out:\n%s", r.say("/coach channel list"))
			}
			if dms := r.api.bodies(chDM); len(dms) != 0 {
				t.Errorf("the owner got %d DMs, want none:\n%s", len(dms), strings.Join(dms, "\n---\n"))
			}
		})
	}
}

// TestChannelKeeperSurvivesTheInstalledCheck pins the cause when the tests
// above fail: engine.start hands the dispatcher the Coach wrapped in
// installedNudger, and the dispatcher turns a refused channel off only
// through the scheduler.ChannelKeeper it finds on its Nudger.
func TestChannelKeeperSurvivesTheInstalledCheck(t *testing.T) {
	coach, _, _ := bottest.NewCoach(t, nil)
	if _, ok := scheduler.Nudger(coach).(scheduler.ChannelKeeper); !ok {
		t.Fatal("*bot.Coach is not a scheduler.ChannelKeeper")
	}
	var n scheduler.Nudger = installedNudger{Nudger: coach}
	if _, ok := n.(scheduler.ChannelKeeper); !ok {
		t.Error("installedNudger hides the Coach's ChannelGone from the dispatcher: a channel that refuses its posts is never turned off and no owner is told")
	}
}

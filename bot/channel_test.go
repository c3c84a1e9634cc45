package bot_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
	"github.com/recoverycoach/recoverycoach/content"
	"github.com/recoverycoach/recoverycoach/scheduler"
)

// channelRig is a Slack workspace T1 with a #wellness channel C1, run on
// a fake clock with a real SQLite store, the scheduler and the dispatcher
// as in production.
type channelRig struct {
	t      *testing.T
	db     *sqlite.DB
	clock  *bottest.Clock
	coach  *bot.Coach
	sender *channelSender
	sched  *scheduler.Scheduler
	disp   *scheduler.Dispatcher
}

// channelSender records what is posted, and refuses channels listed in
// gone the way a platform refuses a channel the bot was removed from.
type channelSender struct {
	bottest.Sender
	mu   sync.Mutex
	gone map[string]bool
}

func (s *channelSender) SendChannel(ctx context.Context, p bot.Platform, workspace, channel string, msg bot.Reply) error {
	s.mu.Lock()
	refused := s.gone[channel]
	s.mu.Unlock()
	if refused {
		return fmt.Errorf("slack: not_in_channel: %w", bot.ErrUnreachable)
	}
	return s.Sender.SendChannel(ctx, p, workspace, channel, msg)
}

func (s *channelSender) remove(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone == nil {
		s.gone = map[string]bool{}
	}
	s.gone[channel] = true
}

func newChannelRig(t *testing.T, at time.Time) *channelRig {
	t.Helper()
	lib, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	r := &channelRig{t: t, db: bottest.MustOpenStore(t), clock: bottest.NewClock(at), sender: &channelSender{}}
	r.coach = bot.NewCoach(bot.Config{Store: r.db, Clock: r.clock, Library: lib, DefaultTZ: "UTC"})
	r.restart()
	r.tick() // the first pass only records where catch-up starts
	return r
}

// restart builds a new scheduler and dispatcher on the same store, as a
// new process would.
func (r *channelRig) restart() {
	r.sched = scheduler.New(r.db, scheduler.Options{Clock: r.clock})
	r.disp = scheduler.NewDispatcher(r.db, r.coach, map[bot.Platform]bot.Sender{bot.Slack: r.sender},
		scheduler.DispatcherOptions{Clock: r.clock, Jitter: func() float64 { return 0.5 }})
}

func (r *channelRig) tick() {
	r.t.Helper()
	if _, err := r.sched.CatchUp(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.disp.Drain(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

// in runs text as user, typed in channel C1 (or as a DM when dm).
func (r *channelRig) in(user, text string) bot.Reply {
	r.t.Helper()
	return r.coach.Handle(context.Background(), bot.Request{Platform: bot.Slack, Workspace: "T1", Channel: "C1", User: user, IsAdmin: user == "boss", Text: text})
}

func (r *channelRig) dm(user, text string) bot.Reply {
	r.t.Helper()
	return r.coach.Handle(context.Background(), bot.Request{Platform: bot.Slack, Workspace: "T1", Channel: "D" + user, User: user, IsDM: true, Text: text})
}

func (r *channelRig) posts() []bottest.Sent {
	var out []bottest.Sent
	for _, s := range r.sender.Sent() {
		if s.Channel != "" {
			out = append(out, s)
		}
	}
	return out
}

func TestChannelPostGoesOutOncePerMinuteAcrossARestart(t *testing.T) {
	r := newChannelRig(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) // a Monday
	if got := r.dm("boss", "/coach channel movement at 10:30 weekdays").Text; !strings.Contains(got, "not in a direct message") {
		t.Fatalf("channel command in a DM = %q", got)
	}
	if got := r.in("boss", "/coach channel movement at 10:30 weekdays").Text; !strings.Contains(got, "a movement break here at 10:30 on weekdays") {
		t.Fatalf("set = %q", got)
	}
	if got := r.in("someone", "/coach channel movement at 11:00").Text; !strings.Contains(got, "staff only") {
		t.Fatalf("a member set a channel post: %q", got)
	}
	r.clock.Set(time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC))
	r.tick()
	r.restart()
	r.clock.Advance(time.Minute)
	r.tick()
	posts := r.posts()
	if len(posts) != 1 {
		t.Fatalf("posted %d times, want once: %+v", len(posts), posts)
	}
	p := posts[0]
	if p.Channel != "C1" || p.Reply.Visibility != bot.InChannel || p.Reply.Title != "Movement break" {
		t.Fatalf("post = %+v", p)
	}
	if len(p.Reply.Buttons) != 2 || p.Reply.Buttons[0].Command != "coach break at 10:30" || p.Reply.Buttons[1].Command != "coach break skip" {
		t.Fatalf("buttons = %+v", p.Reply.Buttons)
	}
	if n := strings.Count(p.Reply.Text, "\n- **"); n != 4 {
		t.Errorf("the post shows %d moves, want 4:\n%s", n, p.Reply.Text)
	}
	// Setting the post again (a new row) does not post that minute twice.
	r.in("boss", "/coach channel movement at 10:30 weekdays")
	r.tick()
	if n := len(r.posts()); n != 1 {
		t.Fatalf("re-set post went out again: %d posts", n)
	}
	// The owner's own pause does not hold the channel back.
	r.dm("boss", "/coach pause 3 days")
	r.clock.Set(time.Date(2026, 3, 3, 10, 30, 0, 0, time.UTC))
	r.tick()
	if n := len(r.posts()); n != 2 {
		t.Fatalf("next weekday: %d posts, want 2", n)
	}
}

func TestDoneAndFormAnswersArePrivateAndStoredForTheClickerOnly(t *testing.T) {
	r := newChannelRig(t, time.Date(2026, 3, 2, 7, 50, 0, 0, time.UTC))
	r.in("boss", "/coach channel readiness at 08:00")
	r.clock.Set(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	r.tick()
	posts := r.posts()
	if len(posts) != 1 || len(posts[0].Reply.Buttons) != 1 || posts[0].Reply.Buttons[0].Form != "coach readiness" {
		t.Fatalf("readiness post = %+v", posts)
	}
	form, ok := bot.FormFor(posts[0].Reply.Buttons[0].Form)
	if !ok {
		t.Fatal("no form for the readiness button")
	}
	line, err := form.Line(map[string]string{"fatigue": "4", "sleep": "3", "soreness": "2", "stress": "4", "mood": "5"})
	if err != nil {
		t.Fatal(err)
	}
	reply := r.in("ana", line)
	if reply.Visibility != bot.Private || !strings.Contains(reply.Text, "Readiness logged: **18/25**") {
		t.Fatalf("form answer reply = %+v", reply)
	}
	done := r.in("ana", "coach break at 10:30")
	if done.Visibility != bot.Private || !strings.Contains(done.Text, "Movement break logged") {
		t.Fatalf("Done reply = %+v", done)
	}
	if again := r.in("ana", "coach break at 10:30"); !strings.Contains(again.Text, "already logged") {
		t.Fatalf("second tap = %q", again.Text)
	}
	if undo := r.in("ana", "/coach undo"); !strings.Contains(undo.Text, "Removed your movement break") {
		t.Fatalf("undo after a break = %q", undo.Text)
	}
	r.in("ana", "coach break at 10:30")
	export := r.dm("ana", "/coach export")
	if len(export.Files) != 1 || !strings.Contains(string(export.Files[0].Data), "movement_break,") {
		t.Fatalf("export lacks the movement break: %+v", export)
	}
	if skip := r.in("ben", "coach break skip"); skip.Visibility != bot.Private {
		t.Fatalf("Not today reply = %+v", skip)
	}
	ctx := context.Background()
	ana := bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "ana"}
	ben := bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "ben"}
	if bs, _ := r.db.MovementBreaks(ctx, ana, "2026-01-01"); len(bs) != 1 {
		t.Errorf("ana has %d breaks, want 1", len(bs))
	}
	if bs, _ := r.db.MovementBreaks(ctx, ben, "2026-01-01"); len(bs) != 0 {
		t.Errorf("Not today stored %d breaks", len(bs))
	}
	if rs, _ := r.db.ReadinessSince(ctx, ana, "2026-01-01"); len(rs) != 1 {
		t.Errorf("ana has %d readiness answers", len(rs))
	}
	if rs, _ := r.db.ReadinessSince(ctx, ben, "2026-01-01"); len(rs) != 0 {
		t.Errorf("ben has readiness he never gave")
	}
	r.tick()
	if n := len(r.posts()); n != 1 {
		t.Errorf("answers posted %d messages to the channel", n-1)
	}
	// A load answer with a worrying note goes through triage like any check-in.
	load, _ := bot.FormFor("coach load")
	line, err = load.Line(map[string]string{"rpe": "7", "minutes": "60", "note": "crushing chest pain in the last sprint"})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.in("ana", line); got.Visibility != bot.Private || !strings.Contains(strings.ToLower(got.Text), "emergency") {
		t.Fatalf("load with a red-flag note = %q", got.Text)
	}
	if _, err := load.Line(map[string]string{"rpe": "7"}); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("missing minutes: err = %v", err)
	}
}

func TestRemovedBotTurnsThePostOffAndTellsItsOwner(t *testing.T) {
	r := newChannelRig(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	r.in("boss", "/coach channel movement at 10:30")
	r.in("boss", "/coach channel readiness at 11:00")
	r.sender.remove("C1")
	r.clock.Set(time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC))
	r.tick()
	r.tick() // the notice enqueued by the first drain
	var dms []bottest.Sent
	for _, s := range r.sender.Sent() {
		if s.Channel == "" {
			dms = append(dms, s)
		}
	}
	if len(dms) != 2 || dms[0].To.User != "boss" || !strings.Contains(dms[0].Reply.Text, "can no longer post in <#C1>") {
		t.Fatalf("owner told %+v, want one DM per post that was on", dms)
	}
	list := r.in("boss", "/coach channel list").Text
	if strings.Count(list, "**off**") != 2 {
		t.Fatalf("list after removal:\n%s", list)
	}
	r.clock.Set(time.Date(2026, 3, 3, 11, 30, 0, 0, time.UTC))
	r.tick()
	if n := len(r.sender.Sent()); n != 2 {
		t.Fatalf("an off post was tried again: %d sends", n)
	}
}

func TestChannelSummaryShowsNoFigureBelowTheMinimumAndNeverAPerson(t *testing.T) {
	for _, tt := range []struct {
		members int
		shown   bool
	}{{3, false}, {6, true}} {
		t.Run(fmt.Sprint(tt.members), func(t *testing.T) {
			// Members log during the week of Mar 2; the summary goes out on
			// Tuesday Mar 10, after that week has closed everywhere.
			r := newChannelRig(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			r.in("boss", "/coach channel summary weekly tue 09:00")
			var secrets []string
			for i := range tt.members {
				user := fmt.Sprintf("U%03dSECRET", i)
				name := fmt.Sprintf("Person%dName", i)
				secrets = append(secrets, user, name)
				req := bot.Request{Platform: bot.Slack, Workspace: "T1", Channel: "C1", User: user, UserName: name}
				for d := range 3 {
					r.clock.Set(time.Date(2026, 3, 3+d, 10, 0, 0, 0, time.UTC))
					for _, text := range []string{"coach break at 10:30", fmt.Sprintf("coach readiness %d 3 3 3 4", 2+i%3), "/pain 4 knee private-note-" + user} {
						req.Text = text
						r.coach.Handle(context.Background(), req)
					}
				}
			}
			r.clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
			r.tick()
			posts := r.posts()
			if len(posts) != 1 {
				t.Fatalf("%d summary posts", len(posts))
			}
			text := posts[0].Reply.PlainText()
			for _, s := range append(secrets, "private-note") {
				if strings.Contains(text, s) {
					t.Fatalf("summary leaks %q:\n%s", s, text)
				}
			}
			if tt.shown {
				if !strings.Contains(text, "5-9 people did some, 3 each") || !strings.Contains(text, "Readiness: 5-9 people answered, average") {
					t.Fatalf("summary of %d people:\n%s", tt.members, text)
				}
				return
			}
			if !strings.Contains(text, "fewer than 5 people did some, so no figure") || regexp.MustCompile(`out of 5|each on average`).MatchString(text) {
				t.Fatalf("summary of %d people shows a figure:\n%s", tt.members, text)
			}
		})
	}
}

func TestChallengeProgressAndTheOptInStreakBoard(t *testing.T) {
	r := newChannelRig(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	start := r.in("boss", "/coach channel challenge March 30 20")
	if start.Visibility != bot.InChannel || !strings.Contains(start.Text, "**20** movement breaks each over **30 days**") {
		t.Fatalf("challenge start = %+v", start)
	}
	if got := r.in("boss", "/coach channel challenge Again 30 20"); !strings.Contains(got.Text, "already has a challenge") {
		t.Fatalf("second challenge = %q", got.Text)
	}
	users := []string{"ana", "ben", "cy", "dee", "eve", "fay"}
	for d := range 7 {
		r.clock.Set(time.Date(2026, 3, 2+d, 10, 0, 0, 0, time.UTC))
		for i, u := range users {
			if d <= i || u == "fay" { // ana breaks once, fay every day
				r.in(u, "coach break at 10:30")
			}
		}
	}
	r.in("fay", "/coach public on")
	r.in("ana", "/coach public on")
	r.in("ana", "/coach public off")
	mine := r.dm("fay", "/coach challenge").Text
	if !strings.Contains(mine, "you have done **7 of 20**") || !strings.Contains(mine, "**7 days**") {
		t.Fatalf("own progress = %q", mine)
	}
	r.clock.Set(time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)) // a week on
	r.tick()
	posts := r.posts()
	if len(posts) != 1 {
		t.Fatalf("%d challenge posts", len(posts))
	}
	text := posts[0].Reply.Text
	// 22 breaks of a 6 x 20 goal: 18%, shown in steps of five.
	if !strings.Contains(text, "5-9 people are taking part") || !strings.Contains(text, "about **15%**") {
		t.Fatalf("progress post:\n%s", text)
	}
	if !strings.Contains(text, "<@fay>: 7 days") || strings.Contains(text, "<@ana>") || strings.Contains(text, "<@ben>") {
		t.Fatalf("board shows someone who did not opt in, or misses fay:\n%s", text)
	}
	if got := r.in("boss", "/coach channel off challenge").Text; !strings.Contains(got, "Stopped") {
		t.Fatalf("stop = %q", got)
	}
	if got := r.dm("fay", "/coach challenge").Text; !strings.Contains(got, "No group challenge is running") {
		t.Fatalf("after stop = %q", got)
	}
}

func TestChannelGoneLeavesPostsAloneForAStaffAlert(t *testing.T) {
	r := newChannelRig(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	r.in("boss", "/coach channel movement at 10:30")
	alert := bot.OutboxItem{Kind: bot.NudgeStaffAlert, Member: bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "boss"}}
	if err := r.coach.ChannelGone(context.Background(), alert, "C1"); err != nil {
		t.Fatal(err)
	}
	if list := r.in("boss", "/coach channel list").Text; strings.Contains(list, "**off**") {
		t.Fatalf("a staff alert's refusal turned channel posts off:\n%s", list)
	}
}

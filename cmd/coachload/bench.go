package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/postgres"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

// bench runs the phases of one coachload run.
type bench struct {
	opts   options
	bin    string
	dir    string
	getenv func(string) string
	log    io.Writer
}

const (
	signingSecret = "coachload-signing-secret"
	readyTimeout  = 2 * time.Minute
	stopTimeout   = 30 * time.Second
	// importChunk bounds the memory of seeding: reminders per transaction.
	importChunk = 50000
	// settleAfter is when start-up memory is read a second time.
	settleAfter = 5 * time.Second
)

// fakes are the platform APIs one bot process talks to.
type fakes struct {
	slack     *fakeSlack
	discord   *fakeDiscord
	slackSrv  *httptest.Server
	discSrv   *httptest.Server
	priv      ed25519.PrivateKey
	publicHex string
}

func startFakes(fraction429 float64) (*fakes, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	f := &fakes{slack: newFakeSlack(fraction429), discord: newFakeDiscord(), priv: priv, publicHex: hex.EncodeToString(pub)}
	f.slackSrv = httptest.NewServer(f.slack)
	f.discSrv = httptest.NewServer(f.discord)
	return f, nil
}

func (f *fakes) close() {
	f.slackSrv.Close()
	f.discSrv.Close()
}

// env is the bot's whole environment: nothing is inherited but PATH, so
// the operator's own tokens can never leak into a load run.
func (b *bench) env(f *fakes, dbPath, addr string) []string {
	env := []string{
		"PATH=" + b.getenv("PATH"),
		"COACH_DB=" + dbPath,
		"COACH_HTTP_ADDR=" + addr,
		"COACH_SLACK_RPS=" + strconv.FormatFloat(b.opts.Rate, 'f', -1, 64),
		"SLACK_BOT_TOKEN=xoxb-coachload",
		"SLACK_SIGNING_SECRET=" + signingSecret,
		"SLACK_API_URL=" + f.slackSrv.URL + "/api/",
		"DISCORD_BOT_TOKEN=coachload",
		"DISCORD_PUBLIC_KEY=" + f.publicHex,
		"DISCORD_API_URL=" + f.discSrv.URL,
	}
	if b.opts.Concurrency > 0 {
		env = append(env, "COACH_SEND_CONCURRENCY="+strconv.Itoa(b.opts.Concurrency))
	}
	if b.opts.Logs != "" {
		env = append(env, "COACH_LOG_LEVEL=debug")
	} else {
		env = append(env, "COACH_LOG_LEVEL=warn")
	}
	return env
}

// seed stores n check-in reminders for Slack members prefix0..prefix(n-1)
// at the given times (chosen per index), creating the members.
func seed(ctx context.Context, path string, n int, prefix string, at func(i int) (bot.TimeOfDay, string)) (time.Duration, error) {
	var db interface {
		ImportSubscriptions(ctx context.Context, subs []bot.Subscription, createMembers bool) (int, error)
		Close() error
	}
	var err error
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		db, err = postgres.Open(ctx, path, postgres.Options{})
	} else {
		db, err = sqlite.Open(ctx, path)
	}
	if err != nil {
		return 0, err
	}
	defer db.Close()
	start := time.Now()
	created := start.Add(-time.Hour).UTC()
	for lo := 0; lo < n; lo += importChunk {
		hi := min(lo+importChunk, n)
		subs := make([]bot.Subscription, 0, hi-lo)
		for i := lo; i < hi; i++ {
			tod, tz := at(i)
			subs = append(subs, bot.Subscription{
				Member: bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: prefix + strconv.Itoa(i)},
				Kind:   bot.RemindCheckIn, Times: []bot.TimeOfDay{tod}, Days: bot.EveryDay, TZ: tz, CreatedAt: created,
			})
		}
		if _, err := db.ImportSubscriptions(ctx, subs, true); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// dueMinute is the first whole UTC minute at least lead after now.
func dueMinute(now time.Time, lead time.Duration) time.Time {
	t := now.Add(lead).UTC()
	due := t.Truncate(time.Minute)
	if due.Before(t) {
		due = due.Add(time.Minute)
	}
	return due
}

// checkinsAndFanout seeds the fan-out members due after the check-in
// phases, starts the bot (or --instances of it on --postgres), runs the
// four check-in phases (unless --fanout-only) and then watches the due
// minute fan out and drain.
func (b *bench) checkinsAndFanout(ctx context.Context, r *report) error {
	o := b.opts
	f, err := startFakes(o.Slack429)
	if err != nil {
		return err
	}
	defer f.close()
	f.slack.latency = o.Latency
	if o.Capacity > 0 {
		f.slack.bucket = newBucket(o.Capacity)
	}
	dbPath := filepath.Join(b.dir, "fanout.db")
	if o.Postgres != "" {
		dbPath = o.Postgres
	}
	var due time.Time
	if o.Subscribers > 0 {
		// Four phases, start-up and some margin; with --requests the phase
		// length is unknown and --duration is the guess.
		lead := 4*o.Duration + 15*time.Second
		if o.FanoutOnly {
			lead = 20 * time.Second
		}
		due = dueMinute(time.Now(), lead)
		fmt.Fprintf(b.log, "seeding %d members due at %s ...\n", o.Subscribers, due.Format("15:04 UTC"))
		tod := bot.TimeOfDay(due.Hour()*60 + due.Minute())
		if _, err := seed(ctx, dbPath, o.Subscribers, "S", func(int) (bot.TimeOfDay, string) { return tod, "UTC" }); err != nil {
			return fmt.Errorf("seed fan-out members: %w", err)
		}
	}
	fleet := &fleet{bin: b.bin, logs: o.Logs}
	defer fleet.killAll()
	for range o.Instances {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		if err := fleet.start(ctx, b.env(f, dbPath, addr), addr); err != nil {
			return err
		}
	}
	c := fleet.children[0]

	if !o.FanoutOnly {
		p := newPoster(o.Clients)
		defer p.close()
		phase := func(name, url string, sign func(n int64, now time.Time) ([]byte, http.Header)) loadResult {
			fmt.Fprintf(b.log, "check-ins: %s ...\n", name)
			return runLoad(ctx, o.Clients, o.Duration, o.Requests, func(ctx context.Context, n int64) error {
				body, h := sign(n, time.Now())
				return p.post(ctx, url, body, h)
			})
		}
		bareS := httptest.NewServer(bareSlack(signingSecret))
		defer bareS.Close()
		slackSign := func(n int64, now time.Time) ([]byte, http.Header) { return slackCheckIn(signingSecret, n, now) }
		s := &checkinResult{Bare: phase("bare Slack verifier", bareS.URL+"/slack/commands", slackSign)}
		s.Bot = phase("bot Slack /slack/commands", c.base+"/slack/commands", slackSign)
		s.Ratio = ratio(s.Bot.RPS, s.Bare.RPS)
		r.Slack = s

		bareD := httptest.NewServer(bareDiscord(f.priv.Public().(ed25519.PublicKey)))
		defer bareD.Close()
		discSign := func(n int64, now time.Time) ([]byte, http.Header) { return discordCheckIn(f.priv, n, now) }
		d := &checkinResult{Bare: phase("bare Ed25519 verifier", bareD.URL+"/discord/interactions", discSign)}
		d.Bot = phase("bot /discord/interactions", c.base+"/discord/interactions", discSign)
		d.Ratio = ratio(d.Bot.RPS, d.Bare.RPS)
		r.Discord = d
		if err := ctx.Err(); err != nil {
			return err
		}
	}

	if o.Subscribers > 0 {
		if time.Now().After(due) {
			fmt.Fprintln(b.log, "warning: the check-in phases ran past the due minute; fan-out overlapped them")
		}
		fo, err := b.fanout(ctx, fleet, f.slack, due)
		if err != nil {
			return err
		}
		r.Fanout = fo
	}
	_, hwm, err := fleet.children[0].memory()
	if err != nil {
		return err
	}
	if r.Fanout != nil {
		r.Fanout.PeakRSSKB = hwm
	}
	return fleet.stopAll(stopTimeout)
}

// fleet is the bot processes of a run, with what restarts them.
type fleet struct {
	bin      string
	children []*child
	envs     [][]string
	addrs    []string
	// logs is the directory for the processes' logs ("" for none);
	// starts counts the processes started, to name them.
	logs   string
	starts int
}

func (fl *fleet) start(ctx context.Context, env []string, addr string) error {
	c, err := startChild(ctx, fl.bin, env, addr, fl.logPath(len(fl.children)), readyTimeout)
	if err != nil {
		return err
	}
	fl.children = append(fl.children, c)
	fl.envs = append(fl.envs, env)
	fl.addrs = append(fl.addrs, addr)
	return nil
}

// logPath names the log of the next process started as instance i.
func (fl *fleet) logPath(i int) string {
	fl.starts++
	if fl.logs == "" {
		return ""
	}
	return filepath.Join(fl.logs, fmt.Sprintf("%02d-instance-%d.log", fl.starts, i))
}

// crash kills process i with SIGKILL and starts it again on the same
// database and address.
func (fl *fleet) crash(ctx context.Context, i int) error {
	fl.children[i].kill()
	c, err := startChild(ctx, fl.bin, fl.envs[i], fl.addrs[i], fl.logPath(i), readyTimeout)
	if err != nil {
		return fmt.Errorf("restart after kill -9: %w", err)
	}
	fl.children[i] = c
	return nil
}

func (fl *fleet) killAll() {
	for _, c := range fl.children {
		if c != nil {
			c.kill()
		}
	}
}

func (fl *fleet) stopAll(timeout time.Duration) error {
	var errs []error
	for i, c := range fl.children {
		errs = append(errs, c.stop(timeout))
		fl.children[i] = nil
	}
	return errors.Join(errs...)
}

// fanout waits for the due minute, times until every row is in the outbox
// (scraping /metrics), then until every member got a message or delivery
// stalls, killing and restarting a process --kills times on the way, and
// counts lost and duplicate nudges at the fake.
func (b *bench) fanout(ctx context.Context, fl *fleet, api *fakeSlack, due time.Time) (*fanoutResult, error) {
	o := b.opts
	fmt.Fprintf(b.log, "fan-out: waiting for %s ...\n", due.Format("15:04:05 UTC"))
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	if err := sleepUntil(ctx, due.Add(-500*time.Millisecond)); err != nil {
		return nil, err
	}
	res := &fanoutResult{Subscribers: o.Subscribers, Due: due, ConfiguredRate: o.Rate, Capacity: o.Capacity, Kills: o.Kills, Instances: len(fl.children)}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	enqueueDeadline := due.Add(90 * time.Second)
	for {
		rows, err := fl.children[0].outboxRows(ctx, client)
		if err != nil {
			return nil, err
		}
		total := 0.0
		for _, n := range rows {
			total += n
		}
		if total >= float64(o.Subscribers) {
			res.EnqueueSeconds = max(time.Since(due).Seconds(), 0)
			break
		}
		if time.Now().After(enqueueDeadline) {
			return nil, fmt.Errorf("fan-out: only %.0f of %d outbox rows 90 s after the due minute", total, o.Subscribers)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	fmt.Fprintf(b.log, "fan-out: %d rows enqueued in %.3f s; draining ...\n", o.Subscribers, res.EnqueueSeconds)
	// Done when everyone has a message, or nothing arrived for stall. A
	// killed PostgreSQL instance's rows come back once its heartbeat is
	// late (seconds), but a bot without heartbeats (an older build, for a
	// baseline) leaves them for its 30 s claim lease.
	stall := 15 * time.Second
	if o.Kills > 0 {
		stall = 45 * time.Second
	}
	users := func(yield func(string) bool) {
		for i := range o.Subscribers {
			if !yield("S" + strconv.Itoa(i)) {
				return
			}
		}
	}
	kills := 0
	lastTotal, lastChange := -1, time.Now()
	for {
		snap := api.rec.snapshot()
		if snap.Total != lastTotal {
			lastTotal, lastChange = snap.Total, time.Now()
		}
		if snap.Users >= o.Subscribers || time.Since(lastChange) > stall {
			break
		}
		// Kill at evenly spaced shares of the members nudged.
		if kills < o.Kills && snap.Users >= (kills+1)*o.Subscribers/(o.Kills+1) {
			i := kills % len(fl.children)
			fmt.Fprintf(b.log, "fan-out: kill -9 of instance %d at %d members nudged\n", i, snap.Users)
			if err := fl.crash(ctx, i); err != nil {
				return nil, err
			}
			kills++
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// A short grace period shows duplicates that arrive after the last
	// first delivery.
	if err := sleepUntil(ctx, time.Now().Add(2*time.Second)); err != nil {
		return nil, err
	}
	snap := api.rec.snapshot()
	res.Delivered, res.Lost = api.rec.delivered(users)
	if res.Lost > 0 {
		for i, c := range fl.children {
			fmt.Fprintf(b.log, "instance %d log tail:\n%s\n", i, c.stderr)
		}
	}
	res.Duplicates, res.RateLimited = snap.Duplicates, snap.RateLimited
	res.Kills = kills
	if snap.Total > 1 {
		res.DeliverySeconds = snap.Last.Sub(snap.First).Seconds()
		res.Rate = float64(snap.Total-1) / res.DeliverySeconds
		res.RateRatio = res.Rate / o.Rate
	}
	steady, last := api.rec.steady()
	res.SteadyRate = steady
	if o.Capacity > 0 {
		res.SteadyRatio = steady / o.Capacity
	} else {
		res.SteadyRatio = steady / o.Rate
	}
	if !last.IsZero() {
		res.AllDoneSeconds = last.Sub(due).Seconds()
	}
	api.mu.Lock()
	res.HistoryCalls = api.historyCalls
	api.mu.Unlock()
	if o.Timeline {
		res.Timeline = api.rec.timeline(due)
	}
	return res, nil
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startupZones spread the start-up reminders over several cron groups per
// minute, as a real deployment's would be.
var startupZones = []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "America/Los_Angeles", "Europe/London", "Asia/Kolkata"}

// startup stores many reminders, then times a fresh process to /readyz and
// reads its memory.
func (b *bench) startup(ctx context.Context) (*startupResult, error) {
	n := b.opts.StartupSubscriptions
	f, err := startFakes(0)
	if err != nil {
		return nil, err
	}
	defer f.close()
	dbPath := filepath.Join(b.dir, "startup.db")
	took, err := seed(ctx, dbPath, n, "R", func(i int) (bot.TimeOfDay, string) {
		return bot.TimeOfDay(i % 1440), startupZones[(i/1440)%len(startupZones)]
	})
	if err != nil {
		return nil, fmt.Errorf("seed start-up reminders: %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	c, err := startChild(ctx, b.bin, b.env(f, dbPath, addr), addr, "", readyTimeout)
	if err != nil {
		return nil, err
	}
	rss, hwm, err := c.memory()
	if err != nil {
		c.kill()
		return nil, err
	}
	res := &startupResult{Subscriptions: n, SeedSeconds: took.Seconds(), ReadySeconds: c.ReadyAfter.Seconds(), RSSKB: rss, PeakRSSKB: hwm}
	if err := sleepUntil(ctx, time.Now().Add(settleAfter)); err != nil {
		c.kill()
		return nil, err
	}
	if res.SettledRSSKB, res.SettledPeakKB, err = c.memory(); err != nil {
		c.kill()
		return nil, err
	}
	if err := c.stop(stopTimeout); err != nil {
		return nil, err
	}
	return res, nil
}

// Command coachload measures a real recoverycoach process end to end: it
// builds the bot, runs it in HTTP mode against in-process fakes of the Slack
// and Discord APIs, and reports signed check-in throughput and latency
// (against bare signature-verifying handlers measured in the same run),
// nudge fan-out and delivery (lost and duplicate nudges), start-up time and
// memory with many stored reminders.
//
//	go run ./cmd/coachload [--clients 64] [--duration 10s | --requests N]
//	    [--subscribers 10000] [--rate 500] [--slack-429 0]
//	    [--latency 0] [--capacity 0] [--kills 0] [--concurrency 0]
//	    [--postgres URL [--instances 3]] [--fanout-only]
//	    [--startup-subscriptions 100000] [--bin PATH] [--json]
//	    [--timeline] [--logs DIR]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "coachload:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a bad command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// options are the command-line flags.
type options struct {
	Clients              int           `json:"clients"`
	Duration             time.Duration `json:"duration_ns"`
	Requests             int           `json:"requests"`
	Subscribers          int           `json:"subscribers"`
	Rate                 float64       `json:"rate"`
	Slack429             float64       `json:"slack_429_fraction"`
	StartupSubscriptions int           `json:"startup_subscriptions"`
	// Latency is the fake Slack's answer time per call; Capacity its
	// shared limit in messages per second (0: none).
	Latency  time.Duration `json:"latency_ns"`
	Capacity float64       `json:"capacity"`
	// Kills is how many times a bot process is killed with SIGKILL (and
	// restarted) during the fan-out's drain.
	Kills int `json:"kills"`
	// Concurrency is COACH_SEND_CONCURRENCY (0: the bot's default).
	Concurrency int `json:"concurrency"`
	// Postgres, when set, is an empty PostgreSQL database shared by
	// Instances bot processes instead of a SQLite file.
	Postgres  string `json:"-"`
	Instances int    `json:"instances"`
	// FanoutOnly skips the check-in phases.
	FanoutOnly bool   `json:"fanout_only"`
	Bin        string `json:"-"`
	JSON       bool   `json:"-"`
	// Timeline prints the drain second by second; Logs is a directory
	// that receives every bot process's log at debug level.
	Timeline bool   `json:"-"`
	Logs     string `json:"-"`
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("coachload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.Clients, "clients", 64, "concurrent clients in the check-in phases")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "length of each check-in phase")
	fs.IntVar(&o.Requests, "requests", 0, "requests per check-in phase instead of --duration")
	fs.IntVar(&o.Subscribers, "subscribers", 10000, "Slack members due at one minute in the fan-out phase (0 skips it)")
	fs.Float64Var(&o.Rate, "rate", 500, "COACH_SLACK_RPS for the bot: outbound Slack messages per second")
	fs.Float64Var(&o.Slack429, "slack-429", 0, "fraction of chat.postMessage calls the fake answers with 429 Retry-After: 1")
	fs.IntVar(&o.StartupSubscriptions, "startup-subscriptions", 100000, "reminders stored before the start-up measurement (0 skips it)")
	fs.DurationVar(&o.Latency, "latency", 0, "fake Slack API latency per call, such as 100ms")
	fs.Float64Var(&o.Capacity, "capacity", 0, "fake Slack's shared limit in chat.postMessage calls per second: a token bucket answering 429 with Retry-After beyond it (0: none)")
	fs.IntVar(&o.Kills, "kills", 0, "kill a bot process with SIGKILL this many times during the fan-out's drain, restarting it each time")
	fs.IntVar(&o.Concurrency, "concurrency", 0, "COACH_SEND_CONCURRENCY for the bot (0: its default)")
	fs.StringVar(&o.Postgres, "postgres", "", "URL of an empty PostgreSQL database to share between --instances bots instead of SQLite")
	fs.IntVar(&o.Instances, "instances", 1, "bot processes sharing the --postgres database")
	fs.BoolVar(&o.FanoutOnly, "fanout-only", false, "skip the check-in phases")
	fs.StringVar(&o.Bin, "bin", "", "recoverycoach binary to measure (default: go build ./cmd/recoverycoach)")
	fs.BoolVar(&o.JSON, "json", false, "print the results as JSON")
	fs.BoolVar(&o.Timeline, "timeline", false, "print the fan-out's drain second by second: first deliveries and 429s")
	fs.StringVar(&o.Logs, "logs", "", "directory to write each bot process's log to, at debug level")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, usageError{err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return o, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case o.Clients < 1:
		return o, usageError{"--clients must be at least 1"}
	case o.Duration <= 0 && o.Requests <= 0:
		return o, usageError{"--duration or --requests must be positive"}
	case o.Subscribers < 0 || o.StartupSubscriptions < 0 || o.Requests < 0:
		return o, usageError{"counts must not be negative"}
	case o.Rate <= 0:
		return o, usageError{"--rate must be positive"}
	case o.Slack429 < 0 || o.Slack429 >= 1:
		return o, usageError{"--slack-429 must be in [0, 1)"}
	case o.Latency < 0 || o.Capacity < 0 || o.Kills < 0 || o.Concurrency < 0:
		return o, usageError{"--latency, --capacity, --kills and --concurrency must not be negative"}
	case o.Instances < 1 || (o.Instances > 1 && o.Postgres == ""):
		return o, usageError{"--instances must be 1, or more with --postgres"}
	}
	return o, nil
}

// machine describes where the numbers came from.
type machine struct {
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go_version"`
	CPUModel  string `json:"cpu_model,omitempty"`
	// LoadAvg is /proc/loadavg at the start: other work on the machine
	// skews every figure.
	LoadAvg string `json:"load_avg,omitempty"`
}

// checkinResult compares the bot with a bare verifying handler.
type checkinResult struct {
	Bot   loadResult `json:"bot"`
	Bare  loadResult `json:"bare"`
	Ratio float64    `json:"ratio"`
}

// fanoutResult is one due minute fanned out to many members.
type fanoutResult struct {
	Subscribers     int       `json:"subscribers"`
	Due             time.Time `json:"due"`
	EnqueueSeconds  float64   `json:"enqueue_seconds"`
	Delivered       int       `json:"delivered"`
	Lost            int       `json:"lost"`
	Duplicates      int       `json:"duplicates"`
	RateLimited     int       `json:"rate_limited"`
	DeliverySeconds float64   `json:"delivery_seconds"`
	Rate            float64   `json:"rate"`
	ConfiguredRate  float64   `json:"configured_rate"`
	RateRatio       float64   `json:"rate_ratio"`
	PeakRSSKB       int64     `json:"peak_rss_kb"`
	// Capacity is the fake's shared limit; SteadyRate the delivery rate
	// between the 10th and 90th percentile of first deliveries, and
	// SteadyRatio its share of the capacity (of the rate without one).
	Capacity    float64 `json:"capacity,omitempty"`
	SteadyRate  float64 `json:"steady_rate"`
	SteadyRatio float64 `json:"steady_ratio"`
	// AllDoneSeconds is from the due minute to the last member's first
	// nudge.
	AllDoneSeconds float64 `json:"all_done_seconds"`
	Kills          int     `json:"kills"`
	Instances      int     `json:"instances"`
	// HistoryCalls counts conversations.history calls (reconciliation).
	HistoryCalls int `json:"history_calls"`
	// Timeline is the drain second by second from the due minute, with
	// --timeline.
	Timeline []second `json:"timeline,omitempty"`
}

// startupResult is start-up with many stored reminders.
type startupResult struct {
	Subscriptions int     `json:"subscriptions"`
	SeedSeconds   float64 `json:"seed_seconds"`
	ReadySeconds  float64 `json:"ready_seconds"`
	RSSKB         int64   `json:"rss_kb"`
	PeakRSSKB     int64   `json:"peak_rss_kb"`
	// Settled* are read settleAfter after ready: /readyz does not wait for
	// the scheduler to load its cron groups, so memory keeps growing.
	SettledRSSKB  int64 `json:"settled_rss_kb"`
	SettledPeakKB int64 `json:"settled_peak_rss_kb"`
}

// report is everything one run measured; omitted phases are nil.
type report struct {
	Machine machine        `json:"machine"`
	Options options        `json:"options"`
	Slack   *checkinResult `json:"slack_checkin,omitempty"`
	Discord *checkinResult `json:"discord_checkin,omitempty"`
	Fanout  *fanoutResult  `json:"fanout,omitempty"`
	Startup *startupResult `json:"startup,omitempty"`
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(getenv("TMPDIR"), "coachload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := o.Bin
	if bin == "" {
		fmt.Fprintln(stderr, "building ./cmd/recoverycoach ...")
		if bin, err = buildBot(ctx, tmp); err != nil {
			return err
		}
	}
	if o.Logs != "" {
		if err := os.MkdirAll(o.Logs, 0o755); err != nil {
			return fmt.Errorf("--logs: %w", err)
		}
	}
	r := report{Machine: thisMachine(), Options: o}
	b := &bench{opts: o, bin: bin, dir: tmp, getenv: getenv, log: stderr}
	if err := b.checkinsAndFanout(ctx, &r); err != nil {
		return err
	}
	if o.StartupSubscriptions > 0 {
		fmt.Fprintf(stderr, "start-up with %d stored reminders ...\n", o.StartupSubscriptions)
		s, err := b.startup(ctx)
		if err != nil {
			return err
		}
		r.Startup = s
	}
	if o.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return writeTable(stdout, r)
}

func thisMachine() machine {
	m := machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				m.CPUModel = strings.TrimSpace(value)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadAvg = strings.Join(strings.Fields(string(data))[:3], " ")
	}
	return m
}

// writeTable prints the report for people.
func writeTable(w io.Writer, r report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "machine: %s/%s, %d CPUs (%s), %s, load average %s at start\n",
		r.Machine.OS, r.Machine.Arch, r.Machine.CPUs, r.Machine.CPUModel, r.Machine.GoVersion, r.Machine.LoadAvg)
	o := r.Options
	phase := o.Duration.String()
	if o.Requests > 0 {
		phase = fmt.Sprintf("%d requests", o.Requests)
	}
	fmt.Fprintf(w, "check-ins: %d clients, %s per phase\n\n", o.Clients, phase)
	fmt.Fprintln(tw, "check-in\treq/s\tp50 ms\tp99 ms\terrors\tbare req/s\tbare p99 ms\tratio")
	for _, c := range []struct {
		name string
		res  *checkinResult
	}{{"Slack signed /pain", r.Slack}, {"Discord Ed25519 /pain", r.Discord}} {
		if c.res == nil {
			continue
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.1f\t%.1f\t%d\t%.0f\t%.1f\t%.2fx\n", c.name, c.res.Bot.RPS, c.res.Bot.P50ms, c.res.Bot.P99ms,
			c.res.Bot.Errors, c.res.Bare.RPS, c.res.Bare.P99ms, c.res.Ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if f := r.Fanout; f != nil {
		fmt.Fprintf(w, "\nfan-out: %d Slack members due at %s\n", f.Subscribers, f.Due.Format("15:04 UTC"))
		fmt.Fprintf(tw, "due minute to all rows enqueued\t%.3f s\n", f.EnqueueSeconds)
		fmt.Fprintf(tw, "delivered / lost / duplicates\t%d / %d / %d\n", f.Delivered, f.Lost, f.Duplicates)
		fmt.Fprintf(tw, "429s injected\t%d\n", f.RateLimited)
		fmt.Fprintf(tw, "delivery\t%.1f msg/s over %.1f s\n", f.Rate, f.DeliverySeconds)
		fmt.Fprintf(tw, "vs COACH_SLACK_RPS=%g\t%.3f\n", f.ConfiguredRate, f.RateRatio)
		fmt.Fprintf(tw, "steady (10th to 90th percentile)\t%.1f msg/s, %.3f of %s\n", f.SteadyRate, f.SteadyRatio, map[bool]string{true: fmt.Sprintf("capacity %g", f.Capacity), false: "the rate"}[f.Capacity > 0])
		fmt.Fprintf(tw, "due minute to last member nudged\t%.1f s\n", f.AllDoneSeconds)
		fmt.Fprintf(tw, "kills / instances / history calls\t%d / %d / %d\n", f.Kills, f.Instances, f.HistoryCalls)
		fmt.Fprintf(tw, "bot peak RSS (whole run)\t%.1f MB\n", float64(f.PeakRSSKB)/1024)
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(f.Timeline) > 0 {
			fmt.Fprintf(w, "\nseconds after the due minute: members nudged first / 429s\n")
			for _, s := range f.Timeline {
				fmt.Fprintf(tw, "%d\t%d\t%d\n", s.At, s.First, s.Limited)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	if s := r.Startup; s != nil {
		fmt.Fprintf(w, "\nstart-up with %d stored reminders\n", s.Subscriptions)
		fmt.Fprintf(tw, "seed (ImportSubscriptions)\t%.2f s\n", s.SeedSeconds)
		fmt.Fprintf(tw, "process start to /readyz 200\t%.3f s\n", s.ReadySeconds)
		fmt.Fprintf(tw, "RSS at ready (VmRSS / VmHWM)\t%.1f / %.1f MB\n", float64(s.RSSKB)/1024, float64(s.PeakRSSKB)/1024)
		fmt.Fprintf(tw, "RSS %s after ready (VmRSS / VmHWM)\t%.1f / %.1f MB\n", settleAfter, float64(s.SettledRSSKB)/1024, float64(s.SettledPeakKB)/1024)
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

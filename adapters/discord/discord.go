// Package discord is the Discord adapter: slash commands with typed options,
// button clicks and the modals form buttons open, received over the gateway
// (a websocket, no public URL needed) or as signed HTTP interactions, plus
// the Sender that delivers nudges as direct messages. Both transports share
// one handler path.
//
// Every interaction is answered within Discord's 3 seconds, counted from
// its arrival: the store checks (the interaction-id record, a DM's owner)
// and the Coach run in a goroutine and, when they are slow, the interaction
// is deferred and the answer edited in later. That late work belongs to the
// Adapter, which waits for it when it stops.
//
// An interaction from a DM acts for the server member whose nudges go to
// that DM, as a message typed there does.
package discord

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/adapters/internal/inflight"
	"github.com/recoverycoach/recoverycoach/adapters/internal/redact"
	"github.com/recoverycoach/recoverycoach/bot"
)

// Handler runs a request; *bot.Coach implements it.
type Handler interface {
	Handle(ctx context.Context, req bot.Request) bot.Reply
}

// Store is what the adapter keeps: cached DM channels and the ids of
// interactions already handled. *sqlite.DB implements it.
type Store interface {
	DMChannel(ctx context.Context, key bot.MemberKey) (string, error)
	SetDMChannel(ctx context.Context, key bot.MemberKey, channel string) error
	SeenEvent(ctx context.Context, id string, now time.Time) (seenBefore bool, err error)
	// MemberByDMChannel finds the member whose nudges go to a DM channel.
	MemberByDMChannel(ctx context.Context, p bot.Platform, channel string) (bot.MemberKey, bool, error)
}

// Defaults for Config.
const (
	// DefaultAckDeadline leaves half a second of Discord's 3 for the answer
	// to travel.
	DefaultAckDeadline = 2500 * time.Millisecond
	// DefaultDedupeWait is how long an acknowledgement waits for the store
	// (the interaction-id record and, in a DM, the owner lookup). Both take
	// a millisecond or two; much longer means the database is busy, and the
	// Coach, which writes too, would only be slower.
	DefaultDedupeWait = 500 * time.Millisecond
	// DefaultWorkTimeout bounds late work; interaction tokens last 15 minutes.
	DefaultWorkTimeout = 2 * time.Minute
	// DefaultDrainTimeout is how long Run waits for late work when stopping
	// before it cancels what is left.
	DefaultDrainTimeout = 15 * time.Second
	// MaxBodyBytes bounds an HTTP interaction body. Real ones are a few kB.
	MaxBodyBytes = 64 << 10
	// MaxClockSkew is the replay window of signed HTTP interactions.
	MaxClockSkew = 5 * time.Minute
	// DMWorkspace is the workspace of interactions outside any server.
	DMWorkspace = "dm"
)

// Config holds the adapter's settings and dependencies.
type Config struct {
	// Session sends every REST call (answers, edits, DMs) and, in gateway
	// mode, holds the websocket. NewSession builds one.
	Session *discordgo.Session
	// PublicKey (hex) selects HTTP interactions mode and verifies requests;
	// without it the adapter runs the gateway.
	PublicKey string
	Handler   Handler
	Store     Store
	// Clock gives the time for the signature replay window and for the
	// dedupe records.
	Clock bot.Clock
	// Logger gets the adapter's logs with every URL shortened to its host
	// and endpoint: REST errors quote the URL they called, and an
	// interaction's webhook URL carries its token.
	Logger *slog.Logger
	// AckDeadline is how long after its arrival an interaction may run
	// before it is deferred.
	AckDeadline time.Duration
	// DedupeWait bounds the acknowledgement's wait for the store checks
	// that come before the Coach (the interaction-id record, a DM's owner).
	// When they take longer the interaction is deferred at once and the
	// checks finish in the background.
	DedupeWait time.Duration
	// WorkTimeout bounds one interaction's work, late or not.
	WorkTimeout time.Duration
	// DrainTimeout bounds the wait for late work when Run stops.
	DrainTimeout time.Duration
	// OnReconnect, when set, is called each time the gateway connects again
	// after its first connection (for metrics).
	OnReconnect func()
	// MaxConcurrent bounds the requests the Handler works on at once
	// (default 4); the rest wait their turn. More only queue inside the
	// database and raise every request's latency.
	MaxConcurrent int
	// ShardID and ShardCount split a large bot's guilds across instances:
	// this one connects as shard ShardID of ShardCount, and Discord sends it
	// only its share of guilds (direct messages go to shard 0). Zero for
	// both means one unsharded connection. Gateway mode only: HTTP
	// interactions reach whichever instance the load balancer picks.
	ShardID    int
	ShardCount int
}

// DefaultMaxConcurrent bounds the requests handled at once.
const DefaultMaxConcurrent = 4

// handle runs req through the Handler once a slot is free; a request that
// waits past its context gets a short "busy" answer.
func (a *Adapter) handle(ctx context.Context, req bot.Request) bot.Reply {
	if !a.work.Acquire(ctx) {
		return bot.Reply{Text: "Sorry, I'm busy right now; please try again in a moment."}
	}
	defer a.work.Release()
	return a.handler.Handle(ctx, req)
}

// Adapter is the Discord adapter. Its methods are safe for concurrent use.
type Adapter struct {
	session     *discordgo.Session
	publicKey   ed25519.PublicKey
	handler     Handler
	store       Store
	clock       bot.Clock
	log         *slog.Logger
	ackDeadline time.Duration
	dedupeWait  time.Duration
	workTimeout time.Duration
	drain       time.Duration

	// work bounds the requests in the core and owns the late work; its
	// context (base) outlives any request and ends only after draining.
	work *inflight.Work
	base context.Context

	connected atomic.Bool
	// connects counts gateway connections, so reconnects can be told apart.
	connects atomic.Int64
}

// New returns an adapter. In HTTP mode (PublicKey set) mount HTTPHandler
// at POST /discord/interactions; in either mode call Run.
func New(cfg Config) (*Adapter, error) {
	if cfg.Session == nil {
		return nil, errors.New("discord: a session is required")
	}
	if cfg.Handler == nil || cfg.Store == nil {
		return nil, errors.New("discord: a handler and a store are required")
	}
	a := &Adapter{
		session:     cfg.Session,
		handler:     cfg.Handler,
		store:       cfg.Store,
		clock:       cfg.Clock,
		log:         redact.Logger(cfg.Logger),
		ackDeadline: cfg.AckDeadline,
		dedupeWait:  cfg.DedupeWait,
		workTimeout: cfg.WorkTimeout,
		drain:       cfg.DrainTimeout,
		work:        inflight.New(cmp.Or(max(cfg.MaxConcurrent, 0), DefaultMaxConcurrent)),
	}
	a.base = a.work.Context()
	if cfg.ShardID != 0 || cfg.ShardCount != 0 {
		switch {
		case cfg.PublicKey != "":
			return nil, errors.New("discord: shards split the gateway; HTTP interactions (a public key) take none")
		case cfg.ShardCount < 1 || cfg.ShardID < 0 || cfg.ShardID >= cfg.ShardCount:
			return nil, fmt.Errorf("discord: shard %d of %d: want 0 <= id < count", cfg.ShardID, cfg.ShardCount)
		}
		// discordgo puts these in its identify payload.
		cfg.Session.ShardID, cfg.Session.ShardCount = cfg.ShardID, cfg.ShardCount
	}
	if cfg.PublicKey != "" {
		key, err := hex.DecodeString(cfg.PublicKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			return nil, errors.New("DISCORD_PUBLIC_KEY: not a hex Ed25519 public key (64 hex digits from the Developer Portal)")
		}
		a.publicKey = key
	}
	if a.clock == nil {
		a.clock = bot.SystemClock{}
	}
	if a.ackDeadline <= 0 {
		a.ackDeadline = DefaultAckDeadline
	}
	if a.dedupeWait <= 0 {
		a.dedupeWait = DefaultDedupeWait
	}
	if a.workTimeout <= 0 {
		a.workTimeout = DefaultWorkTimeout
	}
	if a.drain <= 0 {
		a.drain = DefaultDrainTimeout
	}
	if a.publicKey == nil {
		a.session.AddHandler(func(_ *discordgo.Session, _ *discordgo.Connect) {
			a.connected.Store(true)
			if a.connects.Add(1) > 1 && cfg.OnReconnect != nil {
				cfg.OnReconnect()
			}
		})
		a.session.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) { a.connected.Store(false) })
		a.session.AddHandler(func(_ *discordgo.Session, e *discordgo.InteractionCreate) { a.onInteraction(e.Interaction) })
		a.session.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageCreate) { a.onDirectMessage(e.Message) })
	}
	return a, nil
}

// HTTPMode reports whether the adapter takes interactions over HTTP.
func (a *Adapter) HTTPMode() bool { return a.publicKey != nil }

// Ready reports whether the adapter can take interactions: always in HTTP
// mode, while the gateway is connected otherwise (discordgo reconnects by
// itself, and the flag follows its Connect and Disconnect events).
func (a *Adapter) Ready() bool {
	return a.HTTPMode() || a.connected.Load()
}

// Run holds the gateway connection (in gateway mode) until ctx ends, then
// closes it and drains in-flight work. In HTTP mode it only drains at the
// end. A failure to connect at start is returned: it usually means a bad
// token, which retrying cannot fix.
func (a *Adapter) Run(ctx context.Context) error {
	var err error
	if !a.HTTPMode() {
		if err = a.session.Open(); err != nil {
			err = fmt.Errorf("discord gateway: %w", err)
		} else {
			a.log.InfoContext(ctx, "discord gateway connected")
			<-ctx.Done()
			// discordgo's heartbeat goroutine can still fail on the closed
			// socket and reconnect. It reads this flag only after taking the
			// session lock that Close takes too, so it sees the change.
			a.session.ShouldReconnectOnError = false
			if cerr := a.session.Close(); cerr != nil {
				a.log.WarnContext(ctx, "discord gateway close", "err", cerr)
			}
		}
	} else {
		<-ctx.Done()
	}
	a.Shutdown()
	return err
}

// Shutdown stops taking new late work and waits for the work in flight,
// cancelling it after the drain timeout.
func (a *Adapter) Shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), a.drain)
	defer cancel()
	if err := a.work.Drain(ctx); err != nil {
		a.log.Warn("discord: cancelled late work still running at shutdown")
	}
}

// Idle waits until the late work started so far has finished: for tests,
// which would otherwise poll for its effects.
func (a *Adapter) Idle() { a.work.Wait() }

// goTracked runs fn as late work that Shutdown waits for; it reports
// false once shutting down.
func (a *Adapter) goTracked(fn func()) bool { return a.work.Go(fn) }

// Package slack is the Slack adapter: slash commands, buttons, dialogs and
// events over Socket Mode or signed HTTP, Block Kit replies, and the Sender
// that delivers nudges to members' DMs.
//
// Both transports share one path: a Slack payload becomes a bot.Request, the
// Coach answers within Slack's three-second window or the answer follows
// through response_url, and every reply is rendered by Render.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/recoverycoach/recoverycoach/adapters/internal/inflight"
	"github.com/recoverycoach/recoverycoach/adapters/internal/redact"
	"github.com/recoverycoach/recoverycoach/bot"
)

// Handler answers requests; *bot.Coach implements it.
type Handler interface {
	Handle(ctx context.Context, req bot.Request) bot.Reply
}

// Store is the storage the adapter needs: event de-duplication and the DM
// channel cache. *sqlite.DB implements it.
type Store interface {
	// SeenEvent records id and reports whether it had been recorded before.
	SeenEvent(ctx context.Context, id string, now time.Time) (bool, error)
	// DMChannel returns the cached DM channel of a member, "" when unknown.
	DMChannel(ctx context.Context, key bot.MemberKey) (string, error)
	// SetDMChannel caches (or, with "", forgets) the DM channel of a member.
	SetDMChannel(ctx context.Context, key bot.MemberKey, channel string) error
}

// Defaults for Config fields left zero.
const (
	DefaultAckDeadline = 2500 * time.Millisecond
	// DefaultCheckWait is how long an acknowledgement waits for the store
	// (the shared replay record, an event id). Both take a millisecond or
	// two; much longer means the database is busy.
	DefaultCheckWait    = 500 * time.Millisecond
	DefaultWorkTimeout  = 30 * time.Second
	DefaultDrainTimeout = 15 * time.Second
	DefaultUserCache    = 10000
	DefaultUserTTL      = 12 * time.Hour
	// DefaultMaxConcurrent bounds the commands handled at once. SQLite has
	// one writer and a small read pool, so more would only queue inside
	// database/sql (churning its connections); fewer would let one slow
	// command hold up the rest.
	DefaultMaxConcurrent = 4
	// maxReplaySignatures bounds the replay guard's memory.
	maxReplaySignatures = 100000
	// MaxBodyBytes bounds every inbound HTTP body; Slack's payloads are a
	// few kilobytes.
	MaxBodyBytes = 64 << 10
)

// homeRefresh is how long a published App Home is left alone: the view is
// static, so re-publishing it every time the tab opens would only spend
// views.publish rate limit.
const homeRefresh = 24 * time.Hour

// userLookupTimeout bounds the users.info call a user's first command may
// wait for; the command goes ahead without a zone when Slack is slow.
const userLookupTimeout = time.Second

// Config configures an Adapter.
type Config struct {
	// Client talks to the Slack Web API with the bot token (and, for Socket
	// Mode, the app-level token). Required.
	Client *slackgo.Client
	// Handler answers requests. Required.
	Handler Handler
	// Store de-duplicates events and caches DM channels. Required.
	Store Store
	// SocketMode receives events over a Socket Mode connection (the client
	// must carry the app-level token); otherwise Routes serves signed HTTP.
	SocketMode bool
	// SigningSecret verifies HTTP requests. Required unless SocketMode.
	SigningSecret string
	// SharedReplay records each HTTP request's signature in the Store as
	// well as in memory, so a captured request replayed after a restart,
	// or to another instance behind the same load balancer, is refused
	// too. It costs one small write per request.
	SharedReplay bool

	// Logger gets the adapter's logs with every URL shortened to its host
	// and endpoint: a response_url is a credential for several minutes,
	// and HTTP errors quote the URL they called.
	Logger *slog.Logger
	Clock  bot.Clock
	// HTTPClient posts to response_url; it defaults to one with a timeout.
	HTTPClient *http.Client
	// AckDeadline is how long after its arrival a slash command may take
	// before Slack gets an empty acknowledgement and the answer follows
	// through response_url.
	AckDeadline time.Duration
	// CheckWait bounds the acknowledgement's wait for the store checks
	// that come first (the shared replay record, an event's id). When they
	// take longer, Slack is acknowledged at once and the request finishes
	// in the background, answering through response_url.
	CheckWait time.Duration
	// WorkTimeout bounds the work done for one request.
	WorkTimeout time.Duration
	// DrainTimeout bounds how long Run waits for late answers at shutdown.
	DrainTimeout time.Duration
	// UserCacheSize and UserTTL bound the users.info cache.
	UserCacheSize int
	UserTTL       time.Duration
	// MaxConcurrent bounds the requests the Handler works on at once; the
	// rest wait their turn (within the ack deadline, then through
	// response_url).
	MaxConcurrent int
	// TrustResponseURL decides whether a response_url may be posted to. The
	// default accepts https URLs on slack.com, so a leaked signing secret
	// cannot turn the bot into a proxy.
	TrustResponseURL func(*url.URL) bool
	// OnReconnect, when set, is called each time Socket Mode connects again
	// after a lost connection (for metrics).
	OnReconnect func()
	// Distribution, when set, serves every workspace that installs the app
	// through OAuth, each with its own token; Client is then optional and
	// SocketMode is not allowed (Slack distributes HTTP apps only).
	Distribution *Distribution
}

// Adapter is the Slack adapter. It implements bot.Sender.
type Adapter struct {
	api      *slackgo.Client
	handler  Handler
	store    Store
	socket   bool
	secret   string
	log      *slog.Logger
	clock    bot.Clock
	http     *http.Client
	ack      time.Duration
	check    time.Duration
	work     time.Duration
	drain    time.Duration
	trustURL func(*url.URL) bool
	users    *userCache
	homes    *userCache // App Homes published recently, by team/user
	replay   *replayGuard
	// sharedReplay also records signatures in the store (Config.SharedReplay).
	sharedReplay bool
	// inflight bounds the requests in the core and owns the work that
	// outlives a request (late answers, events); its context (base) ends
	// only when Close has waited long enough.
	inflight *inflight.Work
	base     context.Context
	// onReconnect counts reconnects; never nil.
	onReconnect func()
	// dist is the distribution mode's configuration, nil with one token.
	dist       *Distribution
	refreshMu  sync.Mutex
	refreshing map[string]*sync.Mutex // per installation key
	teams      sync.Map               // team id -> enterprise id recorded

	ready atomic.Bool
}

var _ bot.Sender = (*Adapter)(nil)

// New returns an adapter. It makes no network calls; Run checks the token.
func New(cfg Config) (*Adapter, error) {
	if cfg.Distribution != nil {
		if err := cfg.Distribution.check(cfg.SocketMode); err != nil {
			return nil, err
		}
		if cfg.Client == nil {
			// Every call goes through a workspace's token; this one has none.
			cfg.Client = slackgo.New("", slackgo.OptionAPIURL(cfg.Distribution.APIURL))
		}
	}
	switch {
	case cfg.Client == nil:
		return nil, errors.New("slack: Config.Client is required")
	case cfg.Handler == nil:
		return nil, errors.New("slack: Config.Handler is required")
	case cfg.Store == nil:
		return nil, errors.New("slack: Config.Store is required")
	case !cfg.SocketMode && cfg.SigningSecret == "":
		return nil, errors.New("slack: a signing secret is required in HTTP mode")
	}
	a := &Adapter{
		api:          cfg.Client,
		handler:      cfg.Handler,
		store:        cfg.Store,
		socket:       cfg.SocketMode,
		secret:       cfg.SigningSecret,
		log:          redact.Logger(cfg.Logger),
		clock:        cfg.Clock,
		http:         cfg.HTTPClient,
		ack:          orDefault(cfg.AckDeadline, DefaultAckDeadline),
		check:        orDefault(cfg.CheckWait, DefaultCheckWait),
		work:         orDefault(cfg.WorkTimeout, DefaultWorkTimeout),
		drain:        orDefault(cfg.DrainTimeout, DefaultDrainTimeout),
		trustURL:     cfg.TrustResponseURL,
		users:        newUserCache(orDefault(cfg.UserCacheSize, DefaultUserCache), orDefault(cfg.UserTTL, DefaultUserTTL)),
		homes:        newUserCache(orDefault(cfg.UserCacheSize, DefaultUserCache), homeRefresh),
		replay:       newReplayGuard(maxReplaySignatures),
		sharedReplay: cfg.SharedReplay,
		inflight:     inflight.New(orDefault(cfg.MaxConcurrent, DefaultMaxConcurrent)),
	}
	a.base = a.inflight.Context()
	if a.clock == nil {
		a.clock = bot.SystemClock{}
	}
	if a.http == nil {
		a.http = &http.Client{Timeout: 10 * time.Second}
	}
	if a.trustURL == nil {
		a.trustURL = slackURL
	}
	a.dist = cfg.Distribution
	a.onReconnect = cfg.OnReconnect
	if a.onReconnect == nil {
		a.onReconnect = func() {}
	}
	return a, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// slackURL accepts https URLs on slack.com and its subdomains, where Slack's
// response_urls live.
func slackURL(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	return u.Scheme == "https" && (host == "slack.com" || strings.HasSuffix(host, ".slack.com"))
}

// Ready reports whether Slack has accepted the token (HTTP mode) or the
// Socket Mode connection is up.
func (a *Adapter) Ready() bool { return a.ready.Load() }

// Routes returns the HTTP handlers to mount, by mux pattern. Socket Mode
// needs none.
func (a *Adapter) Routes() map[string]http.Handler {
	if a.socket {
		return nil
	}
	routes := map[string]http.Handler{
		"POST /slack/commands":     http.HandlerFunc(a.serveCommand),
		"POST /slack/interactions": http.HandlerFunc(a.serveInteraction),
		"POST /slack/events":       http.HandlerFunc(a.serveEvent),
	}
	if a.dist != nil {
		routes["GET /{$}"] = http.HandlerFunc(a.serveLanding)
		routes["GET /privacy"] = http.HandlerFunc(a.servePrivacy)
		routes["GET /slack/install"] = http.HandlerFunc(a.serveInstall)
		routes["GET /slack/oauth_redirect"] = http.HandlerFunc(a.serveOAuthRedirect)
	}
	return routes
}

// Run checks the bot token, then keeps the Socket Mode connection (or, in
// HTTP mode, simply waits) until ctx ends. Before returning it waits for
// answers still being worked on, for at most the drain timeout. It returns
// an error only when Slack refuses the tokens.
func (a *Adapter) Run(ctx context.Context) error {
	defer func() {
		drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.drain)
		defer cancel()
		if err := a.Close(drainCtx); err != nil {
			a.log.Warn("slack: gave up waiting for late answers", "err", err)
		}
	}()
	// With distribution every workspace has its own token, checked at
	// start-up by CheckKeys and refused per workspace by Slack.
	if a.dist == nil {
		if err := a.checkAuth(ctx); err != nil {
			return err
		}
	}
	if a.socket {
		return a.runSocket(ctx)
	}
	a.ready.Store(true)
	a.log.Info("slack ready", "mode", "http")
	<-ctx.Done()
	return nil
}

// fatalAuthErrors are Slack's answers that no retry can fix.
var fatalAuthErrors = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true,
	"token_revoked": true, "token_expired": true, "not_allowed_token_type": true,
}

func isFatalAuth(err error) bool {
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) {
		return fatalAuthErrors[se.Err]
	}
	return fatalAuthErrors[err.Error()]
}

// checkAuth calls auth.test until it succeeds, so that serve can start while
// Slack is briefly unreachable but a wrong token fails the deploy.
func (a *Adapter) checkAuth(ctx context.Context) error {
	b := newBackoff()
	for {
		_, err := a.api.AuthTestContext(ctx)
		if err == nil {
			return nil
		}
		if isFatalAuth(err) {
			return fmt.Errorf("SLACK_BOT_TOKEN: Slack refused the token: %w", err)
		}
		wait := b.next()
		var rl *slackgo.RateLimitedError
		if errors.As(err, &rl) {
			wait = max(wait, rl.RetryAfter)
		}
		a.log.Warn("slack: auth.test failed; retrying", "err", err, "in", wait)
		if !sleep(ctx, wait) {
			return nil
		}
	}
}

// Close stops accepting new background work and waits until the work in
// flight (late answers, events) is done or ctx ends; then it cancels what
// is left. It is safe to call more than once.
func (a *Adapter) Close(ctx context.Context) error { return a.inflight.Drain(ctx) }

// Idle waits until the background work started so far has finished: for
// tests, which would otherwise poll for its effects.
func (a *Adapter) Idle() { a.inflight.Wait() }

// spawn runs fn in a goroutine the adapter owns: Close waits for it, and its
// context is independent of the request that started it. It reports false,
// without running fn, once the adapter is closing.
func (a *Adapter) spawn(fn func(ctx context.Context)) bool {
	return a.inflight.Go(func() {
		ctx, cancel := context.WithTimeout(a.base, a.work)
		defer cancel()
		fn(ctx)
	})
}

// shuttingDown is the answer to requests that arrive after Close.
var shuttingDown = bot.Reply{Text: "I'm restarting right now. Please try again in a minute."}

// command runs a slash command within Slack's acknowledgement window,
// which closes when deadline fires (it runs from the request's arrival).
// When the answer is ready before then it is returned (inline is true) for
// the caller to send as the acknowledgement; otherwise the caller
// acknowledges with nothing and the answer is posted to responseURL when
// ready.
func (a *Adapter) command(deadline <-chan time.Time, req bot.Request, responseURL string) (msg *slackgo.WebhookMessage, inline bool) {
	result := make(chan *slackgo.WebhookMessage)
	gaveUp := make(chan struct{})
	started := a.spawn(func(ctx context.Context) {
		m := a.answer(ctx, req)
		select {
		case result <- m:
		case <-gaveUp:
			a.respond(ctx, responseURL, req, m)
		}
	})
	if !started {
		return Render(shuttingDown), true
	}
	select {
	case m := <-result:
		return m, true
	case <-deadline:
		close(gaveUp)
		return nil, false
	}
}

// Reasons a store check refuses a request.
var (
	// errReplayed: the request's signature was recorded before.
	errReplayed = errors.New("slack: replayed request")
	// errSeenEvent: the event was processed before (a Slack retry).
	errSeenEvent = errors.New("slack: event already processed")
	// errClosing: the adapter takes no new work.
	errClosing = errors.New("slack: shutting down")
)

// admit runs check, the part of accepting a request that needs the store,
// on a goroutine the adapter owns and waits for it at most CheckWait and
// never past deadline. When check returns in time, its error is returned
// and then is not called. Otherwise pending is true and the caller
// acknowledges Slack at once: a busy database must not make the
// acknowledgement late. then runs on the same goroutine once check
// returns, to finish the request or log why not.
func (a *Adapter) admit(deadline <-chan time.Time, check func(context.Context) error, then func(context.Context, error)) (pending bool, err error) {
	done := make(chan error)
	gaveUp := make(chan struct{})
	if !a.spawn(func(ctx context.Context) {
		err := check(ctx)
		select {
		case done <- err:
		case <-gaveUp:
			then(ctx, err)
		}
	}) {
		return false, errClosing
	}
	wait := time.NewTimer(a.check)
	defer wait.Stop()
	select {
	case err := <-done:
		return false, err
	case <-wait.C:
	case <-deadline:
	}
	close(gaveUp)
	return true, nil
}

// answerMessage answers a typed message; nil means there is nothing to say
// (chatter that is not a command).
func (a *Adapter) answerMessage(ctx context.Context, req bot.Request) *slackgo.WebhookMessage {
	ctx = a.workspaceCtx(ctx, req.Workspace)
	req.Conversational = true
	reply := a.handle(ctx, req)
	if reply.Empty() {
		return nil
	}
	return Render(a.uploadLargeFiles(ctx, req.Member(), reply))
}

// answer runs req through the Handler and renders the reply, uploading
// files too large to show inline.
func (a *Adapter) answer(ctx context.Context, req bot.Request) *slackgo.WebhookMessage {
	ctx = a.workspaceCtx(ctx, req.Workspace)
	return Render(a.uploadLargeFiles(ctx, req.Member(), a.handle(ctx, req)))
}

// handle runs req through the Handler once one of its slots is free.
func (a *Adapter) handle(ctx context.Context, req bot.Request) bot.Reply {
	req = a.withUserInfo(ctx, req)
	if !a.inflight.Acquire(ctx) {
		return busy
	}
	reply := a.handler.Handle(ctx, req)
	a.inflight.Release()
	a.refreshHome(req.Member())
	return reply
}

// busy is the answer when a request waited its whole work timeout for a turn.
var busy = bot.Reply{Text: "Sorry, I'm very busy right now and nothing was saved. Please try again in a minute."}

// respond delivers a late answer: through response_url when there is one,
// otherwise to the user's DM.
func (a *Adapter) respond(ctx context.Context, responseURL string, req bot.Request, m *slackgo.WebhookMessage) {
	if responseURL == "" {
		if err := a.postToDM(a.workspaceCtx(ctx, req.Workspace), req.Member(), m); err != nil {
			a.log.WarnContext(ctx, "slack: could not deliver answer by DM", "team", req.Workspace, "err", err)
		}
		return
	}
	u, err := url.Parse(responseURL)
	if err != nil || !a.trustURL(u) {
		a.log.WarnContext(ctx, "slack: refusing untrusted response_url", "team", req.Workspace)
		return
	}
	if err := slackgo.PostWebhookCustomHTTPContext(ctx, responseURL, a.http, m); err != nil {
		// The error quotes the URL; the logger shortens it.
		a.log.WarnContext(ctx, "slack: response_url post failed", "team", req.Workspace, "err", err)
	}
}

// withUserInfo adds the user's Slack zone and admin flag to req. The answer
// is cached, so only a user's first command in a while waits for
// users.info, and for at most a second.
func (a *Adapter) withUserInfo(ctx context.Context, req bot.Request) bot.Request {
	key := req.Workspace + "/" + req.User
	now := a.clock.Now()
	info, ok := a.users.get(key, now)
	if !ok {
		lookupCtx, cancel := context.WithTimeout(ctx, userLookupTimeout)
		u, err := a.client(ctx).GetUserInfoContext(lookupCtx, req.User)
		cancel()
		if err != nil {
			// Remember the miss briefly so a struggling Slack is not asked
			// again on every command.
			a.log.DebugContext(ctx, "slack: users.info failed", "team", req.Workspace, "err", err)
			a.users.put(key, userInfo{}, now, time.Minute)
		} else {
			info = userInfo{TZ: u.TZ, IsAdmin: u.IsAdmin || u.IsOwner}
			a.users.put(key, info, now, 0)
		}
	}
	if req.TZ == "" {
		req.TZ = info.TZ
	}
	req.IsAdmin = req.IsAdmin || info.IsAdmin
	return req
}

// backoff is exponential with a cap, for reconnects and retries.
type backoff struct{ cur time.Duration }

const (
	minBackoff = time.Second
	maxBackoff = 2 * time.Minute
)

func newBackoff() *backoff { return &backoff{} }

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = minBackoff
	} else {
		b.cur = min(2*b.cur, maxBackoff)
	}
	return b.cur
}

func (b *backoff) reset() { b.cur = 0 }

// sleep waits for d or until ctx ends, reporting whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/adapters/internal/redact"
	"github.com/recoverycoach/recoverycoach/bot"
)

// Discord JSON error codes the Sender acts on.
const (
	codeUnknownChannel = 10003
	codeUnknownUser    = 10013
	codeCannotDM       = 50007
	codeMissingAccess  = 50001
)

// defaultRetryAfter is used when a 429 does not say how long to wait.
const defaultRetryAfter = time.Second

// DMStore caches DM channel ids. *sqlite.DB implements it.
type DMStore interface {
	DMChannel(ctx context.Context, key bot.MemberKey) (string, error)
	SetDMChannel(ctx context.Context, key bot.MemberKey, channel string) error
}

// Sender delivers nudges as direct messages. It implements bot.Sender.
type Sender struct {
	session *discordgo.Session
	store   DMStore
	log     *slog.Logger
}

// NewSender returns a Sender on session (see NewSession) and store.
func NewSender(session *discordgo.Session, store DMStore, logger *slog.Logger) *Sender {
	// REST errors quote the URL they called; none of the Sender's carry a
	// token today, but the adapter's rule holds here too.
	return &Sender{session: session, store: store, log: redact.Logger(logger)}
}

// Send implements bot.Sender. The DM channel is opened once and cached, so
// a nudge usually costs one call. A cached channel Discord no longer knows
// is dropped and opened afresh, once. Errors follow bot.Sender's contract:
// closed DMs and unknown users wrap bot.ErrUnreachable, 429s are
// *bot.RateLimitedError, anything else is worth retrying.
func (s *Sender) Send(ctx context.Context, to bot.MemberKey, msg bot.Reply) error {
	if to.Platform != bot.Discord || to.User == "" {
		return fmt.Errorf("discord: %s is not a Discord member: %w", to, bot.ErrUnreachable)
	}
	channel, err := s.store.DMChannel(ctx, to)
	if err != nil {
		return fmt.Errorf("discord: dm channel: %w", err)
	}
	cached := channel != ""
	if !cached {
		if channel, err = s.openDM(ctx, to); err != nil {
			return classify(err)
		}
	}
	err = s.post(ctx, channel, msg)
	if cached && apiCode(err) == codeUnknownChannel {
		if err := s.store.SetDMChannel(ctx, to, ""); err != nil {
			s.log.WarnContext(ctx, "discord: dropping stale DM channel failed", "err", err)
		}
		if channel, err = s.openDM(ctx, to); err != nil {
			return classify(err)
		}
		err = s.post(ctx, channel, msg)
	}
	return classify(err)
}

// SendChannel implements bot.ChannelSender: staff alerts are posted to a
// guild channel. Missing access (50001) or an unknown channel wraps
// bot.ErrUnreachable, so the alert fails without retrying forever.
func (s *Sender) SendChannel(ctx context.Context, _ bot.Platform, _, channel string, msg bot.Reply) error {
	err := s.post(ctx, channel, msg)
	switch apiCode(err) {
	case codeUnknownChannel, codeMissingAccess:
		return fmt.Errorf("discord: channel %s: %w: %w", channel, bot.ErrUnreachable, err)
	}
	return classify(err)
}

func (s *Sender) openDM(ctx context.Context, to bot.MemberKey) (string, error) {
	ch, err := s.session.UserChannelCreate(to.User, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	if ch == nil || ch.ID == "" {
		return "", errors.New("discord: create DM returned no channel")
	}
	if err := s.store.SetDMChannel(ctx, to, ch.ID); err != nil {
		// Sending still works; the next nudge opens the channel again.
		s.log.WarnContext(ctx, "discord: caching DM channel failed", "err", err)
	}
	return ch.ID, nil
}

func (s *Sender) post(ctx context.Context, channel string, msg bot.Reply) error {
	_, err := s.session.ChannelMessageSendComplex(channel, render(msg).messageSend(), discordgo.WithContext(ctx))
	return err
}

// apiCode returns Discord's JSON error code of a REST error, or 0.
func apiCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// classify maps a discordgo error onto bot.Sender's error contract.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var shared *sharedLimitError
	global := errors.As(err, &shared)
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		return &bot.RateLimitedError{RetryAfter: positive(rl.RetryAfter), Shared: global, Err: err}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		if re.Response != nil && re.Response.StatusCode == http.StatusTooManyRequests {
			return &bot.RateLimitedError{RetryAfter: retryAfter(re), Shared: global || globalLimit(re.Response.Header), Err: err}
		}
		switch apiCode(err) {
		case codeCannotDM, codeUnknownUser:
			return fmt.Errorf("discord: %w: %w", bot.ErrUnreachable, err)
		}
	}
	return fmt.Errorf("discord: %w", err)
}

// retryAfter reads a 429's wait from the JSON body (seconds, fractional)
// or the Retry-After header.
func retryAfter(re *discordgo.RESTError) time.Duration {
	var body struct {
		RetryAfter float64 `json:"retry_after"`
	}
	if json.Unmarshal(re.ResponseBody, &body) == nil && body.RetryAfter > 0 {
		return positive(time.Duration(body.RetryAfter * float64(time.Second)))
	}
	if s, err := strconv.ParseFloat(re.Response.Header.Get("Retry-After"), 64); err == nil {
		return positive(time.Duration(s * float64(time.Second)))
	}
	return defaultRetryAfter
}

func positive(d time.Duration) time.Duration {
	if d <= 0 {
		return defaultRetryAfter
	}
	return d
}

// SendTracked implements bot.TrackedSender: like Send (or SendChannel when
// channel is set), but the message carries a nonce made from the outbox
// id with enforce_nonce, so Discord itself drops a repeat of the same row
// sent within its nonce window: a send interrupted by a crash can simply
// be sent again.
func (s *Sender) SendTracked(ctx context.Context, to bot.MemberKey, channel string, msg bot.Reply, d bot.Delivery) error {
	nonce := outboxNonce(d.ID)
	if channel != "" {
		err := s.postNonce(ctx, channel, msg, nonce)
		switch apiCode(err) {
		case codeUnknownChannel, codeMissingAccess:
			return fmt.Errorf("discord: channel %s: %w: %w", channel, bot.ErrUnreachable, err)
		}
		return classify(err)
	}
	if to.Platform != bot.Discord || to.User == "" {
		return fmt.Errorf("discord: %s is not a Discord member: %w", to, bot.ErrUnreachable)
	}
	dm, err := s.store.DMChannel(ctx, to)
	if err != nil {
		return fmt.Errorf("discord: dm channel: %w", err)
	}
	cached := dm != ""
	if !cached {
		if dm, err = s.openDM(ctx, to); err != nil {
			return classify(err)
		}
	}
	err = s.postNonce(ctx, dm, msg, nonce)
	if cached && apiCode(err) == codeUnknownChannel {
		if err := s.store.SetDMChannel(ctx, to, ""); err != nil {
			s.log.WarnContext(ctx, "discord: dropping stale DM channel failed", "err", err)
		}
		if dm, err = s.openDM(ctx, to); err != nil {
			return classify(err)
		}
		err = s.postNonce(ctx, dm, msg, nonce)
	}
	return classify(err)
}

// Delivered implements bot.TrackedSender. Discord's message list does not
// return nonces, so it cannot tell; SendTracked's enforced nonce makes
// sending again safe instead.
func (s *Sender) Delivered(context.Context, bot.MemberKey, string, bot.Delivery) (bool, error) {
	return false, bot.ErrCannotTell
}

// outboxNonce is the message nonce of an outbox row (at most 25
// characters, as Discord requires).
func outboxNonce(id int64) string { return "rc" + strconv.FormatInt(id, 10) }

// nonceMessage is a message create body with the nonce fields discordgo's
// MessageSend lacks.
type nonceMessage struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce"`
	EnforceNonce bool   `json:"enforce_nonce"`
}

// postNonce posts msg with a nonce through discordgo's request path, so
// its per-route buckets still pace the call from Discord's rate-limit
// headers. A 429's own headers are kept to tell a global limit (every send
// of the bot) from a route's.
func (s *Sender) postNonce(ctx context.Context, channel string, msg bot.Reply, nonce string) error {
	data := render(msg).messageSend()
	body := nonceMessage{MessageSend: data, Nonce: nonce, EnforceNonce: true}
	endpoint := discordgo.EndpointChannelMessages(channel)
	var header http.Header
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx), captureHeaders(&header)}
	var err error
	if len(data.Files) > 0 {
		contentType, payload, encErr := discordgo.MultipartBodyWithJSON(body, data.Files)
		if encErr != nil {
			return encErr
		}
		_, err = s.session.RequestRaw(http.MethodPost, endpoint, contentType, payload, endpoint, 0, opts...)
	} else {
		_, err = s.session.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint, opts...)
	}
	if err != nil && globalLimit(header) {
		return &sharedLimitError{err}
	}
	return err
}

// globalLimit reports whether a 429's headers say the limit is Discord's
// global one (or shared by the whole bot) rather than the route's.
func globalLimit(h http.Header) bool {
	if h == nil {
		return false
	}
	return h.Get("X-RateLimit-Global") != "" || h.Get("X-RateLimit-Scope") == "global"
}

// sharedLimitError marks a 429 of Discord's global limit for classify.
type sharedLimitError struct{ err error }

func (e *sharedLimitError) Error() string { return "global rate limit: " + e.err.Error() }
func (e *sharedLimitError) Unwrap() error { return e.err }

// captureHeaders keeps the response headers of a request in *into.
func captureHeaders(into *http.Header) discordgo.RequestOption {
	return func(cfg *discordgo.RequestConfig) {
		c := *cfg.Client
		next := c.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		c.Transport = headerCapture{next: next, into: into}
		cfg.Client = &c
	}
}

type headerCapture struct {
	next http.RoundTripper
	into *http.Header
}

func (h headerCapture) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.next.RoundTrip(req)
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		*h.into = resp.Header.Clone()
	}
	return resp, err
}

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
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		return &bot.RateLimitedError{RetryAfter: positive(rl.RetryAfter), Err: err}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		if re.Response != nil && re.Response.StatusCode == http.StatusTooManyRequests {
			return &bot.RateLimitedError{RetryAfter: retryAfter(re), Err: err}
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

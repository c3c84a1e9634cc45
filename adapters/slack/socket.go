package slack

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// stableConnection is how long a Socket Mode connection must last for the
// reconnect backoff to start again from its minimum.
const stableConnection = time.Minute

// AckFunc acknowledges one Socket Mode envelope, with an optional payload
// (a slash command's inline answer).
type AckFunc func(payload any) error

// runSocket keeps a Socket Mode connection until ctx ends. slack-go
// reconnects by itself when Slack asks; this loop supervises it, starting a
// new client with exponential backoff whenever it gives up.
func (a *Adapter) runSocket(ctx context.Context) error {
	b := newBackoff()
	for {
		connectedAt, err := a.socketOnce(ctx)
		a.ready.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && isFatalAuth(err) {
			return fmt.Errorf("SLACK_APP_TOKEN: Slack refused the token: %w", err)
		}
		if !connectedAt.IsZero() && time.Since(connectedAt) > stableConnection {
			b.reset()
		}
		wait := b.next()
		a.log.Warn("slack: socket mode connection lost; reconnecting", "err", err, "in", wait)
		if !sleep(ctx, wait) {
			return nil
		}
		a.onReconnect()
	}
}

// socketOnce runs one Socket Mode client until it stops, handling its
// events. It returns when the client has stopped.
func (a *Adapter) socketOnce(ctx context.Context) (connectedAt time.Time, err error) {
	smc := socketmode.New(a.api, socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)))
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- smc.RunContext(runCtx) }()
	for {
		select {
		case err := <-done:
			return connectedAt, err
		case ev := <-smc.Events:
			if ev.Type == socketmode.EventTypeConnected {
				connectedAt = time.Now()
			}
			var ack AckFunc
			if ev.Request != nil && ev.Request.EnvelopeID != "" {
				id := ev.Request.EnvelopeID
				ack = func(payload any) error { return smc.AckCtx(runCtx, id, payload) }
			}
			a.SocketEvent(ev, ack)
		}
	}
}

// SocketEvent handles one event from a Socket Mode client. Envelopes are
// acknowledged with ack before any slow work: events, button clicks and
// form submissions at once (a form with an answer missing with its
// errors), slash commands with their answer when it is ready within the
// ack deadline (otherwise with nothing, and the answer follows through
// response_url). It never blocks on the Coach.
func (a *Adapter) SocketEvent(ev socketmode.Event, ack AckFunc) {
	if ack == nil {
		ack = func(any) error { return nil }
	}
	switch ev.Type {
	case socketmode.EventTypeConnecting:
		a.log.Debug("slack: socket mode connecting")
	case socketmode.EventTypeConnected:
		a.ready.Store(true)
		a.log.Info("slack ready", "mode", "socket")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeDisconnect, socketmode.EventTypeInvalidAuth:
		a.ready.Store(false)
		a.log.Info("slack: socket mode disconnected", "event", string(ev.Type))
	case socketmode.EventTypeSlashCommand:
		sc, ok := ev.Data.(slackgo.SlashCommand)
		if !ok {
			a.ackOrLog(ack, nil)
			return
		}
		a.socketCommand(sc, ack)
	case socketmode.EventTypeInteractive:
		ic, ok := ev.Data.(slackgo.InteractionCallback)
		if !ok {
			a.ackOrLog(ack, nil)
			return
		}
		// Deciding is quick and touches nothing; a refused form's errors
		// must travel in the ack itself.
		jobs, payload, err := a.interactionWork(ic)
		a.ackOrLog(ack, payload)
		if err != nil {
			a.log.Warn("slack: interaction refused", "err", err)
			return
		}
		a.start(jobs)
	case socketmode.EventTypeEventsAPI:
		a.ackOrLog(ack, nil)
		e, ok := ev.Data.(slackevents.EventsAPIEvent)
		if !ok || e.Type != slackevents.CallbackEvent {
			return
		}
		started := a.spawn(func(ctx context.Context) {
			seen, err := a.seenEvent(ctx, e)
			if err != nil {
				a.log.ErrorContext(ctx, "slack: event de-duplication failed", "err", err)
				return
			}
			if !seen {
				a.handleEvent(ctx, e)
			}
		})
		if !started {
			a.log.Warn("slack: dropping event during shutdown")
		}
	default:
		if ev.Request != nil && ev.Request.EnvelopeID != "" {
			a.ackOrLog(ack, nil)
		}
	}
}

// socketCommand answers a slash command received over Socket Mode. The ack
// carries the answer when it is ready in time, like the body of an HTTP
// response.
func (a *Adapter) socketCommand(sc slackgo.SlashCommand, ack AckFunc) {
	// Slack's three seconds run from the envelope's arrival.
	deadline := time.NewTimer(a.ack)
	req, err := CommandRequest(sc)
	if err != nil {
		deadline.Stop()
		a.ackOrLog(ack, nil)
		return
	}
	started := a.spawn(func(ctx context.Context) {
		defer deadline.Stop()
		msg, inline := a.command(deadline.C, req, sc.ResponseURL)
		if !inline {
			a.ackOrLog(ack, nil)
			return
		}
		if err := ack(msg); err != nil {
			// Too large for a Socket Mode response (20 kB): acknowledge
			// plainly and deliver through response_url instead.
			a.ackOrLog(ack, nil)
			a.respond(ctx, sc.ResponseURL, req, msg)
		}
	})
	if !started {
		deadline.Stop()
		a.ackOrLog(ack, Render(shuttingDown))
	}
}

func (a *Adapter) ackOrLog(ack AckFunc, payload any) {
	if err := ack(payload); err != nil {
		a.log.Warn("slack: socket mode ack failed", "err", err)
	}
}

package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// sharedReplayPrefix keys request signatures among the store's event ids.
const sharedReplayPrefix = "slack-sig:"

// retryHeader is set by Slack when it re-sends a request it thinks failed.
const retryHeader = "X-Slack-Retry-Num"

// verify authenticates an HTTP request from Slack and returns its body and
// signature. It checks the v0 signature over the timestamp and the raw body
// (constant-time compare, timestamps more than five minutes away either way
// refused), limits the body to MaxBodyBytes, and refuses a replay of a
// request this instance saw within the timestamp window; a Slack retry of
// one is acknowledged instead. It touches no store, so it cannot be slow:
// the shared record of Config.SharedReplay is replayCheck's, run within the
// acknowledgement deadline. On failure it has written the response and
// reports false; nothing else has been touched.
func (a *Adapter) verify(w http.ResponseWriter, r *http.Request) (body []byte, sig string, ok bool) {
	sv, err := slackgo.NewSecretsVerifier(r.Header, a.secret)
	if err != nil {
		http.Error(w, "invalid or missing signature", http.StatusUnauthorized)
		return nil, "", false
	}
	body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "could not read request body", http.StatusBadRequest)
		}
		return nil, "", false
	}
	if _, err := sv.Write(body); err != nil || sv.Ensure() != nil {
		http.Error(w, "invalid or missing signature", http.StatusUnauthorized)
		return nil, "", false
	}
	// The signature covers the timestamp and the body, so a second request
	// with the same one is a copy of the first. Wall time, like the
	// verifier's window.
	sig = r.Header.Get("X-Slack-Signature")
	if a.replay.seenBefore(sig, time.Now()) {
		a.refuse(w, r, errReplayed)
		return nil, "", false
	}
	return body, sig, true
}

// replayCheck is the store's half of the replay guard when
// Config.SharedReplay is set, and nil otherwise: it records sig and
// refuses a request whose signature any instance sharing the store
// recorded before. Memory answers for this instance; the store answers
// for the others behind the same load balancer.
func (a *Adapter) replayCheck(sig string) func(context.Context) error {
	if !a.sharedReplay {
		return nil
	}
	return func(ctx context.Context) error {
		replayed, err := a.store.SeenEvent(ctx, sharedReplayPrefix+sig, a.clock.Now())
		switch {
		case err != nil:
			return fmt.Errorf("slack: shared replay check: %w", err)
		case replayed:
			return errReplayed
		}
		return nil
	}
}

// refuse answers a request a check refused before the acknowledgement.
func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errReplayed):
		if r.Header.Get(retryHeader) != "" {
			w.WriteHeader(http.StatusOK)
		} else {
			http.Error(w, "replayed request", http.StatusUnauthorized)
		}
	case errors.Is(err, errSeenEvent):
		w.WriteHeader(http.StatusOK)
	default:
		// Refused rather than run unchecked; Slack retries events.
		a.log.ErrorContext(r.Context(), "slack: request not admitted", "err", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
	}
}

// dropLate records why a request Slack was already acknowledged for is
// dropped after its check.
func (a *Adapter) dropLate(ctx context.Context, err error) {
	if errors.Is(err, errReplayed) || errors.Is(err, errSeenEvent) {
		a.log.DebugContext(ctx, "slack: dropped a repeated request after acknowledging it")
		return
	}
	a.log.ErrorContext(ctx, "slack: request not admitted", "err", err)
}

// serveCommand handles POST /slack/commands.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	// Slack's three seconds run from the request's arrival: reading,
	// verifying and every store check count against them.
	deadline := time.NewTimer(a.ack)
	defer deadline.Stop()
	body, sig, ok := a.verify(w, r)
	if !ok {
		return
	}
	sc, err := DecodeSlashCommand(body)
	if err != nil {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	req, err := CommandRequest(sc)
	if err != nil {
		if form, _ := url.ParseQuery(string(body)); form.Get("ssl_check") == "1" {
			// Slack checking the certificate of the command URL.
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Error(w, "slash command without team or user", http.StatusBadRequest)
		return
	}
	a.noteEnterprise(r.Context(), sc.TeamID, sc.EnterpriseID)
	if check := a.replayCheck(sig); check != nil {
		pending, err := a.admit(deadline.C, check, func(ctx context.Context, err error) {
			if err != nil {
				a.dropLate(ctx, err)
				if !errors.Is(err, errReplayed) {
					a.respond(ctx, sc.ResponseURL, req, Render(busy))
				}
				return
			}
			a.respond(ctx, sc.ResponseURL, req, a.answer(ctx, req))
		})
		switch {
		case pending:
			// The database is busy: acknowledge now, answer later.
			w.WriteHeader(http.StatusOK)
			return
		case errors.Is(err, errClosing):
			writeJSON(w, Render(shuttingDown))
			return
		case err != nil:
			a.refuse(w, r, err)
			return
		}
	}
	msg, inline := a.command(deadline.C, req, sc.ResponseURL)
	if !inline {
		// An empty 200 tells Slack we have it; the answer follows through
		// response_url.
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, msg)
}

// serveInteraction handles POST /slack/interactions: button clicks and
// form submissions are acknowledged at once and answered privately later;
// a form with an answer missing is refused in the acknowledgement.
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	deadline := time.NewTimer(a.ack)
	defer deadline.Stop()
	body, sig, ok := a.verify(w, r)
	if !ok {
		return
	}
	ic, err := DecodeInteraction(body)
	if err != nil {
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
		return
	}
	jobs, ack, err := a.interactionWork(ic)
	switch {
	case errors.Is(err, errNoIdentity):
		http.Error(w, "interaction without team or user", http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
		return
	case ack != nil:
		writeJSON(w, ack)
		return
	}
	a.noteEnterprise(r.Context(), firstNonEmpty(ic.Team.ID, ic.User.TeamID), ic.Enterprise.ID)
	if check := a.replayCheck(sig); check != nil {
		pending, err := a.admit(deadline.C, check, func(ctx context.Context, err error) {
			if err != nil {
				a.dropLate(ctx, err)
				return
			}
			// Already on the adapter's goroutine, which Close waits for;
			// a new one could be refused by a Close under way.
			for _, job := range jobs {
				job(ctx)
			}
		})
		switch {
		case pending:
			w.WriteHeader(http.StatusOK)
			return
		case errors.Is(err, errClosing):
			a.log.WarnContext(r.Context(), "slack: dropping an interaction during shutdown")
			w.WriteHeader(http.StatusOK)
			return
		case err != nil:
			a.refuse(w, r, err)
			return
		}
	}
	a.start(jobs)
	// An empty 200 also closes a submitted dialog.
	w.WriteHeader(http.StatusOK)
}

// serveEvent handles POST /slack/events: the url_verification handshake and
// event callbacks, each processed once however often Slack delivers it.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request) {
	deadline := time.NewTimer(a.ack)
	defer deadline.Stop()
	body, sig, ok := a.verify(w, r)
	if !ok {
		return
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		// An event type this adapter does not subscribe to, or a shape it
		// does not know: acknowledge, or Slack retries it for hours.
		a.log.DebugContext(r.Context(), "slack: ignoring event", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		// The handshake changes nothing, so it needs no store check.
		uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if !ok {
			http.Error(w, "malformed url_verification", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, uv.Challenge)
	case slackevents.CallbackEvent:
		replay := a.replayCheck(sig)
		check := func(ctx context.Context) error {
			if replay != nil {
				if err := replay(ctx); err != nil {
					return err
				}
			}
			seen, err := a.seenEvent(ctx, ev)
			switch {
			case err != nil:
				return err
			case seen:
				return errSeenEvent
			}
			return nil
		}
		pending, err := a.admit(deadline.C, check, func(ctx context.Context, err error) {
			if err != nil {
				a.dropLate(ctx, err)
				return
			}
			a.handleEvent(ctx, ev)
		})
		switch {
		case pending:
		case err == nil:
			if !a.spawn(func(ctx context.Context) { a.handleEvent(ctx, ev) }) {
				a.log.WarnContext(r.Context(), "slack: dropping event during shutdown")
			}
		case errors.Is(err, errClosing):
			a.log.WarnContext(r.Context(), "slack: dropping event during shutdown")
		default:
			a.refuse(w, r, err)
			return
		}
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "could not render the answer", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

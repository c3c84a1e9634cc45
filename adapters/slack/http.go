package slack

import (
	"context"
	"encoding/json"
	"errors"
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

// verify authenticates an HTTP request from Slack and returns its body. It
// checks the v0 signature over the timestamp and the raw body (constant-time
// compare, timestamps more than five minutes away either way refused),
// limits the body to MaxBodyBytes, and refuses a replay of a request already
// seen within the timestamp window (by this instance, or by any instance
// sharing the store when Config.SharedReplay is set). A Slack retry of a
// request already seen is acknowledged instead. On failure it has written
// the response and reports false; nothing else has been touched.
func (a *Adapter) verify(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	sv, err := slackgo.NewSecretsVerifier(r.Header, a.secret)
	if err != nil {
		http.Error(w, "invalid or missing signature", http.StatusUnauthorized)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "could not read request body", http.StatusBadRequest)
		}
		return nil, false
	}
	if _, err := sv.Write(body); err != nil || sv.Ensure() != nil {
		http.Error(w, "invalid or missing signature", http.StatusUnauthorized)
		return nil, false
	}
	// The signature covers the timestamp and the body, so a second request
	// with the same one is a copy of the first. Wall time, like the
	// verifier's window.
	sig := r.Header.Get("X-Slack-Signature")
	replayed := a.replay.seenBefore(sig, time.Now())
	if !replayed && a.sharedReplay {
		// Memory answers for this instance; the store answers for the
		// others behind the same load balancer.
		var err error
		if replayed, err = a.store.SeenEvent(r.Context(), sharedReplayPrefix+sig, a.clock.Now()); err != nil {
			a.log.ErrorContext(r.Context(), "slack: shared replay check failed", "err", err)
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return nil, false
		}
	}
	if replayed {
		if r.Header.Get(retryHeader) != "" {
			w.WriteHeader(http.StatusOK)
		} else {
			http.Error(w, "replayed request", http.StatusUnauthorized)
		}
		return nil, false
	}
	return body, true
}

// serveCommand handles POST /slack/commands.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verify(w, r)
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
	msg, inline := a.command(req, sc.ResponseURL)
	if !inline {
		// An empty 200 tells Slack we have it; the answer follows through
		// response_url.
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, msg)
}

// serveInteraction handles POST /slack/interactions: button clicks are
// acknowledged at once and answered through response_url.
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verify(w, r)
	if !ok {
		return
	}
	ic, err := DecodeInteraction(body)
	if err != nil {
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
		return
	}
	clicks, err := InteractionClicks(ic)
	if err != nil {
		http.Error(w, "interaction without team or user", http.StatusBadRequest)
		return
	}
	for _, c := range clicks {
		a.click(c)
	}
	w.WriteHeader(http.StatusOK)
}

// serveEvent handles POST /slack/events: the url_verification handshake and
// event callbacks, each processed once however often Slack delivers it.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verify(w, r)
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
		uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if !ok {
			http.Error(w, "malformed url_verification", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, uv.Challenge)
	case slackevents.CallbackEvent:
		seen, err := a.seenEvent(r.Context(), ev)
		if err != nil {
			a.log.ErrorContext(r.Context(), "slack: event de-duplication failed", "err", err)
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
		if !seen && !a.spawn(func(ctx context.Context) { a.handleEvent(ctx, ev) }) {
			a.log.WarnContext(r.Context(), "slack: dropping event during shutdown")
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

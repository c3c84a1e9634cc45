package discord

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Verification failures. Each gets a 401 and touches nothing.
var (
	errNoSignature  = errors.New("missing signature headers")
	errBadSignature = errors.New("signature does not verify")
	errStale        = errors.New("timestamp outside the replay window")
)

// Verify checks a Discord HTTP interaction: an Ed25519 signature by key
// over the timestamp header followed by the body, and a timestamp within
// MaxClockSkew of now either way, so a captured request cannot be replayed
// later.
func Verify(key ed25519.PublicKey, now time.Time, signature, timestamp string, body []byte) error {
	if signature == "" || timestamp == "" || len(timestamp) > 20 {
		return errNoSignature
	}
	sig, err := hex.DecodeString(signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errBadSignature
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > MaxClockSkew || d < -MaxClockSkew {
		return errStale
	}
	msg := make([]byte, 0, len(timestamp)+len(body))
	msg = append(append(msg, timestamp...), body...)
	if !ed25519.Verify(key, msg, sig) {
		return errBadSignature
	}
	return nil
}

// HTTPHandler serves POST /discord/interactions: it verifies the request,
// answers PING with PONG, and runs commands and clicks like the gateway
// does. It answers 404 when the adapter runs the gateway instead.
func (a *Adapter) HTTPHandler() http.Handler {
	return http.HandlerFunc(a.serveHTTP)
}

func (a *Adapter) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// Discord's 3 seconds run from the request's arrival: reading,
	// verifying and every store check count against them.
	deadline := time.NewTimer(a.ackDeadline)
	defer deadline.Stop()
	if !a.HTTPMode() {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if err := Verify(a.publicKey, a.clock.Now(), r.Header.Get("X-Signature-Ed25519"), r.Header.Get("X-Signature-Timestamp"), body); err != nil {
		a.log.DebugContext(ctx, "discord: rejected interaction", "reason", err.Error())
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	if i.Type == discordgo.InteractionPing {
		writeJSON(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	}
	if i.ID == "" {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	a.answer(ctx, &i, deadline.C, func(resp *discordgo.InteractionResponse) error {
		return writeJSON(w, resp)
	}, func() {
		http.Error(w, "interaction already handled", http.StatusUnauthorized)
	})
}

// readBody reads at most MaxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	defer body.Close()
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 && n <= MaxBodyBytes {
		buf.Grow(int(n))
	}
	_, err := buf.ReadFrom(body)
	return buf.Bytes(), err
}

func writeJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if _, err := w.Write(b); err != nil {
		return err
	}
	// The deferred edit must not reach Discord before this answer does.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}

package redact_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/recoverycoach/recoverycoach/adapters/internal/redact"
)

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://hooks.slack.com/commands/T0001/1234567890/AbCdEfGhIjKlMnOp", "https://hooks.slack.com/commands/..."},
		{"https://hooks.slack.com/actions/T0001/1/secretsecret", "https://hooks.slack.com/actions/..."},
		{"https://discord.com/api/v9/webhooks/1234/aW50ZXJhY3Rpb246MTIz/messages/@original", "https://discord.com/api/v9/webhooks/..."},
		{"https://discord.com/api/v9/interactions/99/tok-99/callback", "https://discord.com/api/v9/interactions/..."},
		{"https://slack.com/api/chat.postMessage", "https://slack.com/api/chat.postMessage"},
		{"https://files.slack.com/upload/v1/CwABAAAAXAoAAZ", "https://files.slack.com/upload/..."},
		{"wss://wss-primary.slack.com/link/?ticket=abc&app_id=A1", "wss://wss-primary.slack.com/link/..."},
		{"https://user:pass@example.com/", "https://example.com"},
		{"https://example.com/token", "https://example.com/token"},
		{"https://example.com/t0ken", "https://example.com/..."},
		{"http://127.0.0.1:8080/response/cmd", "http://127.0.0.1:8080/response/..."},
		{"not a url", redact.Elided},
	}
	for _, tt := range tests {
		if got := redact.URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestString(t *testing.T) {
	secret := "https://hooks.slack.com/commands/T1/42/Zx9sEcReT"
	tests := []struct{ in, want string }{
		{`failed to post webhook: Post "` + secret + `": dial tcp: connection refused`,
			`failed to post webhook: Post "https://hooks.slack.com/commands/...": dial tcp: connection refused`},
		{`{"response_url":"https:\/\/hooks.slack.com\/commands\/T1\/42\/Zx9sEcReT"}`,
			`{"response_url":"https://hooks.slack.com/commands/..."}`},
		{"two: " + secret + " and <" + secret + ">",
			"two: https://hooks.slack.com/commands/... and <https://hooks.slack.com/commands/...>"},
		{"no URL here: HTTP 404 Not Found", "no URL here: HTTP 404 Not Found"},
	}
	for _, tt := range tests {
		if got := redact.String(tt.in); got != tt.want {
			t.Errorf("String(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// stringer is a value that prints a URL.
type stringer struct{ u string }

func (s stringer) String() string { return "at " + s.u }

// TestHandler: nothing a logger is given, in any form, reaches the output
// with the token, in text or JSON, through attributes added early or late.
func TestHandler(t *testing.T) {
	const token = "Zx9sEcReTtOkEn"
	secret := "https://discord.com/api/v9/webhooks/1/" + token + "/messages/@original"
	parsed, _ := url.Parse(secret)
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var h slog.Handler = slog.NewTextHandler(&buf, opts)
			if format == "json" {
				h = slog.NewJSONHandler(&buf, opts)
			}
			log := redact.Logger(slog.New(h)).With("url", secret).WithGroup("g")
			log.Warn("post "+secret+" failed",
				"err", fmt.Errorf("wrapped: %w", errors.New(`Patch "`+secret+`": EOF`)),
				"parsed", parsed,
				"stringer", stringer{secret},
				"struct", struct{ URL string }{secret},
				slog.Group("inner", "u", secret),
				slog.Any("valuer", slog.AnyValue(secret)),
			)
			out := buf.String()
			if strings.Contains(out, token) {
				t.Errorf("token in the log:\n%s", out)
			}
			if n := strings.Count(out, "https://discord.com/api/v9/webhooks/..."); n < 7 {
				t.Errorf("shortened URL appears %d times, want every value kept in short form:\n%s", n, out)
			}
		})
	}
}

func TestLoggerNil(t *testing.T) {
	redact.Logger(nil).Error("nothing happens")
}

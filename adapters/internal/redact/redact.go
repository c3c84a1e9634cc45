// Package redact keeps URLs that carry secrets out of the adapters' logs.
//
// Slack's response_urls and Discord's interaction webhooks hold a token in
// their path that lets anyone answer in the user's name for several
// minutes, and Go's HTTP client quotes the full URL in every transport
// error ("Post \"https://hooks.slack.com/...\": dial tcp: ..."). Errors are
// often wrapped into strings long before they reach a log line, so URLs
// are found and shortened in the text itself: to the scheme, the host and
// the words that name the endpoint, never an id or a token.
package redact

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
)

// Elided marks where the rest of a URL was cut.
const Elided = "..."

// urlPattern finds absolute URLs in free text, including ones inside JSON
// that escapes slashes ("https:\/\/hooks.slack.com\/..."). A URL ends at
// white space, a quote or an angle bracket, which is how error messages
// and payloads delimit them.
var urlPattern = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*:(?://|\\/\\/)[^\s"'<>\x60]+`)

// versionSegment is an API version such as "v9" in a path.
var versionSegment = regexp.MustCompile(`^v[0-9]{1,3}$`)

// wordSegment is a path segment that names an endpoint ("commands",
// "webhooks", "chat.postMessage"): letters only, so it cannot be an id or
// a token, which carry digits.
var wordSegment = regexp.MustCompile(`^[A-Za-z@][A-Za-z._-]{0,39}$`)

// URL shortens raw to its scheme, host and path prefix: leading "api" and
// version segments and then at most one word, followed by Elided when
// anything (more path, a query, a fragment) was cut. User information is
// always dropped. Something that is not an absolute URL becomes Elided.
func URL(raw string) string {
	u, err := url.Parse(strings.ReplaceAll(raw, `\/`, `/`))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return Elided
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(u.Scheme))
	b.WriteString("://")
	b.WriteString(u.Host)
	segments := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if len(segments) == 1 && segments[0] == "" {
		segments = nil
	}
	kept := 0
	for kept < len(segments) && (segments[kept] == "api" || versionSegment.MatchString(segments[kept])) {
		kept++
	}
	if kept < len(segments) && wordSegment.MatchString(segments[kept]) {
		kept++
	}
	for _, s := range segments[:kept] {
		b.WriteByte('/')
		b.WriteString(s)
	}
	if kept < len(segments) || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		b.WriteByte('/')
		b.WriteString(Elided)
	}
	return b.String()
}

// String returns s with every URL in it shortened by URL.
func String(s string) string {
	if !strings.Contains(s, ":/") && !strings.Contains(s, `:\/`) {
		return s
	}
	return urlPattern.ReplaceAllStringFunc(s, URL)
}

// Handler is an slog.Handler that shortens the URLs in every message and
// attribute before passing the record on, so no log line of an adapter
// (nor of a library logging through it) can carry a token-bearing URL.
type Handler struct {
	next slog.Handler
}

// NewHandler wraps next. Wrapping a Handler again returns it unchanged.
func NewHandler(next slog.Handler) slog.Handler {
	if h, ok := next.(*Handler); ok {
		return h
	}
	return &Handler{next: next}
}

// Logger returns a logger whose output goes through a Handler; a nil
// logger becomes one that discards.
func Logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(NewHandler(l.Handler()))
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = attr(a)
	}
	return &Handler{next: h.next.WithAttrs(clean)}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name)}
}

func attr(a slog.Attr) slog.Attr {
	a.Value = value(a.Value)
	return a
}

// value shortens the URLs of a value: strings, errors, Stringers and URLs
// directly, groups member by member. Other values are printed by the
// handler with fmt, so they are formatted and cleaned here the same way.
func value(v slog.Value) slog.Value {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(String(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]slog.Attr, len(group))
		for i, a := range group {
			clean[i] = attr(a)
		}
		return slog.GroupValue(clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case nil:
			return v
		case *url.URL:
			if x == nil {
				return v
			}
			return slog.StringValue(URL(x.String()))
		case error:
			return slog.StringValue(String(x.Error()))
		case fmt.Stringer:
			return slog.StringValue(String(x.String()))
		default:
			s := fmt.Sprintf("%+v", x)
			if clean := String(s); clean != s {
				return slog.StringValue(clean)
			}
		}
	}
	return v
}

package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// DefaultAPIURL is the origin every discordgo endpoint is built on.
const DefaultAPIURL = "https://discord.com"

// NewSession returns a discordgo session for the bot token whose REST calls
// go to apiURL instead of https://discord.com (a fake in tests). discordgo's
// endpoints are package variables shared by every session, so they are left
// alone and the HTTP transport rewrites each request instead.
//
// The session never sleeps on a 429: the dispatcher owns retries and honours
// Retry-After itself, so a rate limit comes back as an error at once.
func NewSession(token, apiURL string) (*discordgo.Session, error) {
	if token == "" {
		return nil, fmt.Errorf("DISCORD_BOT_TOKEN: empty bot token")
	}
	transport, err := newRewriter(apiURL, http.DefaultTransport)
	if err != nil {
		return nil, err
	}
	s, err := discordgo.New("Bot " + strings.TrimPrefix(token, "Bot "))
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	s.Client = &http.Client{Transport: transport, Timeout: 20 * time.Second}
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 1
	// Interactions carry everything the bot needs; caching every guild,
	// channel and member would only cost memory.
	s.StateEnabled = false
	// The adapter's event handlers only hand work to goroutines it owns, so
	// running them in order on the reader is cheap, and it keeps Connect and
	// Disconnect from overtaking each other.
	s.SyncEvents = true
	s.Identify.Intents = Intents
	return s, nil
}

// Intents are the gateway intents the bot asks for: guild events, which carry
// interactions, and direct messages, so members can type commands in DMs.
// Neither is privileged, so server owners enable nothing.
const Intents = discordgo.IntentsGuilds | discordgo.IntentsDirectMessages

// rewriter sends requests for https://discord.com to another origin.
type rewriter struct {
	base *url.URL
	next http.RoundTripper
}

func newRewriter(apiURL string, next http.RoundTripper) (http.RoundTripper, error) {
	if apiURL == "" || strings.TrimSuffix(apiURL, "/") == DefaultAPIURL {
		return next, nil
	}
	base, err := url.Parse(apiURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("DISCORD_API_URL: %q is not an http(s) URL such as https://discord.com", apiURL)
	}
	return &rewriter{base: base, next: next}, nil
}

// RoundTrip implements http.RoundTripper.
func (rw *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" || req.URL.Host != "discord.com" {
		return rw.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	u := *req.URL
	u.Scheme = rw.base.Scheme
	u.Host = rw.base.Host
	u.Path = strings.TrimSuffix(rw.base.Path, "/") + req.URL.Path
	u.RawPath = ""
	out.URL = &u
	out.Host = ""
	return rw.next.RoundTrip(out)
}

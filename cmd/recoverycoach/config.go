package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// config is the configuration of the README's table, read from the
// environment.
type config struct {
	DB string
	// DBCreate allows starting an empty SQLite database where the marker
	// says one existed (COACH_DB_CREATE).
	DBCreate bool
	HTTPAddr string
	// MetricsAddr is the listener for /metrics, kept off the public port.
	MetricsAddr   string
	ContentDir    string
	DefaultTZ     string
	CatchupWindow time.Duration
	// SlackRPS is the ceiling of Slack messages per second per workspace
	// and DiscordRPS of all Discord messages; the dispatcher adapts below
	// them to what the platform accepts.
	SlackRPS   float64
	DiscordRPS float64
	// SendConcurrency is how many sends may be in flight per platform.
	SendConcurrency int
	LogLevel        slog.Level
	LogFormat       string

	SlackBotToken      string
	SlackAppToken      string
	SlackSigningSecret string
	SlackAPIURL        string
	// dist configures Slack distribution (SLACK_CLIENT_ID and friends).
	dist distConfig

	DiscordBotToken  string
	DiscordAppID     string
	DiscordGuildID   string
	DiscordPublicKey string
	DiscordAPIURL    string
	// DiscordShardID and DiscordShardCount split the gateway across
	// instances; DiscordShardCount is 0 when the gateway is not sharded.
	DiscordShardID    int
	DiscordShardCount int
}

// loadConfig reads and validates the environment. Every error names the
// variable at fault, so a bad deploy fails fast with one clear line.
func loadConfig(getenv func(string) string) (config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := config{
		DB:                 get("COACH_DB", "recoverycoach.db"),
		HTTPAddr:           get("COACH_HTTP_ADDR", ""),
		MetricsAddr:        get("COACH_METRICS_ADDR", "127.0.0.1:9091"),
		ContentDir:         get("COACH_CONTENT_DIR", ""),
		DefaultTZ:          get("COACH_DEFAULT_TZ", "UTC"),
		LogFormat:          get("COACH_LOG_FORMAT", "text"),
		SlackBotToken:      get("SLACK_BOT_TOKEN", ""),
		SlackAppToken:      get("SLACK_APP_TOKEN", ""),
		SlackSigningSecret: get("SLACK_SIGNING_SECRET", ""),
		SlackAPIURL:        get("SLACK_API_URL", "https://slack.com/api/"),
		DiscordBotToken:    get("DISCORD_BOT_TOKEN", ""),
		DiscordAppID:       get("DISCORD_APP_ID", ""),
		DiscordGuildID:     get("DISCORD_GUILD_ID", ""),
		DiscordPublicKey:   get("DISCORD_PUBLIC_KEY", ""),
		DiscordAPIURL:      get("DISCORD_API_URL", "https://discord.com"),
	}
	if _, err := bot.LoadZone(c.DefaultTZ); err != nil {
		return c, fmt.Errorf("COACH_DEFAULT_TZ: %q is not an IANA time zone", c.DefaultTZ)
	}
	var err error
	if c.CatchupWindow, err = time.ParseDuration(get("COACH_CATCHUP_WINDOW", "2h")); err != nil || c.CatchupWindow < 0 {
		return c, fmt.Errorf("COACH_CATCHUP_WINDOW: %q is not a duration such as 2h or 90m", getenv("COACH_CATCHUP_WINDOW"))
	}
	if v := get("COACH_DB_CREATE", ""); v != "" {
		if c.DBCreate, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("COACH_DB_CREATE: %q is not 1 or 0", v)
		}
	}
	if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
		return c, fmt.Errorf("COACH_METRICS_ADDR: %q is not host:port, such as 127.0.0.1:9091 or :9091", c.MetricsAddr)
	}
	// Slack allows a workspace "several hundred messages a minute" over
	// all its channels (600 is 10/s); Discord allows a bot 50 requests a
	// second in all. Both are ceilings the dispatcher adapts below.
	if c.SlackRPS, err = positiveFloat(get("COACH_SLACK_RPS", "10")); err != nil {
		return c, fmt.Errorf("COACH_SLACK_RPS: %w", err)
	}
	if c.DiscordRPS, err = positiveFloat(get("COACH_DISCORD_RPS", "50")); err != nil {
		return c, fmt.Errorf("COACH_DISCORD_RPS: %w", err)
	}
	if v := get("COACH_SEND_CONCURRENCY", "32"); v != "" {
		if c.SendConcurrency, err = strconv.Atoi(v); err != nil || c.SendConcurrency < 1 || c.SendConcurrency > 1024 {
			return c, fmt.Errorf("COACH_SEND_CONCURRENCY: %q is not a whole number from 1 to 1024", v)
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("COACH_LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("COACH_LOG_LEVEL: %q is not one of debug, info, warn, error", getenv("COACH_LOG_LEVEL"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("COACH_LOG_FORMAT: %q is not text or json", c.LogFormat)
	}
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		return c, fmt.Errorf("SLACK_API_URL: %q must end with a slash", c.SlackAPIURL)
	}
	if err := c.loadDistribution(getenv); err != nil {
		return c, err
	}
	if (c.SlackAppToken != "" || c.SlackSigningSecret != "") && c.SlackBotToken == "" && !c.slackDistribution() {
		return c, fmt.Errorf("SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set")
	}
	if c.DiscordPublicKey != "" && c.DiscordBotToken == "" {
		return c, fmt.Errorf("DISCORD_BOT_TOKEN: required when DISCORD_PUBLIC_KEY is set")
	}
	if err := c.loadShard(getenv); err != nil {
		return c, err
	}
	if c.HTTPAddr == "" && c.platformConfigured() {
		c.HTTPAddr = ":8080"
	}
	return c, nil
}

// loadShard reads DISCORD_SHARD_ID and DISCORD_SHARD_COUNT: both or
// neither, and only for the gateway, since HTTP interactions reach
// whichever instance the load balancer picks and have no shards.
func (c *config) loadShard(getenv func(string) string) error {
	id, count := strings.TrimSpace(getenv("DISCORD_SHARD_ID")), strings.TrimSpace(getenv("DISCORD_SHARD_COUNT"))
	switch {
	case id == "" && count == "":
		return nil
	case count == "":
		return errors.New("DISCORD_SHARD_COUNT: required when DISCORD_SHARD_ID is set (the number of shards, one per gateway instance)")
	case id == "":
		return errors.New("DISCORD_SHARD_ID: required when DISCORD_SHARD_COUNT is set (this instance's shard, from 0 to DISCORD_SHARD_COUNT-1)")
	}
	var err error
	if c.DiscordShardCount, err = strconv.Atoi(count); err != nil || c.DiscordShardCount < 1 {
		return fmt.Errorf("DISCORD_SHARD_COUNT: %q is not a whole number of 1 or more", count)
	}
	if c.DiscordShardID, err = strconv.Atoi(id); err != nil || c.DiscordShardID < 0 || c.DiscordShardID >= c.DiscordShardCount {
		return fmt.Errorf("DISCORD_SHARD_ID: %q is not a whole number from 0 to %d (DISCORD_SHARD_COUNT-1)", id, c.DiscordShardCount-1)
	}
	switch {
	case c.DiscordBotToken == "":
		return errors.New("DISCORD_BOT_TOKEN: required when DISCORD_SHARD_COUNT is set")
	case c.DiscordPublicKey != "":
		return errors.New("DISCORD_SHARD_COUNT: shards split the gateway, but DISCORD_PUBLIC_KEY selects HTTP interactions, which any instance can take unsharded; unset one of them")
	}
	return nil
}

// postgres reports whether COACH_DB names a PostgreSQL database rather
// than a SQLite file.
func (c config) postgres() bool {
	return strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://")
}

// platformConfigured reports whether any chat platform has credentials.
func (c config) platformConfigured() bool {
	return c.SlackBotToken != "" || c.slackDistribution() || c.DiscordBotToken != ""
}

func positiveFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("%q is not a positive number", s)
	}
	return f, nil
}

package main

import (
	"strings"
	"testing"
)

func TestDiscordShardConfig(t *testing.T) {
	tests := []struct {
		name      string
		vars      map[string]string
		id, count int
	}{
		{"unsharded", map[string]string{"DISCORD_BOT_TOKEN": "tok"}, 0, 0},
		{"one of three", map[string]string{"DISCORD_BOT_TOKEN": "tok", "DISCORD_SHARD_ID": "1", "DISCORD_SHARD_COUNT": "3"}, 1, 3},
		{"first", map[string]string{"DISCORD_BOT_TOKEN": "tok", "DISCORD_SHARD_ID": "0", "DISCORD_SHARD_COUNT": "2"}, 0, 2},
		{"single shard", map[string]string{"DISCORD_BOT_TOKEN": "tok", "DISCORD_SHARD_ID": " 0 ", "DISCORD_SHARD_COUNT": "1"}, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfig(env(tt.vars))
			if err != nil {
				t.Fatal(err)
			}
			if c.DiscordShardID != tt.id || c.DiscordShardCount != tt.count {
				t.Errorf("shard = %d of %d, want %d of %d", c.DiscordShardID, c.DiscordShardCount, tt.id, tt.count)
			}
		})
	}
}

func TestDiscordShardConfigErrors(t *testing.T) {
	gateway := func(id, count string) map[string]string {
		return map[string]string{"DISCORD_BOT_TOKEN": "tok", "DISCORD_SHARD_ID": id, "DISCORD_SHARD_COUNT": count}
	}
	tests := []struct {
		name string
		vars map[string]string
		want string // the variable the error must start with
	}{
		{"id without count", gateway("0", ""), "DISCORD_SHARD_COUNT"},
		{"count without id", gateway("", "2"), "DISCORD_SHARD_ID"},
		{"count zero", gateway("0", "0"), "DISCORD_SHARD_COUNT"},
		{"count negative", gateway("0", "-2"), "DISCORD_SHARD_COUNT"},
		{"count not a number", gateway("0", "two"), "DISCORD_SHARD_COUNT"},
		{"id negative", gateway("-1", "2"), "DISCORD_SHARD_ID"},
		{"id equals count", gateway("2", "2"), "DISCORD_SHARD_ID"},
		{"id not a number", gateway("1.5", "2"), "DISCORD_SHARD_ID"},
		{"no bot token", map[string]string{"DISCORD_SHARD_ID": "0", "DISCORD_SHARD_COUNT": "2"}, "DISCORD_BOT_TOKEN"},
		{"HTTP interactions", map[string]string{
			"DISCORD_BOT_TOKEN": "tok", "DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32),
			"DISCORD_SHARD_ID": "0", "DISCORD_SHARD_COUNT": "2",
		}, "DISCORD_SHARD_COUNT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(env(tt.vars))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want+":") {
				t.Fatalf("error = %v, want it to start with %s:", err, tt.want)
			}
		})
	}
}

func TestConfigPostgres(t *testing.T) {
	tests := []struct {
		db   string
		want bool
	}{
		{"", false}, // the default SQLite file
		{"recoverycoach.db", false},
		{"/data/coach.db", false},
		{"postgres://coach:secret@db.internal:5432/coach?sslmode=require", true},
		{"postgresql://coach@127.0.0.1/coach", true},
		{"./postgres/coach.db", false},
	}
	for _, tt := range tests {
		t.Run(tt.db, func(t *testing.T) {
			c, err := loadConfig(env(map[string]string{"COACH_DB": tt.db}))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.postgres(); got != tt.want {
				t.Errorf("postgres() with COACH_DB=%q = %v, want %v", tt.db, got, tt.want)
			}
		})
	}
}

func TestConfigMetricsAndCreate(t *testing.T) {
	c, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	// Loopback by default: metrics are for the operator, not the internet.
	if c.MetricsAddr != "127.0.0.1:9091" || c.DBCreate {
		t.Errorf("defaults: metrics %q, create %v; want 127.0.0.1:9091, false", c.MetricsAddr, c.DBCreate)
	}
	c, err = loadConfig(env(map[string]string{"COACH_METRICS_ADDR": "[::]:9091", "COACH_DB_CREATE": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "[::]:9091" || !c.DBCreate {
		t.Errorf("set: metrics %q, create %v", c.MetricsAddr, c.DBCreate)
	}
	for name, vars := range map[string]map[string]string{
		"COACH_METRICS_ADDR": {"COACH_METRICS_ADDR": "9091"},
		"COACH_DB_CREATE":    {"COACH_DB_CREATE": "please"},
	} {
		if _, err := loadConfig(env(vars)); err == nil || !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%v: error = %v, want it to start with %s:", vars, err, name)
		}
	}
}

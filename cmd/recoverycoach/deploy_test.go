package main

import (
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// flyConfig is the part of fly.toml (and fly.postgres.toml) the deploy's
// guarantees rest on.
type flyConfig struct {
	KillSignal  string            `toml:"kill_signal"`
	KillTimeout string            `toml:"kill_timeout"`
	Env         map[string]string `toml:"env"`
	Mounts      []struct {
		Source      string `toml:"source"`
		Destination string `toml:"destination"`
	} `toml:"mounts"`
	Deploy struct {
		Strategy string `toml:"strategy"`
	} `toml:"deploy"`
	HTTPService struct {
		InternalPort       int    `toml:"internal_port"`
		AutoStopMachines   string `toml:"auto_stop_machines"`
		AutoStartMachines  bool   `toml:"auto_start_machines"`
		MinMachinesRunning int    `toml:"min_machines_running"`
		Checks             []struct {
			Path string `toml:"path"`
		} `toml:"checks"`
	} `toml:"http_service"`
	Metrics struct {
		Port int    `toml:"port"`
		Path string `toml:"path"`
	} `toml:"metrics"`
}

func TestFlyTomlIsOneAlwaysOnMachine(t *testing.T) {
	var fly flyConfig
	if _, err := toml.DecodeFile("../../fly.toml", &fly); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		ok   bool
		what string
	}{
		{fly.KillSignal == "SIGTERM", "kill_signal = SIGTERM"},
		{fly.KillTimeout != "", "a kill_timeout"},
		{fly.Env["COACH_DB"] == "/data/recoverycoach.db", "COACH_DB on the volume"},
		{len(fly.Mounts) == 1 && fly.Mounts[0].Destination == "/data", "one volume at /data"},
		{fly.HTTPService.InternalPort == 8080, "http_service on 8080"},
		{fly.HTTPService.AutoStopMachines == "off", "auto_stop_machines off"},
		{!fly.HTTPService.AutoStartMachines, "auto_start_machines false (never a second machine)"},
		{fly.HTTPService.MinMachinesRunning == 1, "min_machines_running = 1"},
		{len(fly.HTTPService.Checks) > 0 && fly.HTTPService.Checks[0].Path == "/healthz", "a /healthz check"},
		{fly.Metrics.Port == 9091 && fly.Metrics.Path == "/metrics", "metrics scraped on 9091, off the public port"},
		{fly.Env["COACH_METRICS_ADDR"] == ":9091", "COACH_METRICS_ADDR = :9091 (reachable from Fly's private network)"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("fly.toml: want %s", c.what)
		}
	}
}

// TestFlyPostgresTomlIsSeveralMachines checks the PostgreSQL variant: no
// volume ties it to one machine, at least two run, the load balancer checks
// both liveness and readiness, and the database URL stays a secret.
func TestFlyPostgresTomlIsSeveralMachines(t *testing.T) {
	var fly flyConfig
	md, err := toml.DecodeFile("../../fly.postgres.toml", &fly)
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	for _, c := range fly.HTTPService.Checks {
		checked[c.Path] = true
	}
	_, dbInEnv := fly.Env["COACH_DB"]
	checks := []struct {
		ok   bool
		what string
	}{
		{fly.KillSignal == "SIGTERM", "kill_signal = SIGTERM"},
		{fly.KillTimeout != "", "a kill_timeout"},
		{!dbInEnv, "COACH_DB left to a secret, not in [env]"},
		{len(fly.Mounts) == 0 && !md.IsDefined("mounts"), "no [mounts] (state lives in PostgreSQL)"},
		{fly.HTTPService.InternalPort == 8080, "http_service on 8080"},
		{fly.HTTPService.AutoStopMachines == "off", "auto_stop_machines off (every machine dispatches)"},
		{fly.HTTPService.MinMachinesRunning >= 2, "min_machines_running >= 2"},
		{checked["/healthz"] && checked["/readyz"], "/healthz and /readyz checks"},
		{fly.Deploy.Strategy == "rolling", "a rolling deploy"},
		{fly.Metrics.Port == 9091 && fly.Metrics.Path == "/metrics", "metrics scraped on 9091, off the public port"},
		{fly.Env["COACH_METRICS_ADDR"] == ":9091", "COACH_METRICS_ADDR = :9091 (reachable from Fly's private network)"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("fly.postgres.toml: want %s", c.what)
		}
	}
	// A misspelt section (say [http_services]) would silently drop the
	// checks above, so every top-level key must be a known one.
	known := map[string]bool{
		"app": true, "primary_region": true, "kill_signal": true, "kill_timeout": true,
		"build": true, "env": true, "deploy": true, "http_service": true, "metrics": true, "vm": true,
	}
	for _, k := range md.Keys() {
		if len(k) == 1 && !known[k[0]] {
			t.Errorf("fly.postgres.toml: unexpected section or key %s", k)
		}
	}
}

func TestDockerfileIsStaticAndUnprivileged(t *testing.T) {
	raw, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CGO_ENABLED=0", "ca-certificates", "su-exec coach", "VOLUME /data", "EXPOSE 8080"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}

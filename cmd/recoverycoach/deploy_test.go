package main

import (
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// flyConfig is the part of fly.toml the single-machine guarantee rests on.
type flyConfig struct {
	KillSignal  string            `toml:"kill_signal"`
	KillTimeout string            `toml:"kill_timeout"`
	Env         map[string]string `toml:"env"`
	Mounts      []struct {
		Source      string `toml:"source"`
		Destination string `toml:"destination"`
	} `toml:"mounts"`
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
		{fly.Metrics.Port == 8080 && fly.Metrics.Path == "/metrics", "metrics exposed to Fly"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("fly.toml: want %s", c.what)
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

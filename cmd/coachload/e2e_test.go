//go:build e2e

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"testing"
)

// TestEndToEnd builds the bot and runs a small load against it:
//
//	go test -tags e2e -run EndToEnd ./cmd/coachload
//
// It waits for a real due minute, so it takes up to about 80 s.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the bot")
	}
	var out bytes.Buffer
	args := []string{"--json", "--clients", "8", "--requests", "200", "--duration", "2s",
		"--subscribers", "300", "--rate", "300", "--slack-429", "0.01", "--startup-subscriptions", "2000"}
	if err := run(context.Background(), args, os.Getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var r report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	for name, c := range map[string]*checkinResult{"slack": r.Slack, "discord": r.Discord} {
		if c == nil || c.Bot.Requests != 200 || c.Bot.Errors != 0 || c.Bare.Requests != 200 {
			t.Errorf("%s check-ins = %+v", name, c)
		}
	}
	if f := r.Fanout; f == nil || f.Delivered != 300 || f.Lost != 0 || f.Duplicates != 0 {
		t.Errorf("fan-out = %+v; want 300 delivered, none lost or duplicated", f)
	}
	if s := r.Startup; s == nil || s.ReadySeconds <= 0 || s.RSSKB <= 0 {
		t.Errorf("start-up = %+v", s)
	}
}

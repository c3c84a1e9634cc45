package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot/postgres"
	"github.com/recoverycoach/recoverycoach/bot/postgres/pgtest"
)

// TestServeTwoInstancesOnPostgres runs the whole bot twice on one
// PostgreSQL database behind a pretend load balancer: both are ready,
// exactly one leads, a signed Slack command works on either, and the same
// request replayed to the other instance is refused.
func TestServeTwoInstancesOnPostgres(t *testing.T) {
	url := pgtest.SchemaURL(t)
	slackAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"user_id":"UBOT","team_id":"T1","url":"https://acme.slack.com/"}`)
	}))
	defer slackAPI.Close()
	vars := map[string]string{
		"COACH_DB":             url,
		"COACH_HTTP_ADDR":      "127.0.0.1:0",
		"COACH_LOG_LEVEL":      "error",
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_SIGNING_SECRET": secSlackSecret,
		"SLACK_API_URL":        slackAPI.URL + "/",
	}
	var bases, metricsBases []string
	for range 2 {
		base, metricsBase, stop := startServeMetrics(t, vars)
		bases = append(bases, base)
		metricsBases = append(metricsBases, metricsBase)
		defer func() {
			if err := stop(); err != nil {
				t.Errorf("serve: %v", err)
			}
		}()
	}
	leaders := func() int {
		n := 0
		for _, base := range metricsBases {
			_, metrics := get(t, base+"/metrics")
			if regexp.MustCompile(`(?m)^coach_leader 1$`).MatchString(metrics) {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ready := true
		for _, base := range bases {
			if code, _ := get(t, base+"/readyz"); code != http.StatusOK {
				ready = false
			}
		}
		if ready && leaders() == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not both ready with one leader (%d leading)", leaders())
		}
		<-time.After(50 * time.Millisecond)
	}

	signed := slackReq("/slack/commands", slashBody("T1", "U1", "4 knee"), secSlackSecret, time.Now())
	body, _ := io.ReadAll(signed.Body)
	post := func(base string) (int, string) {
		req, err := http.NewRequest(http.MethodPost, base+"/slack/commands", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = signed.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		reply, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(reply)
	}
	if code, reply := post(bases[0]); code != http.StatusOK || !strings.Contains(reply, "4/10") {
		t.Fatalf("check-in on the first instance = %d %s", code, reply)
	}
	if code, reply := post(bases[1]); code != http.StatusUnauthorized {
		t.Fatalf("the same request replayed to the second instance = %d %s, want 401", code, reply)
	}
}

// TestMigrateAndBackupOnPostgres: migrate reports and applies the schema
// on a PostgreSQL COACH_DB, and backup points to pg_dump instead.
func TestMigrateAndBackupOnPostgres(t *testing.T) {
	vars := map[string]string{"COACH_DB": pgtest.SchemaURL(t)}
	latest := postgres.LatestVersion()
	for _, want := range []string{fmt.Sprintf("schema version 0 -> %d\n", latest), fmt.Sprintf("schema version %d (up to date)\n", latest)} {
		out, err := runCLI(t, vars, "", "migrate")
		if err != nil || out != want {
			t.Errorf("migrate = %q, %v; want %q", out, err, want)
		}
	}
	_, err := runCLI(t, vars, "", "backup", t.TempDir()+"/copy.db")
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup on PostgreSQL = %v, want a pointer to pg_dump", err)
	}
}

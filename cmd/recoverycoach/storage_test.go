package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
	"github.com/recoverycoach/recoverycoach/bot/sqlite"
)

const storageTestSecret = "s3cret"

// slackServeEnv configures serve with Slack over signed HTTP against a fake
// Web API, on the SQLite file dbPath.
func slackServeEnv(t *testing.T, dbPath string) map[string]string {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/users.info") {
			io.WriteString(w, `{"ok":true,"user":{"id":"U1","tz":"Europe/Oslo"}}`)
			return
		}
		io.WriteString(w, `{"ok":true,"user_id":"UBOT","team_id":"T1","url":"https://acme.slack.com/"}`)
	}))
	t.Cleanup(api.Close)
	return map[string]string{
		"COACH_DB":             dbPath,
		"COACH_HTTP_ADDR":      "127.0.0.1:0",
		"COACH_LOG_LEVEL":      "error",
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_SIGNING_SECRET": storageTestSecret,
		"SLACK_API_URL":        api.URL + "/",
	}
}

// waitReady polls /readyz until it answers 200, for at most five seconds
// (Slack turns ready once the fake answered auth.test in the background).
func waitReady(t *testing.T, base string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); <-time.After(20 * time.Millisecond) {
		if code, _ := get(t, base+"/readyz"); code == http.StatusOK {
			return
		}
	}
	code, body := get(t, base+"/readyz")
	t.Fatalf("/readyz = %d %s", code, body)
}

// signedSlackCommand is a slash command signed at ts, and its signature.
type signedSlackCommand struct {
	body, ts, sig string
}

func newSignedSlackCommand(text string, ts time.Time) signedSlackCommand {
	body := url.Values{"team_id": {"T1"}, "user_id": {"U1"}, "channel_id": {"C1"}, "command": {"/pain"}, "text": {text}}.Encode()
	c := signedSlackCommand{body: body, ts: strconv.FormatInt(ts.Unix(), 10)}
	mac := hmac.New(sha256.New, []byte(storageTestSecret))
	fmt.Fprintf(mac, "v0:%s:%s", c.ts, body)
	c.sig = "v0=" + hex.EncodeToString(mac.Sum(nil))
	return c
}

// post sends the command, byte for byte the same each time, and returns
// the status and body.
func (c signedSlackCommand) post(t *testing.T, base string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", c.ts)
	req.Header.Set("X-Slack-Signature", c.sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestSlackReplayRefusedAfterRestart: with SQLite, a captured signed
// request must stay refused after the bot restarts, not only while its
// memory lasts, and the recorded signature must expire with the window.
func TestSlackReplayRefusedAfterRestart(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	vars := slackServeEnv(t, dbPath)
	cmd := newSignedSlackCommand("3 knee", time.Now())

	base, stop := startServe(t, vars)
	if code, body := cmd.post(t, base); code != http.StatusOK || !strings.Contains(body, "Logged") {
		t.Fatalf("first request = %d %s", code, body)
	}
	if code, _ := cmd.post(t, base); code != http.StatusUnauthorized {
		t.Errorf("replay before restart = %d, want 401", code)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	base, stop = startServe(t, vars)
	if code, body := cmd.post(t, base); code != http.StatusUnauthorized {
		t.Errorf("replay after restart = %d %s, want 401", code, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	db, err := sqlite.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.CheckIns(t.Context(), bot.MemberKey{Platform: bot.Slack, Workspace: "T1", User: "U1"}, time.Time{})
	if err != nil || len(got) != 1 {
		t.Fatalf("check-ins after the replays = %+v, %v; want exactly one", got, err)
	}
	// The signature is stored under the prefix housekeeping prunes, and
	// goes once the window has passed.
	key := slackSignaturePrefix + cmd.sig
	if seen, err := db.SeenEvent(t.Context(), key, time.Now()); err != nil || !seen {
		t.Fatalf("signature recorded under %q = %v, %v; want it there", slackSignaturePrefix, seen, err)
	}
	if err := db.PruneEventsPrefix(t.Context(), slackSignaturePrefix, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if seen, err := db.SeenEvent(t.Context(), key, time.Now()); err != nil || seen {
		t.Errorf("signature after pruning = %v, %v; want it gone", seen, err)
	}
}

// TestDeletedDatabaseIsNoticed: deleting the file under a running bot
// makes /readyz fail, and the next start refuses to create an empty
// database in its place until COACH_DB_CREATE=1 says so.
func TestDeletedDatabaseIsNoticed(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	vars := slackServeEnv(t, dbPath)
	base, metricsBase, stop := startServeMetrics(t, vars)
	waitReady(t, base)
	if _, err := os.Stat(dbPath + createdSuffix); err != nil {
		t.Fatalf("no marker after the first start: %v", err)
	}

	if err := os.Remove(dbPath); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "database file deleted or replaced") {
		t.Errorf("/readyz after deleting the file = %d %q, want 503 naming the file", code, body)
	}
	if strings.Contains(getBody(t, base+"/readyz"), dbPath) {
		t.Error("/readyz shows the database path on the public port")
	}
	if _, metrics := get(t, metricsBase+"/metrics"); !strings.Contains(metrics, "coach_storage_ok 0") {
		t.Error("coach_storage_ok is not 0 with the file deleted")
	}
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	var stderr bytes.Buffer
	err := run(t.Context(), []string{"serve"}, env(vars), strings.NewReader(""), io.Discard, &stderr)
	if err == nil || !strings.HasPrefix(err.Error(), "COACH_DB: ") || !strings.Contains(err.Error(), "COACH_DB_CREATE=1") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("restart without the file: %v; want one line naming COACH_DB and COACH_DB_CREATE=1", err)
	}
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Errorf("the refused start created %s (stat: %v)", dbPath, err)
	}

	vars["COACH_DB_CREATE"] = "1"
	base, stop = startServe(t, vars)
	waitReady(t, base)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func getBody(t *testing.T, url string) string {
	t.Helper()
	_, body := get(t, url)
	return body
}

// TestFailingWritesAreNoticed: when a small write fails (a full disk, here
// a trigger standing in for one), /readyz fails; it recovers as soon as
// writes succeed again.
func TestFailingWritesAreNoticed(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	vars := slackServeEnv(t, dbPath)
	vars["COACH_DB_CREATE"] = "1"
	if _, err := runCLI(t, vars, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	side, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close()
	full := fmt.Sprintf(`CREATE TRIGGER disk_full BEFORE INSERT ON state WHEN NEW.name = '%s'
		BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`, probeKey)
	if _, err := side.Exec(full); err != nil {
		t.Fatal(err)
	}

	base, metricsBase, stop := startServeMetrics(t, vars)
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "database not writable") {
		t.Errorf("/readyz while writes fail = %d %q, want 503 database not writable", code, body)
	}
	if _, metrics := get(t, metricsBase+"/metrics"); !strings.Contains(metrics, "coach_storage_ok 0") {
		t.Error("coach_storage_ok is not 0 while writes fail")
	}
	if _, err := side.Exec(`DROP TRIGGER disk_full`); err != nil {
		t.Fatal(err)
	}
	waitReady(t, base)
}

// TestQuickStartNeedsNoEnvironment is the README's quick start: the
// console on ./recoverycoach.db with nothing configured, twice; the marker
// then guards the file.
func TestQuickStartNeedsNoEnvironment(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := runCLI(t, nil, "/pain 3 neck\n"); err != nil {
		t.Fatalf("first run: %v", err)
	}
	out, err := runCLI(t, nil, "history\n")
	if err != nil || !strings.Contains(out, "Check-ins: 1") {
		t.Fatalf("second run: %q, %v", out, err)
	}
	if _, err := os.Stat("recoverycoach.db" + createdSuffix); err != nil {
		t.Fatalf("marker: %v", err)
	}
	if err := os.Remove("recoverycoach.db"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, nil, "history\n"); err == nil || !strings.HasPrefix(err.Error(), "COACH_DB: recoverycoach.db is missing") {
		t.Fatalf("run with the database gone: %v", err)
	}
	if _, err := runCLI(t, nil, "", "migrate"); err == nil {
		t.Fatal("migrate created an empty database in place of the missing one")
	}
	out, err = runCLI(t, map[string]string{"COACH_DB_CREATE": "1"}, "history\n")
	if err != nil || strings.Contains(out, "Check-ins: 1") {
		t.Fatalf("COACH_DB_CREATE=1: %q, %v; want a fresh, empty database", out, err)
	}
}

// TestExistingDatabaseIsAdopted: a database made before markers existed
// gets one at its next start, and is guarded from then on.
func TestExistingDatabaseIsAdopted(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	db, err := sqlite.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := runCLI(t, map[string]string{"COACH_DB": dbPath}, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dbPath + createdSuffix); err != nil {
		t.Fatalf("no marker for an existing database: %v", err)
	}
}

func TestMetricsAddrInUseNamesTheVariable(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	vars := slackServeEnv(t, filepath.Join(t.TempDir(), "c.db"))
	vars["COACH_METRICS_ADDR"] = busy.Addr().String()
	_, err = runCLI(t, vars, "", "serve")
	if err == nil || !strings.HasPrefix(err.Error(), "COACH_METRICS_ADDR") {
		t.Fatalf("err = %v, want it to name COACH_METRICS_ADDR", err)
	}
}

// fakeProbe counts probe writes and fails them while err is set.
type fakeProbe struct {
	writes  int
	err     error
	fileErr error
}

func (f *fakeProbe) SetState(context.Context, string, string) error {
	f.writes++
	return f.err
}

func (f *fakeProbe) CheckFile() error { return f.fileErr }

// TestStorageHealthRateLimitsWrites: a healthy store is written to at most
// once per probeEvery, a failing one on every check so recovery shows at
// once, and a file check failure needs no write at all.
func TestStorageHealthRateLimitsWrites(t *testing.T) {
	clock := bottest.NewClock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	f := &fakeProbe{}
	h := &storageHealth{file: f, state: f, clock: clock, log: slog.New(slog.DiscardHandler)}
	ctx := t.Context()
	check := func(wantWrites int, wantErr error) {
		t.Helper()
		err := h.check(ctx)
		if !errors.Is(err, wantErr) || (wantErr == nil && err != nil) {
			t.Errorf("check = %v, want %v", err, wantErr)
		}
		if f.writes != wantWrites {
			t.Errorf("writes = %d, want %d", f.writes, wantWrites)
		}
	}
	check(1, nil)
	clock.Advance(probeEvery - time.Second)
	check(1, nil)
	clock.Advance(time.Second)
	check(2, nil)

	f.err = errors.New("database or disk is full")
	clock.Advance(probeEvery)
	check(3, errStorageWrite)
	check(4, errStorageWrite)
	// A caller that left cannot tell; the last verdict stands.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if err := h.check(gone); !errors.Is(err, errStorageWrite) {
		t.Errorf("check with the caller gone = %v, want the last verdict", err)
	}
	f.err = nil
	check(6, nil)

	f.fileErr = errors.New("deleted")
	clock.Advance(probeEvery)
	check(6, errStorageFile)
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buildBot compiles ./cmd/recoverycoach into dir, so that the measured
// process is exactly what ships.
func buildBot(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "recoverycoach")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/recoverycoach/recoverycoach/cmd/recoverycoach")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/recoverycoach: %w: %s", err, strings.TrimSpace(out.String()))
	}
	return bin, nil
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// tailBuffer keeps the last bytes a child wrote, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - 4096; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}

// child is a running recoverycoach serve process.
type child struct {
	cmd  *exec.Cmd
	base string
	// metrics is the base URL of the bot's metrics listener.
	metrics string
	stderr  *tailBuffer
	exited  chan struct{}
	waitErr error
	// ReadyAfter is the time from starting the process to /readyz 200.
	ReadyAfter time.Duration
}

// startChild starts bin with env and waits (polling, at most timeout) for
// /readyz to answer 200. With a logPath the process's log is written there
// too.
func startChild(ctx context.Context, bin string, env []string, addr, logPath string, timeout time.Duration) (*child, error) {
	// Metrics have a listener of their own, off the webhook port.
	metricsAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	c := &child{stderr: &tailBuffer{}, exited: make(chan struct{}), base: "http://" + addr, metrics: "http://" + metricsAddr}
	c.cmd = exec.Command(bin, "serve")
	c.cmd.Env = append(slices.Clip(env), "COACH_METRICS_ADDR="+metricsAddr)
	c.cmd.Stdout = io.Discard
	c.cmd.Stderr = c.stderr
	var logFile *os.File
	if logPath != "" {
		if logFile, err = os.Create(logPath); err != nil {
			return nil, fmt.Errorf("bot log: %w", err)
		}
		c.cmd.Stderr = io.MultiWriter(c.stderr, logFile)
	}
	start := time.Now()
	if err := c.cmd.Start(); err != nil {
		if logFile != nil {
			logFile.Close()
		}
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		if logFile != nil {
			logFile.Close()
		}
		close(c.exited)
	}()
	client := &http.Client{Timeout: time.Second}
	defer client.CloseIdleConnections()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	limit := time.NewTimer(timeout)
	defer limit.Stop()
	for {
		if resp, err := client.Get(c.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				c.ReadyAfter = time.Since(start)
				return c, nil
			}
		}
		select {
		case <-tick.C:
		case <-c.exited:
			return nil, fmt.Errorf("recoverycoach exited before it was ready (%v): %s", c.waitErr, c.stderr)
		case <-limit.C:
			c.kill()
			return nil, fmt.Errorf("recoverycoach not ready after %s: %s", timeout, c.stderr)
		case <-ctx.Done():
			c.kill()
			return nil, ctx.Err()
		}
	}
}

func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	<-c.exited
}

// stop sends SIGTERM and expects a clean exit (status 0) within timeout.
func (c *child) stop(timeout time.Duration) error {
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM: %w", err)
	}
	select {
	case <-c.exited:
	case <-time.After(timeout):
		c.kill()
		return fmt.Errorf("recoverycoach did not stop within %s after SIGTERM", timeout)
	}
	if c.waitErr != nil {
		return fmt.Errorf("recoverycoach exited with %v after SIGTERM: %s", c.waitErr, c.stderr)
	}
	return nil
}

// memory reads the child's resident set and its peak from /proc, in kB.
func (c *child) memory() (rssKB, hwmKB int64, err error) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(c.cmd.Process.Pid), "status"))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	return parseProcStatus(f)
}

// parseProcStatus reads VmRSS and VmHWM (kB) from a /proc/PID/status.
func parseProcStatus(r io.Reader) (rssKB, hwmKB int64, err error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		n, perr := strconv.ParseInt(fields[0], 10, 64)
		if perr != nil {
			continue
		}
		if name == "VmRSS" {
			rssKB = n
		} else {
			hwmKB = n
		}
	}
	if err := sc.Err(); err != nil {
		return 0, 0, err
	}
	if rssKB == 0 && hwmKB == 0 {
		return 0, 0, errors.New("no VmRSS or VmHWM in /proc status")
	}
	return rssKB, hwmKB, nil
}

// outboxRows scrapes /metrics for the outbox's rows by status.
func (c *child) outboxRows(ctx context.Context, client *http.Client) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.metrics+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: status %d", resp.StatusCode)
	}
	return parseOutboxRows(string(body)), nil
}

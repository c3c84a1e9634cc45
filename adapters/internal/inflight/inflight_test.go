package inflight_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/adapters/internal/inflight"
)

func TestDrainWaitsForWork(t *testing.T) {
	w := inflight.New(2)
	release := make(chan struct{})
	var finished atomic.Bool
	if !w.Go(func() { <-release; finished.Store(true) }) {
		t.Fatal("Go refused before the drain")
	}
	drained := make(chan error)
	go func() { drained <- w.Drain(context.Background()) }()
	// Once draining, new work is refused; the running task still finishes.
	for w.Go(func() {}) {
		// The drain goroutine may not have started yet; a task started
		// here is waited for too, so retrying is harmless.
	}
	close(release)
	if err := <-drained; err != nil {
		t.Fatalf("Drain = %v", err)
	}
	if !finished.Load() {
		t.Error("Drain returned before the work finished")
	}
	if w.Context().Err() == nil {
		t.Error("the work context outlives the drain")
	}
}

func TestDrainCancelsWorkPastItsTime(t *testing.T) {
	w := inflight.New(1)
	w.Go(func() { <-w.Context().Done() })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Drain(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Drain = %v, want the context's error", err)
	}
}

func TestSlotsBoundTheCore(t *testing.T) {
	w := inflight.New(1)
	if !w.Acquire(context.Background()) {
		t.Fatal("first Acquire failed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if w.Acquire(ctx) {
		t.Fatal("a second request got in while the only slot was taken")
	}
	w.Release()
	if !w.Acquire(context.Background()) {
		t.Fatal("Acquire after Release failed")
	}
}

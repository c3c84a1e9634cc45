// Package inflight is the request machinery the Slack and Discord adapters
// share: a bounded number of requests in the core at once, background work
// that outlives the request that started it (late answers, events, edits),
// and the drain on shutdown that lets that work finish before cancelling
// what is left.
package inflight

import (
	"context"
	"sync"
)

// Work tracks one adapter's requests and background tasks. The zero value
// is not usable; call New.
type Work struct {
	mu      sync.Mutex
	closing bool
	tasks   sync.WaitGroup
	base    context.Context
	cancel  context.CancelFunc
	slots   chan struct{}
}

// New returns Work that lets at most maxConcurrent requests into the core
// at once (at least one).
func New(maxConcurrent int) *Work {
	w := &Work{slots: make(chan struct{}, max(maxConcurrent, 1))}
	w.base, w.cancel = context.WithCancel(context.Background())
	return w
}

// Context is the parent of background work: independent of any request,
// cancelled only when a drain runs out of time.
func (w *Work) Context() context.Context { return w.base }

// Go runs fn in a goroutine that Drain waits for. It reports false, without
// running fn, once the drain has begun: the caller answers inline instead.
func (w *Work) Go(fn func()) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closing {
		return false
	}
	w.tasks.Add(1)
	go func() {
		defer w.tasks.Done()
		fn()
	}()
	return true
}

// Acquire waits for a free slot, or for ctx to end (then it reports false
// and the caller answers "busy"). Every true must be paired with Release.
func (w *Work) Acquire(ctx context.Context) bool {
	select {
	case w.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// Release frees a slot taken by Acquire.
func (w *Work) Release() { <-w.slots }

// Drain stops new background work and waits for the work in flight. When
// ctx ends first, it cancels the work's context, waits for it to return,
// and reports ctx's error. It is safe to call more than once.
func (w *Work) Drain(ctx context.Context) error {
	w.mu.Lock()
	w.closing = true
	w.mu.Unlock()
	done := make(chan struct{})
	go func() {
		w.tasks.Wait()
		close(done)
	}()
	select {
	case <-done:
		w.cancel()
		return nil
	case <-ctx.Done():
		w.cancel()
		<-done
		return ctx.Err()
	}
}

// Wait blocks until the background work started so far has finished,
// without stopping new work: tests use it instead of polling.
func (w *Work) Wait() { w.tasks.Wait() }

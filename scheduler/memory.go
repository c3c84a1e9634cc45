package scheduler

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// PaceMemory, when the OutboxStore implements it (both stores do), keeps
// what the dispatcher learned of each workspace's limit across restarts.
// Without it a process that restarts (a deploy, a crash) in the middle of
// a fan-out begins again at COACH_*_RPS, draws a burst of 429s and loses
// a Retry-After of sending to a hold before it has found the limit again.
type PaceMemory interface {
	State(ctx context.Context, name string) (string, error)
	SetState(ctx context.Context, name, value string) error
}

const (
	// statePaces is the state entry the paces are kept in.
	statePaces = "dispatcher.paces"
	// rememberEvery is how often the paces of the workspaces being sent
	// to are written: a crash loses at most this much of what was learned.
	rememberEvery = 2 * time.Second
	// paceMemory is how long a remembered pace is trusted: a platform's
	// limit for a workspace rarely moves, and a wrong one is corrected by
	// the next probes or 429s anyway.
	paceMemory = time.Hour
)

// memory is a Run's view of the remembered paces.
type memory struct {
	store PaceMemory
	next  time.Time // pace clock
	// known is every remembered pace still trusted, by scope, with when
	// it was last written (row clock); written is what the store holds.
	known   map[bot.OutboxScope]rememberedPace
	written string
}

// rememberedPace is a sharedPace (for all instances together) and when it
// was written.
type rememberedPace struct {
	sharedPace
	at time.Time
}

// encodePaces writes one line per scope: platform, workspace, the pace and
// when it was written, tab-separated, in a stable order.
func encodePaces(paces map[bot.OutboxScope]rememberedPace) string {
	var b strings.Builder
	for _, scope := range slices.SortedFunc(maps.Keys(paces), func(a, b bot.OutboxScope) int {
		return strings.Compare(string(a.Platform)+"\t"+a.Workspace, string(b.Platform)+"\t"+b.Workspace)
	}) {
		p := paces[scope]
		fmt.Fprintf(&b, "%s\t%s\t%s\t%d\n", scope.Platform, scope.Workspace, p.sharedPace, p.at.UnixMilli())
	}
	return b.String()
}

// decodePaces reads what encodePaces wrote, keeping the paces written at
// or after since; a line it cannot read is skipped and reported in err.
func decodePaces(raw string, since time.Time) (map[bot.OutboxScope]rememberedPace, error) {
	out := map[bot.OutboxScope]rememberedPace{}
	var bad []string
	for line := range strings.Lines(raw) {
		line = strings.TrimRight(line, "\n")
		if line == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 4 {
			bad = append(bad, line)
			continue
		}
		sp, err := parseSharedPace(fields[2])
		at, atErr := strconv.ParseInt(fields[3], 10, 64)
		if err != nil || atErr != nil || fields[0] == "" || fields[1] == "" || !usable(sp.rate) || !usable(sp.limit) {
			bad = append(bad, line)
			continue
		}
		p := rememberedPace{sharedPace: sp, at: time.UnixMilli(at)}
		if p.at.Before(since) {
			continue
		}
		out[bot.OutboxScope{Platform: bot.Platform(fields[0]), Workspace: fields[1]}] = p
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("%d unreadable remembered paces, the first %q", len(bad), bad[0])
	}
	return out, nil
}

// usable reports whether a remembered rate can pace: finite, not negative.
func usable(r float64) bool { return r >= 0 && !math.IsInf(r, 1) }

// recallPaces reads the remembered paces when the store keeps them.
func (r *run) recallPaces(ctx context.Context) {
	s, ok := r.d.store.(PaceMemory)
	if !ok {
		return
	}
	r.memory = &memory{store: s}
	raw, err := s.State(ctx, statePaces)
	if err != nil {
		r.d.opts.Logger.Warn("dispatcher: could not read the remembered paces", "err", err)
		return
	}
	r.memory.written = raw
	r.memory.known, err = decodePaces(raw, r.d.opts.Clock.Now().Add(-paceMemory))
	if err != nil {
		r.d.opts.Logger.Warn("dispatcher: ignoring remembered paces", "err", err)
	}
}

// recall starts a key this instance begins pacing at its remembered pace,
// when one is trusted and no other instance's pace came first (follow);
// callers hold mu.
func (r *run) recall(k *keyState) {
	if r.memory == nil || !k.decreased.IsZero() {
		return
	}
	p, ok := r.memory.known[k.id.scope()]
	if !ok || p.limit <= 0 {
		return
	}
	// The remembered rate may have been probing past the limit when the
	// process stopped: start just under the limit instead. Probe no higher
	// than it only for what was left of its cap when it was written, as
	// when following another instance: a limit that was never trusted
	// (measured in a stall, or in the first seconds) or whose cap ran out
	// long ago would otherwise hold a restarted instance under it for
	// limitHold, and with several instances the entry is whichever wrote
	// last.
	n, pnow := float64(r.d.instances), r.d.pace.Now()
	capFor := p.capped.Sub(r.d.opts.Clock.Now())
	change := k.pace.adopt(min(p.rate, backoff*p.limit)/n, p.limit/n, capFor, pnow)
	k.decreased = p.decreased
	r.d.logRate("dispatcher: rate starts where it was before the restart", k, change, pnow)
}

// remember writes, every rememberEvery, the paces of the keys being sent
// to whose limit is known, with the others still trusted.
func (r *run) remember(ctx context.Context) {
	m := r.memory
	if m == nil || r.d.pace.Now().Before(m.next) {
		return
	}
	m.next = r.d.pace.Now().Add(rememberEvery)
	now := r.d.opts.Clock.Now()
	if m.known == nil {
		m.known = map[bot.OutboxScope]rememberedPace{}
	}
	for scope, p := range r.sharedPaces() {
		if p.limit > 0 {
			p.achieved = 0 // says nothing after a restart
			m.known[scope] = rememberedPace{sharedPace: p, at: now}
		}
	}
	maps.DeleteFunc(m.known, func(_ bot.OutboxScope, p rememberedPace) bool { return now.Sub(p.at) > paceMemory })
	raw := encodePaces(m.known)
	if raw == m.written {
		return
	}
	if err := m.store.SetState(ctx, statePaces, raw); err != nil {
		r.d.opts.Logger.Warn("dispatcher: could not remember the paces", "err", err)
		return
	}
	m.written = raw
}

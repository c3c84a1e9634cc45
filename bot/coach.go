package bot

import (
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Config holds the Coach's dependencies.
type Config struct {
	Store Store
	// Library supplies guidance, cards and programs; without one the Coach
	// gives only built-in safety advice.
	Library Library
	Clock   Clock
	Logger  *slog.Logger
	// DefaultTZ is the zone for new members whose platform tells none.
	DefaultTZ string
	// Observer, when set, is told about every command handled.
	Observer Observer
	// Renderer, when set, draws history charts and clinician reports.
	Renderer Renderer
	// ScheduleChanged, when set, is called after reminders change so the
	// scheduler can add or remove its cron entries.
	ScheduleChanged func()
}

// Observer receives events worth counting (metrics). Labels never carry
// user ids.
type Observer interface {
	CommandHandled(command, outcome string)
	CheckInRecorded(area string)
	RedFlagRaised(rule string)
}

// Coach is the platform-agnostic bot: every adapter hands it a Request and
// renders the Reply it gets back.
type Coach struct {
	store     Store
	library   Library
	clock     Clock
	log       *slog.Logger
	defaultTZ string
	observer  Observer
	renderer  Renderer
	commands  *Registry
	// scheduleChanged is never nil.
	scheduleChanged func()
	// memberLocks serialize the commands of one member, so two commands
	// changing that member's settings at once cannot undo each other
	// (settings are read, changed and written whole). Members share
	// stripes by hash, which only ever makes two of them wait in turn.
	memberLocks [256]sync.Mutex
	lockSeed    maphash.Seed
}

// NewCoach returns a Coach. Store is required; other fields have defaults.
func NewCoach(cfg Config) *Coach {
	c := &Coach{
		store:     cfg.Store,
		library:   cfg.Library,
		clock:     cfg.Clock,
		log:       cfg.Logger,
		defaultTZ: cfg.DefaultTZ,
		observer:  cfg.Observer,
		renderer:  cfg.Renderer,
		commands:  Commands(),

		scheduleChanged: cfg.ScheduleChanged,
		lockSeed:        maphash.MakeSeed(),
	}
	if c.scheduleChanged == nil {
		c.scheduleChanged = func() {}
	}
	if c.clock == nil {
		c.clock = SystemClock{}
	}
	if c.observer == nil {
		c.observer = nopObserver{}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if _, err := LoadZone(c.defaultTZ); err != nil {
		c.defaultTZ = "UTC"
	}
	return c
}

// Registry returns the command registry the Coach serves.
func (c *Coach) Registry() *Registry { return c.commands }

// Call is one command being handled.
type Call struct {
	Parsed
	Request   Request
	Member    Member
	Workspace Workspace
	Now       time.Time

	// history is the command's read of the member's recent check-ins,
	// kept so that one command reads them once (see recentHistory).
	history *history
}

// Loc returns the member's time zone.
func (call *Call) Loc() *time.Location {
	// A zone LoadZone found is the one Location would load again from
	// its file.
	if loc, ok := zones.Load(call.Member.TZ); ok {
		return loc.(*time.Location)
	}
	return call.Member.Location()
}

// history is a bounded read of a member's check-ins: the newest, at most
// limit of them, at or after since, oldest first.
type history struct {
	since    time.Time
	limit    int
	checkIns []CheckIn
}

// recentHistory returns the member's newest check-ins at or after since,
// at most limit of them, oldest first. It reads the store only when no
// earlier read of the same command covers them. The slice may be shared
// with that read: callers must not change it in place (appending is
// safe).
func (c *Coach) recentHistory(ctx context.Context, call *Call, since time.Time, limit int) ([]CheckIn, error) {
	if h := call.history; h != nil && !since.Before(h.since) && limit <= h.limit {
		// The earlier read holds the newest h.limit check-ins since
		// h.since, so it holds the newest limit since any later time.
		got := h.checkIns
		i, _ := slices.BinarySearchFunc(got, since, func(ci CheckIn, t time.Time) int { return ci.At.Compare(t) })
		got = got[i:]
		got = got[max(0, len(got)-limit):]
		return got[:len(got):len(got)], nil
	}
	got, err := c.store.RecentCheckIns(ctx, call.Member.Key, since, limit)
	if err != nil {
		return nil, fmt.Errorf("recent check-ins: %w", err)
	}
	call.history = &history{since: since, limit: limit, checkIns: got}
	return got[:len(got):len(got)], nil
}

// Handle runs one request and returns the reply to show. It never fails:
// bad input and refusals become a friendly private reply, and internal
// errors are logged here, once, and shown as an apology.
func (c *Coach) Handle(ctx context.Context, req Request) Reply {
	if req.Conversational && len(req.Path) == 0 {
		text, answer, err := c.interpret(ctx, req)
		if err != nil {
			c.log.ErrorContext(ctx, "message failed", "platform", req.Platform, "err", err)
			return errorReply(err)
		}
		if text == "" {
			return answer
		}
		req.Text = text
	}
	parsed, err := c.parse(req)
	if err != nil {
		c.observe("unknown", err)
		return errorReply(err)
	}
	name := parsed.Command.FullName()
	reply, err := c.run(ctx, req, parsed)
	c.observe(name, err)
	if err != nil {
		if ErrorCode(err) == EINTERNAL {
			c.log.ErrorContext(ctx, "command failed", "command", name, "platform", req.Platform, "err", err)
		}
		return errorReply(err)
	}
	return reply
}

func (c *Coach) parse(req Request) (Parsed, error) {
	if req.Platform == "" || req.Workspace == "" || req.User == "" {
		return Parsed{}, Errorf(EINVALID, "I could not tell who you are; please try again.")
	}
	if len(req.Path) > 0 {
		return c.commands.Bind(req.Path, req.Options)
	}
	return c.commands.Parse(req.Text)
}

// lockMember holds the member's stripe, and the store's member lock when
// several processes share the store, until the returned func is called.
func (c *Coach) lockMember(ctx context.Context, key MemberKey) (unlock func(), err error) {
	m := &c.memberLocks[maphash.String(c.lockSeed, key.String())%uint64(len(c.memberLocks))]
	m.Lock()
	shared, ok := c.store.(MemberLocker)
	if !ok {
		return m.Unlock, nil
	}
	release, err := shared.LockMember(ctx, key)
	if err != nil {
		m.Unlock()
		return nil, fmt.Errorf("lock member: %w", err)
	}
	return func() {
		release()
		m.Unlock()
	}, nil
}

func (c *Coach) run(ctx context.Context, req Request, parsed Parsed) (Reply, error) {
	unlock, err := c.lockMember(ctx, req.Member())
	if err != nil {
		return Reply{}, err
	}
	defer unlock()
	now := c.clock.Now().UTC()
	ws, err := c.workspaceOf(ctx, req.Platform, req.Workspace)
	if err != nil {
		return Reply{}, err
	}
	member, err := c.memberOf(ctx, req.Member(), req.TZ)
	if err != nil {
		return Reply{}, err
	}
	call := &Call{Parsed: parsed, Request: req, Member: member, Workspace: ws, Now: now}
	if parsed.Command.RequiredRole() == RoleStaff {
		if err := c.authorizeStaff(ctx, call); err != nil {
			return Reply{}, err
		}
	}
	if err := c.fillFromContext(ctx, call); err != nil {
		return Reply{}, err
	}
	reply, err := parsed.Command.Handler(c, ctx, call)
	if err != nil || !member.NudgesDisabled || parsed.Command.FullName() == "coach forget" {
		return reply, err
	}
	// The platform refused a DM earlier; the member is here now, so say so
	// and turn nudges back on.
	fresh, err := c.store.Member(ctx, member.Key)
	if err != nil {
		return Reply{}, err
	}
	fresh.NudgesDisabled, fresh.DisabledReason = false, ""
	if err := c.store.UpdateMember(ctx, fresh); err != nil {
		return Reply{}, err
	}
	reply.Text += "\n\n_Note: I could not message you earlier (" + member.DisabledReason + "), so your reminders were on hold. They are back on; if you closed DMs with me, please open them again._"
	return reply, nil
}

// workspaceOf returns a stored workspace, creating it with the platform's
// defaults when it is new.
func (c *Coach) workspaceOf(ctx context.Context, p Platform, id string) (Workspace, error) {
	return c.store.EnsureWorkspace(ctx, NewWorkspace(p, id, c.clock.Now()))
}

// memberOf returns a stored member, creating a new one in zone tz (the
// default zone when tz is not a valid zone).
func (c *Coach) memberOf(ctx context.Context, key MemberKey, tz string) (Member, error) {
	if _, err := LoadZone(tz); err != nil {
		tz = c.defaultTZ
	}
	m, _, err := c.store.EnsureMember(ctx, Member{Key: key, TZ: tz, Role: RoleMember, CreatedAt: c.clock.Now().UTC()})
	return m, err
}

func (c *Coach) observe(command string, err error) {
	outcome := "ok"
	if err != nil {
		outcome = ErrorCode(err)
	}
	c.observer.CommandHandled(command, outcome)
}

// nopObserver counts nothing; it stands in when no Observer is configured.
type nopObserver struct{}

func (nopObserver) CommandHandled(string, string) {}
func (nopObserver) CheckInRecorded(string)        {}
func (nopObserver) RedFlagRaised(string)          {}

// DefaultPrivacy is the privacy mode of a new workspace: wellness on Slack,
// where members are colleagues, team elsewhere.
func DefaultPrivacy(p Platform) PrivacyMode {
	if p == Slack {
		return PrivacyWellness
	}
	return PrivacyTeam
}

func errorReply(err error) Reply {
	return Reply{Text: ErrorMessage(err), Visibility: Private}
}

// fillFromContext gives options marked FromContext that were left out the
// value the member most likely means, so "pain 4" from someone on the knee
// program is a knee check-in rather than a series of its own.
func (c *Coach) fillFromContext(ctx context.Context, call *Call) error {
	for _, o := range call.Command.Options {
		if !o.FromContext || call.Values.Has(o.Name) || o.Type != OptArea {
			continue
		}
		area, err := c.defaultArea(ctx, call)
		if err != nil {
			return err
		}
		if area != "" {
			if call.Values == nil {
				call.Values = Values{}
			}
			call.Values[o.Name] = area
		}
	}
	return nil
}

// defaultArea is the area of the member's last check-in when it fits
// their program (or they have none), else the program's first area.
func (c *Coach) defaultArea(ctx context.Context, call *Call) (string, error) {
	last, err := c.lastArea(ctx, call)
	if err != nil {
		return "", err
	}
	prog, ok := c.programOf(ctx, call.Member)
	if !ok || len(prog.Areas) == 0 {
		return last, nil
	}
	if last != "" && slices.Contains(prog.Areas, BaseArea(last)) {
		return last, nil
	}
	return prog.Areas[0], nil
}

// lastArea is the area of the member's newest check-in of the last 90 days
// that names one. It reads the same bounded history as a check-in, which
// the check-in then reuses; only when none of those check-ins names an
// area are the older ones read.
func (c *Coach) lastArea(ctx context.Context, call *Call) (string, error) {
	since := call.Now.AddDate(0, 0, -90)
	recent, err := c.recentHistory(ctx, call, since, recentCheckIns)
	if err != nil {
		return "", err
	}
	if area := newestArea(recent); area != "" || len(recent) < recentCheckIns {
		return area, nil
	}
	all, err := c.store.CheckIns(ctx, call.Member.Key, since)
	if err != nil {
		return "", fmt.Errorf("check-ins: %w", err)
	}
	return newestArea(all), nil
}

// newestArea is the area of the newest check-in that names one, or "".
func newestArea(checkIns []CheckIn) string {
	for i := len(checkIns) - 1; i >= 0; i-- {
		if checkIns[i].Area != "" {
			return checkIns[i].Area
		}
	}
	return ""
}

package bot

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ReadinessItem is one question of the daily wellness check-in.
type ReadinessItem struct {
	Name     string
	Question string
	Low      string
	High     string
}

// ReadinessItems are the five items, each rated 1 (poor) to 5 (great), in
// the style of the short wellness questionnaires sports teams use.
func ReadinessItems() [5]ReadinessItem {
	return [5]ReadinessItem{
		{"fatigue", "How fresh do you feel?", "very tired", "very fresh"},
		{"sleep", "How well did you sleep?", "very poorly", "very well"},
		{"soreness", "How do your muscles feel?", "very sore", "not sore at all"},
		{"stress", "How relaxed do you feel?", "very stressed", "very relaxed"},
		{"mood", "How is your mood?", "very low", "very good"},
	}
}

// Load rule thresholds.
const (
	// acwrHigh is the acute:chronic load ratio above which a spike is flagged.
	acwrHigh = 1.5
	// baselineSD is how many standard deviations under a member's own
	// 28-day mean a readiness total must fall to count as a drop.
	baselineSD = 1.5
	// minBaseline is how many earlier answers a baseline needs.
	minBaseline = 7
)

func (c *Coach) readiness(ctx context.Context, call *Call) (Reply, error) {
	items := ReadinessItems()
	var answers []int
	for _, it := range items {
		if !call.Values.Has(it.Name) {
			break
		}
		answers = append(answers, call.Values.Int(it.Name))
	}
	for _, it := range items[len(answers):] {
		if call.Values.Has(it.Name) {
			return Reply{}, Errorf(EINVALID, "Give the answers in order: fatigue, sleep, soreness, stress, mood, for example `/coach readiness 4 3 2 4 5`.")
		}
	}
	if len(answers) < len(items) {
		return readinessQuestion(answers), nil
	}
	loc := call.Loc()
	r := Readiness{Member: call.Member.Key, Day: LocalDay(call.Now, loc), At: call.Now}
	copy(r.Items[:], answers)
	history, err := c.store.ReadinessSince(ctx, call.Member.Key, LocalDay(call.Now.AddDate(0, 0, -28), loc))
	if err != nil {
		return Reply{}, fmt.Errorf("readiness history: %w", err)
	}
	if err := c.store.SetReadiness(ctx, r); err != nil {
		return Reply{}, fmt.Errorf("set readiness: %w", err)
	}
	text := fmt.Sprintf("Readiness logged: **%d/25** (fatigue %d, sleep %d, soreness %d, stress %d, mood %d). Thanks for answering honestly: it is for support, not selection.",
		r.Total(), r.Items[0], r.Items[1], r.Items[2], r.Items[3], r.Items[4])
	drift := ReadinessDrift(previousDays(history, r.Day), r)
	if drift != "" {
		text += "\n\n" + drift + " Go easy today; an easier session or extra rest is a good call. `/coach learn recovery-days` has ideas."
		if err := c.flag(ctx, call, "readiness-drop", ""); err != nil {
			return Reply{}, err
		}
	}
	if soreLink, err := c.soreWithPain(ctx, call, append(previousDays(history, r.Day), r)); err != nil {
		return Reply{}, err
	} else if soreLink != "" {
		text += "\n\n" + soreLink
	}
	return Reply{Text: text}, nil
}

// readinessQuestion asks the next item, with buttons that carry the answers
// so far: the form needs no server-side state.
func readinessQuestion(answers []int) Reply {
	item := ReadinessItems()[len(answers)]
	prefix := "coach readiness"
	for _, a := range answers {
		prefix += " " + strconv.Itoa(a)
	}
	buttons := make([]Button, 0, 5)
	for v := 1; v <= 5; v++ {
		buttons = append(buttons, Button{Label: strconv.Itoa(v), Command: prefix + " " + strconv.Itoa(v)})
	}
	return Reply{
		Title:   fmt.Sprintf("Readiness %d/5", len(answers)+1),
		Text:    fmt.Sprintf("%s 1 = %s, 5 = %s.", item.Question, item.Low, item.High),
		Buttons: buttons,
		Footer:  "Or answer all five at once: `/coach readiness 4 3 2 4 5`.",
	}
}

func previousDays(history []Readiness, today string) []Readiness {
	var out []Readiness
	for _, h := range history {
		if h.Day < today {
			out = append(out, h)
		}
	}
	return out
}

// Baseline is a member's own readiness norm.
type Baseline struct {
	Mean, SD float64
	N        int
}

// ReadinessBaseline is the mean and standard deviation of the totals.
func ReadinessBaseline(history []Readiness) Baseline {
	if len(history) == 0 {
		return Baseline{}
	}
	var sum float64
	for _, h := range history {
		sum += float64(h.Total())
	}
	mean := sum / float64(len(history))
	var sq float64
	for _, h := range history {
		d := float64(h.Total()) - mean
		sq += d * d
	}
	return Baseline{Mean: mean, SD: math.Sqrt(sq / float64(len(history))), N: len(history)}
}

// ReadinessDrift explains why today's answer is worrying, or returns "".
// A drop counts when the total is 1.5 standard deviations (and at least 2
// points, so constant answers do not make every wobble a drop) under the
// member's own mean of at least 7 earlier days, or when one item fell on
// three days running.
func ReadinessDrift(history []Readiness, today Readiness) string {
	if b := ReadinessBaseline(history); b.N >= minBaseline {
		if float64(today.Total()) < b.Mean-math.Max(baselineSD*b.SD, 2) {
			return fmt.Sprintf("Today's readiness (%d) is well under your usual %.0f.", today.Total(), b.Mean)
		}
	}
	if len(history) >= 2 {
		a, b := history[len(history)-2], history[len(history)-1]
		if consecutive(a.Day, b.Day) && consecutive(b.Day, today.Day) {
			for i, item := range ReadinessItems() {
				if a.Items[i] > b.Items[i] && b.Items[i] > today.Items[i] {
					return fmt.Sprintf("Your %s score has dropped three days running.", item.Name)
				}
			}
		}
	}
	return ""
}

func consecutive(a, b string) bool {
	ta, err1 := time.Parse("2006-01-02", a)
	tb, err2 := time.Parse("2006-01-02", b)
	return err1 == nil && err2 == nil && tb.Sub(ta) == 24*time.Hour
}

// soreWithPain links lasting soreness with a recent pain check-in to the
// pain red-flag guidance.
func (c *Coach) soreWithPain(ctx context.Context, call *Call, recent []Readiness) (string, error) {
	if len(recent) < 3 {
		return "", nil
	}
	for _, r := range recent[len(recent)-3:] {
		if r.Items[2] > 2 {
			return "", nil
		}
	}
	pain, err := c.store.CheckIns(ctx, call.Member.Key, call.Now.AddDate(0, 0, -3))
	if err != nil || len(pain) == 0 {
		return "", err
	}
	area := pain[len(pain)-1].Area
	if area == "" {
		area = "the area you reported"
	}
	return fmt.Sprintf("You've been very sore for three days and reported pain in %s. If it isn't easing, or comes with swelling, numbness or weakness, talk to your physical therapist: `/coach learn red-flags`.", areaWords(area)), nil
}

// flag records a warning sign as a red-flag event (so staff see it under
// the same privacy rules) and alerts staff when allowed.
func (c *Coach) flag(ctx context.Context, call *Call, rule, area string) error {
	return c.raise(ctx, call, []RedFlag{{Rule: rule, Urgency: UrgencySoon}}, area)
}

func (c *Coach) load(ctx context.Context, call *Call) (Reply, error) {
	l, err := c.store.AddLoad(ctx, SessionLoad{Member: call.Member.Key, RPE: call.Values.Int("rpe"),
		Minutes: call.Values.Int("minutes"), Note: strings.TrimSpace(call.Values.String("note")), At: call.Now})
	if err != nil {
		return Reply{}, fmt.Errorf("add load: %w", err)
	}
	loads, err := c.store.LoadsSince(ctx, call.Member.Key, call.Now.AddDate(0, 0, -28))
	if err != nil {
		return Reply{}, fmt.Errorf("loads: %w", err)
	}
	m := LoadMetricsOf(loads, call.Now)
	text := fmt.Sprintf("Session logged: RPE %d x %d min = **%d** load. %s", l.RPE, l.Minutes, l.Load(), m.Sentence())
	if l.Note != "" {
		// A note such as "chest pain in the last sprint" is screened like
		// any check-in, and the finding leads the reply.
		if finding, found, err := c.screen(ctx, call.Request, l.Note); err != nil {
			return Reply{}, err
		} else if found {
			text = finding.Text + "\n\n" + text
		}
	}
	if m.ACWROK && m.ACWR > acwrHigh {
		text += "\n\nThis week's load is well above your usual. Sharp jumps raise injury risk; plan an easier day or two. `/coach learn load-management` explains."
		if err := c.flag(ctx, call, "load-spike", ""); err != nil {
			return Reply{}, err
		}
	}
	return Reply{Text: text}, nil
}

// LoadMetrics summarises training load.
type LoadMetrics struct {
	// Week is the load of the last 7 days.
	Week int
	// ACWR is acute (7-day) load over chronic load (the 28-day weekly
	// average); ACWROK is false until there are 21 days of history.
	ACWR   float64
	ACWROK bool
	// Monotony is the mean daily load over its standard deviation across
	// the last 7 days; MonotonyOK is false when that deviation is zero.
	Monotony   float64
	MonotonyOK bool
}

// LoadMetricsOf computes load metrics from sessions of the last 28 days.
func LoadMetricsOf(loads []SessionLoad, now time.Time) LoadMetrics {
	var m LoadMetrics
	var daily [7]float64
	chronic := 0
	var first time.Time
	for _, l := range loads {
		age := now.Sub(l.At)
		if age < 0 || age >= 28*24*time.Hour {
			continue
		}
		if first.IsZero() || l.At.Before(first) {
			first = l.At
		}
		chronic += l.Load()
		if age < 7*24*time.Hour {
			m.Week += l.Load()
			daily[int(age/(24*time.Hour))] += float64(l.Load())
		}
	}
	if !first.IsZero() && now.Sub(first) >= 21*24*time.Hour && chronic > 0 {
		m.ACWR, m.ACWROK = float64(m.Week)/(float64(chronic)/4), true
	}
	mean := float64(m.Week) / 7
	var sq float64
	for _, d := range daily {
		sq += (d - mean) * (d - mean)
	}
	if sd := math.Sqrt(sq / 7); sd > 0 {
		m.Monotony, m.MonotonyOK = mean/sd, true
	}
	return m
}

// Sentence describes the metrics in plain words.
func (m LoadMetrics) Sentence() string {
	s := fmt.Sprintf("Last 7 days: %d.", m.Week)
	if m.ACWROK {
		s += fmt.Sprintf(" Acute:chronic ratio %.2f.", m.ACWR)
	} else {
		s += " Acute:chronic ratio after 3 weeks of logs."
	}
	if m.MonotonyOK {
		s += fmt.Sprintf(" Monotony %.1f.", m.Monotony)
	}
	return s
}

func (c *Coach) teamReadiness(ctx context.Context, call *Call) (Reply, error) {
	if call.Values.Has("at") || call.Values.Has("state") {
		return c.scheduleTeamPrompt(ctx, call, RemindTeamReadiness, "readiness prompt")
	}
	ws := call.Workspace
	days := call.Values.Int("days")
	loc := call.Loc()
	today := LocalDay(call.Now, loc)
	// Named members need 28 days for their baselines; the group figures
	// need the completed weeks the window reaches into.
	weeks := ReportWeeks(call.Now, days)
	since := call.Now.AddDate(0, 0, -28)
	if weeks[0].Before(since) {
		since = weeks[0]
	}
	data, err := c.store.TeamData(ctx, call.Request.Platform, call.Request.Workspace, since)
	if err != nil {
		return Reply{}, fmt.Errorf("team data: %w", err)
	}
	if err := c.audit(ctx, call, "viewed team readiness", strconv.Itoa(days)+" days"); err != nil {
		return Reply{}, err
	}
	type row struct {
		key     MemberKey
		history []Readiness
	}
	var shared []row
	firstDay := LocalDay(call.Now.AddDate(0, 0, -28), loc)
	for _, d := range data {
		if !ws.StaffSees(d.Member) {
			continue
		}
		var hist []Readiness
		for _, r := range d.Readiness {
			if r.Day >= firstDay {
				hist = append(hist, r)
			}
		}
		shared = append(shared, row{key: d.Member.Key, history: hist})
	}
	private := aggregateGroup(ws, data, call.Request.User)
	var b strings.Builder
	var missing []string
	for _, r := range shared {
		var todays *Readiness
		for i := range r.history {
			if r.history[i].Day == today {
				todays = &r.history[i]
			}
		}
		if todays == nil {
			missing = append(missing, Mention(r.key.User))
			continue
		}
		base := ReadinessBaseline(previousDays(r.history, today))
		fmt.Fprintf(&b, "- %s: %d/25 %s (usual %.0f)\n", Mention(r.key.User), todays.Total(), readinessArrow(base, todays.Total()), base.Mean)
	}
	if len(missing) > 0 {
		b.WriteString("Not answered yet: " + strings.Join(missing, ", ") + "\n")
	}
	if ws.Privacy == PrivacyTeam && len(shared) == 0 {
		b.WriteString("Nobody has chosen to share individual answers yet (`/coach start yes`).\n")
	}
	// Everyone not listed by name counts only in the group figures of the
	// privacy policy; the chart draws exactly those figures.
	policy := PolicyOf(ws)
	groupWeeks := policy.ReadinessWeeks(private, weeks)
	if len(private) > 0 || ws.Privacy == PrivacyWellness {
		if ws.Privacy == PrivacyTeam {
			b.WriteString("\n**Members who keep their answers private**\n")
		}
		b.WriteString(policy.ReadinessText(groupWeeks))
	}
	reply := Reply{Title: "Team readiness", Text: strings.TrimSpace(b.String()),
		Footer: "Readiness is for support, not selection. Individuals appear only if they chose to share."}
	in, ok := policy.ReadinessChart("Team readiness: people who answered and average, "+weeksPhrase(len(weeks)), groupWeeks)
	if c.renderer != nil && ok {
		chart, err := c.renderer.TeamChart(in)
		if err != nil {
			return Reply{}, fmt.Errorf("team readiness chart: %w", err)
		}
		reply.Files = append(reply.Files, chart)
	}
	return reply, nil
}

func readinessArrow(b Baseline, total int) string {
	switch {
	case b.N < minBaseline:
		return "·"
	case float64(total) > b.Mean+0.5*b.SD:
		return "↑"
	case float64(total) < b.Mean-0.5*b.SD:
		return "↓"
	}
	return "→"
}

func (c *Coach) teamLoad(ctx context.Context, call *Call) (Reply, error) {
	if !call.Values.Has("at") && !call.Values.Has("state") {
		return Reply{}, Errorf(EINVALID, "Say when to prompt, for example `/coach team load at 18:30 mon,wed,fri`, or `/coach team load off`.")
	}
	return c.scheduleTeamPrompt(ctx, call, RemindTeamLoad, "session-load prompt")
}

// scheduleTeamPrompt sets or stops a team-wide prompt owned by the staff
// member; the scheduler fans it out to the workspace's members.
func (c *Coach) scheduleTeamPrompt(ctx context.Context, call *Call, kind ReminderKind, what string) (Reply, error) {
	if call.Values.String("state") == "off" {
		if _, err := c.store.DeleteSubscriptions(ctx, call.Member.Key, kind); err != nil {
			return Reply{}, fmt.Errorf("stop %s: %w", kind, err)
		}
		c.scheduleChanged()
		if err := c.audit(ctx, call, "stopped team "+what, ""); err != nil {
			return Reply{}, err
		}
		return Reply{Text: "Team " + what + " stopped."}, nil
	}
	times := call.Values.Times("at")
	days := call.Values.Weekdays("repeat")
	if days == 0 {
		days = EveryDay
	}
	if _, err := c.store.SetSubscription(ctx, Subscription{Member: call.Member.Key, Kind: kind, Times: times,
		Days: days, TZ: call.Member.TZ, CreatedAt: call.Now}); err != nil {
		return Reply{}, fmt.Errorf("set %s: %w", kind, err)
	}
	c.scheduleChanged()
	labels := make([]string, len(times))
	for i, t := range times {
		labels[i] = t.String()
	}
	if err := c.audit(ctx, call, "scheduled team "+what, strings.Join(labels, ",")+" "+days.String()); err != nil {
		return Reply{}, err
	}
	who := "every member who shares with staff"
	if call.Workspace.Privacy == PrivacyWellness {
		who = "every member who has started"
	}
	return Reply{Text: fmt.Sprintf("Team %s set: %s gets it at %s %s (%s), respecting their pause and quiet hours.", what, who, strings.Join(labels, ", "), days, call.Member.TZ)}, nil
}

// teamPromptAlive reports whether the staff prompt behind a fanned-out row
// still exists in the member's workspace.
func (c *Coach) teamPromptAlive(ctx context.Context, m Member, item OutboxItem) (bool, error) {
	sub, err := c.store.Subscription(ctx, item.Ref)
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return sub.Member.Platform == m.Key.Platform && sub.Member.Workspace == m.Key.Workspace, nil
}

// loadNudge asks a member to log today's session.
func (c *Coach) loadNudge(ctx context.Context, m Member, item OutboxItem, now time.Time) (NudgeDecision, error) {
	if alive, err := c.teamPromptAlive(ctx, m, item); err != nil || !alive {
		return NudgeDecision{SkipReason: "load prompt removed"}, err
	}
	logged, err := c.store.LoadsSince(ctx, m.Key, startOfDay(now.In(m.Location())))
	if err != nil {
		return NudgeDecision{}, fmt.Errorf("loads: %w", err)
	}
	if len(logged) > 0 {
		return NudgeDecision{SkipReason: "already logged today"}, nil
	}
	return NudgeDecision{Send: true, Reply: Reply{
		Title: "How was today's session?",
		Text:  "Rate how hard it felt from 0 (rest) to 10 (maximal) and give its minutes: `/coach load 6 75`, or type `load 6 75` here. Skip it on a rest day.",
	}}, nil
}

// readinessNudge asks a member for today's readiness.
func (c *Coach) readinessNudge(ctx context.Context, m Member, item OutboxItem, now time.Time) (NudgeDecision, error) {
	if alive, err := c.teamPromptAlive(ctx, m, item); err != nil || !alive {
		return NudgeDecision{SkipReason: "readiness prompt removed"}, err
	}
	today := LocalDay(now, m.Location())
	done, err := c.store.ReadinessSince(ctx, m.Key, today)
	if err != nil {
		return NudgeDecision{}, fmt.Errorf("readiness: %w", err)
	}
	if len(done) > 0 {
		return NudgeDecision{SkipReason: "already answered today"}, nil
	}
	q := readinessQuestion(nil)
	q.Title = "Daily readiness check-in"
	q.Text = "Five quick taps, about ten seconds. " + q.Text
	return NudgeDecision{Send: true, Reply: q}, nil
}

// trainingLines adds readiness and load to /coach history when the member
// logs them.
func (c *Coach) trainingLines(ctx context.Context, call *Call) (string, error) {
	loc := call.Loc()
	ready, err := c.store.ReadinessSince(ctx, call.Member.Key, LocalDay(call.Now.AddDate(0, 0, -13), loc))
	if err != nil {
		return "", fmt.Errorf("readiness: %w", err)
	}
	loads, err := c.store.LoadsSince(ctx, call.Member.Key, call.Now.AddDate(0, 0, -28))
	if err != nil {
		return "", fmt.Errorf("loads: %w", err)
	}
	var lines []string
	if len(ready) > 0 {
		scaled := make([]CheckIn, len(ready))
		for i, r := range ready {
			scaled[i] = CheckIn{Score: (r.Total() - 5) * 10 / 20}
		}
		lines = append(lines, fmt.Sprintf("Readiness (14 days): `%s` latest %d/25", Sparkline(scaled, 14), ready[len(ready)-1].Total()))
	}
	if len(loads) > 0 {
		lines = append(lines, "Training load: "+LoadMetricsOf(loads, call.Now).Sentence())
	}
	return strings.Join(lines, "\n"), nil
}

// trainingSummary is the report's lines on load and readiness, if logged.
func (c *Coach) trainingSummary(ctx context.Context, call *Call) ([]string, error) {
	loads, err := c.store.LoadsSince(ctx, call.Member.Key, call.Now.AddDate(0, 0, -28))
	if err != nil {
		return nil, fmt.Errorf("loads: %w", err)
	}
	ready, err := c.store.ReadinessSince(ctx, call.Member.Key, LocalDay(call.Now.AddDate(0, 0, -6), call.Loc()))
	if err != nil {
		return nil, fmt.Errorf("readiness: %w", err)
	}
	var lines []string
	if len(loads) > 0 {
		m := LoadMetricsOf(loads, call.Now)
		line := fmt.Sprintf("Session load, last 7 days: %d", m.Week)
		if m.ACWROK {
			line += fmt.Sprintf(" (acute:chronic %.2f)", m.ACWR)
		}
		lines = append(lines, line)
	}
	if len(ready) > 0 {
		sum := 0
		for _, r := range ready {
			sum += r.Total()
		}
		lines = append(lines, fmt.Sprintf("Readiness, last 7 days: %.1f/25 average", float64(sum)/float64(len(ready))))
	}
	return lines, nil
}

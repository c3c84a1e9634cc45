package bot

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NotMedicalAdvice is the disclaimer shown at onboarding and in reports.
const NotMedicalAdvice = "Recovery Coach is not a medical device and does not diagnose. It helps you keep up the plan your physical therapist gave you. If something feels wrong, contact your therapist or doctor."

// lastOfToday returns the newest check-in of the member's local day, or
// nil.
func lastOfToday(recent []CheckIn, now time.Time, loc *time.Location) *CheckIn {
	today := LocalDay(now, loc)
	for i := len(recent) - 1; i >= 0; i-- {
		if LocalDay(recent[i].At, loc) == today {
			return &recent[i]
		}
	}
	return nil
}

// recentCheckIns bounds the history one check-in reads: a month of two a
// day, more than the week's trend and the three weeks of notes guidance
// looks at.
const recentCheckIns = 60

// duplicateCheckIn is how close an identical check-in must follow the
// last one to count as a double tap or a retried request.
const duplicateCheckIn = 2 * time.Minute

// pain records a check-in as one unit of work: read the history, decide
// the guidance and red flags, then write the check-in, its red flags and
// staff alerts in one transaction. A failure anywhere leaves nothing
// behind, so "nothing was saved" is true.
func (c *Coach) pain(ctx context.Context, call *Call) (Reply, error) {
	return c.checkIn(ctx, call, false)
}

// painEdit corrects today's last check-in: the same unit of work as a
// check-in, with the old one and its red flags replaced in the same
// transaction.
func (c *Coach) painEdit(ctx context.Context, call *Call) (Reply, error) {
	return c.checkIn(ctx, call, true)
}

func (c *Coach) checkIn(ctx context.Context, call *Call, edit bool) (Reply, error) {
	checkIn := CheckIn{
		Member: call.Member.Key,
		Score:  call.Values.Int("score"),
		Area:   call.Values.String("area"),
		Note:   strings.TrimSpace(call.Values.String("note")),
		At:     call.Now,
	}
	recent, err := c.recentHistory(ctx, call, call.Now.AddDate(0, 0, -30), recentCheckIns)
	if err != nil {
		return Reply{}, err
	}
	var replaced *CheckIn
	if edit {
		last := lastOfToday(recent, call.Now, call.Loc())
		if last == nil {
			return Reply{}, Errorf(EINVALID, "There is no check-in from today to correct. Log one with `/pain 5 knee`.")
		}
		old := *last // recent is edited below
		replaced = &old
		if checkIn.Note == "" {
			checkIn.Note = replaced.Note
		}
		// recent may be shared with the command's earlier read; it is
		// not changed in place.
		recent = slices.DeleteFunc(slices.Clone(recent), func(ci CheckIn) bool { return ci.ID == replaced.ID })
	}
	in := GuidanceInput{CheckIn: checkIn, Recent: append(recent, checkIn), Now: call.Now, Zone: call.Member.TZ, EmergencyNumber: call.Workspace.EmergencyNumber}
	if in.Tape, err = c.store.WornTape(ctx, call.Member.Key); err != nil {
		return Reply{}, fmt.Errorf("worn tape: %w", err)
	}
	var guidance Guidance
	if c.library != nil {
		guidance = c.library.Advise(in)
	} else {
		guidance = basicGuidance(in)
	}
	rec := CheckInRecord{CheckIn: checkIn, DuplicateWithin: duplicateCheckIn}
	if replaced != nil {
		rec.DuplicateWithin, rec.Replaces = 0, replaced.ID
	}
	for _, rf := range guidance.RedFlags {
		alert, err := c.alertFor(ctx, call, rf.Rule)
		if err != nil {
			return Reply{}, err
		}
		rec.Flags = append(rec.Flags, FlagRecord{Event: RedFlagEvent{Member: checkIn.Member, Rule: rf.Rule, Area: checkIn.Area, At: call.Now}, Alert: alert})
	}
	saved, err := c.store.RecordCheckIn(ctx, rec)
	if err != nil {
		return Reply{}, fmt.Errorf("record check-in: %w", err)
	}
	checkIn = saved.CheckIn
	if saved.Duplicate {
		return Reply{Text: fmt.Sprintf("You logged **%d/10** with the same note a moment ago, so I kept just that one. `/coach history` shows your check-ins.", checkIn.Score)}, nil
	}
	if replaced == nil {
		c.observer.CheckInRecorded(checkIn.Area)
	}
	for _, rf := range saved.RedFlags {
		c.observer.RedFlagRaised(rf.Rule)
	}
	where := ""
	if checkIn.Area != "" {
		where = " for your " + strings.ReplaceAll(checkIn.Area, "-", " ")
	}
	logged := fmt.Sprintf("Logged **%d/10**%s.", checkIn.Score, where)
	if replaced != nil {
		logged = fmt.Sprintf("Corrected today's check-in: **%d/10**%s (it was %d/10).", checkIn.Score, where, replaced.Score)
	}
	var reply Reply
	switch {
	case len(guidance.RedFlags) > 0:
		// The finding leads: someone who needs to call for help reads
		// that first, not a comment on their score.
		reply.Text = guidance.Text + "\n\n" + logged
	case guidance.Text != "":
		reply.Text = logged + " " + scoreWords(checkIn.Score) + "\n\n" + guidance.Text
	default:
		reply.Text = logged + " " + scoreWords(checkIn.Score)
	}
	if guidance.Reason != "" {
		reply.Footer = "Why this advice: " + guidance.Reason
	}
	return reply, nil
}

// flagTitle names a red-flag rule for people.
func (c *Coach) flagTitle(rule string) string {
	if c.library != nil {
		return c.library.RedFlagTitle(rule)
	}
	return RedFlagEvent{Rule: rule}.DisplayName()
}

// titleFlags fills in the titles of red-flag events for display.
func (c *Coach) titleFlags(data []MemberData) {
	for i := range data {
		for j := range data[i].RedFlags {
			data[i].RedFlags[j].Title = c.flagTitle(data[i].RedFlags[j].Rule)
		}
	}
}

func scoreWords(score int) string {
	switch {
	case score == 0:
		return "No pain today, great."
	case score <= 3:
		return "Mild. Keep moving gently."
	case score <= 6:
		return "Moderate. Pace yourself today."
	default:
		return "That's a lot of pain."
	}
}

// basicGuidance is the safety net when no content library is loaded: it
// still refers high scores to a professional.
func basicGuidance(in GuidanceInput) Guidance {
	if in.CheckIn.Score >= 8 {
		return Guidance{
			Text:     "**Please talk to a professional.** A score of 8 or more is worth a call to your physical therapist or doctor. If the pain is sudden and severe, or comes with numbness, weakness or fever, get urgent care.",
			Reason:   "a score of 8 or more",
			RedFlags: []RedFlag{{Rule: "high-score", Urgency: UrgencySoon, Reason: "a score of 8 or more"}},
		}
	}
	return Guidance{}
}

func (c *Coach) help(_ context.Context, call *Call) (Reply, error) {
	words := strings.Fields(strings.ToLower(call.Values.String("verb")))
	if len(words) > 0 && words[0] == "coach" {
		words = words[1:]
	}
	if len(words) == 0 {
		return Reply{Title: "Recovery Coach", Text: c.overview(call.Member.Role)}, nil
	}
	verb := strings.TrimPrefix(words[0], "/")
	cmd := c.commands.Find("coach", verb)
	if verb == "pain" {
		cmd = c.commands.Find("pain")
	}
	if cmd == nil {
		var verbs []string
		for _, s := range c.commands.Root("coach").Subcommands {
			verbs = append(verbs, s.Name)
		}
		if near := closeMatches(verb, append([]string{"pain"}, verbs...), 2); len(near) > 0 {
			return Reply{}, Errorf(EINVALID, "There is no command `%s`. Did you mean %s? `/coach help` lists them all.", clip(verb, 30), codeList(near))
		}
		reply := Reply{Title: "Recovery Coach", Text: c.overview(call.Member.Role)}
		// "help me", "help please" is a plea for help, not a command name.
		if !slices.Contains([]string{"me", "please", "pls", "plz", "i", "us", "out", "with", "needed", "anyone"}, verb) {
			reply.Text = fmt.Sprintf("There is no command `%s`; here is what I can do.\n\n", clip(verb, 30)) + reply.Text
		}
		return reply, nil
	}
	return Reply{Title: "/" + cmd.FullName(), Text: HelpText(cmd)}, nil
}

// overview lists the commands a member with the role can run.
func (c *Coach) overview(role Role) string {
	var b strings.Builder
	b.WriteString("I help you keep up your home rehab between physical-therapy visits. Commands:\n")
	for _, root := range c.commands.Roots() {
		cmds := []*Command{root}
		if len(root.Subcommands) > 0 {
			cmds = root.Subcommands
		}
		for _, cmd := range cmds {
			if cmd.RequiredRole() == RoleStaff && role != RoleStaff {
				continue
			}
			fmt.Fprintf(&b, "- `%s`: %s\n", cmd.Usage(), cmd.Summary)
		}
	}
	b.WriteString("\n`/coach help VERB` shows details and examples.")
	return b.String()
}

// HelpText describes a command: its usage lines, options and examples.
func HelpText(cmd *Command) string {
	var b strings.Builder
	b.WriteString(cmd.Summary + ".\n")
	for _, leaf := range cmd.Leaves() {
		fmt.Fprintf(&b, "- `%s`", leaf.Usage())
		if leaf != cmd {
			fmt.Fprintf(&b, ": %s", leaf.Summary)
		}
		b.WriteString("\n")
	}
	var examples []string
	for _, leaf := range cmd.Leaves() {
		examples = append(examples, leaf.Examples...)
	}
	if len(examples) > 0 {
		b.WriteString("Examples: `" + strings.Join(examples, "`, `") + "`")
	}
	return strings.TrimRight(b.String(), "\n")
}

func (c *Coach) start(ctx context.Context, call *Call) (Reply, error) {
	m := call.Member
	firstTime := m.OnboardedAt.IsZero()
	if firstTime {
		m.OnboardedAt = call.Now
	}
	asksConsent := call.Workspace.Privacy == PrivacyTeam && call.Request.Platform != Console && !call.Request.IsDM
	share := call.Values.String("share")
	if share != "" {
		m.ShareWithStaff = share == "yes"
		m.ConsentAt = call.Now
	}
	if err := c.store.UpdateMember(ctx, m); err != nil {
		return Reply{}, fmt.Errorf("update member: %w", err)
	}
	if share != "" {
		if m.ShareWithStaff {
			return Reply{Text: "Thanks. Team staff may now see your individual check-ins. Change it any time with `/coach start no`."}, nil
		}
		return Reply{Text: "Got it: your check-ins stay private. Staff see at most group totals. Change it any time with `/coach start yes`."}, nil
	}
	var b strings.Builder
	b.WriteString("Hi! I'm your home-rehab coach. I remind you to do your exercises, check in on your pain, track kinesiology tape, and point you to short guidance.\n\n")
	b.WriteString("**Not medical advice.** " + NotMedicalAdvice + "\n\n")
	b.WriteString("**Your data** stays yours: `/coach export` downloads it and `/coach forget` deletes it.\n\n")
	b.WriteString("Try: `/pain 4 knee`, `/coach remind exercises at 08:00`, `/coach tz Europe/Berlin`, `/coach help`.")
	reply := Reply{Title: "Welcome to Recovery Coach", Text: b.String(), Fields: []Field{{Name: "Time zone", Value: m.TZ}}}
	if asksConsent {
		status := "private (not shared)"
		if m.ShareWithStaff {
			status = "shared with staff"
		}
		reply.Text += "\n\n**May your team's staff see your individual check-ins?** Without a yes, you count only in group totals."
		reply.Fields = append(reply.Fields, Field{Name: "Sharing", Value: status})
		reply.Buttons = []Button{
			{Label: "Yes, share with staff", Command: "coach start yes", Style: ButtonPrimary},
			{Label: "No, keep private", Command: "coach start no"},
		}
	}
	return reply, nil
}

func (c *Coach) history(ctx context.Context, call *Call) (Reply, error) {
	days := call.Values.Int("days")
	loc := call.Loc()
	since := startOfDay(call.Now.In(loc)).AddDate(0, 0, -(days - 1))
	checkIns, err := c.store.CheckIns(ctx, call.Member.Key, since)
	if err != nil {
		return Reply{}, fmt.Errorf("check-ins: %w", err)
	}
	if len(checkIns) == 0 {
		return Reply{Text: fmt.Sprintf("No check-ins in the %s. Log one with `/pain 3 knee`.", lastDays(days))}, nil
	}
	s := Summarize(checkIns)
	reply := Reply{
		Title: "Your " + lastDays(days),
		Text:  "`" + Sparkline(checkIns, 30) + "`\n" + s.Trend.Sentence(),
		Fields: []Field{
			{Name: "Check-ins", Value: strconv.Itoa(s.Count)},
			{Name: "Last", Value: fmt.Sprintf("%d/10", s.Last)},
			{Name: "Average", Value: fmt.Sprintf("%.1f", s.Average)},
			{Name: "Range", Value: fmt.Sprintf("%d to %d", s.Min, s.Max)},
			{Name: "Streak", Value: streakWords(CheckInStreak(checkIns, call.Now, loc))},
		},
	}
	if areas := ByArea(checkIns); len(areas) > 1 {
		var b strings.Builder
		for _, a := range areas {
			fmt.Fprintf(&b, "\n- %s: `%s` last %d", AreaWords(a.Area), Sparkline(a.CheckIns, 15), a.CheckIns[len(a.CheckIns)-1].Score)
		}
		reply.Text += "\nBy area:" + b.String()
	}
	if extra, err := c.trainingLines(ctx, call); err != nil {
		return Reply{}, err
	} else if extra != "" {
		reply.Text += "\n" + extra
	}
	if c.renderer != nil {
		in, _, err := c.chartInput(ctx, call, days)
		if err != nil {
			return Reply{}, err
		}
		chart, err := c.renderer.HistoryChart(in)
		if err != nil {
			return Reply{}, fmt.Errorf("history chart: %w", err)
		}
		reply.Files = append(reply.Files, chart)
	}
	return reply, nil
}

// lastDays words a look-back window: "last day", "last 14 days".
func lastDays(n int) string {
	if n == 1 {
		return "last day"
	}
	return "last " + Plural(n, "day")
}

func streakWords(n int) string {
	switch n {
	case 0:
		return "none yet today"
	case 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days in a row", n)
}

func (c *Coach) export(ctx context.Context, call *Call) (Reply, error) {
	data, err := c.store.MemberData(ctx, call.Member.Key)
	if err != nil {
		return Reply{}, fmt.Errorf("member data: %w", err)
	}
	if data.MovementBreaks, err = c.store.MovementBreaks(ctx, call.Member.Key, ""); err != nil {
		return Reply{}, fmt.Errorf("movement breaks: %w", err)
	}
	if data.PublicStreak, err = c.store.PublicStreak(ctx, call.Member.Key); err != nil {
		return Reply{}, fmt.Errorf("public streak: %w", err)
	}
	csvData, err := ExportCSV(data)
	if err != nil {
		return Reply{}, fmt.Errorf("render csv: %w", err)
	}
	name := "recoverycoach-" + LocalDay(call.Now, call.Loc()) + ".csv"
	return Reply{
		Text:  fmt.Sprintf("Here is everything I store about you: %s. Share it with your clinician if you like.", Plural(len(data.CheckIns), "check-in")),
		Files: []File{{Name: name, ContentType: "text/csv", Data: csvData}},
	}, nil
}

// ExportCSV renders a member's data as one CSV table with a record column.
func ExportCSV(d MemberData) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	rows := [][]string{{"record", "time_utc", "score", "area", "note", "detail"}}
	for _, ci := range d.CheckIns {
		rows = append(rows, []string{"checkin", ts(ci.At), strconv.Itoa(ci.Score), ci.Area, ci.Note, ""})
	}
	for _, cp := range d.Completions {
		rows = append(rows, []string{"exercise_done", ts(cp.At), "", "", "", "day=" + cp.Day + " exercise=" + cp.Exercise})
	}
	for _, tc := range d.TapeCycles {
		rows = append(rows, []string{"tape", ts(tc.AppliedAt), "", tc.Area, "", fmt.Sprintf("days=%d removed=%s", tc.Days, ts(tc.RemovedAt))})
	}
	for _, s := range d.Subscriptions {
		rows = append(rows, []string{"reminder", ts(s.CreatedAt), "", "", "", fmt.Sprintf("kind=%s at=%s repeat=%s tz=%s", s.Kind, FormatTimes(s.Times), s.Days, s.TZ)})
	}
	for _, rf := range d.RedFlags {
		rows = append(rows, []string{"red_flag", ts(rf.At), "", rf.Area, "", "rule=" + rf.Rule})
	}
	for _, r := range d.Readiness {
		rows = append(rows, []string{"readiness", ts(r.At), strconv.Itoa(r.Total()), "", "",
			fmt.Sprintf("day=%s fatigue=%d sleep=%d soreness=%d stress=%d mood=%d", r.Day, r.Items[0], r.Items[1], r.Items[2], r.Items[3], r.Items[4])})
	}
	for _, l := range d.Loads {
		rows = append(rows, []string{"session_load", ts(l.At), strconv.Itoa(l.Load()), "", l.Note, fmt.Sprintf("rpe=%d minutes=%d", l.RPE, l.Minutes)})
	}
	if p := d.Program; p != nil {
		rows = append(rows, []string{"program", ts(p.LoadedAt), "", "", "", "code=" + p.Code})
	}
	for _, b := range d.MovementBreaks {
		rows = append(rows, []string{"movement_break", ts(b.At), "", "", "", "day=" + b.Day + " post=" + b.Minute.String()})
	}
	if d.PublicStreak {
		rows = append(rows, []string{"setting", "", "", "", "", "streak shown on channel boards"})
	}
	for _, row := range rows {
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// csvSafe stops spreadsheet apps from running a note as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (c *Coach) forget(ctx context.Context, call *Call) (Reply, error) {
	if word := call.Values.String("confirm"); word != "confirm" {
		// Remembered, so that a bare "yes" next is understood as an answer
		// to this question rather than met with cheer.
		if err := c.asked(ctx, call.Member.Key, promptForget); err != nil {
			return Reply{}, err
		}
		text := "This deletes **everything** I store about you in this workspace: check-ins, reminders, tape, streaks and settings, and any channel posts you set up. It cannot be undone. Consider `/coach export` first."
		if word != "" {
			text = fmt.Sprintf("Nothing deleted: only `forget confirm` deletes. Type confirm, not %q, if you are sure.\n\n", clip(word, 20)) + text
		}
		return Reply{
			Text: text,
			Buttons: []Button{
				{Label: "Delete everything", Command: "coach forget confirm", Style: ButtonDanger},
			},
		}, nil
	}
	if err := c.store.ForgetMember(ctx, call.Member.Key); err != nil {
		return Reply{}, fmt.Errorf("forget member: %w", err)
	}
	return Reply{Text: "Done. I deleted all your data here. If you use me again, I start from scratch."}, nil
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

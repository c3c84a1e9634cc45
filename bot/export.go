package bot

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A workspace export is what the workspace's staff may take away about it,
// for example before the data of an uninstalled workspace is deleted. It
// follows the same rules as every staff view: members by name only in team
// mode and only once they agreed to share (Workspace.StaffSees), everyone
// else only in the group figures of the privacy policy (GroupPolicy), per
// completed week. Free-text notes are never in it: staff views never show
// them, and each member's own `/coach export` has them.

// WorkspaceExport is one workspace's export.
type WorkspaceExport struct {
	Platform     Platform
	Workspace    string
	Privacy      PrivacyMode
	MinGroupSize int
	ExportedAt   time.Time
	// Name, UninstalledAt and DeleteAfter describe the Slack installation
	// when the caller knows it: the workspace's name, when the app was
	// uninstalled (zero while installed) and when its data is deleted.
	Name          string
	UninstalledAt time.Time
	DeleteAfter   time.Time
	// Members is how many members the workspace has, as a range.
	Members string
	// Shared are the members staff may see by name, with their records.
	Shared []MemberData
	// Private is how many members count only in the group figures, as a
	// range ("fewer than 5" included).
	Private string
	// Pain and Readiness are the group figures of the private members, per
	// completed week, from the week of their first record.
	Pain      []PainWeek
	Readiness []ReadinessWeek
	// Staff are the staff actions recorded in the workspace, newest first.
	Staff []AuditEntry

	policy GroupPolicy
}

// BuildWorkspaceExport applies the privacy rules to a workspace's data
// (every member, as from Store.TeamData since the beginning) and its staff
// actions. Notes are dropped from the shared members' check-ins.
func BuildWorkspaceExport(ws Workspace, data []MemberData, staff []AuditEntry, now time.Time) WorkspaceExport {
	policy := PolicyOf(ws)
	x := WorkspaceExport{
		Platform: ws.Platform, Workspace: ws.ID, Privacy: ws.Privacy, MinGroupSize: policy.MinSize,
		ExportedAt: now.UTC(), Staff: staff, policy: policy,
	}
	x.Members = policy.band(len(data))
	for _, d := range data {
		if !ws.StaffSees(d.Member) {
			continue
		}
		shared := MemberData{Member: d.Member, Completions: d.Completions, TapeCycles: d.TapeCycles, RedFlags: d.RedFlags, Readiness: d.Readiness}
		for _, ci := range d.CheckIns {
			ci.Note = ""
			shared.CheckIns = append(shared.CheckIns, ci)
		}
		x.Shared = append(x.Shared, shared)
	}
	private := aggregateGroup(ws, data, "")
	x.Private = policy.band(len(private))
	weeks := exportWeeks(private, now)
	x.Pain = policy.PainWeeks(private, weeks)
	x.Readiness = policy.ReadinessWeeks(private, weeks)
	return x
}

// band is Count's range, or "fewer than N".
func (p GroupPolicy) band(n int) string {
	band, _, _ := p.Count(n)
	return band
}

// exportWeeks are the completed weeks from the week of the group's first
// record to the latest completed one.
func exportWeeks(group []MemberData, now time.Time) []time.Time {
	last := ReportWeeks(now, 1)[0]
	first := last
	for _, d := range group {
		for _, ci := range d.CheckIns {
			if w := weekStart(ci.At); w.Before(first) {
				first = w
			}
		}
		for _, day := range append(dayStrings(d.Completions), readinessDays(d.Readiness)...) {
			if t, err := time.Parse("2006-01-02", day); err == nil && weekStart(t).Before(first) {
				first = weekStart(t)
			}
		}
	}
	n := int(last.Sub(first)/(7*24*time.Hour)) + 1
	return ReportWeeks(now, 7*n)
}

func dayStrings(cs []Completion) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Day
	}
	return out
}

func readinessDays(rs []Readiness) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Day
	}
	return out
}

// exportFigure is a Figure as the export writes it.
type exportFigure struct {
	Shown   bool     `json:"shown"`
	People  string   `json:"people"`
	Average *float64 `json:"average,omitempty"`
}

func (x WorkspaceExport) figure(f Figure) exportFigure {
	if !f.Shown {
		return exportFigure{People: x.policy.fewer()}
	}
	avg := f.Average
	return exportFigure{Shown: true, People: f.People, Average: &avg}
}

type exportNamed struct {
	Name string `json:"name"`
	exportFigure
}

func (x WorkspaceExport) named(fs []NamedFigure) []exportNamed {
	out := []exportNamed{}
	for _, f := range fs {
		out = append(out, exportNamed{f.Name, x.figure(f.Figure)})
	}
	return out
}

func exportTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// JSON renders the export as an indented JSON document.
func (x WorkspaceExport) JSON() ([]byte, error) {
	type checkIn struct {
		At    string `json:"at"`
		Score int    `json:"score"`
		Area  string `json:"area,omitempty"`
	}
	type exercise struct {
		Day      string `json:"day"`
		Exercise string `json:"exercise,omitempty"`
		Session  int    `json:"session,omitempty"`
	}
	type tape struct {
		Area      string `json:"area"`
		Days      int    `json:"days"`
		AppliedAt string `json:"applied_at"`
	}
	type redFlag struct {
		At   string `json:"at"`
		Rule string `json:"rule"`
		Area string `json:"area,omitempty"`
	}
	type readiness struct {
		Day   string         `json:"day"`
		Total int            `json:"total"`
		Items map[string]int `json:"items"`
	}
	type member struct {
		User      string      `json:"user"`
		Role      string      `json:"role"`
		ConsentAt string      `json:"consent_at,omitempty"`
		CheckIns  []checkIn   `json:"check_ins"`
		Exercises []exercise  `json:"exercises"`
		TapeWorn  []tape      `json:"tape_worn"`
		RedFlags  []redFlag   `json:"red_flags"`
		Readiness []readiness `json:"readiness"`
	}
	type week struct {
		Start       string         `json:"start"`
		Pain        exportFigure   `json:"pain"`
		Exercise    exportFigure   `json:"exercise_days"`
		Areas       []exportNamed  `json:"pain_by_area,omitempty"`
		Ranges      []exportNamed  `json:"latest_score,omitempty"`
		Readiness   exportFigure   `json:"readiness"`
		ReadinessBy map[string]any `json:"readiness_items,omitempty"`
	}
	type staffAction struct {
		At     string `json:"at"`
		Actor  string `json:"actor"`
		Action string `json:"action"`
		Detail string `json:"detail,omitempty"`
	}
	doc := struct {
		Workspace map[string]any `json:"workspace"`
		Members   []member       `json:"members_sharing_with_staff"`
		Group     map[string]any `json:"group"`
		Staff     []staffAction  `json:"staff_actions"`
	}{
		Workspace: map[string]any{
			"platform": x.Platform, "id": x.Workspace, "privacy_mode": x.Privacy, "min_group_size": x.MinGroupSize,
			"members": x.Members, "exported_at": exportTime(x.ExportedAt),
		},
		Members: []member{},
		Staff:   []staffAction{},
	}
	if x.Name != "" {
		doc.Workspace["name"] = x.Name
	}
	if !x.UninstalledAt.IsZero() {
		doc.Workspace["uninstalled_at"] = exportTime(x.UninstalledAt)
		doc.Workspace["data_deleted_after"] = exportTime(x.DeleteAfter)
	}
	items := ReadinessItems()
	for _, d := range x.Shared {
		m := member{User: d.Member.Key.User, Role: string(d.Member.Role), ConsentAt: exportTime(d.Member.ConsentAt),
			CheckIns: []checkIn{}, Exercises: []exercise{}, TapeWorn: []tape{}, RedFlags: []redFlag{}, Readiness: []readiness{}}
		for _, ci := range d.CheckIns {
			m.CheckIns = append(m.CheckIns, checkIn{exportTime(ci.At), ci.Score, ci.Area})
		}
		for _, c := range d.Completions {
			m.Exercises = append(m.Exercises, exercise{c.Day, c.Exercise, c.Session})
		}
		for _, tc := range d.TapeCycles {
			m.TapeWorn = append(m.TapeWorn, tape{tc.Area, tc.Days, exportTime(tc.AppliedAt)})
		}
		for _, rf := range d.RedFlags {
			m.RedFlags = append(m.RedFlags, redFlag{exportTime(rf.At), rf.Rule, rf.Area})
		}
		for _, r := range d.Readiness {
			byName := map[string]int{}
			for i, it := range items {
				byName[it.Name] = r.Items[i]
			}
			m.Readiness = append(m.Readiness, readiness{r.Day, r.Total(), byName})
		}
		doc.Members = append(doc.Members, m)
	}
	weeks := []week{}
	for i, pw := range x.Pain {
		w := week{Start: pw.Start.Format("2006-01-02"), Pain: x.figure(pw.Pain), Exercise: x.figure(pw.Exercise),
			Areas: x.named(pw.Areas), Ranges: x.named(pw.Ranges)}
		if len(pw.Areas) == 0 {
			w.Areas = nil
		}
		if len(pw.Ranges) == 0 {
			w.Ranges = nil
		}
		if i < len(x.Readiness) {
			rw := x.Readiness[i]
			w.Readiness = x.figure(rw.Total)
			if rw.Total.Shown {
				w.ReadinessBy = map[string]any{}
				for j, it := range items {
					w.ReadinessBy[it.Name] = rw.Items[j]
				}
			}
		}
		weeks = append(weeks, w)
	}
	doc.Group = map[string]any{
		"members": x.Private,
		"rules":   fmt.Sprintf("Completed weeks only (Monday to Sunday, UTC). A figure appears only when at least %d people are behind it; counts are ranges and averages are rounded to the nearest half point. In team mode the group is the members who keep their data private.", x.MinGroupSize),
		"weeks":   weeks,
	}
	for _, e := range x.Staff {
		doc.Staff = append(doc.Staff, staffAction{exportTime(e.At), e.Actor, e.Action, e.Detail})
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// CSV renders the export as one table with a record column, like a
// member's own export: a workspace row, the shared members' records, the
// group figures per week and the staff actions.
func (x WorkspaceExport) CSV() ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rows := [][]string{{"record", "member", "time_utc", "week_start", "area", "score", "people", "average", "detail"}}
	add := func(row ...string) { rows = append(rows, row) }
	detail := fmt.Sprintf("platform=%s id=%s privacy=%s min_group=%d members=%s", x.Platform, x.Workspace, x.Privacy, x.MinGroupSize, x.Members)
	if x.Name != "" {
		detail += " name=" + x.Name
	}
	if !x.UninstalledAt.IsZero() {
		detail += " uninstalled=" + exportTime(x.UninstalledAt) + " deleted_after=" + exportTime(x.DeleteAfter)
	}
	add("workspace", "", exportTime(x.ExportedAt), "", "", "", "", "", detail)
	items := ReadinessItems()
	for _, d := range x.Shared {
		u := d.Member.Key.User
		add("member", u, exportTime(d.Member.ConsentAt), "", "", "", "", "", "role="+string(d.Member.Role)+" shares_with_staff=yes")
		for _, ci := range d.CheckIns {
			add("checkin", u, exportTime(ci.At), "", ci.Area, strconv.Itoa(ci.Score), "", "", "")
		}
		for _, c := range d.Completions {
			add("exercise_done", u, exportTime(c.At), "", "", "", "", "", "day="+c.Day+" exercise="+c.Exercise)
		}
		for _, tc := range d.TapeCycles {
			add("tape_worn", u, exportTime(tc.AppliedAt), "", tc.Area, "", "", "", "days="+strconv.Itoa(tc.Days))
		}
		for _, rf := range d.RedFlags {
			add("red_flag", u, exportTime(rf.At), "", rf.Area, "", "", "", "rule="+rf.Rule)
		}
		for _, r := range d.Readiness {
			s := "day=" + r.Day
			for i, it := range items {
				s += fmt.Sprintf(" %s=%d", it.Name, r.Items[i])
			}
			add("readiness", u, exportTime(r.At), "", "", strconv.Itoa(r.Total()), "", "", s)
		}
	}
	fig := func(record, week, area string, f Figure, detail string) {
		ef := x.figure(f)
		avg := ""
		if ef.Average != nil {
			avg = strconv.FormatFloat(*ef.Average, 'f', 1, 64)
		}
		add(record, "", "", week, area, "", ef.People, avg, detail)
	}
	for i, pw := range x.Pain {
		week := pw.Start.Format("2006-01-02")
		fig("group_pain", week, "", pw.Pain, "")
		for _, a := range pw.Areas {
			fig("group_pain_area", week, a.Name, a.Figure, "")
		}
		for _, r := range pw.Ranges {
			fig("group_latest_score", week, "", r.Figure, "range="+r.Name)
		}
		fig("group_exercise_days", week, "", pw.Exercise, "")
		if i < len(x.Readiness) {
			rw := x.Readiness[i]
			s := ""
			if rw.Total.Shown {
				for j, it := range items {
					s += fmt.Sprintf("%s=%.1f ", it.Name, rw.Items[j])
				}
			}
			fig("group_readiness", week, "", rw.Total, strings.TrimSpace(s))
		}
	}
	for _, e := range x.Staff {
		what := e.Action
		if e.Detail != "" {
			what += ": " + e.Detail
		}
		add("staff_action", e.Actor, exportTime(e.At), "", "", "", "", "", what)
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

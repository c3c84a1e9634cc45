package report

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Footer is the disclaimer printed at the bottom of every clinician report.
const Footer = "Self-reported by the patient using Recovery Coach. Not a diagnosis."

// A4 portrait in millimetres.
const (
	pageW    = 210.0
	pageH    = 297.0
	margin   = 12.0
	contentW = pageW - 2*margin
	// footerTop is where the footer rule sits; nothing else goes below it.
	footerTop = pageH - margin - 7
	// colW is the width of each of the two side-by-side blocks.
	colW   = (contentW - 6) / 2
	lineH  = 4.4
	rowH   = 4.6
	headH  = 6.0
	gapH   = 2.5
	family = "LiberationSans"
	// maxListLines bounds the tape and red-flag lists so that they cannot
	// push the check-in table off the page.
	maxListLines = 4
	// maxNoteLines bounds how far one note wraps in the check-in table.
	maxNoteLines = 4
)

// ClinicianReport lays out a one-page A4 PDF: chart, summary, adherence,
// tape cycles, red flags and as many of the most recent check-ins as fit.
// It is one page whatever the input: every block has a bounded height and
// every text is cut to its cell.
func (r *Renderer) ClinicianReport(in bot.ReportInput) (bot.File, error) {
	data, err := r.clinicianPDF(in)
	if err != nil {
		return bot.File{}, err
	}
	return bot.File{
		// The time is in the name, so that two reports of one day are two
		// files wherever they are saved.
		Name:        "recoverycoach-report-" + generatedAt(in).In(loc(in.Loc)).Format("2006-01-02-1504") + ".pdf",
		ContentType: "application/pdf",
		Data:        data,
	}, nil
}

// generatedAt is when the report says it was made: the caller's stamp, or
// the end of the window.
func generatedAt(in bot.ReportInput) time.Time {
	if in.GeneratedAt.IsZero() {
		_, to := window(in.ChartInput)
		return to
	}
	return in.GeneratedAt
}

// page wraps an fpdf document with the report's text conventions.
type page struct {
	pdf *fpdf.Fpdf
	r   *Renderer
}

func (r *Renderer) clinicianPDF(in bot.ReportInput) ([]byte, error) {
	zone := loc(in.Loc)
	from, to := window(in.ChartInput)
	generated := generatedAt(in)
	chart, err := r.historyPNG(in.ChartInput, printed())
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}

	p := r.newPage(generated, "Recovery Coach report "+day(from, zone)+" to "+day(to, zone))
	pdf := p.pdf

	y := margin
	p.text(margin, y, contentW, 8, "Recovery Coach report: pain and home exercise", 16, true, "L")
	y += 8.5
	if name := r.clean(in.Name, maxCellRunes); name != "" {
		p.text(margin, y, contentW, 6, "Patient: "+name, 11.5, true, "L")
		y += 6
	}
	days := int(math.Round(midnight(to, zone).Sub(midnight(from, zone)).Hours()/24)) + 1
	p.text(margin, y, contentW, 5, fmt.Sprintf("Period: %s to %s (%s, times in %s). Generated %s.",
		day(from, zone), day(to, zone), bot.Plural(days, "day"), zone.String(), generated.In(zone).Format("2006-01-02 15:04")), 9.5, false, "L")
	y += 5 + gapH

	pl := printed()
	chartH := float64(pl.h / vg1mm)
	pdf.RegisterImageOptionsReader("chart", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(chart))
	pdf.ImageOptions("chart", margin, y, contentW, chartH, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	y += chartH + gapH

	s := in.Summary
	summary := []string{fmt.Sprintf("Check-ins: %d", s.Count)}
	if s.Count > 0 {
		summary = append(summary,
			fmt.Sprintf("Average %.1f, lowest %d, highest %d, last %d (0-10)", s.Average, s.Min, s.Max, s.Last))
	}
	summary = append(summary, p.split(trendText(s), colW, 9.5, 2)...)
	// Areas are summarized apart when there are several: one average over
	// a knee and a back means nothing.
	if len(in.Areas) > 1 {
		for i, a := range in.Areas {
			if i == maxListLines {
				summary = append(summary, fmt.Sprintf("and %d more areas", len(in.Areas)-maxListLines))
				break
			}
			summary = append(summary, fmt.Sprintf("%s: %s, average %.1f, last %d", a.Area, bot.Plural(a.Count, "check-in"), a.Average, a.Last))
		}
	}
	exercise := []string{adherenceText(in)}
	if in.Program != "" {
		exercise = append(exercise, "Program: "+in.Program)
		for i, e := range in.Exercises {
			if i == maxListLines {
				exercise = append(exercise, fmt.Sprintf("and %d more exercises", len(in.Exercises)-maxListLines))
				break
			}
			pct := 0
			if e.Expected > 0 {
				pct = e.Done * 100 / e.Expected
			}
			exercise = append(exercise, fmt.Sprintf("%s: %d of %d sessions (%d%%)", e.Name, e.Done, e.Expected, pct))
		}
	}
	exercise = append(exercise,
		"Current streak: "+bot.Plural(in.CurrentStreak, "day")+", longest: "+bot.Plural(in.LongestStreak, "day"))
	exercise = append(exercise, in.Training[:min(len(in.Training), 2)]...)
	y = p.columns(y, "Pain summary", summary, "Home exercises", exercise)
	y = p.columns(y, "Kinesiology tape", tapeLines(in.TapeCycles, to, zone), "Red flags", flagLines(in.RedFlags, zone))

	p.checkIns(y, in.CheckIns, in.RedFlags, zone)

	pdf.SetDrawColor(120, 120, 120)
	pdf.SetLineWidth(0.2)
	pdf.Line(margin, footerTop, pageW-margin, footerTop)
	p.text(margin, footerTop+1, contentW*0.72, 5, Footer, 8.5, true, "L")
	p.text(margin+contentW*0.72, footerTop+1, contentW*0.28, 5, "Recovery Coach, "+generated.In(zone).Format("2006-01-02"), 8.5, false, "R")

	return p.output()
}

// newPage starts an A4 document with the report fonts and fixed metadata.
func (r *Renderer) newPage(generated time.Time, title string) *page {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	// fpdf falls back to the wall clock for a zero date; the Unix epoch
	// keeps even a zero input deterministic.
	stampTime := generated.UTC()
	if stampTime.IsZero() {
		stampTime = time.Unix(0, 0).UTC()
	}
	pdf.SetCreationDate(stampTime)
	pdf.SetModificationDate(stampTime)
	pdf.SetProducer("Recovery Coach", true)
	pdf.SetCreator("Recovery Coach", true)
	pdf.SetTitle(r.clean(title, maxCellRunes), true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetCellMargin(1)
	pdf.AddUTF8FontFromBytes(family, "", liberationsansregular.TTF)
	pdf.AddUTF8FontFromBytes(family, "B", liberationsansbold.TTF)
	pdf.AddPage()
	return &page{pdf: pdf, r: r}
}

// output finishes the document, refusing anything but a single page.
func (p *page) output() ([]byte, error) {
	if n := p.pdf.PageCount(); n != 1 {
		return nil, fmt.Errorf("report has %d pages, want 1", n)
	}
	var buf bytes.Buffer
	if err := p.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("write pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// vg1mm converts the chart layout's points to millimetres.
const vg1mm = 72 / 25.4

// columns draws two titled blocks side by side and returns the y below
// the taller one.
func (p *page) columns(y float64, leftTitle string, left []string, rightTitle string, right []string) float64 {
	x2 := margin + colW + 6
	p.text(margin, y, colW, headH, leftTitle, 11, true, "L")
	p.text(x2, y, colW, headH, rightTitle, 11, true, "L")
	for i, l := range left {
		p.text(margin, y+headH+float64(i)*lineH, colW, lineH, l, 9.5, false, "L")
	}
	for i, l := range right {
		p.text(x2, y+headH+float64(i)*lineH, colW, lineH, l, 9.5, false, "L")
	}
	return y + headH + float64(max(len(left), len(right)))*lineH + gapH
}

// checkIns draws the table of check-ins, newest first, in the space left
// above the footer.
func (p *page) checkIns(y float64, checkIns []bot.CheckIn, flags []bot.RedFlagEvent, zone *time.Location) {
	p.text(margin, y, contentW, headH, "Check-ins, newest first", 11, true, "L")
	y += headH
	widths := []float64{30, 30, 13, contentW - 73}
	p.pdf.SetFillColor(225, 225, 225)
	x := margin
	for i, h := range []string{"Date", "Area", "Score", "Note"} {
		p.cell(x, y, widths[i], rowH, h, 9, true, "L", true)
		x += widths[i]
	}
	y += rowH
	if len(checkIns) == 0 {
		p.text(margin, y, contentW, rowH, "No check-ins in this period.", 9, false, "L")
		return
	}
	rows := int((footerTop - 1 - y) / rowH)
	sorted := slices.Clone(checkIns)
	slices.SortStableFunc(sorted, func(a, b bot.CheckIn) int { return b.At.Compare(a.At) })
	shown, hidden := sorted, 0
	if len(sorted) > rows {
		shown, hidden = sorted[:max(0, rows-1)], len(sorted)-max(0, rows-1)
	}
	// A check-in that raised a red flag is marked in its row, so that the
	// note that explains the flag is easy to find.
	flagged := map[int64]bool{}
	for _, rf := range flags {
		if rf.CheckInID != 0 {
			flagged[rf.CheckInID] = true
		}
	}
	p.pdf.SetFillColor(242, 242, 242)
	for i, ci := range shown {
		// A long note wraps onto up to maxNoteLines lines instead of
		// being cut; the rows below move down, and those that no longer
		// fit are counted as not shown.
		note := p.split(ci.Note, widths[3], 9, maxNoteLines)
		h := rowH * float64(len(note))
		limit := footerTop - 1
		if i < len(shown)-1 || hidden > 0 {
			limit -= rowH // room for the "not shown" line
		}
		if y+h > limit {
			hidden += len(shown) - i
			break
		}
		area := ci.Area
		if area == "" {
			area = "unspecified"
		}
		score := strconv.Itoa(ci.Score)
		flag := ci.ID != 0 && flagged[ci.ID]
		if flag {
			score += " flag"
		}
		cells := []string{ci.At.In(zone).Format("2006-01-02 15:04"), area, score}
		x := margin
		for j, c := range cells {
			if flag && j == 2 {
				p.pdf.SetTextColor(0xd5, 0x5e, 0x00)
			}
			p.cell(x, y, widths[j], h, c, 9, flag && j == 2, "L", i%2 == 1)
			p.pdf.SetTextColor(0, 0, 0)
			x += widths[j]
		}
		if i%2 == 1 {
			p.pdf.Rect(x, y, widths[3], h, "F")
		}
		for k, l := range note {
			p.cell(x, y+float64(k)*rowH, widths[3], rowH, l, 9, false, "L", false)
		}
		y += h
	}
	if hidden > 0 {
		p.text(margin, y, contentW, rowH, fmt.Sprintf("%s not shown.", strings.Replace(bot.Plural(hidden, "check-in"), " ", " earlier ", 1)), 9, true, "L")
	}
}

// text draws one line of text, cut to fit its cell.
func (p *page) text(x, y, w, h float64, s string, size float64, bold bool, align string) {
	p.cell(x, y, w, h, s, size, bold, align, false)
}

func (p *page) cell(x, y, w, h float64, s string, size float64, bold bool, align string, fill bool) {
	p.font(size, bold)
	p.pdf.SetXY(x, y)
	p.pdf.CellFormat(w, h, p.fit(p.r.clean(s, maxCellRunes+1), w-2), "", 0, align, fill, 0, "")
}

func (p *page) font(size float64, bold bool) {
	style := ""
	if bold {
		style = "B"
	}
	p.pdf.SetFont(family, style, size)
}

// maxCellRunes is more characters than the widest cell can show in the
// narrowest glyphs; longer text is cut before measuring so that a huge note
// costs no more than a long one.
const maxCellRunes = 400

// fit shortens s with an ellipsis until it is at most w wide.
func (p *page) fit(s string, w float64) string {
	runes := []rune(s)
	if len(runes) > maxCellRunes {
		runes = runes[:maxCellRunes]
		s = string(runes) + "…"
	}
	if p.pdf.GetStringWidth(s) <= w {
		return s
	}
	lo, hi := 0, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if p.pdf.GetStringWidth(string(runes[:mid])+"…") <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(runes[:lo]), " ") + "…"
}

// split wraps s into at most n lines of width w; the last line is cut.
func (p *page) split(s string, w, size float64, n int) []string {
	p.font(size, false)
	var lines []string
	line := ""
	for _, word := range strings.Fields(p.r.clean(s, maxCellRunes*n)) {
		next := word
		if line != "" {
			next = line + " " + word
		}
		if line != "" && p.pdf.GetStringWidth(next) > w-2 {
			lines = append(lines, line)
			line = word
			continue
		}
		line = next
	}
	lines = append(lines, line)
	if len(lines) > n {
		lines[n-1] = strings.Join(lines[n-1:], " ")
		lines = lines[:n]
	}
	return lines
}

// clean makes user text safe for the PDF fonts: invalid UTF-8, control and
// formatting characters and anything the fonts cannot draw (emoji, most
// non-Latin scripts) become a space or a question mark, and runs of white
// space collapse to one. It stops after limit runes, so that a huge note
// costs no more than a long one.
func (r *Renderer) clean(s string, limit int) string {
	var b strings.Builder
	b.Grow(min(len(s), 4*limit))
	space := false
	n := 0
	for i, c := range s {
		if n >= limit {
			break
		}
		switch {
		case c == utf8.RuneError && isInvalid(s, i):
			c = '?'
		case unicode.IsSpace(c) || unicode.IsControl(c):
			c = ' '
		case unicode.In(c, unicode.Cf, unicode.Mn, unicode.Me):
			// Zero-width and combining marks would draw as boxes or
			// detached accents; dropping them keeps the base letter.
			continue
		case !r.covered.has(c) && (c > 0xffff || unicode.In(c, unicode.So, unicode.Sk, unicode.Co)):
			// Emoji and other pictographs the fonts lack are dropped,
			// rather than shown as a stray question mark.
			continue
		case !r.covered.has(c):
			c = '?'
		}
		if c == ' ' {
			if space || b.Len() == 0 {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(c)
		n++
	}
	return strings.TrimRight(b.String(), " ")
}

func isInvalid(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size <= 1
}

// trendText states the fitted trend for a clinician: direction, size and
// rate, without the coaching advice that the chat reply adds.
func trendText(s bot.Summary) string {
	t := s.Trend
	switch t.Direction {
	case bot.TrendImproving, bot.TrendWorsening, bot.TrendStable:
		return fmt.Sprintf("Trend: %s, fitted change %+.1f points over the period (%+.1f per week).", t.Direction, t.Change, t.PerWeek)
	}
	return "Trend: not enough check-ins to fit one (3 or more on different days)."
}

// adherenceText states exercise adherence with what it counts: days from
// the first day of use, not the whole window.
func adherenceText(in bot.ReportInput) string {
	if in.DaysCounted == 0 {
		return fmt.Sprintf("Exercises done on %d%% of days", in.Adherence)
	}
	return fmt.Sprintf("Exercises done on %d of %s (%d%%), from first use", in.DaysDone, bot.Plural(in.DaysCounted, "day"), in.Adherence)
}

// tapeLines describes each tape cycle with how long it was worn.
func tapeLines(cycles []bot.TapeCycle, to time.Time, zone *time.Location) []string {
	if len(cycles) == 0 {
		return []string{"No tape logged in this period."}
	}
	sorted := slices.Clone(cycles)
	slices.SortStableFunc(sorted, func(a, b bot.TapeCycle) int { return a.AppliedAt.Compare(b.AppliedAt) })
	var lines []string
	for _, tc := range sorted {
		area := tc.Area
		if area == "" {
			area = "unspecified"
		}
		if tc.Worn() {
			lines = append(lines, fmt.Sprintf("%s: on since %s, %s so far", area, day(tc.AppliedAt, zone), daysWorn(to.Sub(tc.AppliedAt))))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s: %s to %s, %s worn", area, day(tc.AppliedAt, zone), day(tc.RemovedAt, zone), daysWorn(tc.RemovedAt.Sub(tc.AppliedAt))))
	}
	return bounded(lines, "tape cycles")
}

// daysWorn rounds a wear time to half days, which is as precise as a tape
// log gets.
func daysWorn(d time.Duration) string {
	v := math.Max(0, math.Round(d.Hours()/12)/2)
	if v == 1 {
		return "1 day"
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + " days"
}

// flagLines lists red-flag events with the rule that raised them.
func flagLines(flags []bot.RedFlagEvent, zone *time.Location) []string {
	if len(flags) == 0 {
		return []string{"None in this period."}
	}
	sorted := slices.Clone(flags)
	slices.SortStableFunc(sorted, func(a, b bot.RedFlagEvent) int { return a.At.Compare(b.At) })
	var lines []string
	for _, rf := range sorted {
		line := rf.At.In(zone).Format("2006-01-02 15:04")
		if rf.Area != "" {
			line += ", " + rf.Area
		}
		lines = append(lines, line+": "+rf.DisplayName())
	}
	return bounded(lines, "red flags")
}

// bounded keeps a list within maxListLines, naming how many were left out.
func bounded(lines []string, what string) []string {
	if len(lines) <= maxListLines {
		return lines
	}
	keep := lines[len(lines)-(maxListLines-1):]
	return append([]string{fmt.Sprintf("%d earlier %s not shown; most recent:", len(lines)-len(keep), what)}, keep...)
}

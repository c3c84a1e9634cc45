package report

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/recoverycoach/recoverycoach/bot"
)

// The Okabe-Ito palette: distinguishable with every common colour-vision
// deficiency. Vermillion is kept for red flags only, so it always means
// "warning".
var (
	black         = color.RGBA{0x00, 0x00, 0x00, 0xff}
	orange        = color.RGBA{0xe6, 0x9f, 0x00, 0xff}
	blue          = color.RGBA{0x00, 0x72, 0xb2, 0xff}
	bluishGreen   = color.RGBA{0x00, 0x9e, 0x73, 0xff}
	vermillion    = color.RGBA{0xd5, 0x5e, 0x00, 0xff}
	reddishPurple = color.RGBA{0xcc, 0x79, 0xa7, 0xff}
	skyBlue       = color.RGBA{0x56, 0xb4, 0xe9, 0xff}
	// tapeShade is sky blue (#56B4E9) at a quarter strength over white,
	// opaque so that the PNG stays opaque and lines drawn over it stay
	// crisp.
	tapeShade = color.RGBA{0xd5, 0xec, 0xf9, 0xff}
	// pauseShade is black at 15% strength: a grey that survives
	// greyscale print, translucent so that tape worn during a pause still
	// shows through it, darker.
	pauseShade = color.NRGBA{0x00, 0x00, 0x00, 0x26}
	gridGray   = color.RGBA{0xcc, 0xcc, 0xcc, 0xff}
	darkGray   = color.RGBA{0x33, 0x33, 0x33, 0xff}
)

// series is how one body area is drawn: colour, dash and glyph all differ,
// so areas stay apart in greyscale print and for colour-blind readers.
type series struct {
	color  color.Color
	dashes []float64 // in units of the line width
	shape  draw.GlyphDrawer
}

func seriesStyle(i int) series {
	styles := []series{
		{color: blue, shape: draw.CircleGlyph{}},
		{color: orange, dashes: []float64{3, 1.5}, shape: draw.BoxGlyph{}},
		{color: reddishPurple, dashes: []float64{1, 1}, shape: diamondGlyph{}},
		{color: black, dashes: []float64{4, 1.5, 1, 1.5}, shape: draw.CircleGlyph{}},
		// Sky blue, not the bluish green of "Exercises done": no series
		// may share the colour of the exercise bars.
		{color: skyBlue, dashes: []float64{6, 2}, shape: draw.BoxGlyph{}},
	}
	return styles[i%len(styles)]
}

// diamondGlyph is a filled diamond: gonum's other shapes beyond circle and
// box are hairline outlines that vanish at chat-attachment scale.
type diamondGlyph struct{}

func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * 1.3
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y})
	p.Line(vg.Point{X: pt.X, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X - r, Y: pt.Y})
	p.Close()
	c.Fill(p)
}

// layout sizes a chart for where it is shown.
type layout struct {
	w, h vg.Length
	dpi  int
	// font is the size of tick labels and legend text; titles are larger.
	font vg.Length
	// title is false when the surrounding document has its own heading.
	title bool
}

// phone is a chat attachment: 1200x900 pixels with text that stays legible
// when a phone shrinks the image to its screen width.
func phone() layout {
	return layout{w: 8 * vg.Inch, h: 6 * vg.Inch, dpi: 150, font: 15, title: true}
}

// printed is the chart inside the A4 clinician report.
func printed() layout {
	return layout{w: 186 * vg.Millimeter, h: 72 * vg.Millimeter, dpi: 200, font: 8.5}
}

// line is the width of data lines, proportional to the text size.
func (l layout) line() vg.Length { return l.font / 5 }

func (l layout) style(size vg.Length, bold bool) text.Style {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return text.Style{Color: black, Font: f, Handler: plot.DefaultTextHandler}
}

// newPlot returns a plot with this layout's fonts and line widths.
func (l layout) newPlot() *plot.Plot {
	p := plot.New()
	p.Title.TextStyle.Font = l.style(l.font*1.3, true).Font
	p.Title.Padding = l.font * 0.6
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = l.style(l.font, false).Font
		a.Label.TextStyle.Color = darkGray
		a.Label.Padding = l.font * 0.3
		a.Tick.Label.Font = l.style(l.font, false).Font
		a.Tick.Length = l.font * 0.4
		a.Tick.Width = l.line() / 2
		a.Width = l.line() / 2
		a.Padding = 0
	}
	return p
}

// encode rasterises a drawing to PNG.
func (l layout) encode(drawFn func(dc draw.Canvas) error) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(l.w, l.h), vgimg.UseDPI(l.dpi), vgimg.UseBackgroundColor(color.White))
	if err := drawFn(draw.New(c)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// Speed matters more than a few kilobytes: charts are rendered while a
	// chat platform waits.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, c.Image()); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// HistoryChart draws a member's pain scores over time, one line per body
// area, with exercise days, tape wear and red flags.
func (r *Renderer) HistoryChart(in bot.ChartInput) (bot.File, error) {
	data, err := r.historyPNG(in, phone())
	if err != nil {
		return bot.File{}, err
	}
	return bot.File{Name: "recoverycoach-history-" + stamp(in) + ".png", ContentType: "image/png", Data: data}, nil
}

// Vertical positions in score units: the exercise strip sits below 0 and
// red-flag markers above 10, so neither hides a score.
const (
	yMin        = -2.2
	yMax        = 11.2
	doneLow     = -1.9
	doneHigh    = -0.7
	doneTick    = -1.3
	flagMarkerY = 10.7
)

func (r *Renderer) historyPNG(in bot.ChartInput, l layout) ([]byte, error) {
	p, legend, err := historyPlot(in, l)
	if err != nil {
		return nil, err
	}
	return l.encode(func(dc draw.Canvas) error {
		legendH := drawLegend(dc, l, legend)
		// Room on the right for the last date label, which is centred on
		// the axis end.
		p.Draw(draw.Crop(dc, 0, -l.font*1.6, legendH, -l.font*0.2))
		return nil
	})
}

// legendEntry is one item of the legend row under a chart.
type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

func historyPlot(in bot.ChartInput, l layout) (*plot.Plot, []legendEntry, error) {
	zone := loc(in.Loc)
	from, to := window(in)
	x := func(t time.Time) float64 { return t.Sub(from).Hours() / 24 }
	// The axis runs from the first day's midnight to the end of the last
	// day, so a check-in late today sits inside today rather than on the
	// edge, with a margin either side so that no point is cut in half.
	start := x(midnight(from, zone))
	span := x(midnight(to, zone).AddDate(0, 0, 1))
	clampX := func(v float64) float64 { return math.Max(start, math.Min(span, v)) }

	p := l.newPlot()
	if l.title {
		title := fmt.Sprintf("Pain check-ins, %s to %s", day(from, zone), day(to, zone))
		if len(in.CheckIns) == 0 {
			title = fmt.Sprintf("No check-ins yet (%s to %s)", day(from, zone), day(to, zone))
		}
		p.Title.Text = wrap(l.style(l.font*1.3, true), title, l.w*0.95)
	}
	p.Y.Label.Text = "Pain (0-10)"
	p.X.Label.Text = "Date (" + zone.String() + ")"
	var legend []legendEntry

	// Tape wear, shaded behind everything else.
	if rings := tapeRings(in.TapeCycles, to, x, clampX); len(rings) > 0 {
		shade, err := plotter.NewPolygon(rings...)
		if err != nil {
			return nil, nil, fmt.Errorf("tape shading: %w", err)
		}
		shade.Color = tapeShade
		shade.LineStyle.Width = 0
		p.Add(shade)
		legend = append(legend, legendEntry{"Tape worn", []plot.Thumbnailer{shade}})
	}

	// Pauses and snoozes, over the tape and the whole height, exercise
	// strip included: nothing was asked of the member then.
	if rings, name := pauseRings(in.Pauses, to, x, clampX); len(rings) > 0 {
		shade, err := plotter.NewPolygon(rings...)
		if err != nil {
			return nil, nil, fmt.Errorf("pause shading: %w", err)
		}
		shade.Color = pauseShade
		shade.LineStyle.Width = 0
		p.Add(shade)
		legend = append(legend, legendEntry{name, []plot.Thumbnailer{shade}})
	}

	// Score grid lines, drawn as data so they sit over the shading.
	for v := 0.0; v <= 10; v += 2 {
		g, err := plotter.NewLine(plotter.XYs{{X: start - chartMargin, Y: v}, {X: span + chartMargin, Y: v}})
		if err != nil {
			return nil, nil, fmt.Errorf("grid: %w", err)
		}
		g.Color = gridGray
		g.Width = l.line() / 2
		p.Add(g)
	}

	// Exercise days as bars along the bottom strip.
	if rings, partial := doneRings(in.DoneDays, in.DoneShare, zone, x, clampX); len(rings) > 0 {
		bars, err := plotter.NewPolygon(rings...)
		if err != nil {
			return nil, nil, fmt.Errorf("done days: %w", err)
		}
		bars.Color = bluishGreen
		bars.LineStyle.Width = 0
		p.Add(bars)
		name := "Exercises done"
		if partial {
			name = "Exercises done (height: share of the day's plan)"
		}
		legend = append(legend, legendEntry{name, []plot.Thumbnailer{bars}})
	}

	// Red flags: a dashed vertical line and a triangle above the scores.
	var flagXs plotter.XYs
	var flagNames []string
	for _, rf := range in.RedFlags {
		v := x(rf.At)
		if v < start || v > span {
			continue
		}
		flagXs = append(flagXs, plotter.XY{X: v, Y: flagMarkerY})
		flagNames = append(flagNames, rf.DisplayName())
	}
	flagLine := draw.LineStyle{Color: vermillion, Width: l.line() * 0.7, Dashes: []vg.Length{l.line() * 2, l.line() * 1.5}}
	for _, f := range flagXs {
		v, err := plotter.NewLine(plotter.XYs{{X: f.X, Y: 0}, {X: f.X, Y: flagMarkerY}})
		if err != nil {
			return nil, nil, fmt.Errorf("red flag: %w", err)
		}
		v.LineStyle = flagLine
		p.Add(v)
	}

	// One line with points per body area.
	pointR := glyphRadius(l, span)
	for i, a := range bot.ByArea(in.CheckIns) {
		var xys plotter.XYs
		for _, ci := range a.CheckIns {
			v := x(ci.At)
			if v < start || v > span {
				continue
			}
			xys = append(xys, plotter.XY{X: v, Y: float64(min(10, max(0, ci.Score)))})
		}
		if len(xys) == 0 {
			continue
		}
		s := seriesStyle(i)
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, nil, fmt.Errorf("series %d: %w", i, err)
		}
		line.Color = s.color
		line.Width = l.line()
		for _, d := range s.dashes {
			line.Dashes = append(line.Dashes, vg.Length(d)*l.line())
		}
		points.Color = s.color
		points.Shape = s.shape
		points.Radius = pointR
		p.Add(line, points)
		legend = append(legend, legendEntry{clip(a.Area, 40), []plot.Thumbnailer{line, points}})
	}

	if len(flagXs) > 0 {
		marks, err := plotter.NewScatter(flagXs)
		if err != nil {
			return nil, nil, fmt.Errorf("red flag markers: %w", err)
		}
		marks.Color = vermillion
		marks.Shape = draw.PyramidGlyph{}
		marks.Radius = l.font * 0.45
		p.Add(marks)
		// Each warning is named in words beside its marker; the legend
		// lists them too, so a crowded chart still says which they were.
		sty := l.style(l.font*0.8, false)
		sty.Color = vermillion
		if err := addLabels(p, flagXs, flagLabels(flagNames), sty, l.font*0.5); err != nil {
			return nil, nil, err
		}
		legend = append(legend, legendEntry{"Warning: " + clip(strings.Join(uniq(flagNames), ", "), 60), []plot.Thumbnailer{flagThumb{flagLine}, marks}})
	}

	// Fixed ranges, set after Add, which would otherwise stretch them to
	// the data.
	p.X.Min, p.X.Max = start-chartMargin, span+chartMargin
	p.Y.Min, p.Y.Max = yMin, yMax
	ticks := plot.ConstantTicks{{Value: doneTick, Label: "done"}}
	for v := 0; v <= 10; v += 2 {
		ticks = append(ticks, plot.Tick{Value: float64(v), Label: fmt.Sprint(v)})
	}
	p.Y.Tick.Marker = ticks
	// The data area is the width less the y-axis labels and right margin.
	plotW := l.w - 7*l.font
	labelW := l.style(l.font, false).Width("Sep 30") * 1.4
	p.X.Tick.Marker = dayTicks(from, to, zone, max(2, int(plotW/labelW)))
	return p, legend, nil
}

// chartMargin is the room, in days, left of the first day and right of
// the last, so that points and markers at the edges are drawn whole.
const chartMargin = 0.25

// flagLabels shortens warning names for their markers; a name repeated at
// the next marker is left out, so a run of one warning is named once.
func flagLabels(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if i > 0 && names[i-1] == n {
			continue
		}
		out[i] = clip(n, 24)
	}
	return out
}

func uniq(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// glyphRadius keeps points readable on a short window and keeps a year of
// twice-daily check-ins from merging into a blob.
func glyphRadius(l layout, span float64) vg.Length {
	perDay := (l.w - 4*l.font) / vg.Length(span)
	return max(l.line()*0.8, min(l.font*0.3, perDay/3))
}

// flagThumb draws the red-flag line in the legend, vertically as on the
// chart.
type flagThumb struct{ style draw.LineStyle }

func (f flagThumb) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(f.style, x, c.Min.Y, x, c.Max.Y)
}

// tapeRings returns one rectangle per tape cycle, from application to
// removal (or the end of the window while still worn).
func tapeRings(cycles []bot.TapeCycle, to time.Time, x func(time.Time) float64, clampX func(float64) float64) []plotter.XYer {
	var rings []plotter.XYer
	for _, tc := range cycles {
		end := tc.RemovedAt
		if tc.Worn() || end.After(to) {
			end = to
		}
		x0, x1 := clampX(x(tc.AppliedAt)), clampX(x(end))
		if x1 <= x0 {
			continue
		}
		rings = append(rings, rect(x0, x1, 0, 10.3))
	}
	return rings
}

// pauseRings returns one rectangle per stretch of held nudges, from the
// first pause or snooze to the end of the last overlapping one (or the end
// of the window while one lasts), merged so that a snooze during a pause
// is not shaded twice; name is the legend entry, naming the kinds shown.
func pauseRings(periods []bot.PausePeriod, to time.Time, x func(time.Time) float64, clampX func(float64) float64) (rings []plotter.XYer, name string) {
	type span struct{ x0, x1 float64 }
	var spans []span
	kinds := map[bot.PauseKind]bool{}
	for _, p := range periods {
		end := p.Until
		if end.After(to) {
			end = to
		}
		x0, x1 := clampX(x(p.From)), clampX(x(end))
		if x1 <= x0 {
			continue
		}
		spans = append(spans, span{x0, x1})
		kinds[p.Kind] = true
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.x0, b.x0) })
	var merged []span
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.x0 <= merged[n-1].x1 {
			merged[n-1].x1 = max(merged[n-1].x1, sp.x1)
			continue
		}
		merged = append(merged, sp)
	}
	for _, sp := range merged {
		rings = append(rings, rect(sp.x0, sp.x1, yMin, yMax))
	}
	switch {
	case kinds[bot.PauseNudges] && kinds[bot.PauseSnooze]:
		name = "Reminders paused or snoozed"
	case kinds[bot.PauseSnooze]:
		name = "Reminders snoozed"
	default:
		name = "Reminders paused"
	}
	return rings, name
}

// doneRings returns one bar per exercise day, a little narrower than the
// day so that neighbouring days stay countable, as tall as the share of
// the day's plan done (full when share does not say); partial reports
// whether any bar is short.
func doneRings(days []string, share map[string]float64, zone *time.Location, x func(time.Time) float64, clampX func(float64) float64) (rings []plotter.XYer, partial bool) {
	sorted := slices.Clone(days)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	for _, d := range sorted {
		start, err := time.ParseInLocation("2006-01-02", d, zone)
		if err != nil {
			continue
		}
		end := start.AddDate(0, 0, 1)
		x0, x1 := x(start), x(end)
		inset := (x1 - x0) * 0.12
		x0, x1 = clampX(x0+inset), clampX(x1-inset)
		if x1 <= x0 {
			continue
		}
		top := doneHigh
		if f, ok := share[d]; ok && f < 1 {
			// A sliver stays visible for a day with anything done.
			top = doneLow + (doneHigh-doneLow)*math.Max(0.15, f)
			partial = true
		}
		rings = append(rings, rect(x0, x1, doneLow, top))
	}
	return rings, partial
}

func rect(x0, x1, y0, y1 float64) plotter.XYs {
	return plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
}

// dayTicks labels local days (or months, for long windows) with at most
// maxLabels labels, counting back from the last day so that the most
// recent date is always labelled.
func dayTicks(from, to time.Time, zone *time.Location, maxLabels int) plot.Ticker {
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		x := func(t time.Time) float64 { return t.Sub(from).Hours() / 24 }
		first := midnight(from, zone)
		last := midnight(to, zone)
		days := int(math.Round(last.Sub(first).Hours() / 24))
		var ticks []plot.Tick
		for _, step := range []int{1, 2, 3, 7, 14} {
			if days/step+1 > maxLabels {
				continue
			}
			for k := 0; k <= days; k++ {
				t := last.AddDate(0, 0, -k)
				// Labels sit at noon, in the middle of their day, so an
				// evening check-in is read against its own date.
				tk := plot.Tick{Value: x(t.Add(12 * time.Hour))}
				if k%step == 0 {
					tk.Label = t.Format("Jan 2")
				} else if days > 120 {
					continue
				}
				ticks = append(ticks, tk)
			}
			slices.Reverse(ticks)
			return ticks
		}
		months := days/30 + 1
		step := 1
		for _, s := range []int{1, 2, 3, 6, 12, 24, 60, 120, 600, 1200} {
			step = s
			if months/s+1 <= maxLabels {
				break
			}
		}
		start := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, zone)
		for t := start; !t.After(last); t = t.AddDate(0, step, 0) {
			label := t.Format("Jan 2")
			if t.Month() == time.January || step >= 12 {
				label = t.Format("Jan 2006")
			}
			ticks = append(ticks, plot.Tick{Value: x(t), Label: label})
		}
		return ticks
	})
}

// clip shortens a label to n runes; chart labels are not user prose.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func midnight(t time.Time, zone *time.Location) time.Time {
	t = t.In(zone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone)
}

// wrap breaks txt into lines no wider than width, at spaces.
func wrap(sty text.Style, txt string, width vg.Length) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(txt) {
		if line != "" && sty.Width(line+" "+w) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}

// drawLegend lays the entries out in rows along the bottom of dc and
// returns the height used.
func drawLegend(dc draw.Canvas, l layout, entries []legendEntry) vg.Length {
	if len(entries) == 0 {
		return 0
	}
	sty := l.style(l.font, false)
	sty.YAlign = draw.YCenter
	thumbW, gap, space := l.font*2.2, l.font*0.4, l.font*1.2
	rowH := l.font * 1.5
	width := dc.Max.X - dc.Min.X - 2*l.font

	var rows [][]legendEntry
	var rowW vg.Length
	for _, e := range entries {
		w := thumbW + gap + sty.Width(e.name) + space
		if len(rows) == 0 || rowW+w > width {
			rows = append(rows, nil)
			rowW = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], e)
		rowW += w
	}
	height := vg.Length(len(rows))*rowH + l.font*0.5
	for i, row := range rows {
		y := dc.Min.Y + height - l.font*0.25 - rowH*(vg.Length(i)+0.5)
		x := dc.Min.X + l.font
		for _, e := range row {
			thumb := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y - l.font*0.45},
				Max: vg.Point{X: x + thumbW, Y: y + l.font*0.45},
			}}
			for _, t := range e.thumbs {
				t.Thumbnail(&thumb)
			}
			x += thumbW + gap
			dc.FillText(sty, vg.Point{X: x, Y: y}, e.name)
			x += sty.Width(e.name) + space
		}
	}
	return height
}

// TeamChart draws a team's weekly participation (bars) and average score
// (points) in two panels that share the week axis. It sees totals only.
func (r *Renderer) TeamChart(in bot.TeamChartInput) (bot.File, error) {
	l := phone()
	top, bottom, err := teamPlots(in, l)
	if err != nil {
		return bot.File{}, err
	}
	data, err := l.encode(func(dc draw.Canvas) error {
		tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: l.font * 0.5, PadBottom: l.font * 0.5, PadLeft: l.font * 0.5, PadRight: l.font, PadY: l.font}
		cs := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
		top.Draw(cs[0][0])
		bottom.Draw(cs[1][0])
		return nil
	})
	if err != nil {
		return bot.File{}, err
	}
	name := "recoverycoach-team"
	if n := len(in.Weeks); n > 0 {
		name += "-" + in.Weeks[n-1].Start.Format("2006-01-02")
	}
	return bot.File{Name: name + ".png", ContentType: "image/png", Data: data}, nil
}

func teamPlots(in bot.TeamChartInput, l layout) (top, bottom *plot.Plot, err error) {
	n := len(in.Weeks)
	top, bottom = l.newPlot(), l.newPlot()
	title := clip(strings.TrimSpace(in.Title), 200)
	if title == "" {
		title = "Team check-ins per week"
	}
	if n == 0 {
		title += " (no weeks to show)"
	}
	top.Title.Text = wrap(l.style(l.font*1.3, true), title, l.w*0.95)
	label, lo, hi := in.ScoreLabel, in.ScoreMin, in.ScoreMax
	if label == "" {
		label = "Average pain"
	}
	if hi <= lo {
		lo, hi = 0, 10
	}
	top.Y.Label.Text = label
	bottom.Y.Label.Text = "Members"
	bottom.X.Label.Text = "Week starting"

	var runs []plotter.XYs
	var run plotter.XYs
	var points plotter.XYs
	var avgLabels []string
	counts := make(plotter.Values, n)
	var countXYs plotter.XYs
	var countLabels []string
	maxCount := 0
	for i, w := range in.Weeks {
		c := max(0, w.Participants)
		counts[i] = float64(c)
		maxCount = max(maxCount, c)
		// A banded week is labelled with its range, and a withheld one
		// with "<N" on an empty bar, so a missing point reads as withheld
		// rather than as nobody.
		if c > 0 || w.ParticipantsLabel != "" {
			label := w.ParticipantsLabel
			if label == "" {
				label = fmt.Sprint(c)
			}
			countXYs = append(countXYs, plotter.XY{X: float64(i), Y: float64(c)})
			countLabels = append(countLabels, label)
		}
		avg := w.AverageScore
		if c == 0 || math.IsNaN(avg) || math.IsInf(avg, 0) {
			if len(run) > 0 {
				runs = append(runs, run)
				run = nil
			}
			continue
		}
		avg = math.Max(lo, math.Min(hi, avg))
		pt := plotter.XY{X: float64(i), Y: avg}
		run = append(run, pt)
		points = append(points, pt)
		avgLabels = append(avgLabels, fmt.Sprintf("%.1f", avg))
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}

	for _, r := range runs {
		line, err := plotter.NewLine(r)
		if err != nil {
			return nil, nil, fmt.Errorf("average line: %w", err)
		}
		line.Color = blue
		line.Width = l.line()
		top.Add(line)
	}
	labelStyle := l.style(l.font*0.9, true)
	labelStyle.XAlign = draw.XCenter
	if len(points) > 0 {
		marks, err := plotter.NewScatter(points)
		if err != nil {
			return nil, nil, fmt.Errorf("average points: %w", err)
		}
		marks.Color = blue
		marks.Shape = draw.CircleGlyph{}
		marks.Radius = l.font * 0.3
		top.Add(marks)
		if err := addLabels(top, points, avgLabels, labelStyle, l.font*0.5); err != nil {
			return nil, nil, err
		}
	}
	if n > 0 {
		// Narrow bars for many weeks; no slab for a single week.
		barW := min((l.w-5*l.font)/vg.Length(n)*0.6, l.font*4)
		bars, err := plotter.NewBarChart(counts, max(barW, 1))
		if err != nil {
			return nil, nil, fmt.Errorf("participants: %w", err)
		}
		bars.Color = orange
		bars.LineStyle.Width = 0
		bottom.Add(bars)
	}
	if len(countXYs) > 0 {
		if err := addLabels(bottom, countXYs, countLabels, labelStyle, l.font*0.3); err != nil {
			return nil, nil, err
		}
	}

	top.X.Min, top.X.Max = -0.5, math.Max(0.5, float64(n)-0.5)
	bottom.X.Min, bottom.X.Max = top.X.Min, top.X.Max
	top.Y.Min, top.Y.Max = lo, hi+(hi-lo)/10
	mid := (lo + hi) / 2
	top.Y.Tick.Marker = plot.ConstantTicks{{Value: lo, Label: fmt.Sprint(lo)}, {Value: mid, Label: fmt.Sprint(mid)}, {Value: hi, Label: fmt.Sprint(hi)}}
	step := niceStep(maxCount)
	yTop := float64(((maxCount + step) / step) * step)
	bottom.Y.Min, bottom.Y.Max = 0, math.Max(yTop, float64(maxCount)*1.2)
	var yt plot.ConstantTicks
	for v := 0; float64(v) <= bottom.Y.Max; v += step {
		yt = append(yt, plot.Tick{Value: float64(v), Label: fmt.Sprint(v)})
	}
	bottom.Y.Tick.Marker = yt

	labelW := l.style(l.font, false).Width("Sep 30") * 1.5
	every := 1
	for n > 0 && vg.Length(n/every)*labelW > l.w-5*l.font {
		every++
	}
	var xt, xtTop plot.ConstantTicks
	for i, w := range in.Weeks {
		tk := plot.Tick{Value: float64(i)}
		xtTop = append(xtTop, tk)
		if (n-1-i)%every == 0 {
			tk.Label = w.Start.Format("Jan 2")
		}
		xt = append(xt, tk)
	}
	top.X.Tick.Marker, bottom.X.Tick.Marker = xtTop, xt
	return top, bottom, nil
}

func addLabels(p *plot.Plot, xys plotter.XYs, labels []string, sty text.Style, dy vg.Length) error {
	sty.YAlign = draw.YBottom
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return fmt.Errorf("labels: %w", err)
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i] = sty
	}
	lb.Offset = vg.Point{Y: dy}
	p.Add(lb)
	return nil
}

// niceStep picks an integer tick step giving about five ticks up to n.
func niceStep(n int) int {
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000} {
		if n/s <= 5 {
			return s
		}
	}
	return max(1, n/5)
}

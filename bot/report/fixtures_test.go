package report_test

import (
	"bytes"
	"compress/zlib"
	"image"
	"image/png"
	"io"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/recoverycoach/recoverycoach/bot"
)

// now is the fixed "now" of every test: a Monday morning in Berlin.
var now = time.Date(2026, 3, 2, 9, 0, 0, 0, berlin())

func berlin() *time.Location {
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return l
}

var notes = []string{
	"sore after stairs", "", "stiff in the morning", "better after the walk",
	"", "ached during the night", "fine", "swelling down a bit", "", "long shift, sore",
}

// realistic is the benchmark and golden data: two check-ins a day over
// two areas, exercises on two days out of three, two tape cycles and
// three red flags.
func realistic(days int) bot.ReportInput {
	zone := now.Location()
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone).AddDate(0, 0, -(days - 1))
	in := bot.ChartInput{From: from, To: now, Loc: zone}
	var id int64
	for d := range days {
		base := from.AddDate(0, 0, d)
		for k, area := range []string{"knee", "lower-back"} {
			at := base.Add(time.Duration(8+10*k)*time.Hour + time.Duration(d%7)*5*time.Minute)
			if at.After(now) {
				continue
			}
			progress := float64(d) / float64(days)
			score := 7 - 4*progress + 1.5*math.Sin(float64(d)/3)
			if area == "lower-back" {
				score = 4 + 2*math.Sin(float64(d)/5+1)
			}
			id++
			in.CheckIns = append(in.CheckIns, bot.CheckIn{ID: id, Score: int(math.Round(score)), Area: area,
				Note: notes[(d*2+k)%len(notes)], At: at})
		}
		if d%3 != 2 {
			in.DoneDays = append(in.DoneDays, base.Format("2006-01-02"))
		}
	}
	in.TapeCycles = []bot.TapeCycle{
		{Area: "knee", Days: 5, AppliedAt: from.AddDate(0, 0, days/4).Add(10 * time.Hour), RemovedAt: from.AddDate(0, 0, days/4+5).Add(9 * time.Hour)},
		{Area: "knee", Days: 5, AppliedAt: now.AddDate(0, 0, -2)},
	}
	for i, frac := range []float64{0.2, 0.55, 0.9} {
		ci := in.CheckIns[int(frac*float64(len(in.CheckIns)))]
		rule := []string{"numbness", "high-score", "swelling"}[i]
		in.RedFlags = append(in.RedFlags, bot.RedFlagEvent{Rule: rule, Area: ci.Area, CheckInID: ci.ID, At: ci.At})
	}
	done := map[string]bool{}
	for _, d := range in.DoneDays {
		done[d] = true
	}
	return bot.ReportInput{
		ChartInput:    in,
		Name:          "Sam Lee",
		Adherence:     len(in.DoneDays) * 100 / days,
		CurrentStreak: bot.Streak(done, now, zone),
		LongestStreak: 2,
		Summary:       bot.Summarize(in.CheckIns),
		GeneratedAt:   now,
	}
}

func decodePNG(t testing.TB, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode png: %v", err)
	}
	return img
}

// pixelDiff returns the share of pixels whose colour differs noticeably,
// so that anti-aliasing noise from another CPU or Go version passes.
func pixelDiff(a, b image.Image) float64 {
	if a.Bounds() != b.Bounds() {
		return 1
	}
	r := a.Bounds()
	differ := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if absDiff(r1, r2) > 0x2000 || absDiff(g1, g2) > 0x2000 || absDiff(b1, b2) > 0x2000 {
				differ++
			}
		}
	}
	return float64(differ) / float64(r.Dx()*r.Dy())
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

var pageObj = regexp.MustCompile(`/Type\s*/Page[^s]`)

// pageCount counts page objects, leaving out the /Pages tree node.
func pageCount(pdf []byte) int { return len(pageObj.FindAll(pdf, -1)) }

// pdfText returns the text shown by the document's content streams, one
// Tj per line. The report's fonts are UTF-8 (Identity-H), so every string
// is UTF-16BE.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	var out strings.Builder
	for _, stream := range streams(pdf) {
		zr, err := zlib.NewReader(bytes.NewReader(stream))
		if err != nil {
			continue
		}
		content, err := io.ReadAll(zr)
		if err != nil || !bytes.Contains(content, []byte("BT")) {
			continue
		}
		for _, s := range shownStrings(content) {
			out.WriteString(utf16BE(unescape(s)))
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// Both scanners below are byte loops, not regular expressions: the
// embedded fonts and a long history make a report hundreds of kilobytes,
// and regexps over it cost more than rendering the report.

// streams returns the body of every stream object.
func streams(pdf []byte) [][]byte {
	var out [][]byte
	for {
		start := bytes.Index(pdf, []byte("stream"))
		if start < 0 {
			return out
		}
		body := bytes.TrimPrefix(pdf[start+len("stream"):], []byte("\r"))
		if !bytes.HasPrefix(body, []byte("\n")) {
			pdf = pdf[start+len("stream"):]
			continue
		}
		body = body[1:]
		end := bytes.Index(body, []byte("endstream"))
		if end < 0 {
			return out
		}
		out = append(out, bytes.TrimSuffix(bytes.TrimSuffix(body[:end], []byte("\n")), []byte("\r")))
		pdf = body[end+len("endstream"):]
	}
}

// shownStrings returns the raw bytes of every literal string that a Tj
// operator shows, escapes still in place.
func shownStrings(content []byte) [][]byte {
	var out [][]byte
	for {
		open := bytes.IndexByte(content, '(')
		if open < 0 {
			return out
		}
		end := -1
		for i := open + 1; i < len(content); i++ {
			if content[i] == '\\' {
				i++
				continue
			}
			if content[i] == '(' {
				break // not a string the report writes: every paren in text is escaped
			}
			if content[i] == ')' {
				end = i
				break
			}
		}
		if end < 0 {
			content = content[open+1:]
			continue
		}
		rest := bytes.TrimLeft(content[end+1:], " \t\r\n")
		if bytes.HasPrefix(rest, []byte("Tj")) {
			out = append(out, content[open+1:end])
		}
		content = content[end+1:]
	}
}

func unescape(s []byte) []byte {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			out = append(out, s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		default:
			if c >= '0' && c <= '7' {
				v, n := 0, 0
				for n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7' {
					v = v*8 + int(s[i]-'0')
					i++
					n++
				}
				i--
				out = append(out, byte(v))
				continue
			}
			out = append(out, c)
		}
	}
	return out
}

func utf16BE(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// mustContain fails for every wanted string missing from text.
func mustContain(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
}

func checkInDay(ci bot.CheckIn) string { return ci.At.In(now.Location()).Format("2006-01-02 15:04") }

// Package report draws Recovery Coach's charts (PNG, with gonum/plot) and
// the one-page clinician report (PDF, with fpdf). It implements
// bot.Renderer; package bot never imports it, so the core stays free of
// plotting and PDF libraries.
//
// Everything is deterministic: the same input gives the same bytes. Fonts
// are the Liberation fonts compiled into the binary, never system fonts, and
// no wall-clock time is written into a file.
package report

import (
	"fmt"
	"time"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font/sfnt"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Renderer draws history charts, team charts and clinician reports. It is
// safe for concurrent use: after New it is never modified.
type Renderer struct {
	// covered marks the Basic Multilingual Plane runes that both PDF fonts
	// can draw; anything else is replaced before it reaches fpdf, whose
	// UTF-8 path only handles the BMP.
	covered *runeSet
}

var _ bot.Renderer = (*Renderer)(nil)

// New returns a Renderer.
func New() *Renderer {
	covered, err := fontCoverage(liberationsansregular.TTF, liberationsansbold.TTF)
	if err != nil {
		// The fonts are compiled in, so this means a broken build; fall
		// back to ASCII, which every font has, rather than fail reports.
		covered = asciiOnly()
	}
	return &Renderer{covered: covered}
}

func asciiOnly() *runeSet {
	set := new(runeSet)
	for r := ' '; r <= '~'; r++ {
		set[r/64] |= 1 << (uint(r) % 64)
	}
	return set
}

// runeSet is a bitmap over the Basic Multilingual Plane.
type runeSet [0x10000 / 64]uint64

func (s *runeSet) has(r rune) bool {
	return r >= 0 && r < 0x10000 && s[r/64]&(1<<(uint(r)%64)) != 0
}

// fontCoverage returns the BMP runes that every given TrueType font maps to
// a real glyph.
func fontCoverage(fonts ...[]byte) (*runeSet, error) {
	set := new(runeSet)
	for i := range set {
		set[i] = ^uint64(0)
	}
	var buf sfnt.Buffer
	for _, data := range fonts {
		f, err := sfnt.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("parse font: %w", err)
		}
		for r := rune(0); r < 0x10000; r++ {
			if !set.has(r) {
				continue
			}
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				set[r/64] &^= 1 << (uint(r) % 64)
			}
		}
	}
	return set, nil
}

// loc returns the zone a chart labels its days in.
func loc(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

// window returns a usable [from, to] span, filled in from the data when
// the caller left a bound zero. A short span is kept as it is: charts and
// the report count whole local days from midnight(from) through to's day,
// so one day is never less than a day, and stretching to to a day after
// from would date a one-day report tomorrow and call it two days.
func window(in bot.ChartInput) (from, to time.Time) {
	from, to = in.From, in.To
	if to.IsZero() {
		to = from
		for _, ci := range in.CheckIns {
			if ci.At.After(to) {
				to = ci.At
			}
		}
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -14)
		for _, ci := range in.CheckIns {
			if ci.At.Before(from) {
				from = ci.At
			}
		}
	}
	if to.Before(from) {
		to = from
	}
	return from, to
}

// day formats t as a local date.
func day(t time.Time, l *time.Location) string { return t.In(l).Format("2006-01-02") }

// stamp is the date used in file names: the end of the window, local.
func stamp(in bot.ChartInput) string {
	_, to := window(in)
	return day(to, loc(in.Loc))
}

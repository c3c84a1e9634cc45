package content

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with a content file, positioned so that an
// editor can jump to it.
type Problem struct {
	// File is the path as the layer names it, such as
	// "content/library/tape-apply.md".
	File string
	// Line is 1-based; 0 means the problem concerns the whole file.
	Line int
	Msg  string
}

// String renders the problem as "file:line: message".
func (p Problem) String() string {
	switch {
	case p.File == "":
		return p.Msg
	case p.Line <= 0:
		return p.File + ": " + p.Msg
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
}

// Errors lists every problem found while loading content. Loading reports
// all of them at once so that a content author can fix a directory in one
// pass rather than one error per run.
type Errors []Problem

// Error implements error: one problem per line.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func (e Errors) sorted() Errors {
	out := slices.Clone(e)
	slices.SortStableFunc(out, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return out
}

// problems collects problems for one file.
type problems struct {
	file string
	list Errors
}

func (p *problems) add(line int, format string, args ...any) {
	p.list = append(p.list, Problem{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// Package content is Recovery Coach's content library: short guidance cards
// (Markdown with YAML front matter), starter exercise programs (YAML), and
// the rules engine that picks guidance after each pain check-in, red flags
// first. The default library is embedded; a directory can override cards
// and programs by id or add new ones.
package content

import (
	"cmp"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/content/triage"
)

//go:embed library/*.md programs/*.yaml
var embedded embed.FS

// Layout of a content directory.
const (
	cardGlob     = "library/*.md"
	programGlob  = "programs/*.yaml"
	programGlob2 = "programs/*.yml"
)

// Layer is one source of content: the embedded library or a directory.
// Name prefixes file names in error messages.
type Layer struct {
	Name string
	FS   fs.FS
}

// Embedded returns the library built into the binary.
func Embedded() Layer { return Layer{Name: "content", FS: embedded} }

// Dir returns a layer reading a directory laid out like the embedded
// library: library/*.md for cards and programs/*.yaml for programs.
func Dir(dir string) Layer { return Layer{Name: dir, FS: os.DirFS(dir)} }

// Library is a loaded, validated content library. It is immutable and safe
// for concurrent use.
type Library struct {
	cards    []*card
	byID     map[string]*card
	programs []*program
	progByID map[string]*program
	triager  *triage.Triager
}

var _ bot.Library = (*Library)(nil)

// Default loads the embedded library.
func Default() (*Library, error) { return Load(Embedded()) }

// Load reads the layers in order and merges them: a card or program in a
// later layer replaces the one with the same id, new ids are added. Then
// the whole library is validated: references between cards and programs
// must resolve and the general red-flags card must exist. All problems are
// returned together as Errors.
func Load(layers ...Layer) (*Library, error) {
	var errs Errors
	cards := map[string]*card{}
	programs := map[string]*program{}
	for _, layer := range layers {
		errs = append(errs, loadLayer(layer, cards, programs)...)
	}
	lastLayer := ""
	if len(layers) > 0 {
		lastLayer = layers[len(layers)-1].Name
	}
	errs = append(errs, crossCheck(cards, programs, lastLayer)...)
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	lib := &Library{byID: cards, progByID: programs, triager: triage.New()}
	for _, c := range cards {
		lib.cards = append(lib.cards, c)
	}
	slices.SortFunc(lib.cards, func(a, b *card) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Title, b.Title), cmp.Compare(a.ID, b.ID))
	})
	for _, p := range programs {
		lib.programs = append(lib.programs, p)
	}
	slices.SortFunc(lib.programs, func(a, b *program) int {
		return cmp.Or(cmp.Compare(a.Title, b.Title), cmp.Compare(a.ID, b.ID))
	})
	return lib, nil
}

func loadLayer(layer Layer, cards map[string]*card, programs map[string]*program) Errors {
	var errs Errors
	name := func(p string) string { return path.Join(strings.TrimSuffix(layer.Name, "/"), p) }
	cardFiles, err := fs.Glob(layer.FS, cardGlob)
	if err != nil {
		return Errors{{File: layer.Name, Msg: fmt.Sprintf("cannot list cards: %v", err)}}
	}
	var programFiles []string
	for _, g := range []string{programGlob, programGlob2} {
		files, err := fs.Glob(layer.FS, g)
		if err != nil {
			return Errors{{File: layer.Name, Msg: fmt.Sprintf("cannot list programs: %v", err)}}
		}
		programFiles = append(programFiles, files...)
	}
	if len(cardFiles)+len(programFiles) == 0 {
		return Errors{{File: layer.Name, Msg: "no cards (library/*.md) or programs (programs/*.yaml) found"}}
	}
	layerCards := map[string]*card{}
	for _, f := range cardFiles {
		data, err := fs.ReadFile(layer.FS, f)
		if err != nil {
			errs = append(errs, Problem{File: name(f), Msg: fmt.Sprintf("cannot read: %v", err)})
			continue
		}
		c, perrs := parseCard(name(f), data)
		errs = append(errs, perrs...)
		if c == nil {
			continue
		}
		if prev, dup := layerCards[c.ID]; dup {
			errs = append(errs, Problem{File: c.file, Line: c.idLine, Msg: fmt.Sprintf("duplicate card id %q (also in %s:%d)", c.ID, prev.file, prev.idLine)})
			continue
		}
		layerCards[c.ID] = c
		cards[c.ID] = c
	}
	layerPrograms := map[string]*program{}
	for _, f := range programFiles {
		data, err := fs.ReadFile(layer.FS, f)
		if err != nil {
			errs = append(errs, Problem{File: name(f), Msg: fmt.Sprintf("cannot read: %v", err)})
			continue
		}
		p, perrs := parseProgram(name(f), data)
		errs = append(errs, perrs...)
		if p == nil {
			continue
		}
		if prev, dup := layerPrograms[p.ID]; dup {
			errs = append(errs, Problem{File: p.file, Line: p.idLine, Msg: fmt.Sprintf("duplicate program id %q (also in %s:%d)", p.ID, prev.file, prev.idLine)})
			continue
		}
		layerPrograms[p.ID] = p
		programs[p.ID] = p
	}
	return errs
}

// crossCheck validates what single files cannot: references and red-flag
// coverage of the merged library.
func crossCheck(cards map[string]*card, programs map[string]*program, lastLayer string) Errors {
	var errs Errors
	broken := func(file string, r ref, what string) {
		errs = append(errs, Problem{File: file, Line: r.line, Msg: fmt.Sprintf("broken reference: no %s with id %q", what, r.id)})
	}
	for _, c := range cards {
		for _, r := range c.related {
			if _, ok := cards[r.id]; !ok {
				broken(c.file, r, "card")
			} else if r.id == c.ID {
				errs = append(errs, Problem{File: c.file, Line: r.line, Msg: "a card cannot be related to itself"})
			}
		}
		for _, r := range c.programs {
			if _, ok := programs[r.id]; !ok {
				broken(c.file, r, "program")
			}
		}
	}
	for _, p := range programs {
		for _, r := range p.related {
			if _, ok := cards[r.id]; !ok {
				broken(p.file, r, "card")
			}
		}
	}
	if _, ok := cards[generalRedFlagCard]; !ok {
		errs = append(errs, Problem{File: lastLayer, Msg: fmt.Sprintf("no card %q: warning signs without a card of their own link to it", generalRedFlagCard)})
	}
	return errs
}

// Cards implements bot.Library: every card, ordered by topic and title.
func (l *Library) Cards() []bot.Card {
	out := make([]bot.Card, len(l.cards))
	for i, c := range l.cards {
		out[i] = copyCard(c.Card)
	}
	return out
}

// Card implements bot.Library.
func (l *Library) Card(id string) (bot.Card, bool) {
	c, ok := l.byID[id]
	if !ok {
		return bot.Card{}, false
	}
	return copyCard(c.Card), true
}

// Related returns the ids of the cards and programs a card points to, for
// "see also" links.
func (l *Library) Related(id string) (cards, programs []string) {
	c, ok := l.byID[id]
	if !ok {
		return nil, nil
	}
	for _, r := range c.related {
		cards = append(cards, r.id)
	}
	for _, r := range c.programs {
		programs = append(programs, r.id)
	}
	return cards, programs
}

// Programs implements bot.Library: every program, ordered by title.
func (l *Library) Programs() []bot.Program {
	out := make([]bot.Program, len(l.programs))
	for i, p := range l.programs {
		out[i] = copyProgram(p.Program)
	}
	return out
}

// Program implements bot.Library.
func (l *Library) Program(id string) (bot.Program, bool) {
	p, ok := l.progByID[id]
	if !ok {
		return bot.Program{}, false
	}
	return copyProgram(p.Program), true
}

// copyCard keeps callers from changing the library through shared slices.
func copyCard(c bot.Card) bot.Card {
	c.Areas = slices.Clone(c.Areas)
	return c
}

func copyProgram(p bot.Program) bot.Program {
	p.Areas = slices.Clone(p.Areas)
	p.Exercises = slices.Clone(p.Exercises)
	p.StopRules = slices.Clone(p.StopRules)
	p.Progressions = slices.Clone(p.Progressions)
	return p
}

// ParseProgram implements bot.ProgramParser: a clinician's program file is
// checked as `recoverycoach content check` checks the library's own (the
// same schema and limits), and its related cards must be in this library.
func (l *Library) ParseProgram(name string, data []byte) (bot.Program, error) {
	p, errs := parseProgram(name, data)
	if p != nil {
		for _, r := range p.related {
			if _, ok := l.byID[r.id]; !ok {
				errs = append(errs, Problem{File: name, Line: r.line, Msg: fmt.Sprintf("broken reference: no card with id %q", r.id)})
			}
		}
	}
	if len(errs) > 0 {
		return bot.Program{}, errs.sorted()
	}
	return copyProgram(p.Program), nil
}

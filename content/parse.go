package content

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/adrg/frontmatter"
	"gopkg.in/yaml.v3"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Limits that keep cards readable in a chat message.
const (
	maxBodyWords  = 200
	maxTitleChars = 60
	maxTipChars   = 300
	maxPriority   = 100
	anyArea       = "any"
)

// cardMeta is a card's front matter. Decoding is strict: an unknown key is
// an error, so a typo such as "red-flag:" cannot silently disable a rule.
type cardMeta struct {
	ID       string      `yaml:"id"`
	Title    string      `yaml:"title"`
	Topic    string      `yaml:"topic"`
	Areas    []string    `yaml:"areas"`
	Tags     []string    `yaml:"tags"`
	Tip      string      `yaml:"tip"`
	Priority int         `yaml:"priority"`
	RedFlag  string      `yaml:"red_flag"`
	Related  []string    `yaml:"related"`
	Programs []string    `yaml:"programs"`
	Match    []matchMeta `yaml:"match"`
}

// matchMeta is one alternative of a card's match rules: every condition
// set in it must hold. A card matches when any alternative does.
type matchMeta struct {
	Score          *rangeMeta `yaml:"score"`
	Jump           int        `yaml:"jump"`
	Rising         int        `yaml:"rising"`
	Trend          string     `yaml:"trend"`
	TrendPoints    float64    `yaml:"trend_points"`
	MinCheckIns    int        `yaml:"min_checkins"`
	DaysSinceFirst *rangeMeta `yaml:"days_since_first"`
	Keywords       []string   `yaml:"keywords"`
	AndKeywords    []string   `yaml:"and_keywords"`
	PersistsDays   int        `yaml:"persists_days"`
	Tape           *bool      `yaml:"tape"`
	TapeDays       *rangeMeta `yaml:"tape_days"`
	TapeOverdue    bool       `yaml:"tape_overdue"`
}

type rangeMeta struct {
	Min *int `yaml:"min"`
	Max *int `yaml:"max"`
}

// programMeta is a program file.
type programMeta struct {
	ID        string         `yaml:"id"`
	Title     string         `yaml:"title"`
	Summary   string         `yaml:"summary"`
	Areas     []string       `yaml:"areas"`
	Related   []string       `yaml:"related"`
	Exercises []exerciseMeta `yaml:"exercises"`
	// StopRules and Progressions are one line each, written by the
	// clinician: when to stop and call, and how the program steps up.
	StopRules    []string `yaml:"stop_rules"`
	Progressions []string `yaml:"progressions"`
}

type exerciseMeta struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	Sets        int      `yaml:"sets"`
	Reps        int      `yaml:"reps"`
	HoldSeconds int      `yaml:"hold_seconds"`
	PerDay      int      `yaml:"per_day"`
	HowTo       []string `yaml:"how_to"`
	// Link is an https link to a picture or video of the exercise.
	Link        string `yaml:"link"`
	Progression string `yaml:"progression"`
}

// ref is a reference to another card or program, kept with its line for
// error messages.
type ref struct {
	id   string
	line int
}

// card is a parsed card with everything the guide needs.
type card struct {
	bot.Card
	file     string
	idLine   int
	tip      string
	tags     []string
	priority int
	redFlag  string
	urgent   bool
	anyArea  bool
	related  []ref
	programs []ref
	match    []alternative
	// keywords are the match keywords, which search also looks at.
	keywords []keyword
}

// program is a parsed program.
type program struct {
	bot.Program
	file    string
	idLine  int
	related []ref
}

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	yamlLineErr = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownKey  = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	dupKey      = regexp.MustCompile(`^mapping key "([^"]*)" already defined at line (\d+)$`)
)

// ParseCard parses one card file (Markdown with YAML front matter) on its
// own. References to other cards and programs are not checked here; Load
// checks them across the whole library. Errors are Errors with file:line
// positions under the given name.
func ParseCard(name string, data []byte) (bot.Card, error) {
	c, errs := parseCard(name, data)
	if len(errs) > 0 {
		return bot.Card{}, errs.sorted()
	}
	return c.Card, nil
}

// ParseProgram parses one program file (YAML) on its own; see ParseCard.
func ParseProgram(name string, data []byte) (bot.Program, error) {
	p, errs := parseProgram(name, data)
	if len(errs) > 0 {
		return bot.Program{}, errs.sorted()
	}
	return p.Program, nil
}

func parseCard(file string, data []byte) (*card, Errors) {
	p := &problems{file: file}
	var meta cardMeta
	var front []byte
	// Type errors (unknown keys, wrong types) leave the rest decoded, so
	// they are kept aside and checking goes on to report everything at once.
	var typeErr *yaml.TypeError
	format := frontmatter.NewFormat("---", "---", func(b []byte, v any) error {
		front = b
		err := decodeStrict(b, v)
		if errors.As(err, &typeErr) {
			return nil
		}
		return err
	})
	rest, err := parseFrontMatter(data, &meta, format)
	start := frontMatterLine(data)
	if typeErr != nil {
		addYAMLError(p, typeErr, start-1)
	}
	if err != nil {
		switch {
		case errors.Is(err, frontmatter.ErrNotFound) && opensFrontMatter(data, start-1):
			p.add(start-1, "front matter is not closed: end it with a line of ---")
		case errors.Is(err, frontmatter.ErrNotFound):
			p.add(1, "no front matter: start the file with a line of --- and close the block with another ---")
		default:
			addYAMLError(p, err, start-1)
		}
		return nil, p.list
	}
	root := nodeOf(front)
	line := func(path ...any) int { return start - 1 + nodeLine(root, path...) }

	c := &card{file: file, idLine: line("id"), tip: strings.TrimSpace(meta.Tip), priority: meta.Priority, redFlag: meta.RedFlag}
	c.ID, c.Title, c.Topic = meta.ID, strings.TrimSpace(meta.Title), meta.Topic
	checkID(p, "id", meta.ID, line("id"))
	checkTitle(p, c.Title, line("title"))
	switch {
	case meta.Topic == "":
		p.add(line(), "missing topic")
	case !idPattern.MatchString(meta.Topic):
		p.add(line("topic"), "topic %q must be lowercase words joined by hyphens", meta.Topic)
	}
	c.Areas, c.anyArea = checkAreas(p, meta.Areas, func(i int) int { return line("areas", i) }, line("areas"), true)
	for i, t := range meta.Tags {
		if strings.TrimSpace(t) == "" || t != strings.ToLower(t) {
			p.add(line("tags", i), "tag %q must be lowercase and not empty", t)
		}
	}
	c.tags = meta.Tags
	if meta.Priority < 0 || meta.Priority > maxPriority {
		p.add(line("priority"), "priority %d is out of range 0 to %d", meta.Priority, maxPriority)
	}
	if c.tip != "" {
		if len(c.tip) > maxTipChars {
			p.add(line("tip"), "tip is %d characters; keep it under %d so it fits a check-in reply", len(c.tip), maxTipChars)
		}
		if strings.Contains(c.tip, "\n") {
			p.add(line("tip"), "tip must be one paragraph")
		}
		checkMarkup(p, c.tip, line("tip"))
	}
	for i, m := range meta.Match {
		alt := compileMatch(p, m, func(path ...any) int { return line(append([]any{"match", i}, path...)...) })
		c.match = append(c.match, alt)
		for _, w := range m.Keywords {
			if k, err := compileKeyword(w); err == nil {
				c.keywords = append(c.keywords, k)
			}
		}
	}
	if len(c.match) > 0 && c.tip == "" {
		p.add(line("match"), "missing tip: a card with match rules needs a one-paragraph tip for check-in replies")
	}
	if meta.RedFlag != "" {
		rule, ok := redFlagRule(meta.RedFlag)
		switch {
		case !ok:
			p.add(line("red_flag"), "unknown red_flag rule %q (known: %s)", meta.RedFlag, ruleNames())
		case len(c.match) > 0:
			p.add(line("match"), "a red-flag card takes no match rules: triage decides when %q applies", meta.RedFlag)
		default:
			c.urgent = rule.Urgent
			checkReferral(p, c.tip, rule, line("tip"))
		}
	}
	c.related = refs(meta.Related, func(i int) int { return line("related", i) })
	c.programs = refs(meta.Programs, func(i int) int { return line("programs", i) })

	bodyLine := 1 + bytes.Count(data[:len(data)-len(rest)], []byte("\n"))
	body := string(rest)
	bodyStart := bodyLine
	for strings.HasPrefix(body, "\n") || strings.HasPrefix(body, "\r\n") {
		body = body[strings.Index(body, "\n")+1:]
		bodyLine++
	}
	c.Body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	if c.Body == "" {
		p.add(bodyStart, "empty body: write the card text below the front matter")
	} else {
		if n := len(strings.Fields(c.Body)); n > maxBodyWords {
			p.add(bodyLine, "body is %d words; keep it under %d so it fits a chat message", n, maxBodyWords)
		}
		checkMarkup(p, c.Body, bodyLine)
	}
	if len(p.list) > 0 {
		return nil, p.list
	}
	return c, nil
}

// parseFrontMatter runs the front-matter library, turning any panic from
// the YAML decoder on hostile input into an error.
func parseFrontMatter(data []byte, v any, format *frontmatter.Format) (rest []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("front matter could not be read: %v", r)
		}
	}()
	return frontmatter.MustParse(bytes.NewReader(data), v, format)
}

// opensFrontMatter reports whether the given 1-based line is "---".
func opensFrontMatter(data []byte, line int) bool {
	lines := strings.Split(string(data), "\n")
	return line >= 1 && line <= len(lines) && strings.TrimSpace(lines[line-1]) == "---"
}

// frontMatterLine returns the file line of the first YAML line, the one
// after the opening ---. The front-matter library skips blank lines first.
func frontMatterLine(data []byte) int {
	line := 1
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" {
			return line + 1
		}
		line++
	}
	return line
}

func parseProgram(file string, data []byte) (*program, Errors) {
	p := &problems{file: file}
	var meta programMeta
	if err := decodeStrict(data, &meta); err != nil {
		addYAMLError(p, err, 0)
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, p.list
		}
	}
	root := nodeOf(data)
	line := func(path ...any) int { return nodeLine(root, path...) }
	prog := &program{file: file, idLine: line("id")}
	prog.ID, prog.Title, prog.Summary = meta.ID, strings.TrimSpace(meta.Title), strings.TrimSpace(meta.Summary)
	checkID(p, "id", meta.ID, line("id"))
	checkTitle(p, prog.Title, line("title"))
	if prog.Summary == "" {
		p.add(line(), "missing summary")
	} else {
		checkMarkup(p, prog.Summary, line("summary"))
	}
	prog.Areas, _ = checkAreas(p, meta.Areas, func(i int) int { return line("areas", i) }, line("areas"), false)
	prog.related = refs(meta.Related, func(i int) int { return line("related", i) })
	if len(meta.Exercises) == 0 {
		p.add(line("exercises"), "missing exercises: a program needs at least one")
	}
	seen := map[string]bool{}
	for i, e := range meta.Exercises {
		at := func(key string) int { return line("exercises", i, key) }
		checkID(p, "exercise id", e.ID, at("id"))
		if seen[e.ID] && e.ID != "" {
			p.add(at("id"), "duplicate exercise id %q", e.ID)
		}
		seen[e.ID] = true
		name := strings.TrimSpace(e.Name)
		if name == "" {
			p.add(line("exercises", i), "exercise %q: missing name", e.ID)
		}
		if e.Sets < 1 || e.Sets > 10 {
			p.add(at("sets"), "exercise %q: sets must be 1 to 10", e.ID)
		}
		if e.Reps < 0 || e.Reps > 100 || e.HoldSeconds < 0 || e.HoldSeconds > 600 {
			p.add(at("reps"), "exercise %q: reps must be 0 to 100 and hold_seconds 0 to 600", e.ID)
		}
		if e.Reps == 0 && e.HoldSeconds == 0 {
			p.add(line("exercises", i), "exercise %q: give reps, hold_seconds or both", e.ID)
		}
		if e.PerDay < 1 || e.PerDay > 6 {
			p.add(at("per_day"), "exercise %q: per_day must be 1 to 6", e.ID)
		}
		var how []string
		for j, h := range e.HowTo {
			h = strings.TrimSpace(h)
			if h == "" || strings.Contains(h, "\n") {
				p.add(line("exercises", i, "how_to", j), "exercise %q: each how_to line must be one non-empty line", e.ID)
			}
			checkMarkup(p, h, line("exercises", i, "how_to", j))
			how = append(how, h)
		}
		if len(e.HowTo) < 1 || len(e.HowTo) > 2 {
			p.add(at("how_to"), "exercise %q: how_to needs one or two short lines", e.ID)
		}
		link := strings.TrimSpace(e.Link)
		if link != "" {
			checkLink(p, link, at("link"), e.ID)
		}
		progression := strings.TrimSpace(e.Progression)
		if e.Progression != "" {
			checkLine(p, fmt.Sprintf("exercise %q: progression", e.ID), progression, at("progression"))
		}
		prog.Exercises = append(prog.Exercises, bot.Exercise{
			ID: e.ID, Name: name, Sets: e.Sets, Reps: e.Reps, HoldSeconds: e.HoldSeconds, PerDay: e.PerDay,
			HowTo: strings.Join(how, " "), Link: link, Progression: progression,
		})
	}
	for i, r := range meta.StopRules {
		r = strings.TrimSpace(r)
		checkLine(p, "each stop_rules line", r, line("stop_rules", i))
		prog.StopRules = append(prog.StopRules, r)
	}
	for i, r := range meta.Progressions {
		r = strings.TrimSpace(r)
		checkLine(p, "each progressions line", r, line("progressions", i))
		prog.Progressions = append(prog.Progressions, r)
	}
	if len(meta.StopRules) > maxProgramLines || len(meta.Progressions) > maxProgramLines {
		p.add(line("stop_rules"), "give at most %d stop_rules and %d progressions, so the plan fits in one message", maxProgramLines, maxProgramLines)
	}
	if len(p.list) > 0 {
		return nil, p.list
	}
	return prog, nil
}

// decodeStrict decodes one YAML document, refusing unknown keys. A panic in
// the decoder on hostile input becomes an error.
func decodeStrict(data []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml could not be read: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("line 1: empty: expected keys such as id and title")
		}
		return err
	}
	return nil
}

// addYAMLError turns YAML errors into positioned problems; offset is added
// to the YAML line numbers to give file lines.
func addYAMLError(p *problems, err error, offset int) {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	for _, msg := range msgs {
		line := offset + 1
		if m := yamlLineErr.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			line, msg = offset+n, m[2]
		}
		if m := unknownKey.FindStringSubmatch(msg); m != nil {
			msg = fmt.Sprintf("unknown key %q", m[1])
		} else if m := dupKey.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[2])
			msg = fmt.Sprintf("duplicate key %q (first at line %d)", m[1], offset+n)
		} else {
			msg = "bad YAML: " + strings.TrimPrefix(msg, "yaml: ")
		}
		p.add(line, "%s", msg)
	}
}

// nodeOf parses YAML into a node tree, used only for line numbers.
func nodeOf(data []byte) *yaml.Node {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil
	}
	return &root
}

// nodeLine returns the line of the node at path (mapping keys as strings,
// sequence indexes as ints), or of its deepest existing ancestor; 1 when
// nothing is known.
func nodeLine(root *yaml.Node, path ...any) int {
	if root == nil {
		return 1
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := max(n.Line, 1)
	for _, step := range path {
		var next *yaml.Node
		switch s := step.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == s {
						line = n.Content[i].Line
						next = n.Content[i+1]
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && s >= 0 && s < len(n.Content) {
				next = n.Content[s]
				line = next.Line
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

// Limits of a clinician's additions to a program.
const (
	maxProgramLines = 6
	maxLineChars    = 200
	maxLinkChars    = 300
)

// checkLine validates one line of a program's free text.
func checkLine(p *problems, what, text string, line int) {
	switch {
	case text == "" || strings.Contains(text, "\n"):
		p.add(line, "%s must be one non-empty line", what)
	case utf8.RuneCountInString(text) > maxLineChars:
		p.add(line, "%s is longer than %d characters", what, maxLineChars)
	default:
		checkMarkup(p, text, line)
	}
}

// checkLink accepts only a plain https link, so a program cannot point a
// patient at another scheme (javascript:, file:) or break the markup.
func checkLink(p *problems, link string, line int, exercise string) {
	u, err := url.Parse(link)
	switch {
	case len(link) > maxLinkChars:
		p.add(line, "exercise %q: link is longer than %d characters", exercise, maxLinkChars)
	case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(link, " ()[]<>`\"\n"):
		p.add(line, "exercise %q: link must be a plain https:// address of a picture or video", exercise)
	}
}

func checkID(p *problems, what, id string, line int) {
	switch {
	case id == "":
		p.add(line, "missing %s", what)
	case !idPattern.MatchString(id):
		p.add(line, "%s %q must be lowercase letters and digits joined by hyphens", what, id)
	case len(id) > 40:
		p.add(line, "%s %q is longer than 40 characters", what, id)
	}
}

func checkTitle(p *problems, title string, line int) {
	switch {
	case title == "":
		p.add(line, "missing title")
	case len([]rune(title)) > maxTitleChars:
		p.add(line, "title is longer than %d characters", maxTitleChars)
	case strings.ContainsAny(title, "*_`[\n"):
		p.add(line, "title must be plain text, without Markdown")
	}
}

// checkAreas canonicalises area names and aliases; "any" (cards only)
// means the card applies to every area.
func checkAreas(p *problems, areas []string, itemLine func(int) int, keyLine int, allowAny bool) ([]string, bool) {
	if len(areas) == 0 {
		if allowAny {
			p.add(keyLine, "missing areas: list body areas, or [any]")
		} else {
			p.add(keyLine, "missing areas: list the body areas the program is for")
		}
		return nil, false
	}
	var out []string
	isAny := false
	for i, a := range areas {
		if allowAny && a == anyArea {
			isAny = true
			out = append(out, a)
			continue
		}
		name, ok := bot.LookupArea(strings.ToLower(a))
		if !ok {
			p.add(itemLine(i), "unknown area %q (known: %s)", a, areaNames(allowAny))
			continue
		}
		out = append(out, name)
	}
	if isAny && len(areas) > 1 {
		p.add(keyLine, "areas: use either [any] or a list of areas, not both")
	}
	return out, isAny
}

func areaNames(withAny bool) string {
	var names []string
	if withAny {
		names = append(names, anyArea)
	}
	for _, a := range bot.BodyAreas() {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}

func ruleNames() string {
	var names []string
	for _, r := range RedFlagRules() {
		names = append(names, r.Name)
	}
	return strings.Join(names, ", ")
}

// checkReferral makes sure a red-flag tip refers the member on: to a
// physical therapist or doctor, and to urgent care for urgent rules.
func checkReferral(p *problems, tip string, rule RedFlagRule, line int) {
	lower := strings.ToLower(tip)
	if !strings.Contains(lower, "physical therapist") && !strings.Contains(lower, "doctor") {
		p.add(line, "the tip of a red-flag card must refer to a physical therapist or doctor")
	}
	if rule.Urgent && !strings.Contains(lower, "urgent") {
		p.add(line, "rule %q is urgent: its tip must say urgent", rule.Name)
	}
}

func refs(ids []string, line func(int) int) []ref {
	out := make([]ref, len(ids))
	for i, id := range ids {
		out[i] = ref{id: id, line: line(i)}
	}
	return out
}

var (
	mdLinkFull  = regexp.MustCompile(`\[[^\]\n]+\]\(https?://[^)\s]+\)`)
	mdCodeSpan  = regexp.MustCompile("`[^`\n]+`")
	mdHTML      = regexp.MustCompile(`<[a-zA-Z/!]`)
	mdNumbered  = regexp.MustCompile(`^\d+[.)]\s`)
	mdBoldPairs = regexp.MustCompile(`\*\*[^*\n]+\*\*`)
)

// checkMarkup keeps text inside the Reply Markdown subset that every
// adapter can render: **bold**, _italic_, `code`, "- " lists and
// [text](url) links, nothing else.
func checkMarkup(p *problems, text string, firstLine int) {
	for i, l := range strings.Split(text, "\n") {
		line := firstLine + i
		if strings.TrimSpace(l) == "" {
			continue
		}
		trimmed := strings.TrimLeft(l, " \t")
		switch {
		case trimmed != l:
			p.add(line, "indented lines are not supported in chat; start lines at the margin")
		case strings.HasPrefix(l, "#"):
			p.add(line, "headings are not supported in chat; use **bold** instead")
		case strings.HasPrefix(l, "* ") || strings.HasPrefix(l, "+ "):
			p.add(line, `use "- " for list items`)
		case mdNumbered.MatchString(l):
			p.add(line, `numbered lists are not supported; use "- " list items`)
		case strings.HasPrefix(l, ">"):
			p.add(line, "quotes are not supported in chat")
		case strings.HasPrefix(l, "```") || strings.HasPrefix(l, "~~~"):
			p.add(line, "code blocks are not supported; use `inline code`")
		case strings.HasPrefix(l, "|"):
			p.add(line, "tables are not supported in chat; use a list")
		}
		if strings.Count(l, "`")%2 != 0 {
			p.add(line, "unclosed ` (inline code)")
		}
		rest := mdCodeSpan.ReplaceAllString(l, "")
		if strings.Contains(rest, "![") {
			p.add(line, "images are not supported in chat")
		}
		if strings.Contains(mdLinkFull.ReplaceAllString(rest, ""), "](") {
			p.add(line, "links must look like [text](https://...)")
		}
		if mdHTML.MatchString(rest) {
			p.add(line, "HTML is not supported in chat")
		}
		if strings.Contains(rest, "__") {
			p.add(line, "use **bold**, not __bold__")
		}
		noBold := mdBoldPairs.ReplaceAllString(rest, "")
		switch {
		case strings.Contains(noBold, "**"):
			p.add(line, "unclosed ** (bold)")
		case strings.Contains(strings.TrimPrefix(noBold, "- "), "*"):
			p.add(line, "use _italic_ or **bold**, not single * (a list item starts with \"- \")")
		}
		if strings.Count(mdLinkFull.ReplaceAllString(rest, ""), "_")%2 != 0 {
			p.add(line, "unbalanced _ (italic); put names with underscores in `code`")
		}
	}
}

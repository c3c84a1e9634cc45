package bot

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxInputBytes bounds a command line; anything longer is refused before parsing.
const MaxInputBytes = 2000

// Parsed is a command with its typed option values.
type Parsed struct {
	Command *Command
	Values  Values
}

// Values holds typed option values by option name. Absent optional options
// without a default are simply missing.
type Values map[string]any

// Has reports whether the option has a value.
func (v Values) Has(name string) bool { _, ok := v[name]; return ok }

// Int returns an OptInt value (0 when absent).
func (v Values) Int(name string) int { i, _ := v[name].(int); return i }

// String returns an OptWord, OptText, OptChoice, OptUser or OptChannel value.
func (v Values) String(name string) string { s, _ := v[name].(string); return s }

// Duration returns an OptDuration value.
func (v Values) Duration(name string) time.Duration { d, _ := v[name].(time.Duration); return d }

// Times returns an OptTimes value.
func (v Values) Times(name string) []TimeOfDay { t, _ := v[name].([]TimeOfDay); return t }

// Weekdays returns an OptWeekdays value.
func (v Values) Weekdays(name string) Weekdays { w, _ := v[name].(Weekdays); return w }

// When returns an OptDate value, to resolve with the member's clock and zone.
func (v Values) When(name string) When { w, _ := v[name].(When); return w }

// Zone returns an OptZone value.
func (v Values) Zone(name string) *time.Location { l, _ := v[name].(*time.Location); return l }

// Quiet returns an OptTimeRange value; Set is false for "off".
func (v Values) Quiet(name string) QuietHours { q, _ := v[name].(QuietHours); return q }

// CheckInput refuses input that no command could mean: too long, invalid
// UTF-8 or containing control characters.
func CheckInput(text string) error {
	if len(text) > MaxInputBytes {
		return Errorf(EINVALID, "That message is too long for me (%d characters at most). Try a shorter note.", MaxInputBytes)
	}
	if !utf8.ValidString(text) {
		return Errorf(EINVALID, "I could not read that text; please type it again.")
	}
	for _, r := range text {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return Errorf(EINVALID, "That message contains control characters I can't store; please type it again.")
		}
	}
	return nil
}

// Parse turns a command line such as "/pain 6 knee sore after stairs" into a
// command and typed values. A verb of /coach also works on its own ("history
// 14" means "/coach history 14"), which the console and DMs rely on.
func (r *Registry) Parse(text string) (Parsed, error) {
	if err := CheckInput(text); err != nil {
		return Parsed{}, err
	}
	tokens := strings.Fields(text)
	if len(tokens) == 0 {
		return Parsed{}, Errorf(EINVALID, "Type a command, for example `/pain 4 knee` or `/coach help`.")
	}
	tokens = r.expand(tokens)
	cmd := r.Root(tokens[0])
	if cmd != nil {
		tokens = tokens[1:]
	} else if coach := r.Root("coach"); coach != nil && coach.Sub(strings.TrimPrefix(tokens[0], "/")) != nil {
		cmd = coach
		tokens[0] = strings.TrimPrefix(tokens[0], "/")
	} else {
		return Parsed{}, Errorf(EINVALID, "I don't know the command %q. Try `/coach help`.", clip(tokens[0], 30))
	}
	for len(cmd.Subcommands) > 0 {
		if len(tokens) == 0 {
			if cmd.Empty == "" {
				return Parsed{}, usageError(cmd, "Which one?")
			}
			cmd = cmd.Sub(cmd.Empty)
			continue
		}
		if sub := cmd.Sub(tokens[0]); sub != nil {
			cmd, tokens = sub, tokens[1:]
			continue
		}
		if cmd.Default == "" {
			msg := "I don't know `" + clip(tokens[0], 30) + "` here."
			if near := nearest(tokens[0], subNames(cmd)); near != "" {
				msg += " Did you mean `" + near + "`?"
			}
			if len(cmd.Subcommands) > 6 {
				return Parsed{}, Errorf(EINVALID, "%s Try `/%s help` for the list.", msg, cmd.FullName())
			}
			return Parsed{}, usageError(cmd, "%s", msg)
		}
		cmd = cmd.Sub(cmd.Default)
	}
	values, err := parseOptions(cmd, dropFiller(cmd, tokens))
	if err != nil {
		return Parsed{}, err
	}
	return Parsed{Command: cmd, Values: values}, nil
}

// Bind validates options that arrive already named (Discord typed options)
// with the same parsers as free text.
func (r *Registry) Bind(path []string, raw map[string]string) (Parsed, error) {
	cmd := r.Find(path...)
	if cmd == nil || len(cmd.Subcommands) > 0 {
		return Parsed{}, Errorf(EINVALID, "I don't know the command %q. Try `/coach help`.", clip(strings.Join(path, " "), 40))
	}
	values := Values{}
	for name, s := range raw {
		if err := CheckInput(s); err != nil {
			return Parsed{}, err
		}
		if optionNamed(cmd, name) == nil {
			return Parsed{}, usageError(cmd, "Unknown option %q.", clip(name, 30))
		}
	}
	for _, o := range cmd.Options {
		s, ok := raw[o.Name]
		if !ok || strings.TrimSpace(s) == "" {
			if err := applyDefault(cmd, o, values); err != nil {
				return Parsed{}, err
			}
			continue
		}
		v, err := o.parse(strings.TrimSpace(s))
		if err != nil {
			return Parsed{}, usageError(cmd, "%s", ErrorMessage(err))
		}
		values[o.Name] = v
	}
	return Parsed{Command: cmd, Values: values}, nil
}

func optionNamed(cmd *Command, name string) *Option {
	for i := range cmd.Options {
		if cmd.Options[i].Name == name {
			return &cmd.Options[i]
		}
	}
	return nil
}

func applyDefault(cmd *Command, o Option, values Values) error {
	if o.Required {
		if o.Type == OptChoice && len(o.Choices) <= 4 {
			return usageError(cmd, "Say which one: %s.", o.placeholder())
		}
		return usageError(cmd, "%s is missing.", o.placeholder())
	}
	if o.Default == "" {
		return nil
	}
	v, err := o.parse(o.Default)
	if err != nil {
		return Errorf(EINTERNAL, "bad default for %s", o.Name)
	}
	values[o.Name] = v
	return nil
}

// dropFiller removes the command's filler words ("remind me to do my
// exercises") and reads "every day" as "daily".
func dropFiller(cmd *Command, tokens []string) []string {
	if len(cmd.Filler) == 0 {
		return tokens
	}
	out := make([]string, 0, len(tokens))
	for i := 0; i < len(tokens); i++ {
		t := strings.ToLower(tokens[i])
		if (t == "every" || t == "each") && i+1 < len(tokens) && strings.EqualFold(tokens[i+1], "day") {
			out = append(out, "daily")
			i++
			continue
		}
		if !slices.Contains(cmd.Filler, t) {
			out = append(out, tokens[i])
		}
	}
	return out
}

// span is how many words a value of the type may take: "left knee",
// "3 days", "tomorrow at 9am", "New York".
func (o Option) span() int {
	switch o.Type {
	case OptArea, OptZone:
		return 3
	case OptDuration, OptDate:
		return 5
	}
	return 1
}

// parseSpan parses the longest run of tokens (up to the option's span,
// and before any word in stop) that makes a value, and says how many
// tokens it took. On failure the error is the longest run's.
func (o Option) parseSpan(tokens []string, stop []string) (any, int, error) {
	n := min(o.span(), len(tokens))
	for i := 1; i < n; i++ {
		if slices.Contains(stop, strings.ToLower(tokens[i])) {
			n = i
			break
		}
	}
	// A single word's error speaks of what was typed there ("kne" is not
	// a body area), except for durations and dates, where "3" alone means
	// nothing and "3 dayz" says more. So a longer run's error is kept only
	// for those, and for the others not even built.
	wordErr := o.Type != OptDuration && o.Type != OptDate
	var first error
	for k := n; k >= 1; k-- {
		s := strings.Join(tokens[:k], " ")
		if wordErr && k > 1 {
			if v, ok := o.try(s); ok {
				return v, k, nil
			}
			continue
		}
		v, err := o.parse(s)
		if err == nil {
			return v, k, nil
		}
		if first == nil || wordErr {
			first = err
		}
	}
	return nil, 0, first
}

// try parses s as the option's value when only success matters, sparing
// an area the "did you mean" search of its error.
func (o Option) try(s string) (any, bool) {
	if o.Type == OptArea {
		return parseArea(s)
	}
	v, err := o.parse(s)
	return v, err == nil
}

func keywords(cmd *Command) []string {
	var out []string
	for _, o := range cmd.Options {
		if o.Keyword != "" {
			out = append(out, o.Keyword)
		}
	}
	return out
}

func parseOptions(cmd *Command, tokens []string) (Values, error) {
	values := Values{}
	stop := keywords(cmd)
	// Keyword options first: "at 08:00" may stand anywhere in the line.
	for _, o := range cmd.Options {
		if o.Keyword == "" {
			continue
		}
		for i := 0; i < len(tokens); i++ {
			if !strings.EqualFold(tokens[i], o.Keyword) {
				continue
			}
			if values.Has(o.Name) {
				return nil, usageError(cmd, "`%s` appears twice.", o.Keyword)
			}
			if i+1 >= len(tokens) {
				return nil, usageError(cmd, "Say what comes after `%s`.", o.Keyword)
			}
			var v any
			end := i + 2
			if o.Type == OptTimes {
				// "08:00, 18:00", "08:00 ,18:00" and "7am and 6pm" are one list.
				list := []string{tokens[i+1]}
				for end < len(tokens) {
					next := tokens[end]
					switch {
					case strings.HasSuffix(tokens[end-1], ",") || strings.HasPrefix(next, ","):
					case (next == "and" || next == "&") && end+1 < len(tokens) && isTimeOfDay(tokens[end+1]):
						next = ","
					case isTimeOfDay(next):
						next = "," + next
					default:
						goto done
					}
					list = append(list, next)
					end++
				}
			done:
				var err error
				if v, err = o.parse(strings.Join(list, "")); err != nil {
					return nil, usageError(cmd, "%s", ErrorMessage(err))
				}
			} else {
				val, k, err := o.parseSpan(tokens[i+1:], stop)
				if err != nil {
					return nil, usageError(cmd, "%s", ErrorMessage(err))
				}
				v, end = val, i+1+k
			}
			values[o.Name] = v
			tokens = append(tokens[:i:i], tokens[end:]...)
			i--
		}
	}
	// skipped is the error of the first optional option that passed over
	// the next token: when no later option takes it either, that error
	// says best what was wrong ("someday" is not a day list, rather than
	// not a known change).
	var skipped error
	for _, o := range cmd.Options {
		if o.Keyword != "" {
			if !values.Has(o.Name) {
				if err := applyDefault(cmd, o, values); err != nil {
					return nil, err
				}
			}
			continue
		}
		if o.Type == OptText {
			text := strings.Join(tokens, " ")
			tokens = nil
			if text == "" {
				if err := applyDefault(cmd, o, values); err != nil {
					return nil, err
				}
				continue
			}
			v, err := o.parse(text)
			if err != nil {
				return nil, usageError(cmd, "%s", ErrorMessage(err))
			}
			values[o.Name] = v
			continue
		}
		if len(tokens) == 0 {
			if err := applyDefault(cmd, o, values); err != nil {
				return nil, err
			}
			continue
		}
		v, k, err := o.parseSpan(tokens, nil)
		if err == nil {
			values[o.Name] = v
			tokens = tokens[k:]
			skipped = nil
			continue
		}
		if skipped != nil {
			err = skipped
		}
		if o.Required {
			return nil, usageError(cmd, "%s", ErrorMessage(err))
		}
		// A number given where a number goes is this option's, even out
		// of range: "readiness 9 5 5 5 5" is about the first item, not
		// the last one the 9 could not fit either.
		if _, numErr := strconv.Atoi(tokens[0]); o.Type == OptInt && numErr == nil {
			return nil, usageError(cmd, "%s", ErrorMessage(err))
		}
		// An optional choice that was nearly right is a typo, not the next
		// option: "/pain 5 kne" should not log "kne" as a note.
		if o.Type == OptChoice {
			if near := nearest(tokens[0], choiceNames(o)); near != "" {
				return nil, usageError(cmd, "%s Did you mean `%s`?", ErrorMessage(err), near)
			}
		}
		if o.Type == OptArea && strings.Contains(ErrorMessage(err), "Did you mean") {
			return nil, usageError(cmd, "%s", ErrorMessage(err))
		}
		if !hasLaterPositional(cmd, o) {
			return nil, usageError(cmd, "%s", ErrorMessage(err))
		}
		skipped = err
		if err := applyDefault(cmd, o, values); err != nil {
			return nil, err
		}
	}
	if len(tokens) > 0 {
		return nil, usageError(cmd, "I didn't understand %q.", clip(strings.Join(tokens, " "), 40))
	}
	return values, nil
}

func isTimeOfDay(s string) bool {
	_, err := ParseTimeOfDay(strings.Trim(s, ","))
	return err == nil && strings.ContainsAny(s, ":apm")
}

// hasLaterPositional reports whether a positional option follows o, which
// may take the token o could not parse.
func hasLaterPositional(cmd *Command, o Option) bool {
	after := false
	for _, p := range cmd.Options {
		if p.Name == o.Name {
			after = true
			continue
		}
		if after && p.Keyword == "" {
			return true
		}
	}
	return false
}

// parse validates one raw value for the option's type.
func (o Option) parse(s string) (any, error) {
	name := o.placeholder()
	switch o.Type {
	case OptInt:
		n, err := strconv.Atoi(s)
		if err != nil || n < o.Min || n > o.Max || len(s) > 6 {
			return nil, Errorf(EINVALID, "%s must be a whole number from %d to %d (you gave %q).", name, o.Min, o.Max, clip(s, 20))
		}
		return n, nil
	case OptWord:
		if len(s) > 64 {
			return nil, Errorf(EINVALID, "%s is too long.", name)
		}
		return strings.ToLower(s), nil
	case OptText:
		max := o.Max
		if max == 0 {
			max = 500
		}
		if utf8.RuneCountInString(s) > max {
			return nil, Errorf(EINVALID, "The %s is too long: %d characters at most.", strings.ToLower(o.Name), max)
		}
		return s, nil
	case OptChoice:
		want := strings.ToLower(s)
		for _, ch := range o.Choices {
			if ch.Value == want {
				return ch.Value, nil
			}
			for _, a := range ch.Aliases {
				if a == want {
					return ch.Value, nil
				}
			}
		}
		return nil, Errorf(EINVALID, "%q is not a known %s. Choose one of: %s.", clip(s, 30), strings.ToLower(o.Name), strings.Join(choiceNames(o), ", "))
	case OptDuration:
		return ParseDuration(s)
	case OptTimes:
		return ParseTimes(s)
	case OptTimeRange:
		return parseQuiet(s)
	case OptWeekdays:
		return ParseWeekdays(s)
	case OptDate:
		return ParseWhen(s)
	case OptZone:
		return FindZone(s)
	case OptArea:
		return ParseArea(s)
	case OptUser:
		return parseMention(s, "@", name)
	case OptChannel:
		return parseMention(s, "#", name)
	}
	return nil, Errorf(EINTERNAL, "option %s has no type", o.Name)
}

func parseQuiet(s string) (QuietHours, error) {
	if strings.EqualFold(s, "off") {
		return QuietHours{}, nil
	}
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return QuietHours{}, Errorf(EINVALID, "Give the quiet window as HH:MM-HH:MM, for example 22:00-07:00, or `off`.")
	}
	start, err := ParseTimeOfDay(from)
	if err != nil {
		return QuietHours{}, err
	}
	end, err := ParseTimeOfDay(to)
	if err != nil {
		return QuietHours{}, err
	}
	if start == end {
		return QuietHours{}, Errorf(EINVALID, "The quiet window starts and ends at the same time; give two different times.")
	}
	return QuietHours{Set: true, Start: start, End: end}, nil
}

// parseMention accepts platform mentions (<@U123|name>, <@!123>, <#C1|x>)
// and returns the bare id; a plain word is taken as an id as it stands.
func parseMention(s, sigil, name string) (string, error) {
	if strings.HasPrefix(s, "<"+sigil) && strings.HasSuffix(s, ">") {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<"+sigil), ">")
		s = strings.TrimPrefix(s, "!")
		s = strings.TrimPrefix(s, "&")
		s, _, _ = strings.Cut(s, "|")
	} else {
		s = strings.TrimPrefix(s, sigil)
	}
	if s == "" || len(s) > 64 || strings.ContainsAny(s, "<>|@# ") {
		return "", Errorf(EINVALID, "%s should be a mention like %s%s.", name, sigil, "name")
	}
	return s, nil
}

func choiceNames(o Option) []string {
	out := make([]string, len(o.Choices))
	for i, ch := range o.Choices {
		out[i] = ch.Value
	}
	return out
}

func subNames(c *Command) []string {
	out := make([]string, len(c.Subcommands))
	for i, s := range c.Subcommands {
		out[i] = s.Name
	}
	return out
}

// nearest returns the candidate within a small edit distance of s, if any.
func nearest(s string, candidates []string) string {
	s = strings.ToLower(s)
	if len(s) < 3 {
		return ""
	}
	best, bestDist := "", 3
	for _, c := range candidates {
		limit := 1
		if len(c) > 5 {
			limit = 2
		}
		if d := editDistance(s, c); d <= limit && d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 99
	}
	before := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			// Two letters swapped ("pian") is one slip, not two.
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], before[j-2]+1)
			}
		}
		before, prev, cur = prev, cur, before
	}
	return prev[len(rb)]
}

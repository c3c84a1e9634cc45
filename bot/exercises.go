package bot

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// Exercises are first-class items: "done quad sets" (the name the plan
// shows), "done quad-sets" (its id) and "done quad" (a unique start) all
// log the same exercise, and each session of an exercise prescribed more
// than once a day is logged on its own.

// squash reduces a name to letters and digits in lower case, so "Quad
// sets", "quad-sets" and "quadsets" compare equal.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MatchExercise finds the exercise of the program that s names: its id or
// displayed name in any case and spacing, or the start of exactly one of
// them. Otherwise it returns an error that suggests the closest names and
// lists the program's exercises.
func MatchExercise(p Program, s string) (Exercise, error) {
	key := squash(s)
	if key != "" {
		for _, e := range p.Exercises {
			if squash(e.ID) == key || squash(e.Name) == key {
				return e, nil
			}
		}
		var starts []Exercise
		for _, e := range p.Exercises {
			if len(key) >= 3 && (strings.HasPrefix(squash(e.ID), key) || strings.HasPrefix(squash(e.Name), key)) {
				starts = append(starts, e)
			}
		}
		if len(starts) == 1 {
			return starts[0], nil
		}
		if len(starts) > 1 {
			names := make([]string, len(starts))
			for i, e := range starts {
				names[i] = "`" + e.Name + "`"
			}
			return Exercise{}, Errorf(EINVALID, "%q could be %s. Which one?", clip(s, 30), JoinOr(names))
		}
	}
	var cands []string
	byName := map[string]Exercise{}
	for _, e := range p.Exercises {
		for _, n := range []string{squash(e.ID), squash(e.Name)} {
			cands = append(cands, n)
			byName[n] = e
		}
	}
	msg := fmt.Sprintf("%q is not in your program (%s).", clip(s, 30), p.Title)
	var near []string
	for _, n := range closeMatches(key, cands, 3) {
		if name := "`" + byName[n].Name + "`"; !strings.Contains(strings.Join(near, ","), name) {
			near = append(near, name)
		}
	}
	if len(near) > 0 {
		msg += " Did you mean " + JoinOr(near) + "?"
	}
	return Exercise{}, Errorf(EINVALID, "%s You can log: %s, or `done` for the whole session.", msg, exerciseList(p))
}

func exerciseList(p Program) string {
	names := make([]string, len(p.Exercises))
	for i, e := range p.Exercises {
		names[i] = "`" + e.Name + "`"
	}
	return JoinList(names)
}

func (c *Coach) done(ctx context.Context, call *Call) (Reply, error) {
	typed := strings.TrimSpace(call.Values.String("exercise"))
	prog, hasProg := c.programOf(ctx, call.Member)
	var items []Exercise
	switch {
	case typed != "" && !hasProg:
		// Without a program there is nothing to check a name against, and
		// "Logged banana as done" would be a record of nothing.
		msg := fmt.Sprintf("I can't log %q: you have no exercise program, so I don't know its exercises. `done` on its own logs today's exercises.", clip(typed, 30))
		if c.library != nil && len(c.library.Programs()) > 0 {
			var ids []string
			for _, p := range c.library.Programs() {
				ids = append(ids, "`"+p.ID+"`")
			}
			msg += " To log them one by one, choose a program with `/coach plan`: " + JoinList(ids) + "."
		}
		return Reply{}, Errorf(EINVALID, "%s", msg)
	case typed != "":
		e, err := MatchExercise(prog, typed)
		if err != nil {
			return Reply{}, err
		}
		items = []Exercise{e}
	case hasProg:
		items = prog.Exercises
	}
	loc := call.Loc()
	today := LocalDay(call.Now, loc)
	done, err := c.store.Completions(ctx, call.Member.Key, today)
	if err != nil {
		return Reply{}, fmt.Errorf("completions: %w", err)
	}
	count := map[string]int{}
	for _, d := range done {
		if d.Day == today {
			count[d.Exercise]++
		}
	}
	if len(items) == 0 {
		// No program: one record for the day's exercises, as before.
		added, err := c.store.AddCompletion(ctx, Completion{Member: call.Member.Key, Day: today, Session: 1, At: call.Now})
		if err != nil {
			return Reply{}, fmt.Errorf("add completion: %w", err)
		}
		text := "Logged today's exercises as done. Nice work!"
		if !added {
			text = "Already logged today's exercises. Nice work!"
		}
		return c.withStreak(ctx, call, text)
	}
	var logged, full []string
	for _, e := range items {
		perDay := max(e.PerDay, 1)
		n := count[e.ID]
		if n >= perDay {
			full = append(full, e.Name)
			continue
		}
		if _, err := c.store.AddCompletion(ctx, Completion{Member: call.Member.Key, Day: today, Exercise: e.ID, Session: n + 1, At: call.Now}); err != nil {
			return Reply{}, fmt.Errorf("add completion: %w", err)
		}
		count[e.ID] = n + 1
		if perDay > 1 {
			logged = append(logged, fmt.Sprintf("**%s** (%s of %d today)", e.Name, ordinal(n+1), perDay))
		} else {
			logged = append(logged, "**"+e.Name+"**")
		}
	}
	var text string
	switch {
	case len(logged) == 0 && typed != "":
		text = fmt.Sprintf("Already logged **%s** %s today. Nice work!", items[0].Name, timesWords(max(items[0].PerDay, 1)))
	case len(logged) == 0:
		text = "Already logged every exercise of today's sessions. Nice work!"
	default:
		text = "Logged " + JoinList(logged) + " as done. Nice work!"
		if typed == "" && len(full) > 0 {
			text += " (" + JoinList(full) + " " + Noun(len(full), "was") + " already done for today.)"
		}
	}
	if left := remaining(prog, count); left != "" && len(logged) > 0 {
		text += " Still to do today: " + left + "."
	}
	return c.withStreak(ctx, call, text)
}

// remaining lists the sessions of the program not yet logged today.
func remaining(p Program, count map[string]int) string {
	var out []string
	for _, e := range p.Exercises {
		if left := max(e.PerDay, 1) - count[e.ID]; left > 0 {
			if left > 1 || e.PerDay > 1 {
				out = append(out, fmt.Sprintf("%s (%s)", e.Name, timesWords(left)))
			} else {
				out = append(out, e.Name)
			}
		}
	}
	return JoinList(out)
}

func timesWords(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return Plural(n, "time")
}

func ordinal(n int) string {
	switch n {
	case 1:
		return "1st"
	case 2:
		return "2nd"
	case 3:
		return "3rd"
	}
	return fmt.Sprintf("%dth", n)
}

func (c *Coach) withStreak(ctx context.Context, call *Call, text string) (Reply, error) {
	streak, err := c.exerciseStreak(ctx, call.Member, call.Now)
	if err != nil {
		return Reply{}, err
	}
	if streak > 1 {
		text += fmt.Sprintf(" That's **%s in a row**.", Plural(streak, "day"))
	}
	return Reply{Text: text}, nil
}

package bot

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

const (
	// nudgeContext is how long a bare answer ("4", "yes") counts as an
	// answer to the latest nudge.
	nudgeContext = 12 * time.Hour
	// hintEvery limits "that's not a command" hints, so chatter is not
	// answered with nagging.
	hintEvery = time.Hour
)

var (
	// looseScore matches "6", "Pain: 6/10", "6/10 knee", "6 out of 10 back
	// stiff", capturing the score, the "out of ten" part and the rest.
	looseScore  = regexp.MustCompile(`(?i)^(pain\s*:?\s*)?(\d{1,2})(\s*/\s*10|\s+out\s+of\s+10)?(?:\s+(.*))?$`)
	thanksWords = regexp.MustCompile(`(?i)^(thanks|thank you|thank u|thx|ty|cheers|many thanks|thanks a lot)( so much| very much)?( coach)?$`)
	yesWords    = regexp.MustCompile(`(?i)^(yes|yep|yeah|y|did it|all done|done it|👍|✅|💪)$`)
)

// interpret turns a typed message into a command line, or answers it
// directly. It returns the command text to run, or an answer (which may be
// empty: nothing to say) when there is no command.
func (c *Coach) interpret(ctx context.Context, req Request) (string, Reply, error) {
	if err := CheckInput(req.Text); err != nil {
		return "", Reply{}, err
	}
	text := strings.Join(strings.Fields(req.Text), " ")
	text = strings.TrimRight(text, ".!?")
	if text == "" {
		return "", Reply{}, nil
	}
	if thanksWords.MatchString(text) {
		return "", Reply{Text: "You're welcome! Keep it up."}, nil
	}
	// The latest nudge is looked up only for the bare answers that need
	// it, not for every message.
	if m := looseScore.FindStringSubmatch(text); m != nil {
		line := strings.TrimSpace("pain " + m[2] + " " + m[4])
		if m[1] != "" || m[3] != "" {
			return line, Reply{}, nil
		}
		last, err := c.latestNudge(ctx, req)
		if err != nil || last == NudgeCheckIn {
			return line, Reply{}, err
		}
		return "", Reply{Text: fmt.Sprintf("Is that a pain score? Type `pain %s` (add an area and a note if you like: `pain %s knee stiff`).", m[2], m[2])}, nil
	}
	if yesWords.MatchString(text) {
		last, err := c.latestNudge(ctx, req)
		if err != nil || last == NudgeExercises {
			return "coach done", Reply{}, err
		}
		return "", Reply{Text: "Glad to hear it! To log today's exercises type `done`; for a pain check-in, `pain 3`."}, nil
	}
	if _, err := c.commands.Parse(text); err == nil || c.looksLikeCommand(text) {
		return text, Reply{}, nil
	}
	if reply, found, err := c.screen(ctx, req, text); err != nil || found {
		return "", reply, err
	}
	reply, err := c.hint(ctx, req)
	return "", reply, err
}

// screen runs a message that is not a command through triage, so "my
// chest feels tight" is answered with the warning, never with silence or
// a hint. Findings are recorded and reach staff as check-in red flags do.
func (c *Coach) screen(ctx context.Context, req Request, text string) (Reply, bool, error) {
	if c.library == nil {
		return Reply{}, false, nil
	}
	ws, err := c.workspaceOf(ctx, req.Platform, req.Workspace)
	if err != nil {
		return Reply{}, false, fmt.Errorf("workspace: %w", err)
	}
	member, err := c.memberOf(ctx, req.Member(), "")
	if err != nil {
		return Reply{}, false, err
	}
	worn, err := c.store.WornTape(ctx, member.Key)
	if err != nil {
		return Reply{}, false, fmt.Errorf("worn tape: %w", err)
	}
	found := c.library.Triage(TriageInput{Text: text, Zone: member.TZ, EmergencyNumber: ws.EmergencyNumber, TapeWorn: len(worn) > 0})
	if len(found.RedFlags) == 0 {
		return Reply{}, false, nil
	}
	call := &Call{Member: member, Workspace: ws, Now: c.clock.Now()}
	for _, rf := range found.RedFlags {
		if err := c.raise(ctx, call, rf, "", 0); err != nil {
			return Reply{}, false, err
		}
	}
	return Reply{Text: found.Text + "\n\nTo log how much it hurts, type `pain` and a score from 0 to 10, such as `pain 6 knee`."}, true, nil
}

// latestNudge is the kind of the member's last nudge if it arrived within
// the answer window, or "".
func (c *Coach) latestNudge(ctx context.Context, req Request) (NudgeKind, error) {
	last, ok, err := c.store.LastSentNudge(ctx, req.Member())
	if err != nil || !ok || c.clock.Now().Sub(last.DoneAt) > nudgeContext {
		return "", err
	}
	return last.Kind, nil
}

// looksLikeCommand reports whether text starts with a command or verb, so a
// mistake in it deserves the usage error rather than silence.
func (c *Coach) looksLikeCommand(text string) bool {
	first := strings.ToLower(strings.TrimPrefix(strings.Fields(text)[0], "/"))
	return c.commands.Root(first) != nil || c.commands.Root("coach").Sub(first) != nil
}

// hint explains how to talk to the bot, at most once an hour; otherwise
// it says nothing.
func (c *Coach) hint(ctx context.Context, req Request) (Reply, error) {
	now := c.clock.Now().UTC()
	if _, err := c.memberOf(ctx, req.Member(), ""); err != nil {
		return Reply{}, err
	}
	claimed, err := c.store.ClaimHint(ctx, req.Member(), now, now.Add(-hintEvery))
	if err != nil || !claimed {
		return Reply{}, err
	}
	return Reply{Text: "I'm a simple coach and understand short commands: `pain 4 knee`, `done`, `history`, `snooze 2h`, or `help` for the rest."}, nil
}

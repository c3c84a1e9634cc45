package bot

import (
	"context"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"
	"time"
)

const (
	// nudgeContext is how long a bare answer ("4", "yes") counts as an
	// answer to the latest nudge.
	nudgeContext = 12 * time.Hour
	// promptContext is how long a bare "yes" or "no" counts as an answer
	// to a question the coach asked, such as "delete everything?".
	promptContext = 15 * time.Minute
	// promptForget is the Conversation.Prompt of the forget question.
	promptForget = "forget"
)

var (
	// looseScore matches "6", "Pain: 6/10", "6/10 knee", "6 out of 10 back
	// stiff", capturing the score, the "out of ten" part and the rest.
	looseScore  = regexp.MustCompile(`(?i)^(pain\s*:?\s*)?(\d{1,2})(\s*/\s*10|\s+out\s+of\s+10)?(?:\s+(.*))?$`)
	thanksWords = regexp.MustCompile(`(?i)^(thanks|thank you|thank u|thx|ty|cheers|many thanks|thanks a lot)( so much| very much)?( coach)?$`)
	yesWords    = regexp.MustCompile(`(?i)^(yes|yep|yeah|y|did it|all done|done it|👍|✅|💪)$`)
	noWords     = regexp.MustCompile(`(?i)^(no|nope|nah|n|no thanks|cancel|don't|do not)$`)
	hiWords     = regexp.MustCompile(`(?i)^(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening)|morning|yo)( coach| there)?$`)
	// didExercises is a plain-words "done": "did my exercises", "finished
	// the rehab today".
	didExercises = regexp.MustCompile(`(?i)^(i\s+)?(did|done|finished|completed|have done|just did)\s+(my\s+|the\s+|all\s+(my\s+|the\s+)?|today'?s\s+)?(exercises?|workout|rehab|session|physio|routine)(\s+today)?$`)
	// distressWords are the everyday ways of saying it hurts or it is a
	// bad day; a red flag is screened before these are looked at.
	distressWords = regexp.MustCompile(`(?i)\b(awful|terrible|horrible|dreadful|miserable|agony|agonising|agonizing|excruciating|unbearable|can'?t cope|cannot cope|killing me|so much pain|in pain|lot of pain|hurts?( so| really)? (a lot|badly|so much|like hell)|really hurts?|very (sore|painful)|so (sore|painful)|feel(ing)? (awful|terrible|bad|worse|rough|rubbish|crap|like crap)|worse today|flare[ds]?( up|-up)?|bad day|rough day|hurting)\b`)
	// stopWords ask the coach to go quiet or go away.
	stopWords = regexp.MustCompile(`(?i)^(please\s+)?(stop|unsubscribe|unsub|opt out|opt-out|leave me alone|go away|no more (messages|reminders|nudges)|stop (it|messaging me|messages|reminders|nudges|sending|texting me|reminding me)|turn (it|reminders|nudges) off|mute|silence|enough)(\s+please)?$`)
)

// interpret turns a typed message into a command line, or answers it
// directly. It returns the command text to run, or an answer. Every
// message gets an answer: silence reads as a broken bot.
func (c *Coach) interpret(ctx context.Context, req Request) (string, Reply, error) {
	if err := CheckInput(req.Text); err != nil {
		return "", Reply{}, err
	}
	text := strings.Join(strings.Fields(req.Text), " ")
	text = strings.TrimRight(text, ".!?")
	if text == "" {
		reply, err := c.canned(ctx, req, text, pointerLines)
		return "", reply, err
	}
	if thanksWords.MatchString(text) {
		reply, err := c.canned(ctx, req, text, thanksLines)
		return "", reply, err
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
		return "", Reply{Text: fmt.Sprintf("Is that a pain score? Type `pain %s` (add an area and a note if you like: `pain %s knee stiff`).", m[2], m[2]),
			Buttons: []Button{{Label: "Log " + m[2] + "/10", Command: "pain " + m[2], Style: ButtonPrimary}}}, nil
	}
	if yesWords.MatchString(text) || noWords.MatchString(text) {
		return c.answer(ctx, req, text)
	}
	if didExercises.MatchString(text) {
		return "coach done", Reply{}, nil
	}
	if _, err := c.commands.Parse(text); err == nil || c.looksLikeCommand(text) {
		return text, Reply{}, nil
	}
	if reply, found, err := c.screen(ctx, req, text); err != nil || found {
		return "", reply, err
	}
	reply, err := c.intent(ctx, req, text)
	return "", reply, err
}

// answer handles a bare yes or no: to the question the coach just asked,
// to the latest nudge, or to nothing in particular.
func (c *Coach) answer(ctx context.Context, req Request, text string) (string, Reply, error) {
	yes := yesWords.MatchString(text)
	conv, err := c.conversation(ctx, req)
	if err != nil {
		return "", Reply{}, err
	}
	if conv.Prompt == promptForget && c.clock.Now().Sub(conv.PromptAt) <= promptContext {
		// A yes to "delete everything?" must not delete by itself (a
		// stray "yes" would be too costly) nor be met with cheer.
		if err := c.setConversation(ctx, conv, "", ""); err != nil {
			return "", Reply{}, err
		}
		if yes {
			return "", Reply{Text: "To delete everything for good, type `forget confirm` (or press the button). Nothing has been deleted yet.",
				Buttons: []Button{{Label: "Delete everything", Command: "coach forget confirm", Style: ButtonDanger}}}, nil
		}
		return "", Reply{Text: "OK, nothing deleted. Your data stays as it is."}, nil
	}
	last, err := c.latestNudge(ctx, req)
	if err != nil {
		return "", Reply{}, err
	}
	if yes && last == NudgeExercises {
		return "coach done", Reply{}, nil
	}
	lines := yesLines
	if !yes {
		lines = noLines
	}
	reply, err := c.canned(ctx, req, text, lines)
	return "", reply, err
}

// intent answers a message that is no command and raised no red flag:
// distress, a wish to stop, a typo of a command, or anything else.
func (c *Coach) intent(ctx context.Context, req Request, text string) (Reply, error) {
	switch {
	case stopWords.MatchString(text):
		reply, err := c.canned(ctx, req, text, stopLines)
		reply.Buttons = []Button{
			{Label: "Pause for a week", Command: "coach pause 1w", Style: ButtonPrimary},
			{Label: "Pause until I say", Command: "coach pause"},
			{Label: "Reminders off", Command: "coach remind off all"},
		}
		return reply, err
	case distressWords.MatchString(text):
		return c.distress(ctx, req, text)
	case hiWords.MatchString(text):
		return c.canned(ctx, req, text, hiLines)
	}
	if reply, ok := c.didYouMean(text); ok {
		return reply, nil
	}
	return c.canned(ctx, req, text, pointerLines)
}

// distress asks for a score, so the coach can log it and advise, and
// offers the warning-signs card; a recent jump in pain is named.
func (c *Coach) distress(ctx context.Context, req Request, text string) (Reply, error) {
	reply, err := c.canned(ctx, req, text, distressLines)
	if err != nil {
		return Reply{}, err
	}
	area := ""
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if a, ok := LookupArea(strings.Trim(w, ",.!?")); ok {
			area = a
		}
	}
	recent, err := c.store.CheckIns(ctx, req.Member(), c.clock.Now().Add(-48*time.Hour))
	if err != nil {
		return Reply{}, fmt.Errorf("recent check-ins: %w", err)
	}
	if n := len(recent); n >= 2 && recent[n-1].Score-recent[n-2].Score >= 3 {
		reply.Text = fmt.Sprintf("Your pain went from %d to %d at your last check-in, so a rough patch makes sense. ", recent[n-2].Score, recent[n-1].Score) + reply.Text
		if area == "" {
			area = recent[n-1].Area
		}
	}
	example := "pain 7"
	if area != "" {
		example += " " + AreaWords(area)
	}
	reply.Text += fmt.Sprintf(" Type `%s` (your score from 0 to 10) and I'll log it and suggest what to do.", example)
	reply.Text += " If it came on suddenly, is severe, or comes with numbness, weakness, fever or trouble with your bladder, call your therapist or doctor."
	reply.Buttons = []Button{{Label: "Warning signs", Command: "coach learn red-flags"}, {Label: "Flare-up plan", Command: "coach learn flare-up-plan"}}
	if c.library == nil {
		reply.Buttons = nil
	}
	return reply, nil
}

// didYouMean answers a typo of a command or verb ("/pian 5 knee",
// "histroy") with the line it probably meant, and a button to run it.
func (c *Coach) didYouMean(text string) (Reply, bool) {
	words := strings.Fields(text)
	first := strings.ToLower(strings.TrimPrefix(words[0], "/"))
	if len([]rune(first)) < 3 {
		return Reply{}, false
	}
	var verbs []string
	for _, r := range c.commands.Roots() {
		verbs = append(verbs, r.Name)
	}
	if coach := c.commands.Root("coach"); coach != nil {
		for _, s := range coach.Subcommands {
			if s.RequiredRole() == RoleMember {
				verbs = append(verbs, s.Name)
			}
		}
	}
	near := closeMatches(first, verbs, 3)
	if len(near) == 0 {
		return Reply{}, false
	}
	rest := strings.Join(words[1:], " ")
	var lines []string
	var buttons []Button
	for _, v := range near {
		line := strings.TrimSpace(v + " " + rest)
		if _, err := c.commands.Parse(line); err != nil && rest != "" {
			continue
		}
		lines = append(lines, "`"+line+"`")
		buttons = append(buttons, Button{Label: clip(line, maxButtonLabel), Command: line})
	}
	if len(lines) == 0 {
		for _, v := range near {
			lines = append(lines, "`"+v+"`")
		}
		return Reply{Text: fmt.Sprintf("I don't know `%s`. Did you mean %s? `help %s` shows how to use it.", clip(first, 30), JoinOr(lines), near[0])}, true
	}
	return Reply{Text: fmt.Sprintf("I don't know `%s`. Did you mean %s?", clip(first, 30), JoinOr(lines)), Buttons: buttons}, true
}

// Canned lines: several of each, so that the coach does not repeat
// itself word for word. The first of each is the one tests expect first.
var (
	pointerLines = []string{
		"I'm a simple coach and understand short commands: `pain 4 knee`, `done`, `history`, `snooze 2h`, or `help` for the rest.",
		"I didn't catch that. To check in, type a score from 0 to 10 like `pain 3 left knee`; `help` lists everything else.",
		"Not sure what you mean. Try `pain 5` to log pain, `done` after your exercises, or `help`.",
		"Sorry, I only understand a few short commands. `help` shows them; `pain 4 knee` logs a check-in.",
	}
	thanksLines = []string{
		"You're welcome! Keep it up.",
		"You're welcome! Small steps add up.",
		"Any time. You're doing the work; I just keep count.",
	}
	yesLines = []string{
		"Glad to hear it! To log today's exercises type `done`; for a pain check-in, `pain 3`.",
		"Great. If you did your exercises, `done` logs them; `pain 3 knee` logs a check-in.",
		"Good to hear. `done` logs exercises and `pain 2` a check-in, whenever you're ready.",
	}
	noLines = []string{
		"OK. Whenever you're ready: `pain 3` logs a check-in and `done` your exercises.",
		"No problem. `help` shows what I can do.",
	}
	hiLines = []string{
		"Hi! How is the pain today? Type `pain` and a score from 0 to 10, such as `pain 3 knee`, or `help` for more.",
		"Hello! A quick `pain 4 knee` tells me how you are; `done` logs your exercises.",
		"Hey! Type `pain 2` for a check-in, or `help` to see everything.",
	}
	stopLines = []string{
		"Would you like a break, or no reminders at all? `pause 1w` pauses everything for a week, `pause` until you say `resume`, and `remind off all` stops reminders for good. To delete your data, type `forget`.",
		"I can go quiet: `pause 1w` for a week, `pause` until you `resume`, or `remind off all` to stop reminders. `forget` deletes your data.",
	}
	distressLines = []string{
		"I'm sorry it's a hard day.",
		"That sounds rough; I'm sorry.",
		"Sorry you're hurting.",
	}
)

// canned picks one of lines for this message and remembers it, never the
// line sent last, so that chatter is never met with the same words twice
// in a row.
func (c *Coach) canned(ctx context.Context, req Request, text string, lines []string) (Reply, error) {
	// Two messages at once must not both pick the line after the same
	// last one.
	unlock, err := c.lockMember(ctx, req.Member())
	if err != nil {
		return Reply{}, err
	}
	defer unlock()
	conv, err := c.conversation(ctx, req)
	if err != nil {
		return Reply{}, err
	}
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(text)))
	// A fresh chat starts with the first line, so first replies are
	// predictable; after that the message picks, and the last line sent
	// is skipped.
	i := int(h.Sum32() % uint32(len(lines)))
	if conv.LastLine == "" {
		i = 0
	}
	if lines[i] == conv.LastLine {
		i = (i + 1) % len(lines)
	}
	if err := c.setConversation(ctx, conv, conv.Prompt, lines[i]); err != nil {
		return Reply{}, err
	}
	return Reply{Text: lines[i]}, nil
}

// conversation returns what is remembered of the member's chat, creating
// the member on first contact.
func (c *Coach) conversation(ctx context.Context, req Request) (Conversation, error) {
	if _, err := c.memberOf(ctx, req.Member(), req.TZ); err != nil {
		return Conversation{}, err
	}
	conv, err := c.store.Conversation(ctx, req.Member())
	if err != nil {
		return Conversation{}, fmt.Errorf("conversation: %w", err)
	}
	return conv, nil
}

func (c *Coach) setConversation(ctx context.Context, conv Conversation, prompt, line string) error {
	if conv.Prompt == prompt && conv.LastLine == line {
		return nil
	}
	if prompt != conv.Prompt {
		conv.PromptAt = c.clock.Now().UTC()
	}
	conv.Prompt, conv.LastLine = prompt, line
	if err := c.store.SetConversation(ctx, conv); err != nil {
		return fmt.Errorf("set conversation: %w", err)
	}
	return nil
}

// asked records that the coach asked the member a question (such as
// "delete everything?"), so that a bare yes or no right after answers it.
func (c *Coach) asked(ctx context.Context, key MemberKey, prompt string) error {
	conv, err := c.store.Conversation(ctx, key)
	if err != nil {
		return fmt.Errorf("conversation: %w", err)
	}
	conv.Prompt, conv.PromptAt = prompt, c.clock.Now().UTC()
	if err := c.store.SetConversation(ctx, conv); err != nil {
		return fmt.Errorf("set conversation: %w", err)
	}
	return nil
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
	if err := c.raise(ctx, call, found.RedFlags, ""); err != nil {
		return Reply{}, false, err
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
// mistake in it deserves the usage error rather than a guess.
func (c *Coach) looksLikeCommand(text string) bool {
	first := strings.ToLower(strings.TrimPrefix(strings.Fields(text)[0], "/"))
	return c.commands.Root(first) != nil || c.commands.Root("coach").Sub(first) != nil
}

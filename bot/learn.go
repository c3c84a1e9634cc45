package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Limits that keep learn and plan replies short enough for chat and inside
// the platforms' button limits.
const (
	maxListedCards    = 8
	maxRelatedButtons = 3
	maxButtonLabel    = 40
)

const cardFooter = "General information, not medical advice. Follow your therapist's advice where it differs."

const planFooter = "Follow your therapist's plan if it differs."

// relatedLister is implemented by libraries that link a card to related
// cards and programs (package content does).
type relatedLister interface {
	Related(id string) (cards, programs []string)
}

func (c *Coach) learn(_ context.Context, call *Call) (Reply, error) {
	if c.library == nil {
		return Reply{Text: "The content library is not loaded on this server."}, nil
	}
	query := strings.TrimSpace(call.Values.String("topic"))
	cards := c.library.Cards()
	if query == "" {
		return topicsReply(cards), nil
	}
	key := strings.Join(strings.Fields(strings.ToLower(query)), "-")
	if card, ok := c.library.Card(key); ok {
		return c.cardReply(card), nil
	}
	var inTopic []Card
	for _, card := range cards {
		if card.Topic == key {
			inTopic = append(inTopic, card)
		}
	}
	if len(inTopic) == 1 {
		return c.cardReply(inTopic[0]), nil
	}
	if len(inTopic) > 1 {
		return cardListReply("Topic: "+key, inTopic), nil
	}
	found := c.library.Search(query)
	switch len(found) {
	case 0:
		return Reply{}, Errorf(ENOTFOUND, "I have no card about %q. `/coach learn` lists the topics.", clip(query, 40))
	case 1:
		return c.cardReply(found[0]), nil
	}
	return cardListReply(fmt.Sprintf("Cards about %q", clip(query, 40)), found), nil
}

// cardReply shows a card with buttons to its related cards; a button runs
// `/coach learn ID` for whoever clicks it, which only reads content.
func (c *Coach) cardReply(card Card) Reply {
	reply := Reply{Title: card.Title, Text: card.Body, Footer: cardFooter}
	rl, ok := c.library.(relatedLister)
	if !ok {
		return reply
	}
	cardIDs, programIDs := rl.Related(card.ID)
	for _, id := range cardIDs {
		if len(reply.Buttons) == maxRelatedButtons {
			break
		}
		if rel, ok := c.library.Card(id); ok {
			reply.Buttons = append(reply.Buttons, Button{Label: clip(rel.Title, maxButtonLabel), Command: "coach learn " + rel.ID})
		}
	}
	var progs []string
	for _, id := range programIDs {
		if p, ok := c.library.Program(id); ok {
			progs = append(progs, fmt.Sprintf("**%s** (`/coach plan %s`)", p.Title, p.ID))
		}
	}
	if len(progs) > 0 {
		reply.Text += "\n\nStarter program: " + strings.Join(progs, ", ")
	}
	return reply
}

func cardListReply(title string, cards []Card) Reply {
	var b strings.Builder
	for i, card := range cards {
		if i == maxListedCards {
			fmt.Fprintf(&b, "- and %d more\n", len(cards)-maxListedCards)
			break
		}
		fmt.Fprintf(&b, "- `%s`: %s\n", card.ID, card.Title)
	}
	b.WriteString("Open one with `/coach learn ID`.")
	return Reply{Title: title, Text: b.String(), Footer: cardFooter}
}

// topicsReply lists the topics rather than every card, so the answer
// stays short however large the library grows.
func topicsReply(cards []Card) Reply {
	var topics []string
	count := map[string]int{}
	example := map[string]string{}
	for _, card := range cards {
		if count[card.Topic] == 0 {
			topics = append(topics, card.Topic)
			example[card.Topic] = card.ID
		}
		count[card.Topic]++
	}
	slices.Sort(topics)
	var b strings.Builder
	reply := Reply{Title: "Things to learn"}
	for _, t := range topics {
		noun := "cards"
		if count[t] == 1 {
			noun = "card"
		}
		fmt.Fprintf(&b, "- `%s`: %d %s, such as `%s`\n", t, count[t], noun, example[t])
		reply.Buttons = append(reply.Buttons, Button{Label: t, Command: "coach learn " + t})
	}
	b.WriteString("Open a topic with `/coach learn tape`, a card with `/coach learn tape-apply`, or search: `/coach learn swelling`.")
	reply.Text = b.String()
	return reply
}

func (c *Coach) plan(ctx context.Context, call *Call) (Reply, error) {
	if c.library == nil || len(c.library.Programs()) == 0 {
		return Reply{Text: "No exercise programs are loaded on this server; follow the plan your therapist gave you."}, nil
	}
	id := call.Values.String("program")
	if id == "" {
		return c.showPlan(call), nil
	}
	prog, ok := c.library.Program(id)
	if !ok {
		area, matches := c.programsFor(id)
		switch len(matches) {
		case 0:
			return Reply{}, Errorf(ENOTFOUND, "There is no program %q. `/coach plan` lists them.", clip(id, 30))
		case 1:
			prog = matches[0]
		default:
			reply := programListReply(matches)
			reply.Title = fmt.Sprintf("Programs for your %s", strings.ReplaceAll(area, "-", " "))
			return reply, nil
		}
	}
	m := call.Member
	m.Program = prog.ID
	if err := c.store.UpdateMember(ctx, m); err != nil {
		return Reply{}, fmt.Errorf("update member: %w", err)
	}
	reply := programReply(prog)
	reply.Text = "You're now on **" + prog.Title + "**. " + reply.Text + "\nLog today's session with `/coach done`."
	return reply, nil
}

// programsFor finds programs by body area or alias, so "/coach plan back"
// works as well as "/coach plan low-back".
func (c *Coach) programsFor(name string) (string, []Program) {
	area, ok := LookupArea(name)
	if !ok {
		return "", nil
	}
	var out []Program
	for _, p := range c.library.Programs() {
		if slices.Contains(p.Areas, area) {
			out = append(out, p)
		}
	}
	return area, out
}

func (c *Coach) showPlan(call *Call) Reply {
	if prog, ok := c.library.Program(call.Member.Program); ok {
		reply := programReply(prog)
		reply.Title = "Your program: " + prog.Title
		var others []string
		for _, p := range c.library.Programs() {
			if p.ID != prog.ID {
				others = append(others, "`"+p.ID+"`")
			}
		}
		if len(others) > 0 {
			reply.Text += "\nOther programs: " + strings.Join(others, ", ") + ". Switch with `/coach plan ID`."
		}
		return reply
	}
	return programListReply(c.library.Programs())
}

// programListReply lists programs with a button to choose each; a button
// sets the program of whoever clicks it, never anyone else's.
func programListReply(progs []Program) Reply {
	var b strings.Builder
	reply := Reply{Title: "Exercise programs", Footer: planFooter}
	for _, p := range progs {
		fmt.Fprintf(&b, "- `%s`: **%s**. %s\n", p.ID, p.Title, p.Summary)
		reply.Buttons = append(reply.Buttons, Button{Label: clip(p.Title, maxButtonLabel), Command: "coach plan " + p.ID})
	}
	b.WriteString("Choose one with `/coach plan ID`.")
	reply.Text = b.String()
	return reply
}

func programReply(p Program) Reply {
	var b strings.Builder
	b.WriteString(p.Summary + "\n")
	ids := make([]string, len(p.Exercises))
	for i, e := range p.Exercises {
		fmt.Fprintf(&b, "- **%s**: %s. %s\n", e.Name, e.Dose(), e.HowTo)
		ids[i] = "`" + e.ID + "`"
	}
	b.WriteString("Exercise ids for `/coach done ID`: " + strings.Join(ids, ", "))
	return Reply{Title: p.Title, Text: b.String(), Footer: planFooter}
}

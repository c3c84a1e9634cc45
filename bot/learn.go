package bot

import (
	"context"
	"fmt"
	"strings"
)

func (c *Coach) learn(_ context.Context, call *Call) (Reply, error) {
	if c.library == nil {
		return Reply{Text: "The content library is not loaded on this server."}, nil
	}
	topic := strings.TrimSpace(call.Values.String("topic"))
	if topic == "" {
		return Reply{Title: "Things to learn", Text: topicList(c.library.Cards())}, nil
	}
	if card, ok := c.library.Card(strings.ToLower(topic)); ok {
		return cardReply(card), nil
	}
	found := c.library.Search(topic)
	switch len(found) {
	case 0:
		return Reply{}, Errorf(ENOTFOUND, "I have no card about %q. `/coach learn` lists the topics.", clip(topic, 40))
	case 1:
		return cardReply(found[0]), nil
	}
	var b strings.Builder
	for i, card := range found {
		if i == 8 {
			break
		}
		fmt.Fprintf(&b, "- `%s`: %s\n", card.ID, card.Title)
	}
	return Reply{Title: fmt.Sprintf("Cards about %q", clip(topic, 40)), Text: b.String() + "Open one with `/coach learn ID`."}, nil
}

func cardReply(card Card) Reply {
	return Reply{Title: card.Title, Text: card.Body, Footer: "General information, not medical advice. Follow your therapist's advice where it differs."}
}

func topicList(cards []Card) string {
	var b strings.Builder
	topic := ""
	for _, card := range cards {
		if card.Topic != topic {
			topic = card.Topic
			fmt.Fprintf(&b, "**%s**\n", topic)
		}
		fmt.Fprintf(&b, "- `%s`: %s\n", card.ID, card.Title)
	}
	b.WriteString("Open one with `/coach learn ID`, or search: `/coach learn swelling`.")
	return b.String()
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
		return Reply{}, Errorf(ENOTFOUND, "There is no program %q. `/coach plan` lists them.", clip(id, 30))
	}
	m := call.Member
	m.Program = prog.ID
	if err := c.store.UpdateMember(ctx, m); err != nil {
		return Reply{}, fmt.Errorf("update member: %w", err)
	}
	reply := programReply(prog)
	reply.Text = "You're now on **" + prog.Title + "**. " + reply.Text
	return reply, nil
}

func (c *Coach) showPlan(call *Call) Reply {
	if prog, ok := c.library.Program(call.Member.Program); ok {
		reply := programReply(prog)
		reply.Title = "Your program: " + prog.Title
		return reply
	}
	var b strings.Builder
	for _, p := range c.library.Programs() {
		fmt.Fprintf(&b, "- `%s`: **%s**. %s\n", p.ID, p.Title, p.Summary)
	}
	b.WriteString("Choose one with `/coach plan ID`.")
	return Reply{Title: "Exercise programs", Text: b.String()}
}

func programReply(p Program) Reply {
	var b strings.Builder
	b.WriteString(p.Summary + "\n")
	for _, e := range p.Exercises {
		fmt.Fprintf(&b, "- **%s** (%s): %s\n", e.Name, e.Dose(), e.HowTo)
	}
	return Reply{Title: p.Title, Text: b.String(), Footer: "Follow your therapist's plan if it differs."}
}

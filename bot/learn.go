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
		fmt.Fprintf(&b, "- `%s`: %s, such as `%s`\n", t, Plural(count[t], "card"), example[t])
		reply.Buttons = append(reply.Buttons, Button{Label: t, Command: "coach learn " + t})
	}
	b.WriteString("Open a topic with `/coach learn tape`, a card with `/coach learn tape-apply`, or search: `/coach learn swelling`.")
	reply.Text = b.String()
	return reply
}

package storetest

import (
	"testing"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

func conversationTests() map[string]func(*testing.T, Opener) {
	return map[string]func(*testing.T, Opener){
		"ConversationRoundTrip":  testConversation,
		"CompletionSessions":     testCompletionSessions,
		"ConversationForgotten":  testConversationForgotten,
		"ConversationUnknownKey": testConversationUnknown,
	}
}

func testConversation(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	addMember(t, s, slackKey("U2"))
	got, err := s.Conversation(ctx, key)
	ok(t, err)
	same(t, "fresh conversation", bot.Conversation{Member: key}, got)
	want := bot.Conversation{Member: key, Prompt: "forget", PromptAt: at(time.Minute), LastLine: "You're welcome! Keep it up."}
	ok(t, s.SetConversation(ctx, want))
	got, err = s.Conversation(ctx, key)
	ok(t, err)
	same(t, "saved conversation", want, got)
	want = bot.Conversation{Member: key, LastLine: "Hi!"}
	ok(t, s.SetConversation(ctx, want))
	got, err = s.Conversation(ctx, key)
	ok(t, err)
	same(t, "replaced conversation", want, got)
	other, err := s.Conversation(ctx, slackKey("U2"))
	ok(t, err)
	same(t, "another member's conversation", bot.Conversation{Member: slackKey("U2")}, other)
}

func testConversationForgotten(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	ok(t, s.SetConversation(ctx, bot.Conversation{Member: key, Prompt: "forget", PromptAt: at(0), LastLine: "x"}))
	ok(t, s.ForgetMember(ctx, key))
	n, err := s.RowsOf(ctx, key)
	ok(t, err)
	if n != 0 {
		t.Errorf("%d rows left after forget", n)
	}
}

func testConversationUnknown(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	err := s.SetConversation(ctx, bot.Conversation{Member: slackKey("ghost"), LastLine: "x"})
	if bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("SetConversation for an unknown member = %v, want ENOTFOUND", err)
	}
}

// testCompletionSessions: an exercise prescribed twice a day is logged
// once per session, each session once.
func testCompletionSessions(t *testing.T, open Opener) {
	s, ctx := open(t), t.Context()
	key := slackKey("U1")
	addMember(t, s, key)
	steps := []struct {
		c    bot.Completion
		want bool
	}{
		{bot.Completion{Member: key, Day: "2026-03-02", Exercise: "quad-set", Session: 1, At: at(0)}, true},
		{bot.Completion{Member: key, Day: "2026-03-02", Exercise: "quad-set", Session: 2, At: at(8 * time.Hour)}, true},
		{bot.Completion{Member: key, Day: "2026-03-02", Exercise: "quad-set", Session: 2, At: at(9 * time.Hour)}, false},
		{bot.Completion{Member: key, Day: "2026-03-02", Exercise: "quad-set", At: at(10 * time.Hour)}, false}, // 0 is session 1
	}
	for i, st := range steps {
		got, err := s.AddCompletion(ctx, st.c)
		ok(t, err)
		if got != st.want {
			t.Errorf("step %d: AddCompletion(session %d) = %v, want %v", i, st.c.Session, got, st.want)
		}
	}
	got, err := s.Completions(ctx, key, "2026-03-02")
	ok(t, err)
	same(t, "sessions", []bot.Completion{steps[0].c, steps[1].c}, got)
	team, err := s.TeamData(ctx, bot.Slack, "T1", at(-time.Hour))
	ok(t, err)
	if len(team) != 1 || len(team[0].Completions) != 2 || team[0].Completions[1].Session != 2 {
		t.Errorf("team data completions = %+v", team)
	}
}

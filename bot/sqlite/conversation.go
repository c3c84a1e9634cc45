package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Conversation implements bot.Store.
func (db *DB) Conversation(ctx context.Context, key bot.MemberKey) (bot.Conversation, error) {
	c := bot.Conversation{Member: key}
	var at sql.NullInt64
	err := db.readRow(ctx, `SELECT c.prompt, c.prompt_at, c.last_line FROM conversations c JOIN members m ON m.id = c.member_id
		WHERE m.platform = ? AND m.workspace = ? AND m.user_id = ?`, key.Platform, key.Workspace, key.User).Scan(&c.Prompt, &at, &c.LastLine)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return bot.Conversation{}, fmt.Errorf("conversation: %w", err)
	}
	c.PromptAt = fromNullMS(at)
	return c, nil
}

// SetConversation implements bot.Store.
func (db *DB) SetConversation(ctx context.Context, c bot.Conversation) error {
	_, err := db.execForMember(ctx, c.Member, `INSERT INTO conversations (member_id, prompt, prompt_at, last_line) VALUES (?, ?, ?, ?)
		ON CONFLICT (member_id) DO UPDATE SET prompt = excluded.prompt, prompt_at = excluded.prompt_at, last_line = excluded.last_line`,
		c.Prompt, nullMS(c.PromptAt), c.LastLine)
	if err != nil {
		return fmt.Errorf("set conversation: %w", err)
	}
	return nil
}

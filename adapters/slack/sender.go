package slack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/recoverycoach/recoverycoach/bot"
)

// unreachableErrors are Slack errors after which no retry can deliver a DM:
// the member closed their DMs, left, or was deactivated.
var unreachableErrors = map[string]bool{
	"channel_not_found": true,
	"cannot_dm_bot":     true,
	"user_not_found":    true,
	"account_inactive":  true,
	"is_archived":       true,
	"user_disabled":     true,
}

// Send implements bot.Sender: it delivers msg to the member's DM. The DM
// channel id is cached in the store, so a nudge usually costs one API call.
// Errors wrap bot.ErrUnreachable when the member cannot be reached, are a
// *bot.RateLimitedError on HTTP 429, and are transient otherwise.
func (a *Adapter) Send(ctx context.Context, to bot.MemberKey, msg bot.Reply) error {
	if to.Platform != bot.Slack || !to.Valid() {
		return fmt.Errorf("slack: cannot send to %s: %w", to, bot.ErrUnreachable)
	}
	ctx, err := a.forWorkspace(ctx, to.Workspace)
	if err != nil {
		return err
	}
	msg = a.uploadLargeFiles(ctx, to, msg)
	return a.postToDM(ctx, to, Render(msg))
}

// SendChannel implements bot.ChannelSender: a staff alert is posted to a
// channel of the workspace. A channel the bot is not in (or that is gone)
// wraps bot.ErrUnreachable so the alert fails instead of retrying forever.
func (a *Adapter) SendChannel(ctx context.Context, _ bot.Platform, workspace, channel string, msg bot.Reply) error {
	ctx, err := a.forWorkspace(ctx, workspace)
	if err != nil {
		return err
	}
	err = a.post(ctx, channel, Render(msg))
	switch slackError(err) {
	case "not_in_channel", "channel_not_found", "is_archived":
		return fmt.Errorf("slack chat.postMessage to %s: %w: %w", channel, bot.ErrUnreachable, err)
	}
	return sendError("chat.postMessage", err)
}

// postToDM posts m to the member's DM, opening (and caching) the channel
// when needed. A cached channel that Slack no longer knows is dropped and
// reopened once.
func (a *Adapter) postToDM(ctx context.Context, to bot.MemberKey, m *slackgo.WebhookMessage) error {
	channel, cached, err := a.dmChannel(ctx, to)
	if err != nil {
		return err
	}
	err = a.post(ctx, channel, m)
	if cached && slackError(err) == "channel_not_found" {
		if err := a.store.SetDMChannel(ctx, to, ""); err != nil {
			return fmt.Errorf("slack: forget dm channel: %w", err)
		}
		if channel, _, err = a.dmChannel(ctx, to); err != nil {
			return err
		}
		err = a.post(ctx, channel, m)
	}
	return sendError("chat.postMessage", err)
}

// dmChannel returns the member's DM channel, from the cache when possible.
func (a *Adapter) dmChannel(ctx context.Context, to bot.MemberKey) (channel string, cached bool, err error) {
	channel, err = a.store.DMChannel(ctx, to)
	if err != nil {
		return "", false, fmt.Errorf("slack: dm channel: %w", err)
	}
	if channel != "" {
		return channel, true, nil
	}
	ch, _, _, err := a.client(ctx).OpenConversationContext(ctx, &slackgo.OpenConversationParameters{Users: []string{to.User}, ReturnIM: true})
	if err != nil {
		return "", false, sendError("conversations.open", err)
	}
	if ch == nil || ch.ID == "" {
		return "", false, errors.New("slack: conversations.open returned no channel")
	}
	if err := a.store.SetDMChannel(ctx, to, ch.ID); err != nil {
		// The message can still go out; the next one opens the DM again.
		a.log.WarnContext(ctx, "slack: could not cache dm channel", "err", err)
	}
	return ch.ID, false, nil
}

func (a *Adapter) post(ctx context.Context, channel string, m *slackgo.WebhookMessage) error {
	_, _, err := a.client(ctx).PostMessageContext(ctx, channel, msgOptions(m)...)
	return err
}

// postEphemeral shows m in channel to user alone; nobody else in the
// channel sees it or learns that it was sent.
func (a *Adapter) postEphemeral(ctx context.Context, channel, user string, m *slackgo.WebhookMessage) error {
	_, err := a.client(ctx).PostEphemeralContext(ctx, channel, user, msgOptions(m)...)
	return err
}

// msgOptions turns a rendered message into chat.postMessage options. The
// text is already escaped by Render.
func msgOptions(m *slackgo.WebhookMessage) []slackgo.MsgOption {
	opts := []slackgo.MsgOption{slackgo.MsgOptionText(m.Text, false)}
	if m.Blocks != nil {
		opts = append(opts, slackgo.MsgOptionBlocks(m.Blocks.BlockSet...))
	}
	return opts
}

// slackError returns Slack's error code in err's chain, or "".
func slackError(err error) string {
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// sendError classifies a Web API error for the dispatcher.
func sendError(method string, err error) error {
	if err == nil {
		return nil
	}
	var rl *slackgo.RateLimitedError
	if errors.As(err, &rl) {
		return &bot.RateLimitedError{RetryAfter: rl.RetryAfter, Err: fmt.Errorf("slack %s: %w", method, err)}
	}
	if code := slackError(err); unreachableErrors[code] {
		return fmt.Errorf("slack %s: %w: %w", method, bot.ErrUnreachable, err)
	}
	return fmt.Errorf("slack %s: %w", method, err)
}

// uploadLargeFiles uploads the reply's files that are too large (or not
// text) to show inline to the member's DM, and replaces them with a note.
// Small files stay for Render to show in a code block.
func (a *Adapter) uploadLargeFiles(ctx context.Context, to bot.MemberKey, r bot.Reply) bot.Reply {
	var keep []bot.File
	var notes []string
	for _, f := range r.Files {
		if InlineFile(f) {
			keep = append(keep, f)
			continue
		}
		if err := a.upload(ctx, to, f); err != nil {
			a.log.WarnContext(ctx, "slack: file upload failed", "team", to.Workspace, "err", err)
			notes = append(notes, fmt.Sprintf("I could not attach `%s` this time. Please try again in a minute.", f.Name))
			continue
		}
		notes = append(notes, fmt.Sprintf("I sent `%s` to our direct messages.", f.Name))
	}
	if len(notes) == 0 {
		return r
	}
	r.Files = keep
	r.Text = strings.TrimSpace(r.Text + "\n\n" + strings.Join(notes, "\n"))
	return r
}

// upload sends a file with the files upload v2 flow (getUploadURLExternal,
// upload, completeUploadExternal).
func (a *Adapter) upload(ctx context.Context, to bot.MemberKey, f bot.File) error {
	channel, _, err := a.dmChannel(ctx, to)
	if err != nil {
		return err
	}
	_, err = a.client(ctx).UploadFileContext(ctx, slackgo.UploadFileParameters{
		Filename: f.Name,
		Title:    f.Name,
		FileSize: len(f.Data),
		Content:  string(f.Data),
		Channel:  channel,
	})
	return sendError("files.upload", err)
}

// outboxEventType is the metadata event type every nudge carries, with the
// outbox row's id in its payload, so that a send interrupted by a crash
// can be looked up in the DM's history instead of repeated.
const outboxEventType = "recoverycoach_outbox"

// historyPages bounds how many pages of a DM's history Delivered reads
// after the send began; a DM with the bot rarely has more than a page.
const historyPages = 5

// historySkew is how far before the send's start Delivered reads, since
// Slack's clock and ours may differ a little.
const historySkew = time.Minute

// SendTracked implements bot.TrackedSender: msg goes to the member's DM,
// or to channel for a staff alert, with message metadata naming the outbox
// row. A DM is posted to the member's user id, which Slack delivers to the
// app's DM with them, so a first nudge costs one call instead of two; the
// DM's channel id from the answer is stored for Delivered.
func (a *Adapter) SendTracked(ctx context.Context, to bot.MemberKey, channel string, msg bot.Reply, d bot.Delivery) error {
	if to.Platform != bot.Slack || !to.Valid() {
		return fmt.Errorf("slack: cannot send to %s: %w", to, bot.ErrUnreachable)
	}
	ctx, err := a.forWorkspace(ctx, to.Workspace)
	if err != nil {
		return err
	}
	meta := slackgo.MsgOptionMetadata(slackgo.SlackMetadata{
		EventType:    outboxEventType,
		EventPayload: map[string]any{"outbox_id": strconv.FormatInt(d.ID, 10)},
	})
	if channel != "" {
		_, _, err := a.client(ctx).PostMessageContext(ctx, channel, append(msgOptions(Render(msg)), meta)...)
		switch slackError(err) {
		case "not_in_channel", "channel_not_found", "is_archived":
			return fmt.Errorf("slack chat.postMessage to %s: %w: %w", channel, bot.ErrUnreachable, err)
		}
		return sendError("chat.postMessage", err)
	}
	msg = a.uploadLargeFiles(ctx, to, msg)
	opts := append(msgOptions(Render(msg)), meta)
	known, err := a.store.DMChannel(ctx, to)
	if err != nil {
		return fmt.Errorf("slack: dm channel: %w", err)
	}
	target := known
	if target == "" {
		target = to.User
	}
	got, _, err := a.client(ctx).PostMessageContext(ctx, target, opts...)
	if known != "" && slackError(err) == "channel_not_found" {
		// The stored DM is gone; the user id finds the current one.
		got, _, err = a.client(ctx).PostMessageContext(ctx, to.User, opts...)
	}
	if err != nil {
		return sendError("chat.postMessage", err)
	}
	if got != "" && got != known {
		if err := a.store.SetDMChannel(ctx, to, got); err != nil {
			// The message is out; Delivered opens the DM if it must.
			a.log.WarnContext(ctx, "slack: could not store dm channel", "err", err)
		}
	}
	return nil
}

// Delivered implements bot.TrackedSender: it reads the DM (or the alert's
// channel) from just before the send began, with metadata, and looks for
// the outbox row's id. Reading a DM's history needs the im:history scope.
func (a *Adapter) Delivered(ctx context.Context, to bot.MemberKey, channel string, d bot.Delivery) (bool, error) {
	ctx, err := a.forWorkspace(ctx, to.Workspace)
	if err != nil {
		return false, err
	}
	if channel == "" {
		ch, _, err := a.dmChannel(ctx, to)
		if err != nil {
			return false, err
		}
		channel = ch
	}
	want := strconv.FormatInt(d.ID, 10)
	oldest := d.Began.Add(-historySkew)
	params := &slackgo.GetConversationHistoryParameters{
		ChannelID:          channel,
		Oldest:             fmt.Sprintf("%d.%06d", oldest.Unix(), oldest.Nanosecond()/1000),
		Limit:              100,
		IncludeAllMetadata: true,
	}
	for range historyPages {
		resp, err := a.client(ctx).GetConversationHistoryContext(ctx, params)
		if err != nil {
			return false, sendError("conversations.history", err)
		}
		for _, m := range resp.Messages {
			if m.Metadata.EventType != outboxEventType {
				continue
			}
			if id, _ := m.Metadata.EventPayload["outbox_id"].(string); id == want {
				return true, nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			return false, nil
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return false, fmt.Errorf("slack conversations.history: more than %d pages since the send began", historyPages)
}

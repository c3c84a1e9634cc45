package discord

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Reasons an interaction cannot become a request.
var (
	errUnsupported   = errors.New("unsupported interaction")
	errForeignButton = errors.New("button without a Recovery Coach command")
	errNoUser        = errors.New("interaction without a user")
	// errFormButton: a form button opens a modal (formClick) and is no
	// request until the modal is submitted.
	errFormButton = errors.New("button that opens a form")
)

// ToRequest translates an interaction into a request for the Coach. A slash
// command's typed options become Path and Options; a button click becomes
// the command line its custom_id carries, and a submitted modal the line
// its form builds from the answers, run as the user who clicked or
// submitted. A form's refusal (a missing answer) is a *bot.Error whose
// message is for that user.
func ToRequest(i *discordgo.Interaction) (bot.Request, error) {
	req := bot.Request{Platform: bot.Discord, Channel: i.ChannelID}
	user := i.User
	if i.Member != nil && i.Member.User != nil {
		user = i.Member.User
	}
	if user == nil || user.ID == "" {
		return bot.Request{}, errNoUser
	}
	req.User = user.ID
	req.UserName = displayName(i.Member, user)
	if i.GuildID == "" {
		req.Workspace = DMWorkspace
		req.IsDM = true
	} else {
		req.Workspace = i.GuildID
		req.IsAdmin = i.Member != nil && i.Member.Permissions&(discordgo.PermissionAdministrator|discordgo.PermissionManageGuild) != 0
	}
	switch d := i.Data.(type) {
	case discordgo.ApplicationCommandInteractionData:
		if i.Type != discordgo.InteractionApplicationCommand || d.Name == "" {
			return bot.Request{}, errUnsupported
		}
		req.Path, req.Options = flatten(d)
	case discordgo.MessageComponentInteractionData:
		if strings.HasPrefix(d.CustomID, formButtonPrefix) {
			return bot.Request{}, errFormButton
		}
		cmd, ok := strings.CutPrefix(d.CustomID, customIDPrefix)
		if !ok || strings.TrimSpace(cmd) == "" {
			return bot.Request{}, errForeignButton
		}
		req.Text = cmd
	case discordgo.ModalSubmitInteractionData:
		if i.Type != discordgo.InteractionModalSubmit {
			return bot.Request{}, errUnsupported
		}
		line, err := submission(d)
		if err != nil {
			return bot.Request{}, err
		}
		req.Text = line
	default:
		return bot.Request{}, errUnsupported
	}
	return req, nil
}

func displayName(m *discordgo.Member, u *discordgo.User) string {
	switch {
	case m != nil && m.Nick != "":
		return m.Nick
	case u.GlobalName != "":
		return u.GlobalName
	}
	return u.Username
}

// flatten walks a command's subcommand group and subcommand into a path
// and collects the leaf options as the raw strings the registry parses.
func flatten(d discordgo.ApplicationCommandInteractionData) ([]string, map[string]string) {
	path := []string{d.Name}
	opts := d.Options
	// Discord nests at most a group and a subcommand below the command.
	for range 2 {
		sub := subcommand(opts)
		if sub == nil {
			break
		}
		path = append(path, sub.Name)
		opts = sub.Options
	}
	values := make(map[string]string, len(opts))
	for _, o := range opts {
		if o == nil || o.Name == "" || o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
			continue
		}
		values[o.Name] = optionString(o.Value)
	}
	return path, values
}

func subcommand(opts []*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o != nil && o.Name != "" && (o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
			return o
		}
	}
	return nil
}

// optionString formats a decoded JSON option value. Integers arrive as
// float64 and are written without a fraction; user and channel options are
// snowflake strings already.
func optionString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// ackFunc sends the one initial response to an interaction: over the
// gateway it is a REST call, over HTTP it is the response body.
type ackFunc func(resp *discordgo.InteractionResponse) error

// Answers that do not come from the Coach.
var (
	// openFromServer answers a button clicked in a DM that belongs to no
	// known member: acting on it would create a stray member whose red
	// flags no staff sees and whose nudges are not the ones clicked.
	openFromServer = bot.Reply{Text: "Please open this from the server where you use Recovery Coach."}
	// lookupFailed answers a DM whose owner could not be looked up.
	lookupFailed = bot.Reply{Text: "Sorry, I couldn't check that just now and nothing was saved. Please try again in a moment."}
)

// outcome is what the work on an interaction produced.
type outcome struct {
	reply bot.Reply
	// dup means the interaction id was handled before: answer nothing.
	dup bool
	// refused means reply is the adapter's own, and the Coach did not run.
	refused bool
	// cacheDM, when set, is the member to remember the DM channel for, as
	// a typed DM does, so that buttons in this DM resolve to them later.
	cacheDM *bot.MemberKey
}

// answer runs an interaction and answers it before deadline, which runs
// from the interaction's arrival. The work (a DM's owner lookup, the
// interaction-id record, the Coach) runs in a goroutine owned by the
// adapter. The acknowledgement waits for the store checks at most
// DedupeWait and for everything at most until deadline; after that the
// interaction is deferred and the same goroutine edits the answer in when
// it is done, or drops a duplicate. duplicate answers an interaction id
// already handled (HTTP mode refuses it).
func (a *Adapter) answer(ctx context.Context, i *discordgo.Interaction, deadline <-chan time.Time, ack ackFunc, duplicate func()) {
	if resp, ok := formClick(i); ok {
		if err := ack(resp); err != nil {
			a.log.WarnContext(ctx, "discord: opening form failed", "err", err)
		}
		return
	}
	req, err := ToRequest(i)
	if err != nil {
		var answerErr *bot.Error
		if errors.As(err, &answerErr) {
			// The person's own answers were refused; nothing is wrong here.
			a.log.DebugContext(ctx, "discord: form answers refused", "reason", err.Error())
		} else {
			a.log.WarnContext(ctx, "discord: interaction not handled", "type", i.Type.String(), "reason", err.Error())
		}
		if err := ack(notice(refusal(err))); err != nil {
			a.log.WarnContext(ctx, "discord: answer failed", "err", err)
		}
		return
	}
	// A click on a private message (a confirmation, a welcome) replaces
	// that message, so a button cannot be clicked twice.
	update := i.Type == discordgo.InteractionMessageComponent && i.Message != nil &&
		i.Message.Flags&discordgo.MessageFlagsEphemeral != 0

	result := make(chan outcome)
	checked := make(chan struct{})
	deferred := make(chan struct{})
	acked := make(chan error, 1)
	started := a.goTracked(func() {
		ctx, cancel := context.WithTimeout(a.base, a.workTimeout)
		defer cancel()
		out := a.process(ctx, i, req, checked)
		// Before the answer goes out: a button on it may be clicked at
		// once and must find the member.
		a.cacheDM(ctx, out, i.ChannelID)
		select {
		case result <- out:
			return
		case <-deferred:
		}
		if err := <-acked; err != nil || out.dup {
			return
		}
		a.finish(ctx, i, out.reply, update)
	})
	if !started {
		// Shutting down: no new late work, so answer inline.
		ctx, cancel := context.WithTimeout(ctx, a.ackDeadline)
		defer cancel()
		out := a.process(ctx, i, req, nil)
		if out.dup {
			duplicate()
			return
		}
		a.cacheDM(ctx, out, i.ChannelID)
		a.respond(ctx, i, out.reply, update && !out.refused, ack)
		return
	}
	wait := time.NewTimer(a.dedupeWait)
	defer wait.Stop()
	checkedC, waitC := checked, wait.C
	for {
		select {
		case out := <-result:
			if out.dup {
				duplicate()
				return
			}
			a.respond(ctx, i, out.reply, update && !out.refused, ack)
			return
		case <-checkedC:
			checkedC, waitC = nil, nil
			continue
		case <-waitC:
			// The store is busy; the Coach, which writes too, would not
			// be faster.
		case <-deadline:
		}
		close(deferred)
		err := ack(deferral(update))
		if err != nil {
			a.log.WarnContext(ctx, "discord: deferring failed", "err", err)
		}
		acked <- err
		return
	}
}

// refusal is the answer to an interaction ToRequest refused.
func refusal(err error) string {
	var answerErr *bot.Error
	switch {
	case errors.As(err, &answerErr):
		return bot.ErrorMessage(err)
	case errors.Is(err, errForeignButton):
		return "That button no longer works. Try `/coach help`."
	case errors.Is(err, errForeignForm):
		return "That form no longer works. Try `/coach help`."
	}
	return "Sorry, I can't handle that here. Try `/coach help`."
}

// fromButton reports whether an interaction comes from a button: a click,
// or the submit of a modal a click opened.
func fromButton(i *discordgo.Interaction) bool {
	return i.Type == discordgo.InteractionMessageComponent || i.Type == discordgo.InteractionModalSubmit
}

// process does an interaction's work: it resolves a DM to the member it
// belongs to, records the interaction id (closing checked, when not nil,
// once the store checks are done) and runs the Coach.
func (a *Adapter) process(ctx context.Context, i *discordgo.Interaction, req bot.Request, checked chan struct{}) outcome {
	defer func() {
		if checked != nil {
			close(checked)
		}
	}()
	var personal bool
	if req.IsDM {
		workspace, ok, err := a.dmOwner(ctx, i.ChannelID, req.User)
		switch {
		case err != nil:
			a.log.WarnContext(ctx, "discord: interaction not handled", "reason", "DM owner lookup failed", "err", err)
			return outcome{reply: lookupFailed, refused: true}
		case ok:
			req.Workspace = workspace
		case fromButton(i):
			return outcome{reply: openFromServer, refused: true}
		default:
			// A command typed in a DM nobody was nudged in is personal
			// use, as a typed message there is.
			personal = true
		}
	}
	if a.seen(ctx, i.ID) {
		return outcome{dup: true}
	}
	if checked != nil {
		close(checked)
		checked = nil
	}
	out := outcome{reply: a.handle(ctx, req)}
	if fromButton(i) {
		// A button acts for whoever clicks it, often on a post the whole
		// channel sees: a public answer would tell the channel who clicked
		// and what they gave.
		out.reply.Visibility = bot.Private
	}
	if personal && !out.reply.Empty() {
		key := req.Member()
		out.cacheDM = &key
	}
	return out
}

// cacheDM remembers the DM channel of a member who used it, before the
// answer goes out: the member exists now, and a button on the answer
// must find them. See onDirectMessage.
func (a *Adapter) cacheDM(ctx context.Context, out outcome, channel string) {
	if out.cacheDM == nil {
		return
	}
	if err := a.store.SetDMChannel(ctx, *out.cacheDM, channel); err != nil {
		a.log.WarnContext(ctx, "discord: caching DM channel failed", "err", err)
	}
}

// respond answers with a finished reply. Files cannot travel in an HTTP
// response body reliably, so a reply with files is deferred and edited in.
func (a *Adapter) respond(ctx context.Context, i *discordgo.Interaction, reply bot.Reply, update bool, ack ackFunc) {
	if len(reply.Files) > 0 {
		if err := ack(deferral(update)); err != nil {
			a.log.WarnContext(ctx, "discord: deferring failed", "err", err)
			return
		}
		if !a.goTracked(func() {
			ctx, cancel := context.WithTimeout(a.base, a.workTimeout)
			defer cancel()
			a.finish(ctx, i, reply, update)
		}) {
			a.finish(ctx, i, reply, update)
		}
		return
	}
	m := a.rendered(ctx, reply)
	typ := discordgo.InteractionResponseChannelMessageWithSource
	if update && m.Ephemeral {
		typ = discordgo.InteractionResponseUpdateMessage
	}
	if err := ack(&discordgo.InteractionResponse{Type: typ, Data: m.responseData()}); err != nil {
		a.log.WarnContext(ctx, "discord: answer failed", "err", err)
	}
}

// deferral acknowledges an interaction whose answer comes later. The answer
// is private until known otherwise: personal data must not flash publicly.
func deferral(update bool) *discordgo.InteractionResponse {
	if update {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}
}

// finish delivers a reply to a deferred interaction by editing the original
// response. A reply meant for the channel cannot turn a private deferral
// public, so it goes out as a follow-up and the placeholder is removed.
func (a *Adapter) finish(ctx context.Context, i *discordgo.Interaction, reply bot.Reply, update bool) {
	m := a.rendered(ctx, reply)
	opt := discordgo.WithContext(ctx)
	if m.Ephemeral {
		if _, err := a.session.InteractionResponseEdit(i, m.webhookEdit(), opt); err != nil {
			a.log.WarnContext(ctx, "discord: editing deferred answer failed", "err", err)
		}
		return
	}
	if _, err := a.session.FollowupMessageCreate(i, true, m.webhookParams(), opt); err != nil {
		a.log.WarnContext(ctx, "discord: follow-up failed", "err", err)
		return
	}
	if !update {
		if err := a.session.InteractionResponseDelete(i, opt); err != nil {
			a.log.WarnContext(ctx, "discord: removing placeholder failed", "err", err)
		}
	}
}

func (a *Adapter) rendered(ctx context.Context, reply bot.Reply) message {
	m := render(reply)
	if m.Dropped > 0 {
		a.log.WarnContext(ctx, "discord: buttons dropped (custom_id over 100 characters or more than 25)", "count", m.Dropped)
	}
	return m
}

// seen records an interaction or message id and reports a repeat. A store
// failure lets the event through: answering twice beats not answering.
// It can wait as long as the database is busy; callers on an
// acknowledgement's path bound their wait for it (see answer).
func (a *Adapter) seen(ctx context.Context, id string) bool {
	dup, err := a.store.SeenEvent(ctx, "discord:"+id, a.clock.Now())
	if err != nil {
		a.log.WarnContext(ctx, "discord: dedupe failed", "err", err)
		return false
	}
	return dup
}

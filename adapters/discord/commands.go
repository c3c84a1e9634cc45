package discord

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Discord's application command limits.
const (
	maxCommandDescription = 100
	maxCommandOptions     = 25
	maxChoices            = 25
	maxWordLength         = 64
	// maxAreaLength fits "left lower back" and its kin.
	maxAreaLength     = 40
	defaultTextLength = 500
)

var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{N}]{1,32}$`)

// ApplicationCommands derives Discord's slash commands from the registry:
// a root with a handler takes typed options, a root with subcommands gets
// subcommands, and a verb with subcommands of its own (remind, tape, team)
// becomes a subcommand group. global adds the contexts Discord needs for a
// command to work in the bot's DMs too.
func ApplicationCommands(reg *bot.Registry, global bool) ([]*discordgo.ApplicationCommand, error) {
	var out []*discordgo.ApplicationCommand
	for _, root := range reg.Roots() {
		if err := checkName(root); err != nil {
			return nil, err
		}
		ac := &discordgo.ApplicationCommand{
			Type:        discordgo.ChatApplicationCommand,
			Name:        root.Name,
			Description: describe(root.Summary, root.Name),
		}
		if global {
			ac.Contexts = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
			ac.IntegrationTypes = &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
		}
		opts, err := commandOptions(root, 0)
		if err != nil {
			return nil, err
		}
		ac.Options = opts
		out = append(out, ac)
	}
	return out, nil
}

// commandOptions returns the options of c: its subcommands (and groups) or
// its typed options. depth is 0 for a root, 1 inside a root, 2 in a group.
func commandOptions(c *bot.Command, depth int) ([]*discordgo.ApplicationCommandOption, error) {
	var out []*discordgo.ApplicationCommandOption
	if len(c.Subcommands) == 0 {
		for _, o := range c.Options {
			opt, err := typedOption(c, o)
			if err != nil {
				return nil, err
			}
			out = append(out, opt)
		}
		// Discord refuses an optional option before a required one.
		slices.SortStableFunc(out, func(a, b *discordgo.ApplicationCommandOption) int {
			return cmp.Compare(rank(a.Required), rank(b.Required))
		})
	} else {
		if depth >= 2 {
			return nil, fmt.Errorf("discord commands: /%s nests deeper than Discord's subcommand groups allow", c.FullName())
		}
		for _, s := range c.Subcommands {
			if err := checkName(s); err != nil {
				return nil, err
			}
			opt := &discordgo.ApplicationCommandOption{
				Type:        discordgo.ApplicationCommandOptionSubCommand,
				Name:        s.Name,
				Description: describe(s.Summary, s.Name),
			}
			if len(s.Subcommands) > 0 {
				opt.Type = discordgo.ApplicationCommandOptionSubCommandGroup
			}
			sub, err := commandOptions(s, depth+1)
			if err != nil {
				return nil, err
			}
			opt.Options = sub
			out = append(out, opt)
		}
	}
	if len(out) > maxCommandOptions {
		return nil, fmt.Errorf("discord commands: /%s has %d options; Discord allows %d", c.FullName(), len(out), maxCommandOptions)
	}
	return out, nil
}

func rank(required bool) int {
	if required {
		return 0
	}
	return 1
}

// typedOption maps a registry option to a Discord option type. Values still
// arrive as text and go through the registry's parsers, so Discord's own
// checks (min, max, choices, length) only help the user type it right.
func typedOption(c *bot.Command, o bot.Option) (*discordgo.ApplicationCommandOption, error) {
	if !commandName.MatchString(o.Name) {
		return nil, fmt.Errorf("discord commands: option %q of /%s is not a valid Discord name (lowercase, 1-32 characters)", o.Name, c.FullName())
	}
	opt := &discordgo.ApplicationCommandOption{
		Type:        discordgo.ApplicationCommandOptionString,
		Name:        o.Name,
		Description: describe(o.Description, o.Name),
		Required:    o.Required,
	}
	switch o.Type {
	case bot.OptInt:
		opt.Type = discordgo.ApplicationCommandOptionInteger
		lo, hi := float64(o.Min), float64(o.Max)
		opt.MinValue = &lo
		opt.MaxValue = hi
	case bot.OptChoice:
		// More choices than Discord shows would make the option unusable;
		// free text still goes through the same choice parser.
		if len(o.Choices) <= maxChoices {
			for _, ch := range o.Choices {
				opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{Name: ch.Value, Value: ch.Value})
			}
		}
	case bot.OptText:
		opt.MaxLength = cmp.Or(o.Max, defaultTextLength)
	case bot.OptWord:
		opt.MaxLength = maxWordLength
	case bot.OptArea:
		// Free text rather than a list of choices: Discord allows at most
		// 25, and "left knee" must be typeable.
		opt.MaxLength = maxAreaLength
	case bot.OptUser:
		opt.Type = discordgo.ApplicationCommandOptionUser
	case bot.OptChannel:
		opt.Type = discordgo.ApplicationCommandOptionChannel
		opt.ChannelTypes = []discordgo.ChannelType{discordgo.ChannelTypeGuildText}
	}
	return opt, nil
}

func checkName(c *bot.Command) error {
	if !commandName.MatchString(c.Name) {
		return fmt.Errorf("discord commands: %q is not a valid Discord command name (lowercase, 1-32 characters)", c.FullName())
	}
	return nil
}

// describe returns a description within Discord's 100 characters.
func describe(s, fallback string) string {
	return clip(cmp.Or(bot.StripMarkdown(s), fallback), maxCommandDescription)
}

// RegisterCommands bulk-overwrites the application's commands with the ones
// derived from reg: in one guild when guildID is set (instant, for
// development), globally otherwise. It returns what Discord stored.
func RegisterCommands(ctx context.Context, s *discordgo.Session, appID, guildID string, reg *bot.Registry) ([]*discordgo.ApplicationCommand, error) {
	cmds, err := ApplicationCommands(reg, guildID == "")
	if err != nil {
		return nil, err
	}
	got, err := s.ApplicationCommandBulkOverwrite(appID, guildID, cmds, discordgo.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("register discord commands: %w", err)
	}
	return got, nil
}

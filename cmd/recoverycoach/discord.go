package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/adapters/discord"
	"github.com/recoverycoach/recoverycoach/bot"
)

// newDiscord builds the Discord adapter from the configuration: HTTP
// interactions at POST /discord/interactions when DISCORD_PUBLIC_KEY is
// set, the gateway otherwise (as one shard of DISCORD_SHARD_COUNT when that
// is set). REST calls use DISCORD_BOT_TOKEN either way.
func newDiscord(_ context.Context, d deps) (*platform, error) {
	session, err := discord.NewSession(d.cfg.DiscordBotToken, d.cfg.DiscordAPIURL)
	if err != nil {
		return nil, err
	}
	logger := d.logger.With("platform", "discord")
	a, err := discord.New(discord.Config{
		Session:   session,
		PublicKey: d.cfg.DiscordPublicKey,
		Handler:   d.coach,
		Store:     d.store,
		Clock:     d.clock,
		Logger:    logger,
		// Zero unless DISCORD_SHARD_COUNT is set; config refuses shards
		// with DISCORD_PUBLIC_KEY.
		ShardID:    d.cfg.DiscordShardID,
		ShardCount: d.cfg.DiscordShardCount,
		OnReconnect: func() {
			if d.reconnected != nil {
				d.reconnected(bot.Discord)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	p := &platform{
		name:   bot.Discord,
		sender: discord.NewSender(session, d.store, logger),
		run:    a.Run,
		ready:  a.Ready,
		idle:   a.Idle,
	}
	if a.HTTPMode() {
		p.routes = map[string]http.Handler{"POST /discord/interactions": a.HTTPHandler()}
	}
	return p, nil
}

// runDiscordRegister bulk-overwrites the Discord application commands.
func runDiscordRegister(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usageError{"discord-register takes no arguments; set DISCORD_APP_ID, DISCORD_BOT_TOKEN and optionally DISCORD_GUILD_ID"}
	}
	cmds, err := registerDiscordCommands(ctx, cfg)
	if err != nil {
		return err
	}
	where := "globally"
	if cfg.DiscordGuildID != "" {
		where = "in guild " + cfg.DiscordGuildID
	}
	fmt.Fprintf(stdout, "registered %d Discord commands %s:", len(cmds), where)
	for _, c := range cmds {
		fmt.Fprintf(stdout, " /%s", c.Name)
	}
	fmt.Fprintln(stdout)
	return nil
}

// registerDiscordCommands overwrites the application's commands with the
// ones derived from the registry. serve may call it at start (for example
// behind a --discord-register flag) so a deploy also updates the commands.
func registerDiscordCommands(ctx context.Context, cfg config) ([]*discordgo.ApplicationCommand, error) {
	switch {
	case cfg.DiscordAppID == "":
		return nil, errors.New("DISCORD_APP_ID: required to register commands (the Application ID on the Developer Portal's General Information page)")
	case cfg.DiscordBotToken == "":
		return nil, errors.New("DISCORD_BOT_TOKEN: required to register commands (Developer Portal, Bot page, Reset Token)")
	}
	session, err := discord.NewSession(cfg.DiscordBotToken, cfg.DiscordAPIURL)
	if err != nil {
		return nil, err
	}
	return discord.RegisterCommands(ctx, session, cfg.DiscordAppID, cfg.DiscordGuildID, bot.Commands())
}

package main

import (
	"context"
	"errors"
	"io"
)

// newDiscord builds the Discord adapter from the configuration.
func newDiscord(_ context.Context, _ deps) (*platform, error) {
	return nil, errors.New("DISCORD_BOT_TOKEN: the Discord adapter is not built into this version yet")
}

// runDiscordRegister bulk-overwrites the Discord application commands.
func runDiscordRegister(_ context.Context, _ config, _ []string, _ io.Writer) error {
	return errors.New("discord-register: the Discord adapter is not built into this version yet")
}

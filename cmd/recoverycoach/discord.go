package main

import (
	"context"
	"errors"
)

// newDiscord builds the Discord adapter from the configuration.
func newDiscord(_ context.Context, _ deps) (*platform, error) {
	return nil, errors.New("DISCORD_BOT_TOKEN: the Discord adapter is not built into this version yet")
}

package main

import (
	"context"
	"errors"
)

// newSlack builds the Slack adapter from the configuration.
func newSlack(_ context.Context, _ deps) (*platform, error) {
	return nil, errors.New("SLACK_BOT_TOKEN: the Slack adapter is not built into this version yet")
}

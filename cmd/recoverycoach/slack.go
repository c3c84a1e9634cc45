package main

import (
	"context"
	"errors"
	"io"
)

// newSlack builds the Slack adapter from the configuration.
func newSlack(_ context.Context, _ deps) (*platform, error) {
	return nil, errors.New("SLACK_BOT_TOKEN: the Slack adapter is not built into this version yet")
}

// runSlackManifest prints the Slack app manifest generated from the registry.
func runSlackManifest(_ []string, _ io.Writer) error {
	return errors.New("slack-manifest: the Slack adapter is not built into this version yet")
}
